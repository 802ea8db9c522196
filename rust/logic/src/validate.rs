// SPDX-License-Identifier: GPL-2.0

//! Validation of group requests, bucket id assignment, bucket-command positions and flow output
//! ports: everything that decides whether a request is acceptable before the table changes.
//! Nothing here allocates.

use core::fmt;

use super::error::{errno, BucketRef, Error, ErrorKind as K, Field, Result};
use super::hash::FieldSet;
use super::model::{
    Action, BucketPos, BucketSpec, GroupSpec, GroupType, BUCKET_MAX, MAX_ACTIONS, OFPG_MAX,
    OFPP_MAX,
};

/// Check a group request on its own: ids, type rules, bucket fields, actions, limits.
/// Chaining (loops, depth) needs the table and is checked by [`super::chain`].
pub fn validate_group(spec: &GroupSpec<'_>, max_buckets: usize) -> Result {
    let g = spec.id;
    if g > OFPG_MAX {
        return Err(Error::group(
            K::InvalidGroup,
            g,
            Field::GroupId,
            "id above OFPG_MAX 0xffffff00",
        ));
    }
    let n = spec.buckets.len();
    if n > max_buckets {
        return Err(Error::group(
            K::OutOfBuckets,
            g,
            Field::Buckets,
            "more buckets than max_buckets",
        )
        .with_value(max_buckets as u64));
    }
    if spec.group_type == GroupType::Indirect && n != 1 {
        return Err(Error::group(
            K::InvalidGroup,
            g,
            Field::Buckets,
            "an indirect group needs exactly one bucket",
        )
        .with_value(n as u64));
    }
    if spec.fields.0 & !FieldSet::VALID != 0 {
        return Err(Error::group(
            K::InvalidGroup,
            g,
            Field::Fields,
            "unknown hash field",
        ));
    }
    if spec.group_type != GroupType::Select && (spec.fields.0 != 0 || spec.basis != 0) {
        return Err(Error::group(
            K::InvalidGroup,
            g,
            Field::Fields,
            "only select groups hash (fields/basis)",
        ));
    }
    for (i, b) in spec.buckets.iter().enumerate() {
        validate_bucket(spec, b, i)?;
        if let Some(id) = b.bucket_id {
            if spec.buckets[..i].iter().any(|p| p.bucket_id == Some(id)) {
                return Err(Error::bucket(
                    K::BadBucket,
                    g,
                    BucketRef::Id(id),
                    Field::BucketId,
                    "duplicate bucket_id",
                ));
            }
        }
    }
    Ok(())
}

fn validate_bucket(spec: &GroupSpec<'_>, b: &BucketSpec<'_>, index: usize) -> Result {
    let g = spec.id;
    let at = match b.bucket_id {
        Some(id) => BucketRef::Id(id),
        None => BucketRef::Index(index),
    };
    let err = |kind, field, reason| Err(Error::bucket(kind, g, at, field, reason));
    if let Some(id) = b.bucket_id {
        if id > BUCKET_MAX {
            return err(K::BadBucket, Field::BucketId, "bucket_id above 0xffffff00");
        }
    }
    if spec.group_type != GroupType::Select && b.weight.unwrap_or(0) != 0 {
        return err(
            K::InvalidGroup,
            Field::Weight,
            "only select groups have weights",
        );
    }
    let watched = b.watched_port().is_some() || b.watched_group().is_some();
    match spec.group_type {
        GroupType::All | GroupType::Indirect if watched => {
            return err(
                K::WatchUnsupported,
                Field::WatchPort,
                "all/indirect buckets cannot watch",
            );
        }
        GroupType::FastFailover if !watched => {
            return err(
                K::BadWatch,
                Field::WatchPort,
                "fast_failover bucket needs a watch",
            );
        }
        _ => {}
    }
    if let Some(p) = b.watched_port() {
        if p == 0 || p > OFPP_MAX {
            return err(
                K::BadWatch,
                Field::WatchPort,
                "port out of range 1..0xffffff00",
            );
        }
    }
    if let Some(w) = b.watched_group() {
        if w > OFPG_MAX {
            return err(
                K::BadWatch,
                Field::WatchGroup,
                "group out of range 0..0xffffff00",
            );
        }
        if w == g {
            return err(K::Loop, Field::WatchGroup, "a group cannot watch itself");
        }
    }
    if b.actions.len() > MAX_ACTIONS {
        return err(K::TooMany, Field::Actions, "too many actions (max 32)");
    }
    for a in b.actions {
        match *a {
            Action::Output(p) if p == 0 || p > OFPP_MAX => {
                return err(K::BadBucket, Field::Actions, "output port out of range");
            }
            Action::Group(t) if t > OFPG_MAX => {
                return err(
                    K::BadBucket,
                    Field::Actions,
                    "group action id above 0xffffff00",
                );
            }
            Action::Group(t) if t == g => {
                return err(K::Loop, Field::Actions, "a group cannot chain to itself");
            }
            _ => {}
        }
    }
    Ok(())
}

