// SPDX-License-Identifier: GPL-2.0

//! Group operations: add, modify, delete, get and dump groups, reset their counters, and the
//! table's features; the group attributes of requests, replies and notifications.

use kernel::{prelude::*, sync::ArcBorrow};

use super::attr::{invalid, nomem, put_action, u32_of};
use super::{attr::parse_action, Do, Res};
use crate::abi::wire::{Attr, Attrs};
use crate::abi::{bucket_attr as ba, cmd, features_attr as fa, group_attr as ga};
use crate::bucket::Bucket;
use crate::datapath::Datapath;
use crate::ffi::genl::{Dump, DumpStatus, Msg, Reject, Request};
use crate::group::Group;
use crate::logic::{
    error::{errno, BucketRef, Error as OfError, ErrorKind, Field},
    hash::{FieldSet, HashField},
    model::{Action, BucketSpec, GroupSpec, GroupType, MAX_ACTIONS, OFPG_ANY, OFPP_ANY},
};
use crate::table::{AddMode, OpError, Table};

/// A bucket as requested.
pub(super) struct ReqBucket {
    spec_id: Option<u32>,
    weight: Option<u16>,
    watch_port: Option<u32>,
    watch_group: Option<u32>,
    actions: KVVec<Action>,
    offset: usize,
}

/// A group request's attributes.
pub(super) struct ReqGroup<'a> {
    pub(super) id: Option<Attr<'a>>,
    group_type: Option<(GroupType, Attr<'a>)>,
    fields: FieldSet,
    basis: u32,
    pub(super) buckets: KVVec<ReqBucket>,
    may_create: bool,
    pub(super) command_bucket_id: Option<Attr<'a>>,
}

/// Refuse the `n`th attribute of `kind` in `attrs` past `cap`, before anything is collected: a
/// request must not make the kernel allocate more than the limit it is refused for.
pub(super) fn over_cap<'a>(attrs: &Attrs<'a>, kind: u16, cap: usize) -> Option<(usize, Attr<'a>)> {
    let n = attrs.clone().filter(|a| a.kind == kind).count();
    if n <= cap {
        return None;
    }
    attrs
        .clone()
        .filter(|a| a.kind == kind)
        .nth(cap)
        .map(|a| (n, a))
}

fn parse_bucket(group: u32, index: usize, b: &Attr<'_>) -> Res<ReqBucket> {
    let n_actions = match over_cap(&b.nested(), ba::ACTION, MAX_ACTIONS) {
        None => b.nested().filter(|a| a.kind == ba::ACTION).count(),
        Some((n, first_over)) => {
            let e = OfError::bucket(
                ErrorKind::TooMany,
                group,
                BucketRef::Index(index),
                Field::Actions,
                "too many actions (max 32)",
            )
            .with_value(n as u64);
            return Err(Reject::new(
                e.errno(),
                format_args!("{}", e),
                Some(first_over.offset),
            ));
        }
    };
    let mut r = ReqBucket {
        spec_id: None,
        weight: None,
        watch_port: None,
        watch_group: None,
        actions: KVVec::with_capacity(n_actions, GFP_KERNEL).map_err(|_| nomem())?,
        offset: b.offset,
    };
    for a in b.nested() {
        match a.kind {
            ba::ID => r.spec_id = Some(u32_of(&a, "bucket id")?),
            ba::WEIGHT => r.weight = a.u16(),
            ba::WATCH_PORT => r.watch_port = Some(u32_of(&a, "watch-port")?),
            ba::WATCH_GROUP => r.watch_group = Some(u32_of(&a, "watch-group")?),
            ba::ACTION => {
                let act = parse_action(&a)?;
                r.actions.push(act, GFP_KERNEL).map_err(|_| nomem())?;
            }
            _ => {}
        }
    }
    Ok(r)
}

