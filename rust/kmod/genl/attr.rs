// SPDX-License-Identifier: GPL-2.0

//! Attribute helpers every object's operations share: typed reads that refuse with an extack
//! message naming the attribute, the common refusals, and the `action` nest (buckets and flows).

use kernel::prelude::*;

use super::Res;
use crate::abi::action_attr as aa;
use crate::abi::wire::Attr;
use crate::ffi::genl::{Msg, Reject};
use crate::logic::{error::errno, model::Action};

/// EINVAL, pointing at `at` when there is one.
pub(super) fn invalid(msg: core::fmt::Arguments<'_>, at: Option<&Attr<'_>>) -> Reject {
    Reject::new(errno::EINVAL, msg, at.map(|a| a.offset))
}

/// Out of memory.
pub(super) fn nomem() -> Reject {
    Reject::new(ENOMEM.to_errno(), format_args!("out of memory"), None)
}

/// A required attribute is absent.
pub(super) fn missing(op: &str, what: &str) -> Reject {
    invalid(format_args!("{}: missing attribute '{}'", op, what), None)
}

/// A u32 attribute.
pub(super) fn u32_of(a: &Attr<'_>, name: &str) -> Res<u32> {
    a.u32()
        .ok_or_else(|| invalid(format_args!("attribute '{}' must be a u32", name), Some(a)))
}

/// A u16 attribute.
pub(super) fn u16_of(a: &Attr<'_>, name: &str) -> Res<u16> {
    a.u16()
        .ok_or_else(|| invalid(format_args!("attribute '{}' must be a u16", name), Some(a)))
}

/// One `action` nest (buckets and flows): exactly one of output, group.
pub(super) fn parse_action(a: &Attr<'_>) -> Res<Action> {
    let mut found = None;
    for x in a.nested() {
        let act = match x.kind {
            aa::OUTPUT => Action::Output(u32_of(&x, "output")?),
            aa::GROUP => Action::Group(u32_of(&x, "group")?),
            _ => continue,
        };
        if found.is_some() {
            return Err(invalid(
                format_args!("an action attribute holds exactly one of output, group"),
                Some(a),
            ));
        }
        found = Some(act);
    }
    found.ok_or_else(|| {
        invalid(
            format_args!("empty action attribute (need output or group)"),
            Some(a),
        )
    })
}

/// Put one `action` nest.
pub(super) fn put_action(m: &mut Msg, kind: u16, a: &Action) -> Result {
    m.nest(kind, |m| match *a {
        Action::Output(p) => m.put_u32(aa::OUTPUT, p),
        Action::Group(x) => m.put_u32(aa::GROUP, x),
    })
}
