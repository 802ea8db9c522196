// SPDX-License-Identifier: GPL-2.0

//! The one dump loop: fill a part with items from a cursor, and remember where to resume.

use kernel::prelude::*;

use super::{attr::nomem, Res};
use crate::ffi::genl::{Dump, DumpStatus, Msg, Reject};

/// Fill one part of a dump with one message per item. `next` returns the first item at or after
/// the cursor and advances the cursor past it; `put` writes an item's message for command `cmd`.
/// An item that does not fit even in an empty part is refused with `too_big`; one that does not
/// fit in this part is the first of the next.
pub(super) fn items<T>(
    d: &mut Dump<'_>,
    cmd: u8,
    mut next: impl FnMut(&mut u64) -> Option<T>,
    mut put: impl FnMut(&mut Msg, &T) -> Result,
    too_big: impl FnOnce(&T) -> Reject,
) -> Res<DumpStatus> {
    let mut cursor = d.cursor();
    loop {
        let mut after = cursor;
        let Some(item) = next(&mut after) else {
            return Ok(DumpStatus::Done);
        };
        let added = d.add(cmd, |m| put(m, &item)).map_err(|_| nomem())?;
        if !added {
            if d.is_empty() {
                return Err(too_big(&item));
            }
            d.set_cursor(cursor);
            return Ok(DumpStatus::More);
        }
        cursor = after;
        d.set_cursor(cursor);
    }
}

/// A port or flow that does not fit in one dump message.
pub(super) fn entry_too_big() -> Reject {
    Reject::new(
        EMSGSIZE.to_errno(),
        format_args!("an entry does not fit in one dump message"),
        None,
    )
}