/// Parse a group request; `max_buckets` bounds its bucket list before it is collected.
pub(super) fn parse_group<'a>(attrs: &Attrs<'a>, max_buckets: u32) -> Res<ReqGroup<'a>> {
    // The id only names the group in messages here; `require_id` checks it.
    let named = attrs.find(ga::ID).and_then(|a| a.u32()).unwrap_or(0);
    let cap = max_buckets as usize;
    let n_buckets = match over_cap(attrs, ga::BUCKET, cap) {
        None => attrs.clone().filter(|a| a.kind == ga::BUCKET).count(),
        Some((_, first_over)) => {
            let e = OfError::group(
                ErrorKind::OutOfBuckets,
                named,
                Field::Buckets,
                "more buckets than max_buckets",
            )
            .with_value(u64::from(max_buckets));
            return Err(Reject::new(
                e.errno(),
                format_args!("{}", e),
                Some(first_over.offset),
            ));
        }
    };
    let mut g = ReqGroup {
        id: None,
        group_type: None,
        fields: FieldSet(0),
        basis: 0,
        buckets: KVVec::with_capacity(n_buckets, GFP_KERNEL).map_err(|_| nomem())?,
        may_create: false,
        command_bucket_id: None,
    };
    for a in attrs.clone() {
        match a.kind {
            ga::ID => g.id = Some(a),
            ga::TYPE => {
                let v = u32_of(&a, "type")?;
                let t = GroupType::from_u32(v).ok_or_else(|| {
                    Reject::new(
                        errno::EINVAL,
                        format_args!("BAD_TYPE: unknown group type {}", v),
                        Some(a.offset),
                    )
                })?;
                g.group_type = Some((t, a));
            }
            ga::HASH_FIELD => {
                let v = u32_of(&a, "hash-field")?;
                let f = HashField::from_u32(v)
                    .ok_or_else(|| invalid(format_args!("unknown hash-field {}", v), Some(&a)))?;
                g.fields.0 |= f.bit();
            }
            ga::BASIS => g.basis = u32_of(&a, "basis")?,
            ga::BUCKET => {
                let b = parse_bucket(named, g.buckets.len(), &a)?;
                g.buckets.push(b, GFP_KERNEL).map_err(|_| nomem())?;
            }
            ga::MAY_CREATE => g.may_create = true,
            ga::COMMAND_BUCKET_ID => g.command_bucket_id = Some(a),
            _ => {}
        }
    }
    Ok(g)
}

impl ReqGroup<'_> {
    pub(super) fn require_id(&self) -> Res<u32> {
        match &self.id {
            Some(a) => u32_of(a, "id"),
            None => Err(invalid(
                format_args!("missing attribute 'id' (the group id)"),
                None,
            )),
        }
    }

    pub(super) fn specs(&self) -> Res<KVVec<BucketSpec<'_>>> {
        let mut v = KVVec::with_capacity(self.buckets.len(), GFP_KERNEL).map_err(|_| nomem())?;
        for b in &self.buckets {
            let spec = BucketSpec {
                bucket_id: b.spec_id,
                weight: b.weight,
                watch_port: b.watch_port,
                watch_group: b.watch_group,
                actions: &b.actions,
            };
            v.push(spec, GFP_KERNEL).map_err(|_| nomem())?;
        }
        Ok(v)
    }

    /// A table refusal, pointing at the attribute it is about.
    pub(super) fn reject(&self, e: OpError) -> Reject {
        match e {
            OpError::NoMem => nomem(),
            // About another group or a flow (a work check): no attribute of this request.
            OpError::Of(e)
                if e.flow.is_some() || self.id.and_then(|a| a.u32()) != Some(e.group) =>
            {
                Reject::new(e.errno(), format_args!("{}", e), None)
            }
            OpError::Of(e) => {
                let by_field = match e.field {
                    Field::GroupId => self.id.map(|a| a.offset),
                    Field::Type => self.group_type.map(|(_, a)| a.offset),
                    Field::CommandBucketId => self.command_bucket_id.map(|a| a.offset),
                    _ => None,
                };
                let by_bucket = match e.bucket {
                    Some(BucketRef::Index(i)) => self.buckets.get(i).map(|b| b.offset),
                    Some(BucketRef::Id(id)) => self
                        .buckets
                        .iter()
                        .find(|b| b.spec_id == Some(id))
                        .map(|b| b.offset),
                    None => None,
                };
                let bad = by_field.or(by_bucket);
                Reject::new(e.errno(), format_args!("{}", e), bad)
            }
        }
    }
}

