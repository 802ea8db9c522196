// SPDX-License-Identifier: GPL-2.0

//! The flow `match` nest: [`put`] writes a [`MatchSpec`]'s attributes, [`parse`] reads them back.
//! One codec for both ends: the kernel module parses requests and puts dump replies with it,
//! ofgroupctl puts requests and parses replies with it. No allocation, never panics.
//!
//! On the wire an absent field is a wildcard; `u16`/`u32` are in host order, addresses in network
//! order; a mask attribute is only sent when the mask is not all ones (absent mask: exact).
//! [`parse`] checks the shapes the policy cannot (mask lengths, masks without values, IPv4 or
//! IPv6 lengths); the OpenFlow checks (prerequisites, ranges) are [`MatchSpec::to_match`]'s.
//!
//! # In the kernel module
//!
//! Parsing a request (`genl_dp.rs`'s `parse_match`): `match_nest::parse(nest.nested())`, mapping
//! an error `e` to `Reject::new(e.errno(), format_args!("{}", e), Some(e.offset()))`, then
//! `to_match()` as today. Putting a dump reply (`put_match`): implement [`AttrSink`] for the
//! message (`put` is `put_bytes`, its error the message's), then inside the `flow_attr::MATCH`
//! nest call `match_nest::put(m, &MatchSpec::from_match(mt))`. The wire bytes are the ones the
//! module writes and accepts today (same attributes, order, lengths and messages).

use core::fmt;

use super::match_attr as ma;
use super::wire::{Attr, AttrSink, Attrs, NLA_HDRLEN};
use crate::logic::error::errno;
use crate::logic::flow::{IpMasked, MatchSpec};

/// Largest match nest payload [`put`] writes (every field, every mask, IPv6 addresses):
/// the size of an [`AttrBuf`](super::wire::AttrBuf) that always holds one.
pub const MATCH_NEST_MAX: usize = {
    const fn attr(payload: usize) -> usize {
        (NLA_HDRLEN + payload + 3) & !3
    }
    attr(4) // in-port
        + 4 * attr(6) // eth-src, eth-dst and their masks
        + 2 * attr(2) // eth-type, vlan-vid
        + attr(1) // ip-proto
        + 4 * attr(16) // ip-src, ip-dst and their masks
        + 2 * attr(2) // l4-src, l4-dst
};

/// Write the match's attributes (the nest's payload; the caller opens and closes the nest).
/// Wildcarded fields and all-ones masks are left out.
pub fn put<S: AttrSink>(sink: &mut S, s: &MatchSpec) -> Result<(), S::Error> {
    if let Some(p) = s.in_port {
        sink.put(ma::IN_PORT, &p.to_ne_bytes())?;
    }
    for (v, mk, f) in [
        (ma::ETH_SRC, ma::ETH_SRC_MASK, s.eth_src),
        (ma::ETH_DST, ma::ETH_DST_MASK, s.eth_dst),
    ] {
        if let Some((val, mask)) = f {
            sink.put(v, &val)?;
            if mask != [0xff; 6] {
                sink.put(mk, &mask)?;
            }
        }
    }
    if let Some(t) = s.eth_type {
        sink.put(ma::ETH_TYPE, &t.to_ne_bytes())?;
    }
    if let Some(t) = s.vlan_vid {
        sink.put(ma::VLAN_VID, &t.to_ne_bytes())?;
    }
    if let Some(p) = s.ip_proto {
        sink.put(ma::IP_PROTO, &[p])?;
    }
    for (v, mk, f) in [
        (ma::IP_SRC, ma::IP_SRC_MASK, s.ip_src),
        (ma::IP_DST, ma::IP_DST_MASK, s.ip_dst),
    ] {
        match f {
            Some(IpMasked::V4(val, mask)) => {
                sink.put(v, &val)?;
                if mask != [0xff; 4] {
                    sink.put(mk, &mask)?;
                }
            }
            Some(IpMasked::V6(val, mask)) => {
                sink.put(v, &val)?;
                if mask != [0xff; 16] {
                    sink.put(mk, &mask)?;
                }
            }
            None => {}
        }
    }
    if let Some(p) = s.l4_src {
        sink.put(ma::L4_SRC, &p.to_ne_bytes())?;
    }
    if let Some(p) = s.l4_dst {
        sink.put(ma::L4_DST, &p.to_ne_bytes())?;
    }
    Ok(())
}

