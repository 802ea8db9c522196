// SPDX-License-Identifier: GPL-2.0

//! The `ofgroup` generic netlink operations: requests parsed into table operations, replies and
//! notifications built from groups. Every refusal carries an errno and an extack message naming
//! the problem and, where there is one, the offending attribute; a refused request changes nothing.
//!
//! Netns: there is one group table for the system, and the family is registered without
//! `netnsok`, so it exists only in the initial network namespace: a client in another namespace
//! cannot resolve the family, let alone see or change the table.

use kernel::{
    prelude::*,
    sync::{Arc, ArcBorrow},
};

use crate::abi::wire::{Attr, Attrs};
use crate::abi::{
    action_attr as aa, bucket_attr as ba, cmd, features_attr as fa, group_attr as ga,
};
use crate::datapath::Datapath;
use crate::ffi::genl::{Dump, DumpStatus, GenlHandler, Msg, Reject, Request};
use crate::genl_dp;
use crate::group::Group;
use crate::logic::{
    error::{errno, BucketRef, Field},
    hash::{FieldSet, HashField},
    model::{
        Action, BucketPos, BucketSpec, GroupSpec, GroupType, BUCKET_ALL, BUCKET_LAST, OFPG_ANY,
        OFPP_ANY,
    },
};
use crate::table::{AddMode, OpError, Table};

pub(crate) type Res<T = ()> = core::result::Result<T, Reject>;

pub(crate) fn invalid(msg: core::fmt::Arguments<'_>, at: Option<&Attr<'_>>) -> Reject {
    Reject::new(errno::EINVAL, msg, at.map(|a| a.offset))
}

pub(crate) fn nomem() -> Reject {
    Reject::new(ENOMEM.to_errno(), format_args!("out of memory"), None)
}

/// A bucket as requested.
struct ReqBucket {
    spec_id: Option<u32>,
    weight: Option<u16>,
    watch_port: Option<u32>,
    watch_group: Option<u32>,
    actions: KVec<Action>,
    offset: usize,
}

/// A group request's attributes.
struct ReqGroup<'a> {
    id: Option<Attr<'a>>,
    group_type: Option<(GroupType, Attr<'a>)>,
    fields: FieldSet,
    basis: u32,
    buckets: KVec<ReqBucket>,
    may_create: bool,
    command_bucket_id: Option<Attr<'a>>,
}

pub(crate) fn u32_of(a: &Attr<'_>, name: &str) -> Res<u32> {
    a.u32()
        .ok_or_else(|| invalid(format_args!("attribute '{}' must be a u32", name), Some(a)))
}