/// group-new, group-set: add or modify a group.
pub(super) fn set(dp: ArcBorrow<'_, Datapath>, r: &Do<'_>) -> Res {
    let g = parse_group(&r.attrs, dp.table.max_buckets())?;
    let id = g.require_id()?;
    let (group_type, _) = g.group_type.ok_or_else(|| {
        invalid(
            format_args!("missing attribute 'type' (the group type)"),
            None,
        )
    })?;
    let specs = g.specs()?;
    let spec = GroupSpec {
        id,
        group_type,
        fields: g.fields,
        basis: g.basis,
        buckets: &specs,
    };
    let mode = match (r.cmd, g.may_create) {
        (cmd::GROUP_NEW, _) => AddMode::Add,
        (_, true) => AddMode::AddOrModify,
        (_, false) => AddMode::Modify,
    };
    dp.group_add(&spec, mode).map_err(|e| g.reject(e))?;
    notify_change(r.req, &dp.table, id);
    Ok(())
}

/// group-del: delete one group or all, and the flows that name them.
pub(super) fn del(dp: ArcBorrow<'_, Datapath>, r: &Do<'_>) -> Res {
    let g = parse_group(&r.attrs, dp.table.max_buckets())?;
    let id = match &g.id {
        Some(_) => Some(g.require_id()?),
        None => None,
    };
    // Deleting a group deletes the flows that name it.
    let deleted = dp.group_delete(id).map_err(|_| {
        Reject::new(
            ENOMEM.to_errno(),
            format_args!("out of memory removing the flows of deleted groups"),
            None,
        )
    })?;
    if deleted > 0 {
        notify_del(r.req, id);
    }
    Ok(())
}

/// group-get: one group, with counters on request. A group too large for one message is
/// refused (EMSGSIZE, saying so): a dump with its id splits it over several messages.
pub(super) fn get(dp: ArcBorrow<'_, Datapath>, r: &Do<'_>) -> Res {
    let g = parse_group(&r.attrs, dp.table.max_buckets())?;
    let id = g.require_id()?;
    let stats = r.attrs.find(ga::STATS).is_some();
    let grp = dp.table.get(id).ok_or_else(|| {
        Reject::new(
            errno::ENOENT,
            format_args!("UNKNOWN_GROUP: group {}: no such group", id),
            g.id.map(|a| a.offset),
        )
    })?;
    let size = group_size(&grp);
    if size > ONE_MESSAGE {
        return Err(Reject::new(
            EMSGSIZE.to_errno(),
            format_args!(
                "group {}: {} buckets do not fit one reply (up to {} bytes > {}): dump it \
                 (group-get dump with its id), which splits it",
                id,
                grp.buckets.len(),
                size,
                ONE_MESSAGE
            ),
            g.id.map(|a| a.offset),
        ));
    }
    r.req
        .reply(cmd::GROUP_GET, size, |m| put_group(m, &grp, stats))
        .map_err(|_| nomem())
}

