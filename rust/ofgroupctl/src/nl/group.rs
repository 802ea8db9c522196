//! Groups and buckets: requests (group commands, batch lines) and the group replies and
//! notifications.

use ofgroup_abi::{bucket_attr as ba, cmd, group_attr as ga, wire};
use ofgroup_logic::hash::HashField;
use ofgroup_logic::model::GroupType;

use crate::format::GroupStats;
use crate::spec::{Bucket, Group, GroupId};

use super::action::{decode_action, put_action};
use super::client::Client;
use super::enc::{w_u32, w_uint, Enc};
use super::{other, Failure};

pub(super) fn put_bucket(m: &mut Enc<'_>, b: &Bucket) {
    m.nest(ga::BUCKET, |m| {
        if let Some(id) = b.bucket_id {
            m.u32(ba::ID, id);
        }
        if let Some(w) = b.weight {
            m.u16(ba::WEIGHT, w);
        }
        if let Some(p) = b.watch_port {
            m.u32(ba::WATCH_PORT, p);
        }
        if let Some(g) = b.watch_group {
            m.u32(ba::WATCH_GROUP, g);
        }
        for a in &b.actions {
            put_action(m, ba::ACTION, a);
        }
    });
}

pub(super) fn put_group(m: &mut Enc<'_>, id: u32, g: &Group) {
    m.u32(ga::ID, id);
    if let Some(t) = g.group_type {
        m.u32(ga::TYPE, t as u32);
    }
    for f in &g.fields {
        m.u32(ga::HASH_FIELD, *f as u32);
    }
    if let Some(b) = g.basis {
        m.u32(ga::BASIS, b);
    }
    for b in &g.buckets {
        put_bucket(m, b);
    }
}

/// Append the request a batch-file line makes to `buf`, as message `seq` of `family` with
/// netlink `flags`.
pub fn encode_batch_request(
    buf: &mut Vec<u8>,
    family: u16,
    flags: u16,
    seq: u32,
    c: crate::spec::BatchCommand,
    g: &Group,
) -> Result<(), Failure> {
    use crate::spec::BatchCommand as B;
    let command = match c {
        B::Add => cmd::GROUP_NEW,
        B::Modify | B::AddOrMod => cmd::GROUP_SET,
        B::Delete => cmd::GROUP_DEL,
        B::InsertBucket => cmd::BUCKET_INSERT,
        B::RemoveBucket => cmd::BUCKET_REMOVE,
    };
    // Check before writing anything: a refused line leaves `buf` as it was.
    let id = match (c, g.group_id) {
        (B::Delete, Some(GroupId::Id(id))) => Some(id),
        (B::Delete, _) => None,
        _ => Some(id_of(g)?),
    };
    let mut m = Enc::new(buf, family, flags, seq, command);
    match c {
        B::Add | B::Modify | B::AddOrMod => {
            put_group(&mut m, id.unwrap_or_default(), g);
            if c == B::AddOrMod {
                m.flag(ga::MAY_CREATE);
            }
        }
        B::Delete => {
            if let Some(id) = id {
                m.u32(ga::ID, id);
            }
        }
        B::InsertBucket | B::RemoveBucket => {
            m.u32(ga::ID, id.unwrap_or_default());
            if let Some(p) = g.command_bucket_id {
                m.u32(ga::COMMAND_BUCKET_ID, p.to_u32());
            }
            for b in &g.buckets {
                put_bucket(&mut m, b);
            }
        }
    }
    m.finish();
    Ok(())
}

pub(super) fn id_of(g: &Group) -> Result<u32, Failure> {
    match g.group_id {
        Some(GroupId::Id(id)) => Ok(id),
        _ => Err(Failure::Other("a group id is needed".into())),
    }
}

/// A group message's attributes, read in place (dumps of many groups allocate only what the
/// `Group` holds).
pub(super) fn decode_group(attrs: wire::Attrs<'_>) -> Result<(Group, GroupStats), Failure> {
    let mut g = Group::default();
    let mut s = GroupStats::default();
    for a in attrs {
        match a.kind {
            ga::ID => {
                let id = w_u32(&a)?;
                g.group_id = Some(GroupId::Id(id));
                s.group_id = id;
            }
            ga::TYPE => {
                let t = w_u32(&a)?;
                g.group_type =
                    Some(GroupType::from_u32(t).ok_or_else(|| other(format!("group type {t}")))?);
            }
            ga::HASH_FIELD => {
                let f = w_u32(&a)?;
                g.fields
                    .push(HashField::from_u32(f).ok_or_else(|| other(format!("hash field {f}")))?);
            }
            ga::BASIS => {
                let b = w_u32(&a)?;
                if b != 0 {
                    g.basis = Some(b);
                }
            }
            ga::BUCKET => {
                let (b, counters) = decode_bucket(&a)?;
                g.buckets.push(b);
                s.buckets.push(counters);
            }
            ga::DURATION => s.duration_ns = w_uint(&a)?,
            ga::REF_COUNT => s.ref_count = w_u32(&a)?,
            ga::PACKETS => s.packets = w_uint(&a)?,
            ga::BYTES => s.bytes = w_uint(&a)?,
            _ => {}
        }
    }
    if !g.fields.is_empty() {
        g.selection_method = true;
    }
    Ok((g, s))
}

