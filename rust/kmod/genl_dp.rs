// SPDX-License-Identifier: GPL-2.0

//! The datapath's generic netlink operations: ports (attach, detach, get/dump), flows (add,
//! modify, delete, dump), packet-execute and the datapath counters. Same rules as the group
//! operations in `genl.rs`: every refusal has an errno and an extack message naming the problem
//! and the offending attribute, and changes nothing.

use kernel::{prelude::*, sync::Arc, sync::ArcBorrow};

use crate::abi::wire::{Attr, Attrs};
use crate::abi::{
    cmd, dp_attr as da, flow_attr as fa, match_attr as ma, packet_attr as pa, port_attr as po,
    PACKET_MAX,
};
use crate::datapath::{Datapath, PortError, PORT_MAX};
use crate::ffi::genl::{Dump, DumpStatus, Msg, Reject, Request};
use crate::flow::{FlowError, FlowInfo, Selector};
use crate::genl::{invalid, nomem, parse_action, put_action, u32_of, Res};
use crate::logic::{
    error::errno,
    flow::{IpMasked, Match, MatchSpec},
    model::Action,
    work::{MAX_FLOW_ACTIONS, WORK_BUDGET},
};
use crate::port::PortInfo;

/// OpenFlow's default flow priority.
const DEFAULT_PRIORITY: u16 = 0x8000;

fn missing(op: &str, what: &str) -> Reject {
    invalid(format_args!("{}: missing attribute '{}'", op, what), None)
}

fn bytes_of<const N: usize>(a: &Attr<'_>, name: &str) -> Res<[u8; N]> {
    a.payload.try_into().map_err(|_| {
        invalid(
            format_args!(
                "attribute '{}' must be {} bytes, not {}",
                name,
                N,
                a.payload.len()
            ),
            Some(a),
        )
    })
}

fn u16_of(a: &Attr<'_>, name: &str) -> Res<u16> {
    a.u16()
        .ok_or_else(|| invalid(format_args!("attribute '{}' must be a u16", name), Some(a)))
}

/// An IP address attribute and its optional mask: 4 bytes (IPv4) or 16 (IPv6), same lengths.
fn ip_of(v: &Attr<'_>, mask: Option<&Attr<'_>>, name: &str) -> Res<IpMasked> {
    let mask_len = mask.map(|m| m.payload.len());
    if mask_len.is_some_and(|l| l != v.payload.len()) {
        return Err(invalid(
            format_args!(
                "'{}-mask' must be as long as '{}' ({} bytes)",
                name,
                name,
                v.payload.len()
            ),
            mask,
        ));
    }
    match v.payload.len() {
        4 => Ok(IpMasked::V4(
            bytes_of(v, name)?,
            mask.map_or(Ok([0xff; 4]), |m| bytes_of(m, name))?,
        )),
        16 => Ok(IpMasked::V6(
            bytes_of(v, name)?,
            mask.map_or(Ok([0xff; 16]), |m| bytes_of(m, name))?,
        )),
        n => Err(invalid(
            format_args!("'{}' must be 4 (IPv4) or 16 (IPv6) bytes, not {}", name, n),
            Some(v),
        )),
    }
}

