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
    /// many groups is never held in memory). A group the kernel split over several messages
    /// (`partial`) is handed over whole; one too large for a single reply is dumped by id.
    pub fn groups_each(
        &self,
        id: Option<u32>,
        stats: bool,
        mut each: impl FnMut(Group, GroupStats) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        const EMSGSIZE: i32 = 90;
        match self.groups_request(id, stats, id.is_none(), &mut each) {
            Err(Failure::Kernel { errno, .. }) if errno == EMSGSIZE && id.is_some() => {
                self.groups_request(id, stats, true, &mut each)
            }
            r => r,
        }
    }

    fn groups_request(
        &self,
        id: Option<u32>,
        stats: bool,
        dump: bool,
        each: &mut impl FnMut(Group, GroupStats) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        let fill = |m: &mut Enc<'_>| {
            if let Some(id) = id {
                m.u32(ga::ID, id);
            }
            if stats {
                m.flag(ga::STATS);
            }
        };
        let mut parts = Parts::default();
        self.request_each(cmd::GROUP_GET, dump, fill, |attrs| {
            let partial = attrs.clone().any(|a| a.kind == ga::PARTIAL);
            let (g, s) = decode_group(attrs)?;
            match parts.add(g, s, partial) {
                (Some((g, s)), next) => {
                    each(g, s)?;
                    match next {
                        Some((g, s)) => each(g, s),
                        None => Ok(()),
                    }
                }
                (None, _) => Ok(()),
            }
        })?;
        match parts.0.take() {
            Some((g, s)) => each(g, s),
            None => Ok(()),
        }
    }
}

/// Reassembly of groups split over several dump messages: a message with the `partial` flag is
/// held until the next one, which carries the same group's next buckets.
#[derive(Default)]
pub(super) struct Parts(Option<Whole>);

/// A group and its counters, as `groups_each` hands them over.
type Whole = (Group, GroupStats);

impl Parts {
    /// Add one message's group; returns the groups now complete, in order (at most two: a held
    /// part whose rest never came, as when the group was deleted between parts, then this one).
    pub(super) fn add(
        &mut self,
        g: Group,
        s: GroupStats,
        partial: bool,
    ) -> (Option<Whole>, Option<Whole>) {
        let (done, cur) = match self.0.take() {
            Some((mut hg, mut hs)) if hg.group_id == g.group_id => {
                hg.buckets.extend(g.buckets);
                hs.buckets.extend(s.buckets);
                (None, (hg, hs))
            }
            held => (held, (g, s)),
        };
        if partial {
            self.0 = Some(cur);
            (done, None)
        } else if done.is_some() {
            (done, Some(cur))
        } else {
            (Some(cur), None)
        }
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

    /// Parts of a split group come back as one group, buckets and counters in order; a part
    /// whose rest never came is still handed over, before the next group.
    #[test]
    fn split_groups_are_reassembled() {
        let part = |id: u32, buckets: &[u32]| {
            let text = format!(
                "group_id={id},type=all{}",
                buckets
                    .iter()
                    .map(|b| format!(",bucket=bucket_id:{b},actions=output:{}", b + 1))
                    .collect::<String>()
            );
            let g = parse_group(&text, Expect::Add).unwrap();
            let s = GroupStats {
                group_id: id,
                buckets: buckets.iter().map(|&b| (u64::from(b), 0)).collect(),
                ..Default::default()
            };
            (g, s)
        };
        let mut p = Parts::default();
        let (g, s) = part(1, &[0, 1]);
        assert!(matches!(p.add(g, s, true), (None, None)));
        let (g, s) = part(1, &[2]);
        assert!(matches!(p.add(g, s, true), (None, None)));
        let (g, s) = part(1, &[3]);
        let (done, next) = p.add(g, s, false);
        let (g, s) = done.unwrap();
        assert!(next.is_none());
        assert_eq!(g, part(1, &[0, 1, 2, 3]).0);
        assert_eq!(s.buckets, part(1, &[0, 1, 2, 3]).1.buckets);
        // Group 2's first part, then group 3 whole: group 2 is handed over as it came.
        let (g, s) = part(2, &[0]);
        assert!(matches!(p.add(g, s, true), (None, None)));
        let (g, s) = part(3, &[0]);
        let (done, next) = p.add(g, s, false);
        assert_eq!(done.unwrap().0, part(2, &[0]).0);
        assert_eq!(next.unwrap().0, part(3, &[0]).0);
        assert!(p.0.is_none());
    }
}