/// One `action` nest (buckets and flows): exactly one of output, group.
pub(crate) fn parse_action(a: &Attr<'_>) -> Res<Action> {
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
pub(crate) fn put_action(m: &mut Msg, kind: u16, a: &Action) -> Result {
    m.nest(kind, |m| match *a {
        Action::Output(p) => m.put_u32(aa::OUTPUT, p),
        Action::Group(x) => m.put_u32(aa::GROUP, x),
    })
}

fn parse_bucket(b: &Attr<'_>) -> Res<ReqBucket> {
    let mut r = ReqBucket {
        spec_id: None,
        weight: None,
        watch_port: None,
        watch_group: None,
        actions: KVec::new(),
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

fn parse_group<'a>(attrs: &Attrs<'a>) -> Res<ReqGroup<'a>> {
    let mut g = ReqGroup {
        id: None,
        group_type: None,
        fields: FieldSet(0),
        basis: 0,
        buckets: KVec::new(),
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
                let b = parse_bucket(&a)?;
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
    fn require_id(&self) -> Res<u32> {
        match &self.id {
            Some(a) => u32_of(a, "id"),
            None => Err(invalid(
                format_args!("missing attribute 'id' (the group id)"),
                None,
            )),
        }
    }

    fn specs(&self) -> Res<KVec<BucketSpec<'_>>> {
        let mut v = KVec::with_capacity(self.buckets.len(), GFP_KERNEL).map_err(|_| nomem())?;
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
    fn reject(&self, e: OpError) -> Reject {
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

/// The family's handler: serves the operations on the datapath.
pub(crate) struct Ops {
    dp: Arc<Datapath>,
}

impl Ops {
    /// A handler serving `dp`.
    pub(crate) fn new(dp: Arc<Datapath>) -> Self {
        Ops { dp }
    }
}

impl GenlHandler for Ops {
    fn doit(&self, cmd: u8, req: &Request<'_>) -> Res {
        handle_do(self.dp.as_arc_borrow(), cmd, req)
    }

    fn dumpit(&self, cmd: u8, dump: &mut Dump<'_>) -> Res<DumpStatus> {
        handle_dump(self.dp.as_arc_borrow(), cmd, dump)
    }
}

/// Serve one `do` request.
fn handle_do(dp: ArcBorrow<'_, Datapath>, command: u8, req: &Request<'_>) -> Res {
    let t: &Table = &dp.table;
    let attrs = Attrs::new(req.attr_bytes());
    match command {
        cmd::GROUP_NEW | cmd::GROUP_SET => {
            let g = parse_group(&attrs)?;
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
            let mode = match (command, g.may_create) {
                (cmd::GROUP_NEW, _) => AddMode::Add,
                (_, true) => AddMode::AddOrModify,
                (_, false) => AddMode::Modify,
            };
            dp.group_add(&spec, mode).map_err(|e| g.reject(e))?;
            notify_change(req, t, id);
            Ok(())
        }
        cmd::GROUP_DEL => {
            let g = parse_group(&attrs)?;
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
                notify_del(req, id);
            }
            Ok(())
        }
        cmd::BUCKET_INSERT | cmd::BUCKET_REMOVE => {
            let g = parse_group(&attrs)?;
            let id = g.require_id()?;
            let default = if command == cmd::BUCKET_INSERT {
                BUCKET_LAST
            } else {
                BUCKET_ALL
            };
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
            if command == cmd::BUCKET_INSERT {
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
                t.remove_buckets(id, pos).map_err(|e| g.reject(e))?;
            }
            notify_change(req, t, id);
            Ok(())
        }
        cmd::GROUP_GET => {
            let g = parse_group(&attrs)?;
            let id = g.require_id()?;
            let stats = attrs.find(ga::STATS).is_some();
            let grp = t.get(id).ok_or_else(|| {
                Reject::new(
                    errno::ENOENT,
                    format_args!("UNKNOWN_GROUP: group {}: no such group", id),
                    g.id.map(|a| a.offset),
                )
            })?;
            req.reply(cmd::GROUP_GET, group_size(&grp), |m| {
                put_group(m, &grp, stats)
            })
            .map_err(|_| nomem())
        }
        cmd::STATS_RESET => {
            let g = parse_group(&attrs)?;
            let id = match &g.id {
                Some(_) => Some(g.require_id()?),
                None => None,
            };
            t.reset_stats(id).map_err(|e| g.reject(e))
        }
        cmd::FEATURES_GET => {
            let f = t.features();
            req.reply(cmd::FEATURES_GET, 256, |m| {
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
        cmd::PORT_NEW..=cmd::DP_GET => genl_dp::handle_do(dp, command, req),
        _ => Err(Reject::new(
            errno::EOPNOTSUPP,
            format_args!("unknown command {}", command),
            None,
        )),
    }
}

/// Serve one part of a dump.
fn handle_dump(dp: ArcBorrow<'_, Datapath>, command: u8, d: &mut Dump<'_>) -> Res<DumpStatus> {
    if command == cmd::PORT_GET || command == cmd::FLOW_GET {
        return genl_dp::handle_dump(&dp, command, d);
    }
    let t: &Table = &dp.table;
    if command != cmd::GROUP_GET {
        return Err(Reject::new(
            errno::EOPNOTSUPP,
            format_args!("no dump for command {}", command),
            None,
        ));
    }
    let stats = Attrs::new(d.attr_bytes()).find(ga::STATS).is_some();
    let mut cursor = d.cursor();
    loop {
        let mut next = cursor;
        let Some(g) = t.next(&mut next) else {
            return Ok(DumpStatus::Done);
        };
        let added = d
            .add(cmd::GROUP_GET, |m| put_group(m, &g, stats))
            .map_err(|_| nomem())?;
        if !added {
            if d.is_empty() {
                return Err(Reject::new(
                    EMSGSIZE.to_errno(),
                    format_args!("group {} does not fit in one dump message", g.id),
                    None,
                ));
            }
            d.set_cursor(cursor);
            return Ok(DumpStatus::More);
        }
        cursor = next;
        d.set_cursor(cursor);
    }
}

/// Room for one group's message.
fn group_size(g: &Group) -> usize {
    let actions: usize = g.buckets.iter().map(|b| b.actions.len()).sum();
    256 + g.buckets.len() * 96 + actions * 16
}

/// A group's attributes (and counters, with `stats`).
fn put_group(m: &mut Msg, g: &Group, stats: bool) -> Result {
    m.put_u32(ga::ID, g.id)?;
    m.put_u32(ga::TYPE, g.group_type as u32)?;
    for f in g.fields.iter() {
        m.put_u32(ga::HASH_FIELD, f as u32)?;
    }
    if g.group_type == GroupType::Select {
        m.put_u32(ga::BASIS, g.basis)?;
    }
    for b in &g.buckets {
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
        })?;
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

/// Tell the monitor group that group `id` was added or changed. A lost notification (memory)
/// does not fail the request that already changed the table.
fn notify_change(req: &Request<'_>, t: &Table, id: u32) {
    if let Some(g) = t.get(id) {
        let _ = req.notify(cmd::GROUP_CHANGE_NTF, group_size(&g), |m| {
            put_group(m, &g, false)
        });
    }
}

/// Tell the monitor group that group `id` (or every group) was deleted.
fn notify_del(req: &Request<'_>, id: Option<u32>) {
    let _ = req.notify(cmd::GROUP_DEL_NTF, 64, |m| match id {
        Some(id) => m.put_u32(ga::ID, id),
        None => Ok(()),
    });
}