/// A `match` nest into a validated match.
fn parse_match(nest: Option<Attr<'_>>) -> Res<Match> {
    let Some(nest) = nest else {
        return Ok(Match::ANY);
    };
    let n = nest.nested();
    let find = |k| n.find(k);
    let mut s = MatchSpec::default();
    if let Some(a) = find(ma::IN_PORT) {
        s.in_port = Some(u32_of(&a, "in-port")?);
    }
    for (v, m, name, slot) in [
        (ma::ETH_SRC, ma::ETH_SRC_MASK, "eth-src", &mut s.eth_src),
        (ma::ETH_DST, ma::ETH_DST_MASK, "eth-dst", &mut s.eth_dst),
    ] {
        match (find(v), find(m)) {
            (Some(v), mask) => {
                let mask = match mask {
                    Some(m) => bytes_of::<6>(&m, "eth mask")?,
                    None => [0xff; 6],
                };
                *slot = Some((bytes_of::<6>(&v, name)?, mask));
            }
            (None, Some(m)) => {
                return Err(invalid(
                    format_args!("'{}-mask' without '{}'", name, name),
                    Some(&m),
                ))
            }
            (None, None) => {}
        }
    }
    if let Some(a) = find(ma::ETH_TYPE) {
        s.eth_type = Some(u16_of(&a, "eth-type")?);
    }
    if let Some(a) = find(ma::VLAN_VID) {
        s.vlan_vid = Some(u16_of(&a, "vlan-vid")?);
    }
    if let Some(a) = find(ma::IP_PROTO) {
        s.ip_proto = Some(bytes_of::<1>(&a, "ip-proto")?[0]);
    }
    for (v, m, name, slot) in [
        (ma::IP_SRC, ma::IP_SRC_MASK, "ip-src", &mut s.ip_src),
        (ma::IP_DST, ma::IP_DST_MASK, "ip-dst", &mut s.ip_dst),
    ] {
        match (find(v), find(m)) {
            (Some(v), mask) => *slot = Some(ip_of(&v, mask.as_ref(), name)?),
            (None, Some(m)) => {
                return Err(invalid(
                    format_args!("'{}-mask' without '{}'", name, name),
                    Some(&m),
                ))
            }
            (None, None) => {}
        }
    }
    if let Some(a) = find(ma::L4_SRC) {
        s.l4_src = Some(u16_of(&a, "l4-src")?);
    }
    if let Some(a) = find(ma::L4_DST) {
        s.l4_dst = Some(u16_of(&a, "l4-dst")?);
    }
    s.to_match()
        .map_err(|e| Reject::new(e.errno(), format_args!("{}", e), Some(nest.offset)))
}

fn put_match(m: &mut Msg, mt: &Match) -> Result {
    let s = MatchSpec::from_match(mt);
    m.nest(fa::MATCH, |m| {
        if let Some(p) = s.in_port {
            m.put_u32(ma::IN_PORT, p)?;
        }
        for (v, mk, f) in [
            (ma::ETH_SRC, ma::ETH_SRC_MASK, s.eth_src),
            (ma::ETH_DST, ma::ETH_DST_MASK, s.eth_dst),
        ] {
            if let Some((val, mask)) = f {
                m.put_bytes(v, &val)?;
                if mask != [0xff; 6] {
                    m.put_bytes(mk, &mask)?;
                }
            }
        }
        if let Some(t) = s.eth_type {
            m.put_u16(ma::ETH_TYPE, t)?;
        }
        if let Some(t) = s.vlan_vid {
            m.put_u16(ma::VLAN_VID, t)?;
        }
        if let Some(p) = s.ip_proto {
            m.put_u8(ma::IP_PROTO, p)?;
        }
        for (v, mk, f) in [
            (ma::IP_SRC, ma::IP_SRC_MASK, s.ip_src),
            (ma::IP_DST, ma::IP_DST_MASK, s.ip_dst),
        ] {
            match f {
                Some(IpMasked::V4(val, mask)) => {
                    m.put_bytes(v, &val)?;
                    if mask != [0xff; 4] {
                        m.put_bytes(mk, &mask)?;
                    }
                }
                Some(IpMasked::V6(val, mask)) => {
                    m.put_bytes(v, &val)?;
                    if mask != [0xff; 16] {
                        m.put_bytes(mk, &mask)?;
                    }
                }
                None => {}
            }
        }
        if let Some(p) = s.l4_src {
            m.put_u16(ma::L4_SRC, p)?;
        }
        if let Some(p) = s.l4_dst {
            m.put_u16(ma::L4_DST, p)?;
        }
        Ok(())
    })
}

/// A flow request's parts.
struct ReqFlow<'a> {
    priority: Option<u16>,
    m: Option<Match>,
    actions: KVec<Action>,
    action_attrs: KVec<Attr<'a>>,
    strict: bool,
}