/// Assign bucket ids: explicit ids are kept; each absent one gets one more than the largest id seen
/// so far (in `existing`, then earlier in `new`), starting at 0 — so a request without ids numbers
/// its buckets 0, 1, 2 …. `out[i]` receives the id of `new[i]`. An explicit id already in `existing`
/// is [`K::BucketExists`].
pub fn assign_bucket_ids(
    group: u32,
    existing: &[u32],
    new: &[BucketSpec<'_>],
    out: &mut [u32],
) -> Result {
    let mut next: u64 = existing
        .iter()
        .map(|&i| u64::from(i) + 1)
        .max()
        .unwrap_or(0);
    for (i, b) in new.iter().enumerate() {
        let id = match b.bucket_id {
            Some(id) => {
                if existing.contains(&id) {
                    return Err(Error::bucket(
                        K::BucketExists,
                        group,
                        BucketRef::Id(id),
                        Field::BucketId,
                        "the group already has this bucket_id",
                    ));
                }
                id
            }
            None => {
                if next > u64::from(BUCKET_MAX) {
                    return Err(Error::bucket(
                        K::OutOfBuckets,
                        group,
                        BucketRef::Index(i),
                        Field::BucketId,
                        "no bucket_id left to assign",
                    ));
                }
                next as u32
            }
        };
        next = next.max(u64::from(id) + 1);
        if let Some(slot) = out.get_mut(i) {
            *slot = id;
        }
    }
    Ok(())
}

/// Where `insert_bucket` puts new buckets in a group whose bucket ids are `ids`: the index to
/// insert before.
pub fn insert_index(group: u32, ids: &[u32], pos: BucketPos) -> Result<usize> {
    match pos {
        BucketPos::First => Ok(0),
        BucketPos::Last => Ok(ids.len()),
        BucketPos::All => Err(Error::group(
            K::BadCommand,
            group,
            Field::CommandBucketId,
            "insert_bucket takes first, last or a bucket_id, not all",
        )),
        BucketPos::Id(id) => ids.iter().position(|&x| x == id).ok_or_else(|| {
            Error::bucket(
                K::UnknownBucket,
                group,
                BucketRef::Id(id),
                Field::CommandBucketId,
                "no such bucket",
            )
        }),
    }
}

/// Which buckets `remove_bucket` removes from a group whose bucket ids are `ids`, as an index
/// range. first/last/all on an empty group remove nothing and succeed, as in OpenFlow.
pub fn remove_range(group: u32, ids: &[u32], pos: BucketPos) -> Result<core::ops::Range<usize>> {
    let n = ids.len();
    match pos {
        BucketPos::First => Ok(0..n.min(1)),
        BucketPos::Last => Ok(n.saturating_sub(1)..n),
        BucketPos::All => Ok(0..n),
        BucketPos::Id(id) => match ids.iter().position(|&x| x == id) {
            Some(i) => Ok(i..i + 1),
            None => Err(Error::bucket(
                K::UnknownBucket,
                group,
                BucketRef::Id(id),
                Field::CommandBucketId,
                "no such bucket",
            )),
        },
    }
}

/// The weight a bucket gets: as given, else 1 in select groups and 0 elsewhere.
pub fn effective_weight(t: GroupType, b: &BucketSpec<'_>) -> u16 {
    b.weight
        .unwrap_or(if t == GroupType::Select { 1 } else { 0 })
}

/// A flow's output action names a port number that cannot exist (OFPBAC_BAD_OUT_PORT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadOutPort(pub u32);

impl BadOutPort {
    /// The errno a netlink request fails with.
    pub fn errno(self) -> i32 {
        errno::EINVAL
    }
}

impl fmt::Display for BadOutPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "BAD_OUT_PORT: flow: output:{} is not a port number (1..{})",
            self.0, OFPP_MAX
        )
    }
}

/// Check one action of a flow: an output names a port number 1..=OFPP_MAX (whether that port is
/// attached is not checked: a flow may name a port attached later).
pub fn check_flow_action(a: &Action) -> core::result::Result<(), BadOutPort> {
    match *a {
        Action::Output(p) if p == 0 || p > OFPP_MAX => Err(BadOutPort(p)),
        _ => Ok(()),
    }
}

/// Most buckets a group may be configured to hold (`max_buckets` module parameter): a group's
/// bucket list is one allocation, and beyond this a select group's selection and an all group's
/// clones stop being bounded work per frame.
pub const MAX_BUCKETS_LIMIT: u32 = 65_536;

/// Most flows a datapath may be configured to hold (`max_flows` module parameter): what the flow
/// table's limits test shows reachable without a splat, memory back after.
pub const MAX_FLOWS_LIMIT: u32 = 1 << 20;

/// Check the limits a module is loaded with: `max_groups` in 1..=OFPG_MAX+1 (group ids are
/// 0..=OFPG_MAX), `max_buckets` in 1..=[`MAX_BUCKETS_LIMIT`], `max_flows` in
/// 1..=[`MAX_FLOWS_LIMIT`]. The error names the parameter.
pub fn check_limits(
    max_groups: u32,
    max_buckets: u32,
    max_flows: u32,
) -> core::result::Result<(), &'static str> {
    if max_groups == 0 || max_groups > OFPG_MAX.saturating_add(1) {
        return Err("max_groups must be 1..4294967041 (group ids are 0..0xffffff00)");
    }
    if max_buckets == 0 || max_buckets > MAX_BUCKETS_LIMIT {
        return Err("max_buckets must be 1..65536");
    }
    if max_flows == 0 || max_flows > MAX_FLOWS_LIMIT {
        return Err("max_flows must be 1..1048576");
    }
    Ok(())
}
