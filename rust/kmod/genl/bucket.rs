// SPDX-License-Identifier: GPL-2.0

//! Bucket operations: insert buckets into a group, or remove them, at a command-bucket-id
//! position.

use kernel::sync::ArcBorrow;

use super::attr::{invalid, u32_of};
use super::group::{notify_change, parse_group};
use super::{Do, Res};
use crate::abi::cmd;
use crate::datapath::Datapath;
use crate::logic::model::{BucketPos, BUCKET_ALL, BUCKET_LAST};

/// bucket-insert, bucket-remove.
pub(super) fn insert_remove(dp: ArcBorrow<'_, Datapath>, r: &Do<'_>) -> Res {
    let g = parse_group(&r.attrs, dp.table.max_buckets())?;
    let id = g.require_id()?;
    let insert = r.cmd == cmd::BUCKET_INSERT;
    let default = if insert { BUCKET_LAST } else { BUCKET_ALL };
    let raw = match &g.command_bucket_id {
        Some(a) => u32_of(a, "command-bucket-id")?,
        None => default,
    };
    let pos = BucketPos::from_u32(raw).ok_or_else(|| {
        invalid(
            format_args!(
                "command-bucket-id {:#x} is neither a bucket id nor first/last/all",
                raw
            ),
            g.command_bucket_id.as_ref(),
        )
    })?;
    if insert {
        if g.buckets.is_empty() {
            return Err(invalid(
                format_args!("bucket-insert: missing attribute 'bucket'"),
                None,
            ));
        }
        let specs = g.specs()?;
        dp.group_insert_buckets(id, pos, &specs)
            .map_err(|e| g.reject(e))?;
    } else {
        dp.table.remove_buckets(id, pos).map_err(|e| g.reject(e))?;
    }
    notify_change(r.req, &dp.table, id);
    Ok(())
}