fn parse_flow<'a>(attrs: &Attrs<'a>) -> Res<ReqFlow<'a>> {
    let mut f = ReqFlow {
        priority: None,
        m: None,
        actions: KVec::new(),
        action_attrs: KVec::new(),
        strict: false,
    };
    for a in attrs.clone() {
        match a.kind {
            fa::PRIORITY => f.priority = Some(u16_of(&a, "priority")?),
            fa::MATCH => f.m = Some(parse_match(Some(a))?),
            fa::ACTION => {
                let act = parse_action(&a)?;
                if let Action::Output(p) = act {
                    if p == 0 || p > PORT_MAX {
                        return Err(Reject::new(
                            errno::EINVAL,
                            format_args!(
                                "BAD_OUT_PORT: flow: output:{} is not a port number (1..{})",
                                p, PORT_MAX
                            ),
                            Some(a.offset),
                        ));
                    }
                }
                f.actions.push(act, GFP_KERNEL).map_err(|_| nomem())?;
                f.action_attrs.push(a, GFP_KERNEL).map_err(|_| nomem())?;
            }
            fa::STRICT => f.strict = true,
            _ => {}
        }
    }
    Ok(f)
}

impl ReqFlow<'_> {
    fn reject(&self, e: FlowError) -> Reject {
        match e {
            FlowError::BadOutGroup(g) => {
                let at = self
                    .actions
                    .iter()
                    .position(|a| *a == Action::Group(g))
                    .and_then(|i| self.action_attrs.get(i))
                    .map(|a| a.offset);
                Reject::new(
                    errno::ENOENT,
                    format_args!("BAD_OUT_GROUP: flow: group {} does not exist", g),
                    at,
                )
            }
            FlowError::TableFull => Reject::new(
                errno::ENOSPC,
                format_args!(
                    "TABLE_FULL: the flow table holds {} flows",
                    crate::flow::MAX_FLOWS
                ),
                None,
            ),
            FlowError::Refused(e) => {
                // Too many actions: the first one past the cap; too much work: the action
                // leading to the group named.
                let at = match e.via {
                    Some(g) => self.actions.iter().position(|a| *a == Action::Group(g)),
                    None => Some(MAX_FLOW_ACTIONS),
                }
                .and_then(|i| self.action_attrs.get(i))
                .map(|a| a.offset);
                Reject::new(e.errno(), format_args!("{}", e), at)
            }
            FlowError::NoMem => nomem(),
        }
    }

    fn selector(&self) -> Option<Selector<'_>> {
        match (&self.m, self.strict) {
            (m, true) => Some(Selector::Strict(
                m.as_ref().unwrap_or(&Match::ANY),
                self.priority.unwrap_or(DEFAULT_PRIORITY),
            )),
            (Some(m), false) => Some(Selector::Covered(m)),
            (None, false) => None,
        }
    }
}

fn put_port(m: &mut Msg, p: &PortInfo) -> Result {
    m.put_u32(po::PORT_NO, p.no)?;
    m.put_u32(po::IFINDEX, p.ifindex)?;
    let n = p.name.iter().position(|&b| b == 0).unwrap_or(15);
    m.put_bytes(po::IFNAME, p.name.get(..=n).unwrap_or(&[0]))?;
    if p.live {
        m.put_flag(po::LIVE)?;
    }
    m.put_uint(po::RX_PACKETS, p.rx.packets)?;
    m.put_uint(po::RX_BYTES, p.rx.bytes)?;
    m.put_uint(po::RX_MISSED, p.missed)?;
    m.put_uint(po::TX_PACKETS, p.tx.packets)?;
    m.put_uint(po::TX_BYTES, p.tx.bytes)?;
    m.put_uint(po::TX_DROPPED, p.tx_dropped)
}

