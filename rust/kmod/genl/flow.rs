// SPDX-License-Identifier: GPL-2.0

//! Flow operations: add, modify, delete and dump flows; the flow's match and actions as
//! attributes.

use kernel::{prelude::*, sync::ArcBorrow};

use super::attr::{bytes_of, invalid, nomem, parse_action, put_action, u16_of, u32_of};
use super::{dump, port::too_big, Do, Res};
use crate::abi::wire::{Attr, Attrs};
use crate::abi::{cmd, flow_attr as fa, match_attr as ma};
use crate::datapath::Datapath;
use crate::ffi::genl::{Dump, DumpStatus, Msg, Reject};
use crate::flow::{FlowError, FlowInfo, Selector};
use crate::logic::{
    error::errno,
    flow::{IpMasked, Match, MatchSpec},
    model::Action,
    validate::check_flow_action,
    work::MAX_FLOW_ACTIONS,
};

/// OpenFlow's default flow priority.
const DEFAULT_PRIORITY: u16 = 0x8000;

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
                check_flow_action(&act)
                    .map_err(|e| Reject::new(e.errno(), format_args!("{}", e), Some(a.offset)))?;
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

/// flow-new: add a flow (replacing one with the same match and priority).
pub(super) fn new(dp: ArcBorrow<'_, Datapath>, r: &Do<'_>) -> Res {
    let f = parse_flow(&r.attrs)?;
    let m = f.m.unwrap_or(Match::ANY);
    dp.flow_add(f.priority.unwrap_or(DEFAULT_PRIORITY), m, &f.actions)
        .map_err(|e| f.reject(e))
}

/// flow-set, flow-del: modify or delete the flows a selector picks; replies with their count.
pub(super) fn set_del(dp: ArcBorrow<'_, Datapath>, r: &Do<'_>) -> Res {
    let f = parse_flow(&r.attrs)?;
    let sel = f.selector();
    let n = if r.cmd == cmd::FLOW_SET {
        let sel = sel.unwrap_or(Selector::Covered(&Match::ANY));
        dp.flow_modify(sel, &f.actions)
    } else {
        dp.flow_delete(sel)
    }
    .map_err(|e| f.reject(e))?;
    r.req
        .reply(r.cmd, 64, |m| m.put_u32(fa::COUNT, n))
        .map_err(|_| nomem())
}

/// flow-get dump: every flow, with its counters.
pub(super) fn dump(dp: &Datapath, d: &mut Dump<'_>) -> Res<DumpStatus> {
    dump::items(
        d,
        cmd::FLOW_GET,
        |c| dp.flows.next(c),
        put_flow,
        |_| too_big(),
    )
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
