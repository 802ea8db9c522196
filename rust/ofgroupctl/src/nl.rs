//! The netlink client: ofgroup's generic netlink family through neli, with the ABI numbers from
//! `ofgroup-abi` (the same file the kernel module compiles).

use neli::{
    consts::{
        nl::{NlmF, Nlmsg},
        socket::NlFamily,
    },
    genl::{AttrTypeBuilder, Genlmsghdr, GenlmsghdrBuilder, Nlattr, NlattrBuilder, NoUserHeader},
    nl::{NlPayload, NlmsghdrBuilder},
    router::synchronous::NlRouter,
    socket::synchronous::NlSocketHandle,
    types::{Buffer, GenlBuffer},
    utils::Groups,
};
use ofgroup_abi::{
    action_attr as aa, bucket_attr as ba, cmd, dp_attr as da, features_attr as fa,
    flow_attr as fla, group_attr as ga, packet_attr as pka, port_attr as pa,
};
use ofgroup_logic::hash::HashField;
use ofgroup_logic::model::{Action, GroupType};

use crate::flow::{decode_match, match_attrs, Flow, FlowCommand, FlowStats};
use crate::format::{Features, GroupStats};
use crate::port::{DpStats, Port};
use crate::spec::{Bucket, Group, GroupId};

/// A failure, with the exit code it maps to.
#[derive(Debug)]
pub enum Failure {
    /// The kernel refused: errno and its extack message (exit 2).
    Kernel { errno: i32, message: Option<String> },
    /// Anything else on the way (socket, family missing, decoding) (exit 2).
    Other(String),
}

/// The errno's text, without the "(os error N)" that `io::Error` appends.
pub fn strerror(errno: i32) -> String {
    let s = std::io::Error::from_raw_os_error(errno).to_string();
    match s.rfind(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // As iproute2 does: the kernel's extack message is the error.
            Failure::Kernel {
                message: Some(m), ..
            } => write!(f, "{m}"),
            Failure::Kernel {
                errno,
                message: None,
            } => write!(f, "{}", strerror(*errno)),
            Failure::Other(m) => write!(f, "{m}"),
        }
    }
}

fn other(e: impl std::fmt::Display) -> Failure {
    Failure::Other(e.to_string())
}

type Attrs = GenlBuffer<u16, Buffer>;
type Msg = Genlmsghdr<u8, u16>;

fn attr<P: neli::ToBytes + neli::Size>(
    kind: u16,
    payload: P,
) -> Result<Nlattr<u16, Buffer>, Failure> {
    NlattrBuilder::default()
        .nla_type(
            AttrTypeBuilder::default()
                .nla_type(kind)
                .build()
                .map_err(other)?,
        )
        .nla_payload(payload)
        .build()
        .map_err(other)
}

fn nest(kind: u16, inner: Vec<Nlattr<u16, Buffer>>) -> Result<Nlattr<u16, Buffer>, Failure> {
    let mut a = attr(kind, Vec::<u8>::new())?;
    for i in &inner {
        a = a.nest(i).map_err(other)?;
    }
    Ok(a)
}

fn bucket_attr(b: &Bucket) -> Result<Nlattr<u16, Buffer>, Failure> {
    let mut v = Vec::new();
    if let Some(id) = b.bucket_id {
        v.push(attr(ba::ID, id)?);
    }
    if let Some(w) = b.weight {
        v.push(attr(ba::WEIGHT, w)?);
    }
    if let Some(p) = b.watch_port {
        v.push(attr(ba::WATCH_PORT, p)?);
    }
    if let Some(g) = b.watch_group {
        v.push(attr(ba::WATCH_GROUP, g)?);
    }
    for a in &b.actions {
        v.push(action_attr(ba::ACTION, a)?);
    }
    nest(ga::BUCKET, v)
}

/// A connection to the `ofgroup` family.
///
/// Requests go through a plain `NlSocketHandle`: neli 0.7.5's router drops the extended ACK when
/// it converts an error to its typed form (`Nlmsgerr::to_typed` does not carry `ext_ack`), and
/// the extack message is what users need to see.
pub struct Client {
    sock: NlSocketHandle,
    family: u16,
    monitor: Option<u32>,
    seq: std::cell::Cell<u32>,
}