fn put_flow(m: &mut Msg, f: &FlowInfo) -> Result {
    m.put_u16(fa::PRIORITY, f.flow.priority)?;
    put_match(m, &f.flow.m)?;
    for a in &f.flow.actions {
        put_action(m, fa::ACTION, a)?;
    }
    let s = f.flow.stats.read();
    m.put_uint(fa::DURATION, f.duration_ns)?;
    m.put_uint(fa::PACKETS, s.packets)?;
    m.put_uint(fa::BYTES, s.bytes)
}

fn port_no_of(attrs: &Attrs<'_>, op: &str) -> Res<u32> {
    let a = attrs
        .find(po::PORT_NO)
        .ok_or_else(|| missing(op, "port-no"))?;
    let no = u32_of(&a, "port-no")?;
    if no == 0 || no > PORT_MAX {
        return Err(invalid(
            format_args!("port-no {} out of range (1..{})", no, PORT_MAX),
            Some(&a),
        ));
    }
    Ok(no)
}

/// Serve one `do` request of the datapath's operations.
pub(crate) fn handle_do(dp: ArcBorrow<'_, Datapath>, command: u8, req: &Request<'_>) -> Res {
    let attrs = Attrs::new(req.attr_bytes());
    match command {
        cmd::PORT_NEW => {
            let no = match attrs.find(po::PORT_NO) {
                Some(_) => Some(port_no_of(&attrs, "port-new")?),
                None => None,
            };
            let ifindex = match attrs.find(po::IFINDEX) {
                Some(a) => u32_of(&a, "ifindex")?,
                None => 0,
            };
            let name_attr = attrs.find(po::IFNAME);
            let name = name_attr.map_or(&[][..], |a| {
                let end = a
                    .payload
                    .iter()
                    .position(|&b| b == 0)
                    .unwrap_or(a.payload.len());
                a.payload.get(..end).unwrap_or(&[])
            });
            if ifindex == 0 && name.is_empty() {
                return Err(missing("port-new", "ifindex' or 'ifname"));
            }
            let shown = core::str::from_utf8(name).unwrap_or("?");
            let dpa: Arc<Datapath> = dp.into();
            let info = Datapath::attach(&dpa, no, ifindex, name).map_err(|e| match e {
                PortError::NoDevice => Reject::new(
                    ENODEV.to_errno(),
                    format_args!(
                        "no device '{}' (ifindex {}) in the initial network namespace",
                        shown, ifindex
                    ),
                    name_attr.map(|a| a.offset),
                ),
                PortError::NotEthernet => Reject::new(
                    errno::EINVAL,
                    format_args!(
                        "device '{}' is not an Ethernet device (or is loopback)",
                        shown
                    ),
                    name_attr.map(|a| a.offset),
                ),
                PortError::Exists(n) => Reject::new(
                    errno::EEXIST,
                    format_args!("port {} is already attached", n),
                    attrs.find(po::PORT_NO).map(|a| a.offset),
                ),
                PortError::Full => {
                    Reject::new(errno::ENOSPC, format_args!("no free port number"), None)
                }
                PortError::Busy => Reject::new(
                    EBUSY.to_errno(),
                    format_args!(
                        "device '{}' is busy: a bridge, bond, OVS or another port owns it",
                        shown
                    ),
                    name_attr.map(|a| a.offset),
                ),
                PortError::Kernel(e) => Reject::new(
                    -e.to_errno(),
                    format_args!("attaching '{}' failed", shown),
                    None,
                ),
            })?;
            req.reply(cmd::PORT_NEW, 256, |m| put_port(m, &info))
                .map_err(|_| nomem())
        }
        cmd::PORT_DEL => {
            let no = port_no_of(&attrs, "port-del")?;
            if !dp.detach(no) {
                return Err(Reject::new(
                    errno::ENOENT,
                    format_args!("no port {}", no),
                    attrs.find(po::PORT_NO).map(|a| a.offset),
                ));
            }
            Ok(())
        }
        cmd::PORT_GET => {
            let no = port_no_of(&attrs, "port-get")?;
            let info = dp.port_info(no).ok_or_else(|| {
                Reject::new(
                    errno::ENOENT,
                    format_args!("no port {}", no),
                    attrs.find(po::PORT_NO).map(|a| a.offset),
                )
            })?;
            req.reply(cmd::PORT_GET, 256, |m| put_port(m, &info))
                .map_err(|_| nomem())
        }
        cmd::FLOW_NEW => {
            let f = parse_flow(&attrs)?;
            let m = f.m.unwrap_or(Match::ANY);
            dp.flow_add(f.priority.unwrap_or(DEFAULT_PRIORITY), m, &f.actions)
                .map_err(|e| f.reject(e))
        }
        cmd::FLOW_SET | cmd::FLOW_DEL => {
            let f = parse_flow(&attrs)?;
            let sel = f.selector();
            let n = if command == cmd::FLOW_SET {
                let sel = sel.unwrap_or(Selector::Covered(&Match::ANY));
                dp.flow_modify(sel, &f.actions)
            } else {
                dp.flow_delete(sel)
            }
            .map_err(|e| f.reject(e))?;
            req.reply(command, 64, |m| m.put_u32(fa::COUNT, n))
                .map_err(|_| nomem())
        }
        cmd::PACKET_EXECUTE => {
            let a = attrs
                .find(pa::IN_PORT)
                .ok_or_else(|| missing("packet-execute", "in-port"))?;
            let in_port = u32_of(&a, "in-port")?;
            let d = attrs
                .find(pa::DATA)
                .ok_or_else(|| missing("packet-execute", "data"))?;
            if d.payload.len() < 14 || d.payload.len() > usize::from(PACKET_MAX) {
                return Err(invalid(
                    format_args!(
                        "'data' must be an Ethernet frame of 14..{} bytes, not {}",
                        PACKET_MAX,
                        d.payload.len()
                    ),
                    Some(&d),
                ));
            }
            match dp.execute(in_port, d.payload) {
                Ok(true) => Ok(()),
                Ok(false) => Err(Reject::new(
                    errno::ENOENT,
                    format_args!("no port {}", in_port),
                    Some(a.offset),
                )),
                Err(_) => Err(nomem()),
            }
        }
        cmd::DP_GET => {
            let s = dp.stats();
            req.reply(cmd::DP_GET, 128, |m| {
                m.put_uint(da::HIT, s.hit)?;
                m.put_uint(da::MISSED, s.missed)?;
                m.put_uint(da::LOST, s.lost)?;
                m.put_u32(da::FLOWS, s.flows)?;
                m.put_u32(da::PORTS, s.ports)?;
                m.put_u32(da::MAX_FLOW_ACTIONS, MAX_FLOW_ACTIONS as u32)?;
                m.put_u32(da::WORK_BUDGET, WORK_BUDGET)
            })
            .map_err(|_| nomem())
        }
        _ => Err(Reject::new(
            errno::EOPNOTSUPP,
            format_args!("unknown command {}", command),
            None,
        )),
    }
}

/// Serve one part of a port or flow dump.
pub(crate) fn handle_dump(dp: &Datapath, command: u8, d: &mut Dump<'_>) -> Res<DumpStatus> {
    let mut cursor = d.cursor();
    loop {
        let mut next = cursor;
        let added = if command == cmd::PORT_GET {
            let Some(p) = dp.next_port(&mut next) else {
                return Ok(DumpStatus::Done);
            };
            d.add(cmd::PORT_GET, |m| put_port(m, &p))
        } else {
            let Some(f) = dp.flows.next(&mut next) else {
                return Ok(DumpStatus::Done);
            };
            d.add(cmd::FLOW_GET, |m| put_flow(m, &f))
        }
        .map_err(|_| nomem())?;
        if !added {
            if d.is_empty() {
                return Err(Reject::new(
                    EMSGSIZE.to_errno(),
                    format_args!("an entry does not fit in one dump message"),
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