pub(super) fn decode_bucket(a: &wire::Attr<'_>) -> Result<(Bucket, (u64, u64)), Failure> {
    let mut b = Bucket::default();
    let (mut packets, mut bytes) = (0, 0);
    let mut weight = None;
    for x in a.nested() {
        match x.kind {
            ba::ID => b.bucket_id = Some(w_u32(&x)?),
            ba::WEIGHT => weight = x.u16(),
            ba::WATCH_PORT => b.watch_port = Some(w_u32(&x)?),
            ba::WATCH_GROUP => b.watch_group = Some(w_u32(&x)?),
            ba::ACTION => decode_action(&x, &mut b.actions)?,
            ba::PACKETS => packets = w_uint(&x)?,
            ba::BYTES => bytes = w_uint(&x)?,
            _ => {}
        }
    }
    // ovs-ofctl prints a select bucket's weight only when it is not the default 1.
    b.weight = weight.filter(|&w| w != 1);
    Ok((b, (packets, bytes)))
}

impl Client {
    /// Apply one group command (what a line of an add-groups file says).
    pub fn apply(&self, c: crate::spec::BatchCommand, g: &Group) -> Result<(), Failure> {
        self.batch([(c, g)], 1).map_err(|(_, e)| e)
    }

    /// Groups (one, or all), with counters when `stats`.
    pub fn groups(
        &self,
        id: Option<u32>,
        stats: bool,
    ) -> Result<Vec<(Group, GroupStats)>, Failure> {
        let mut out = Vec::new();
        self.groups_each(id, stats, |g, s| {
            out.push((g, s));
            Ok(())
        })?;
        Ok(out)
    }

    /// Like [`Client::groups`], handing each group to `each` as its message arrives (a dump of
    /// many groups is never held in memory).
    pub fn groups_each(
        &self,
        id: Option<u32>,
        stats: bool,
        mut each: impl FnMut(Group, GroupStats) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        let fill = |m: &mut Enc<'_>| {
            if let Some(id) = id {
                m.u32(ga::ID, id);
            }
            if stats {
                m.flag(ga::STATS);
            }
        };
        self.request_each(cmd::GROUP_GET, id.is_none(), fill, |attrs| {
            let (g, s) = decode_group(attrs)?;
            each(g, s)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nl::client::{genl_of, parse_msg, raw_messages};
    use crate::parse::{parse_group, Expect};
    use crate::spec::BatchCommand;

    /// What `encode_batch_request` writes reads back as the same group (the attribute layout of
    /// requests and replies is the same), in a well-formed, aligned message.
    #[test]
    fn encoded_group_reads_back() {
        let text = "group_id=1234,type=select,selection_method=hash,fields(ip_dst,tcp_dst),\
                    selection_method_param=7,bucket=bucket_id:0,weight:5,watch_port:10,\
                    actions=output:10,bucket=bucket_id:1,weight=3,watch_group:9,actions=output:11,group:7";
        let g = parse_group(text, Expect::Add).unwrap();
        let mut buf = Vec::new();
        encode_batch_request(&mut buf, 0x1d, 0x5, 42, BatchCommand::AddOrMod, &g).unwrap();
        assert_eq!(buf.len() % 4, 0);
        let raw = raw_messages(&buf).next().unwrap();
        assert_eq!((raw.ty, raw.seq, raw.bytes.len()), (0x1d, 42, buf.len()));
        let (command, attrs) = genl_of(&raw);
        assert_eq!(command, cmd::GROUP_SET);
        assert!(attrs.clone().any(|a| a.kind == ga::MAY_CREATE));
        let (back, _) = decode_group(attrs).unwrap();
        assert_eq!(back, g);
        // neli reads it too.
        assert!(parse_msg(raw.bytes).is_ok());
    }
}