/// A change the kernel announced on the monitor group.
pub enum Notification {
    /// A group was added or changed.
    Changed(Group),
    /// A group (`Some(id)`) or every group (`None`) was deleted.
    Deleted(Option<u32>),
}

impl Client {
    /// Connect and resolve the family (and its monitor group).
    pub fn connect() -> Result<Self, Failure> {
        let (router, _) =
            NlRouter::connect(NlFamily::Generic, None, Groups::empty()).map_err(other)?;
        let family = router
            .resolve_genl_family(ofgroup_abi::FAMILY_NAME)
            .map_err(|_| {
                Failure::Other(
                    "the ofgroup module is not loaded (no generic netlink family 'ofgroup')".into(),
                )
            })?;
        let monitor = router
            .resolve_nl_mcast_group(ofgroup_abi::FAMILY_NAME, ofgroup_abi::MCGRP_MONITOR)
            .ok();
        drop(router);
        let sock =
            NlSocketHandle::connect(NlFamily::Generic, None, Groups::empty()).map_err(other)?;
        sock.enable_ext_ack(true).map_err(other)?;
        Ok(Client {
            sock,
            family,
            monitor,
            seq: std::cell::Cell::new(1),
        })
    }

    fn send(
        &self,
        command: u8,
        attrs: Vec<Nlattr<u16, Buffer>>,
        dump: bool,
        seq: u32,
    ) -> Result<(), Failure> {
        let attrs: Attrs = attrs.into_iter().collect();
        let msg = GenlmsghdrBuilder::<u8, u16, NoUserHeader>::default()
            .cmd(command)
            .version(ofgroup_abi::FAMILY_VERSION)
            .attrs(attrs)
            .build()
            .map_err(other)?;
        let flags = if dump {
            NlmF::REQUEST | NlmF::DUMP | NlmF::ACK
        } else {
            NlmF::REQUEST | NlmF::ACK
        };
        let nlmsg = NlmsghdrBuilder::default()
            .nl_type(self.family)
            .nl_flags(flags)
            .nl_seq(seq)
            .nl_payload(NlPayload::Payload(msg))
            .build()
            .map_err(other)?;
        self.sock.send(&nlmsg).map_err(other)
    }

    fn request(
        &self,
        command: u8,
        attrs: Vec<Nlattr<u16, Buffer>>,
        dump: bool,
    ) -> Result<Vec<Msg>, Failure> {
        let seq = self.seq.get();
        self.seq.set(seq.wrapping_add(1));
        self.send(command, attrs, dump, seq)?;
        let mut out = Vec::new();
        loop {
            let (msgs, _) = self.sock.recv::<u16, Msg>().map_err(other)?;
            for m in msgs {
                let m = m.map_err(other)?;
                if *m.nl_seq() != seq {
                    continue;
                }
                match m.nl_payload() {
                    NlPayload::Payload(p) => out.push(p.clone()),
                    NlPayload::Ack(_) => return Ok(out),
                    NlPayload::Err(e) => return Err(kernel_error(e)),
                    NlPayload::DumpExtAck(e) => {
                        if *e.error() != 0 {
                            return Err(Failure::Kernel {
                                errno: -e.error(),
                                message: None,
                            });
                        }
                        return Ok(out);
                    }
                    NlPayload::Empty => {
                        if *m.nl_type() == u16::from(Nlmsg::Done) {
                            return Ok(out);
                        }
                    }
                }
            }
        }
    }