/// Why a match nest was refused. Each names the attribute at fault by its spec name and carries
/// its offset (for the extack's bad-attribute pointer); `Display` is the extack message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchNestError {
    /// A `u16` attribute shorter than 2 bytes.
    NotU16 {
        /// Spec name.
        name: &'static str,
        /// Offset of the attribute.
        offset: usize,
    },
    /// A `u32` attribute shorter than 4 bytes.
    NotU32 {
        /// Spec name.
        name: &'static str,
        /// Offset of the attribute.
        offset: usize,
    },
    /// A fixed-length binary attribute of another length.
    Length {
        /// Spec name (`eth mask` for either Ethernet mask).
        name: &'static str,
        /// Required length.
        want: usize,
        /// Length received.
        got: usize,
        /// Offset of the attribute.
        offset: usize,
    },
    /// An IP address neither 4 nor 16 bytes long.
    IpLength {
        /// Spec name.
        name: &'static str,
        /// Length received.
        got: usize,
        /// Offset of the attribute.
        offset: usize,
    },
    /// An IP mask not as long as its address.
    MaskLength {
        /// Spec name of the address.
        name: &'static str,
        /// The address's length.
        want: usize,
        /// Offset of the mask attribute.
        offset: usize,
    },
    /// A mask without its value.
    MaskWithout {
        /// Spec name of the value.
        name: &'static str,
        /// Offset of the mask attribute.
        offset: usize,
    },
}

impl MatchNestError {
    /// The errno the request fails with.
    pub fn errno(&self) -> i32 {
        errno::EINVAL
    }

    /// Offset of the offending attribute in the buffer the [`Attrs`] iteration started from.
    pub fn offset(&self) -> usize {
        match *self {
            MatchNestError::NotU16 { offset, .. }
            | MatchNestError::NotU32 { offset, .. }
            | MatchNestError::Length { offset, .. }
            | MatchNestError::IpLength { offset, .. }
            | MatchNestError::MaskLength { offset, .. }
            | MatchNestError::MaskWithout { offset, .. } => offset,
        }
    }
}

impl fmt::Display for MatchNestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            MatchNestError::NotU16 { name, .. } => write!(f, "attribute '{name}' must be a u16"),
            MatchNestError::NotU32 { name, .. } => write!(f, "attribute '{name}' must be a u32"),
            MatchNestError::Length {
                name, want, got, ..
            } => write!(f, "attribute '{name}' must be {want} bytes, not {got}"),
            MatchNestError::IpLength { name, got, .. } => {
                write!(f, "'{name}' must be 4 (IPv4) or 16 (IPv6) bytes, not {got}")
            }
            MatchNestError::MaskLength { name, want, .. } => {
                write!(
                    f,
                    "'{name}-mask' must be as long as '{name}' ({want} bytes)"
                )
            }
            MatchNestError::MaskWithout { name, .. } => write!(f, "'{name}-mask' without '{name}'"),
        }
    }
}

fn u16_of(a: &Attr<'_>, name: &'static str) -> Result<u16, MatchNestError> {
    a.u16().ok_or(MatchNestError::NotU16 {
        name,
        offset: a.offset,
    })
}

fn bytes_of<const N: usize>(a: &Attr<'_>, name: &'static str) -> Result<[u8; N], MatchNestError> {
    a.payload.try_into().map_err(|_| MatchNestError::Length {
        name,
        want: N,
        got: a.payload.len(),
        offset: a.offset,
    })
}

/// An IP address attribute and its optional mask: 4 bytes (IPv4) or 16 (IPv6), same lengths.
fn ip_of(
    v: &Attr<'_>,
    mask: Option<&Attr<'_>>,
    name: &'static str,
) -> Result<IpMasked, MatchNestError> {
    if let Some(m) = mask.filter(|m| m.payload.len() != v.payload.len()) {
        return Err(MatchNestError::MaskLength {
            name,
            want: v.payload.len(),
            offset: m.offset,
        });
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
        got => Err(MatchNestError::IpLength {
            name,
            got,
            offset: v.offset,
        }),
    }
}

/// Read a match nest's attributes (`nest.nested()` in the kernel, the reply's nest payload in
/// ofgroupctl). A repeated attribute counts once, the last one (as `info->attrs` would);
/// unknown attributes are ignored (the kernel's policy has refused them already). The result is
/// not validated: [`MatchSpec::to_match`] does that.
pub fn parse(n: Attrs<'_>) -> Result<MatchSpec, MatchNestError> {
    let find = |k| n.find(k);
    let mut s = MatchSpec::default();
    if let Some(a) = find(ma::IN_PORT) {
        s.in_port = Some(a.u32().ok_or(MatchNestError::NotU32 {
            name: "in-port",
            offset: a.offset,
        })?);
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
                return Err(MatchNestError::MaskWithout {
                    name,
                    offset: m.offset,
                })
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
                return Err(MatchNestError::MaskWithout {
                    name,
                    offset: m.offset,
                })
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
    Ok(s)
}