/// group-get dump: every group (or the one `id` names), with counters on request. A group whose
/// buckets do not fit one message is split: each part carries id and type and as many buckets
/// as fit, every part but the last the `partial` flag (see the spec). The cursor stays on the
/// group until its last part is out; `inner` remembers its id and the next bucket.
pub(super) fn dump(dp: &Datapath, d: &mut Dump<'_>) -> Res<DumpStatus> {
    let req = Attrs::new(d.attr_bytes());
    let stats = req.find(ga::STATS).is_some();
    let only = req.find(ga::ID).and_then(|a| a.u32());
    if d.cursor() == 0 {
        if let Some(id) = only {
            // Start at the group asked for (cursors are ids + 1, see `Table::next`).
            d.set_cursor(u64::from(id));
        }
    }
    let mut cursor = d.cursor();
    loop {
        let mut after = cursor;
        let Some(g) = dp.table.next(&mut after) else {
            return Ok(DumpStatus::Done);
        };
        if only.is_some_and(|id| id != g.id) {
            return Ok(DumpStatus::Done);
        }
        let (key, at) = d.inner();
        // Resume inside this group only if it is the one being split.
        let from = if key == u64::from(g.id) + 1 {
            (at as usize).min(g.buckets.len())
        } else {
            0
        };
        let mut reached = from;
        // A group that fits a part of its own is never split: if it does not fit after what
        // this part already holds, it starts the next one.
        let may_split = d.is_empty();
        let added = d
            .add(cmd::GROUP_GET, |m| {
                reached = put_group_part(m, &g, stats, from, may_split)?;
                Ok(())
            })
            .map_err(|_| nomem())?;
        if !added {
            if d.is_empty() {
                return Err(Reject::new(
                    EMSGSIZE.to_errno(),
                    format_args!("group {}: one bucket does not fit in a dump message", g.id),
                    None,
                ));
            }
            d.set_cursor(cursor);
            return Ok(DumpStatus::More);
        }
        if reached < g.buckets.len() {
            // Split: the rest of this group starts the next part.
            d.set_inner(u64::from(g.id) + 1, reached as u64);
            d.set_cursor(cursor);
            return Ok(DumpStatus::More);
        }
        d.set_inner(0, 0);
        cursor = after;
        d.set_cursor(cursor);
    }
}

/// stats-reset: zero the counters of one group or all.
pub(super) fn stats_reset(dp: ArcBorrow<'_, Datapath>, r: &Do<'_>) -> Res {
    let g = parse_group(&r.attrs, dp.table.max_buckets())?;
    let id = match &g.id {
        Some(_) => Some(g.require_id()?),
        None => None,
    };
    dp.table.reset_stats(id).map_err(|e| g.reject(e))
}

/// features-get: what the table supports.
pub(super) fn features(dp: ArcBorrow<'_, Datapath>, r: &Do<'_>) -> Res {
    let f = dp.table.features();
    r.req
        .reply(cmd::FEATURES_GET, 256, |m| {
            m.put_u32(fa::TYPES, f.types)?;
            m.put_u32(fa::CAPABILITIES, f.capabilities)?;
            for mg in f.max_groups {
                m.put_u32(fa::MAX_GROUPS, mg)?;
            }
            m.put_u32(fa::MAX_BUCKETS, f.max_buckets)?;
            m.put_u32(fa::ACTIONS, f.actions)?;
            m.put_u32(fa::MAX_ACTIONS, f.max_actions)?;
            m.put_u32(fa::WORK_BUDGET, f.work_budget)
        })
        .map_err(|_| nomem())
}

/// The largest reply or notification built for one group (the largest part of a dump a reader
/// with a big enough buffer gets, 32 KiB): a larger group is dumped in parts.
const ONE_MESSAGE: usize = 32 * 1024;

/// Room one bucket's attributes may take at most, counters included: the nest, id, weight,
/// watches (8 bytes each), 12 bytes per action nest, two 64-bit counters (12 bytes each).
fn bucket_size(b: &Bucket) -> usize {
    4 + 4 * 8 + b.actions.len() * 12 + 2 * 12
}

/// Room for one group's message.
fn group_size(g: &Group) -> usize {
    let buckets: usize = g.buckets.iter().map(bucket_size).sum();
    256 + buckets
}

/// A group's attributes (and counters, with `stats`), whole.
fn put_group(m: &mut Msg, g: &Group, stats: bool) -> Result {
    put_head(m, g, stats)?;
    for b in g.buckets.iter() {
        put_bucket(m, g, b, stats)?;
    }
    Ok(())
}