    /// Send many requests without waiting for each answer (at most `window` outstanding, so the
    /// acknowledgements fit the socket buffer). Stops at the first refusal and returns the index
    /// of the request that failed.
    pub fn batch(
        &self,
        reqs: Vec<(u8, Vec<Nlattr<u16, Buffer>>)>,
        window: usize,
    ) -> Result<(), (usize, Failure)> {
        let first = self.seq.get();
        let total = reqs.len();
        self.seq.set(first.wrapping_add(total as u32));
        let (mut sent, mut acked) = (0usize, 0usize);
        let mut reqs = reqs.into_iter();
        while acked < total {
            while sent < total && sent - acked < window.max(1) {
                let Some((c, attrs)) = reqs.next() else { break };
                self.send(c, attrs, false, first.wrapping_add(sent as u32))
                    .map_err(|e| (sent, e))?;
                sent += 1;
            }
            let (msgs, _) = self
                .sock
                .recv::<u16, Msg>()
                .map_err(|e| (acked, other(e)))?;
            for m in msgs {
                let m = m.map_err(|e| (acked, other(e)))?;
                let idx = m.nl_seq().wrapping_sub(first) as usize;
                match m.nl_payload() {
                    NlPayload::Ack(_) => acked += 1,
                    NlPayload::Err(e) => return Err((idx, kernel_error(e))),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// Receive notifications from the monitor group, calling `each` for every one until it
    /// returns false.
    pub fn monitor(&self, mut each: impl FnMut(Notification) -> bool) -> Result<(), Failure> {
        let id = self
            .monitor
            .ok_or_else(|| Failure::Other("no 'monitor' multicast group".into()))?;
        self.sock
            .add_mcast_membership(Groups::new_groups(&[id]))
            .map_err(other)?;
        loop {
            let (msgs, _) = self.sock.recv::<u16, Msg>().map_err(other)?;
            for m in msgs {
                let m = m.map_err(other)?;
                let NlPayload::Payload(p) = m.nl_payload() else {
                    continue;
                };
                let n = match *p.cmd() {
                    cmd::GROUP_CHANGE_NTF => Notification::Changed(decode_group(p)?.0),
                    cmd::GROUP_DEL_NTF => {
                        let mut id = None;
                        for a in p.attrs().get_attr_handle().iter() {
                            if *a.nla_type().nla_type() == ga::ID {
                                id = Some(u32_of(a)?);
                            }
                        }
                        Notification::Deleted(id)
                    }
                    _ => continue,
                };
                if !each(n) {
                    return Ok(());
                }
            }
        }
    }

    /// Apply one group command (what a line of an add-groups file says).
    pub fn apply(&self, c: crate::spec::BatchCommand, g: &Group) -> Result<(), Failure> {
        let (command, attrs) = batch_request(c, g)?;
        self.request(command, attrs, false).map(|_| ())
    }

    /// Groups (one, or all), with counters when `stats`.
    pub fn groups(
        &self,
        id: Option<u32>,
        stats: bool,
    ) -> Result<Vec<(Group, GroupStats)>, Failure> {
        let mut v = Vec::new();
        if stats {
            v.push(attr(ga::STATS, Vec::<u8>::new())?);
        }
        let msgs = match id {
            Some(id) => {
                v.insert(0, attr(ga::ID, id)?);
                self.request(cmd::GROUP_GET, v, false)?
            }
            None => self.request(cmd::GROUP_GET, v, true)?,
        };
        msgs.iter().map(decode_group).collect()
    }

    /// Table features.
    pub fn features(&self) -> Result<Features, Failure> {
        let msgs = self.request(cmd::FEATURES_GET, vec![], false)?;
        let m = msgs
            .first()
            .ok_or_else(|| Failure::Other("no features reply".into()))?;
        let mut f = Features::default();
        for a in m.attrs().get_attr_handle().iter() {
            let v = u32_of(a)?;
            match *a.nla_type().nla_type() {
                fa::TYPES => f.types = v,
                fa::CAPABILITIES => f.capabilities = v,
                fa::MAX_GROUPS => f.max_groups.push(v),
                fa::MAX_BUCKETS => f.max_buckets = v,
                fa::ACTIONS => f.actions = v,
                _ => {}
            }
        }
        Ok(f)
    }

    /// Attach `ifname` as a port (numbered `port_no`, or the lowest free number); the port the
    /// kernel made.
    pub fn port_new(&self, ifname: &str, port_no: Option<u32>) -> Result<Port, Failure> {
        let mut v = Vec::new();
        if let Some(p) = port_no {
            v.push(attr(pa::PORT_NO, p)?);
        }
        v.push(attr(pa::IFNAME, ifname)?);
        let msgs = self.request(cmd::PORT_NEW, v, false)?;
        let m = msgs
            .first()
            .ok_or_else(|| Failure::Other("no port-new reply".into()))?;
        decode_port(m)
    }

    /// Detach a port.
    pub fn port_del(&self, port_no: u32) -> Result<(), Failure> {
        self.request(cmd::PORT_DEL, vec![attr(pa::PORT_NO, port_no)?], false)
            .map(|_| ())
    }

    /// Ports (one, or all) with their counters.
    pub fn ports(&self, port_no: Option<u32>) -> Result<Vec<Port>, Failure> {
        let msgs = match port_no {
            Some(p) => self.request(cmd::PORT_GET, vec![attr(pa::PORT_NO, p)?], false)?,
            None => self.request(cmd::PORT_GET, vec![], true)?,
        };
        msgs.iter().map(decode_port).collect()
    }

    /// Datapath counters.
    pub fn dp(&self) -> Result<DpStats, Failure> {
        let msgs = self.request(cmd::DP_GET, vec![], false)?;
        let m = msgs
            .first()
            .ok_or_else(|| Failure::Other("no dp-get reply".into()))?;
        let mut d = DpStats::default();
        for a in m.attrs().get_attr_handle().iter() {
            match *a.nla_type().nla_type() {
                da::HIT => d.hit = uint_of(a)?,
                da::MISSED => d.missed = uint_of(a)?,
                da::LOST => d.lost = uint_of(a)?,
                da::FLOWS => d.flows = u32_of(a)?,
                da::PORTS => d.ports = u32_of(a)?,
                _ => {}
            }
        }
        Ok(d)
    }

    /// Apply one flow command; for modify and delete, how many flows it changed (when the kernel
    /// says).
    pub fn flow(&self, c: FlowCommand, f: &Flow) -> Result<Option<u32>, Failure> {
        let (command, attrs) = flow_request(c, f)?;
        let msgs = self.request(command, attrs, false)?;
        let mut count = None;
        for m in &msgs {
            for a in m.attrs().get_attr_handle().iter() {
                if *a.nla_type().nla_type() == fla::COUNT {
                    count = Some(u32_of(a)?);
                }
            }
        }
        Ok(count)
    }

    /// Every flow with its counters, highest priority first (the kernel's order).
    pub fn flows(&self) -> Result<Vec<(Flow, FlowStats)>, Failure> {
        let msgs = self.request(cmd::FLOW_GET, vec![], true)?;
        msgs.iter().map(decode_flow).collect()
    }

    /// Run `data` through the datapath as if it arrived on `in_port`.
    pub fn packet_execute(&self, in_port: u32, data: &[u8]) -> Result<(), Failure> {
        let v = vec![
            attr(pka::IN_PORT, in_port)?,
            attr(pka::DATA, data.to_vec())?,
        ];
        self.request(cmd::PACKET_EXECUTE, v, false).map(|_| ())
    }
}

/// A kernel error with its extack message (NLMSGERR_ATTR_MSG = 1).
fn kernel_error(e: &neli::err::Nlmsgerr<neli::err::NlmsghdrErr<u16, Msg>>) -> Failure {
    let message = e
        .ext_ack()
        .iter()
        .find(|a| u16::from(a.nla_type()) == 1)
        .map(|a| {
            let bytes = a.nla_payload().as_ref();
            let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
            String::from_utf8_lossy(&bytes[..end]).into_owned()
        });
    Failure::Kernel {
        errno: -e.error(),
        message,
    }
}

/// The request a batch-file line makes (command and attributes).
pub fn batch_request(
    c: crate::spec::BatchCommand,
    g: &Group,
) -> Result<(u8, Vec<Nlattr<u16, Buffer>>), Failure> {
    use crate::spec::BatchCommand as B;
    Ok(match c {
        B::Add => (cmd::GROUP_NEW, group_attrs(g)?),
        B::Modify => (cmd::GROUP_SET, group_attrs(g)?),
        B::AddOrMod => {
            let mut v = group_attrs(g)?;
            v.push(attr(ga::MAY_CREATE, Vec::<u8>::new())?);
            (cmd::GROUP_SET, v)
        }
        B::Delete => match g.group_id {
            Some(GroupId::Id(id)) => (cmd::GROUP_DEL, vec![attr(ga::ID, id)?]),
            _ => (cmd::GROUP_DEL, vec![]),
        },
        B::InsertBucket | B::RemoveBucket => {
            let mut v = vec![attr(ga::ID, id_of(g)?)?];
            if let Some(p) = g.command_bucket_id {
                v.push(attr(ga::COMMAND_BUCKET_ID, p.to_u32())?);
            }
            for b in &g.buckets {
                v.push(bucket_attr(b)?);
            }
            let c = if c == B::InsertBucket {
                cmd::BUCKET_INSERT
            } else {
                cmd::BUCKET_REMOVE
            };
            (c, v)
        }
    })
}

fn id_of(g: &Group) -> Result<u32, Failure> {
    match g.group_id {
        Some(GroupId::Id(id)) => Ok(id),
        _ => Err(Failure::Other("a group id is needed".into())),
    }
}

fn group_attrs(g: &Group) -> Result<Vec<Nlattr<u16, Buffer>>, Failure> {
    let mut v = vec![attr(ga::ID, id_of(g)?)?];
    if let Some(t) = g.group_type {
        v.push(attr(ga::TYPE, t as u32)?);
    }
    for f in &g.fields {
        v.push(attr(ga::HASH_FIELD, *f as u32)?);
    }
    if let Some(b) = g.basis {
        v.push(attr(ga::BASIS, b)?);
    }
    for b in &g.buckets {
        v.push(bucket_attr(b)?);
    }
    Ok(v)
}

fn bytes_of(a: &Nlattr<u16, Buffer>) -> &[u8] {
    a.nla_payload().as_ref()
}

fn u32_of(a: &Nlattr<u16, Buffer>) -> Result<u32, Failure> {
    let b = bytes_of(a);
    b.get(..4)
        .and_then(|x| x.try_into().ok())
        .map(u32::from_ne_bytes)
        .ok_or_else(|| Failure::Other("short u32 attribute".into()))
}

fn uint_of(a: &Nlattr<u16, Buffer>) -> Result<u64, Failure> {
    let b = bytes_of(a);
    match b.len() {
        4 => u32_of(a).map(u64::from),
        8 => Ok(u64::from_ne_bytes(b.try_into().map_err(other)?)),
        n => Err(Failure::Other(format!("uint attribute of {n} bytes"))),
    }
}

fn decode_group(m: &Msg) -> Result<(Group, GroupStats), Failure> {
    let mut g = Group::default();
    let mut s = GroupStats::default();
    for a in m.attrs().get_attr_handle().iter() {
        match *a.nla_type().nla_type() {
            ga::ID => {
                let id = u32_of(a)?;
                g.group_id = Some(GroupId::Id(id));
                s.group_id = id;
            }
            ga::TYPE => {
                let t = u32_of(a)?;
                g.group_type =
                    Some(GroupType::from_u32(t).ok_or_else(|| other(format!("group type {t}")))?);
            }
            ga::HASH_FIELD => {
                let f = u32_of(a)?;
                g.fields
                    .push(HashField::from_u32(f).ok_or_else(|| other(format!("hash field {f}")))?);
            }
            ga::BASIS => {
                let b = u32_of(a)?;
                if b != 0 {
                    g.basis = Some(b);
                }
            }
            ga::BUCKET => {
                let (b, counters) = decode_bucket(a)?;
                g.buckets.push(b);
                s.buckets.push(counters);
            }
            ga::DURATION => s.duration_ns = uint_of(a)?,
            ga::REF_COUNT => s.ref_count = u32_of(a)?,
            ga::PACKETS => s.packets = uint_of(a)?,
            ga::BYTES => s.bytes = uint_of(a)?,
            _ => {}
        }
    }
    if !g.fields.is_empty() {
        g.selection_method = true;
    }
    Ok((g, s))
}

fn decode_bucket(a: &Nlattr<u16, Buffer>) -> Result<(Bucket, (u64, u64)), Failure> {
    let mut b = Bucket::default();
    let (mut packets, mut bytes) = (0, 0);
    let mut weight = None;
    for x in a.get_attr_handle::<u16>().map_err(other)?.iter() {
        match *x.nla_type().nla_type() {
            ba::ID => b.bucket_id = Some(u32_of(x)?),
            ba::WEIGHT => {
                let w = bytes_of(x);
                weight = w
                    .get(..2)
                    .and_then(|w| w.try_into().ok())
                    .map(u16::from_ne_bytes);
            }
            ba::WATCH_PORT => b.watch_port = Some(u32_of(x)?),
            ba::WATCH_GROUP => b.watch_group = Some(u32_of(x)?),
            ba::ACTION => b.actions.extend(decode_action(x)?),
            ba::PACKETS => packets = uint_of(x)?,
            ba::BYTES => bytes = uint_of(x)?,
            _ => {}
        }
    }
    // ovs-ofctl prints a select bucket's weight only when it is not the default 1.
    b.weight = weight.filter(|&w| w != 1);
    Ok((b, (packets, bytes)))
}

fn action_attr(kind: u16, a: &Action) -> Result<Nlattr<u16, Buffer>, Failure> {
    let inner = match *a {
        Action::Output(p) => attr(aa::OUTPUT, p)?,
        Action::Group(g) => attr(aa::GROUP, g)?,
    };
    nest(kind, vec![inner])
}

fn decode_action(a: &Nlattr<u16, Buffer>) -> Result<Vec<Action>, Failure> {
    let mut v = Vec::new();
    for y in a.get_attr_handle::<u16>().map_err(other)?.iter() {
        match *y.nla_type().nla_type() {
            aa::OUTPUT => v.push(Action::Output(u32_of(y)?)),
            aa::GROUP => v.push(Action::Group(u32_of(y)?)),
            _ => {}
        }
    }
    Ok(v)
}

/// The request a flow command makes (command and attributes): add sends priority, match and
/// actions; modify sends match and actions; delete the match; strict ones add priority and the
/// strict flag. An empty match is left out (it matches every frame).
pub fn flow_request(c: FlowCommand, f: &Flow) -> Result<(u8, Vec<Nlattr<u16, Buffer>>), Failure> {
    let mut v = Vec::new();
    if c == FlowCommand::Add || c.strict() {
        v.push(attr(fla::PRIORITY, f.priority)?);
    }
    let m = match_attrs(&f.matches);
    if !m.is_empty() {
        let inner = m
            .into_iter()
            .map(|(k, b)| attr(k, b))
            .collect::<Result<Vec<_>, _>>()?;
        v.push(nest(fla::MATCH, inner)?);
    }
    let command = match c {
        FlowCommand::Add => cmd::FLOW_NEW,
        FlowCommand::Modify | FlowCommand::ModifyStrict => cmd::FLOW_SET,
        FlowCommand::Delete | FlowCommand::DeleteStrict => cmd::FLOW_DEL,
    };
    if command != cmd::FLOW_DEL {
        for a in &f.actions {
            v.push(action_attr(fla::ACTION, a)?);
        }
    }
    if c.strict() {
        v.push(attr(fla::STRICT, Vec::<u8>::new())?);
    }
    Ok((command, v))
}

fn decode_flow(m: &Msg) -> Result<(Flow, FlowStats), Failure> {
    let mut f = Flow::default();
    let mut s = FlowStats::default();
    for a in m.attrs().get_attr_handle().iter() {
        match *a.nla_type().nla_type() {
            fla::PRIORITY => {
                f.priority = bytes_of(a)
                    .get(..2)
                    .and_then(|b| b.try_into().ok())
                    .map(u16::from_ne_bytes)
                    .ok_or_else(|| other("short priority attribute"))?;
            }
            fla::MATCH => {
                let h = a.get_attr_handle::<u16>().map_err(other)?;
                f.matches = decode_match(
                    h.iter()
                        .map(|x| (*x.nla_type().nla_type(), x.nla_payload().as_ref())),
                )
                .map_err(other)?;
            }
            fla::ACTION => f.actions.extend(decode_action(a)?),
            fla::DURATION => s.duration_ns = uint_of(a)?,
            fla::PACKETS => s.packets = uint_of(a)?,
            fla::BYTES => s.bytes = uint_of(a)?,
            _ => {}
        }
    }
    Ok((f, s))
}

fn decode_port(m: &Msg) -> Result<Port, Failure> {
    let mut p = Port::default();
    for a in m.attrs().get_attr_handle().iter() {
        match *a.nla_type().nla_type() {
            pa::PORT_NO => p.port_no = u32_of(a)?,
            pa::IFINDEX => p.ifindex = u32_of(a)?,
            pa::IFNAME => {
                let b = bytes_of(a);
                let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
                p.ifname = String::from_utf8_lossy(&b[..end]).into_owned();
            }
            pa::LIVE => p.live = true,
            pa::RX_PACKETS => p.rx_packets = uint_of(a)?,
            pa::RX_BYTES => p.rx_bytes = uint_of(a)?,
            pa::RX_MISSED => p.rx_missed = uint_of(a)?,
            pa::TX_PACKETS => p.tx_packets = uint_of(a)?,
            pa::TX_BYTES => p.tx_bytes = uint_of(a)?,
            pa::TX_DROPPED => p.tx_dropped = uint_of(a)?,
            _ => {}
        }
    }
    Ok(p)
}
