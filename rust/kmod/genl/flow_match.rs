// SPDX-License-Identifier: GPL-2.0

//! A flow's `match` nest: parsed into a validated match (refusals naming the attribute), and put
//! back into replies (fields at their full mask are sent without one).

use kernel::prelude::*;

use super::attr::{bytes_of, invalid, u16_of, u32_of};
use super::Res;
use crate::abi::wire::Attr;
use crate::abi::{flow_attr as fa, match_attr as ma};
use crate::ffi::genl::{Msg, Reject};
use crate::logic::flow::{IpMasked, Match, MatchSpec};

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
pub(super) fn parse_match(nest: Option<Attr<'_>>) -> Res<Match> {
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

pub(super) fn put_match(m: &mut Msg, mt: &Match) -> Result {
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