/// The group's own attributes (and counters, with `stats`).
fn put_head(m: &mut Msg, g: &Group, stats: bool) -> Result {
    m.put_u32(ga::ID, g.id)?;
    m.put_u32(ga::TYPE, g.group_type as u32)?;
    for f in g.fields.iter() {
        m.put_u32(ga::HASH_FIELD, f as u32)?;
    }
    if g.group_type == GroupType::Select {
        m.put_u32(ga::BASIS, g.basis)?;
    }
    if stats {
        let s = g.shared.stats.read();
        m.put_uint(ga::DURATION, g.duration_ns())?;
        m.put_u32(ga::REF_COUNT, g.shared.flow_refs())?;
        m.put_uint(ga::PACKETS, s.packets)?;
        m.put_uint(ga::BYTES, s.bytes)?;
    }
    Ok(())
}

/// One part of a group for a dump, from bucket `from` on: the group's attributes (id and type
/// only after the first part), then buckets while they fit, keeping room for the `partial`
/// flag. Returns the index of the first bucket left for the next part; at least one bucket (if
/// any is left) is in every part, or the part fails (EMSGSIZE). Without `may_split` (the
/// message already holds other groups) a group that does not fit whole fails (EMSGSIZE).
fn put_group_part(
    m: &mut Msg,
    g: &Group,
    stats: bool,
    from: usize,
    may_split: bool,
) -> Result<usize> {
    if from == 0 {
        put_head(m, g, stats)?;
    } else {
        m.put_u32(ga::ID, g.id)?;
        m.put_u32(ga::TYPE, g.group_type as u32)?;
    }
    const FLAG: usize = 4;
    for (i, b) in g.buckets.iter().enumerate().skip(from) {
        if i > from && m.room() < bucket_size(b) + FLAG {
            if !may_split {
                return Err(EMSGSIZE);
            }
            m.put_flag(ga::PARTIAL)?;
            return Ok(i);
        }
        if let Err(e) = put_bucket(m, g, b, stats) {
            if i == from || !may_split {
                return Err(e);
            }
            // The estimate was short: the bucket was taken back, the flag still fits.
            m.put_flag(ga::PARTIAL)?;
            return Ok(i);
        }
    }
    Ok(g.buckets.len())
}

/// One bucket nest.
fn put_bucket(m: &mut Msg, g: &Group, b: &Bucket, stats: bool) -> Result {
    m.nest(ga::BUCKET, |m| {
        m.put_u32(ba::ID, b.id)?;
        if g.group_type == GroupType::Select {
            m.put_u16(ba::WEIGHT, b.weight)?;
        }
        if b.watch.port != OFPP_ANY {
            m.put_u32(ba::WATCH_PORT, b.watch.port)?;
        }
        if b.watch.group != OFPG_ANY {
            m.put_u32(ba::WATCH_GROUP, b.watch.group)?;
        }
        for a in &b.actions {
            put_action(m, ba::ACTION, a)?;
        }
        if stats {
            let s = b.stats.read();
            m.put_uint(ba::PACKETS, s.packets)?;
            m.put_uint(ba::BYTES, s.bytes)?;
        }
        Ok(())
    })
}

/// Tell the monitor group that group `id` was added or changed. A lost notification (memory)
/// does not fail the request that already changed the table.
/// A group too large for one message is announced without its buckets (`partial`).
pub(super) fn notify_change(req: &Request<'_>, t: &Table, id: u32) {
    if let Some(g) = t.get(id) {
        let size = group_size(&g);
        let _ = if size <= ONE_MESSAGE {
            req.notify(cmd::GROUP_CHANGE_NTF, size, |m| put_group(m, &g, false))
        } else {
            req.notify(cmd::GROUP_CHANGE_NTF, 256, |m| {
                put_head(m, &g, false)?;
                m.put_flag(ga::PARTIAL)
            })
        };
    }
}

/// Tell the monitor group that group `id` (or every group) was deleted.
fn notify_del(req: &Request<'_>, id: Option<u32>) {
    let _ = req.notify(cmd::GROUP_DEL_NTF, 64, |m| match id {
        Some(id) => m.put_u32(ga::ID, id),
        None => Ok(()),
    });
}
