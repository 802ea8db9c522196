// SPDX-License-Identifier: GPL-2.0

//! Packet parsing for flow lookup and select hashing: Ethernet, up to two VLAN tags, IPv4/IPv6
//! (with IPv6 extension headers) and the L4 ports or ICMP type/code, into [`FlowFields`].
//!
//! The parser is total: a truncated or malformed frame yields whatever was parsed before the
//! problem and zero for the rest, and it never reads out of bounds (every access is a checked
//! `get`). A field is only set once its final value is known, so the fields of a truncated frame
//! are each either zero or equal to those of the whole frame.

use super::hash::FlowFields;

/// Ethernet type of IPv4.
pub const ETH_TYPE_IP: u16 = 0x0800;
/// Ethernet type of IPv6.
pub const ETH_TYPE_IPV6: u16 = 0x86dd;
/// Ethernet type of an 802.1Q VLAN tag.
pub const ETH_TYPE_VLAN: u16 = 0x8100;
/// Ethernet type of an 802.1ad (QinQ service) VLAN tag.
pub const ETH_TYPE_VLAN_8021AD: u16 = 0x88a8;
/// Smallest Ethernet type; smaller values are 802.3 lengths.
pub const ETH_TYPE_MIN: u16 = 0x0600;
/// The Ethernet type given to 802.3 frames (OVS's `FLOW_DL_TYPE_NONE`).
pub const ETH_TYPE_NONE: u16 = 0x05ff;

/// IP protocol of ICMP.
pub const IPPROTO_ICMP: u8 = 1;
/// IP protocol of TCP.
pub const IPPROTO_TCP: u8 = 6;
/// IP protocol of UDP.
pub const IPPROTO_UDP: u8 = 17;
/// IP protocol of SCTP.
pub const IPPROTO_SCTP: u8 = 132;
/// IP protocol of ICMPv6.
pub const IPPROTO_ICMPV6: u8 = 58;

/// IPv6 hop-by-hop options extension header.
const IPV6_HOPOPTS: u8 = 0;
/// IPv6 routing extension header.
const IPV6_ROUTING: u8 = 43;
/// IPv6 fragment extension header.
const IPV6_FRAGMENT: u8 = 44;
/// IPv6 destination options extension header.
const IPV6_DSTOPTS: u8 = 60;

/// Length of an Ethernet header without tags.
const ETH_HLEN: usize = 14;
/// Length of one VLAN tag (TPID + TCI).
const VLAN_HLEN: usize = 4;
/// Length of the fixed IPv6 header.
const IPV6_HLEN: usize = 40;

/// A parsed frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The fields found; absent ones are zero.
    pub fields: FlowFields,
    /// Whether the frame carried a VLAN tag (its id is `fields.vlan_vid`, which may be 0).
    pub vlan_tagged: bool,
    /// Whether the frame is an IP fragment (first or later). Fragments of one datagram must hash
    /// alike, and only the first carries the L4 header: see [`Parsed::hash_fields`].
    pub fragment: bool,
    /// Offset just past the TCP or UDP header (Ethernet, VLAN, IP and L4 headers with options):
    /// the header every segment of a GSO frame repeats. 0 when the frame has no complete TCP/UDP
    /// header.
    pub l4_end: u16,
}

impl Parsed {
    /// The fields a select group hashes: for an IP fragment, L3 only (L4 ports zero), so every
    /// fragment of a datagram — the first carries the ports, the later ones do not — lands in the
    /// same bucket.
    pub fn hash_fields(&self) -> FlowFields {
        let mut f = self.fields;
        if self.fragment {
            f.l4_src = 0;
            f.l4_dst = 0;
        }
        f
    }
}

/// `N` bytes at `off`, if the frame has them.
fn bytes<const N: usize>(frame: &[u8], off: usize) -> Option<[u8; N]> {
    let end = off.checked_add(N)?;
    frame.get(off..end)?.try_into().ok()
}

/// The byte at `off`.
fn u8_at(frame: &[u8], off: usize) -> Option<u8> {
    frame.get(off).copied()
}

/// The big-endian u16 at `off`.
fn be16(frame: &[u8], off: usize) -> Option<u16> {
    bytes::<2>(frame, off).map(u16::from_be_bytes)
}

/// Whether `t` is a VLAN tag's Ethernet type.
fn is_vlan(t: u16) -> bool {
    t == ETH_TYPE_VLAN || t == ETH_TYPE_VLAN_8021AD
}

/// An IPv4 address as an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`).
pub fn ipv4_mapped(a: [u8; 4]) -> [u8; 16] {
    let mut m = [0u8; 16];
    m[10] = 0xff;
    m[11] = 0xff;
    m[12..].copy_from_slice(&a);
    m
}

/// Parse an Ethernet frame (starting at the destination MAC). Never fails: see the module docs.
pub fn parse(frame: &[u8]) -> Parsed {
    let mut p = Parsed::default();
    parse_into(frame, &mut p);
    p
}

/// The parser proper; `None` just means "stop here".
fn parse_into(frame: &[u8], p: &mut Parsed) -> Option<()> {
    let f = &mut p.fields;
    f.eth_dst = bytes(frame, 0)?;
    f.eth_src = bytes(frame, 6)?;
    let mut off = 12;
    let mut eth_type = be16(frame, off)?;
    off = ETH_HLEN;
    if is_vlan(eth_type) {
        let tci = be16(frame, off)?;
        p.vlan_tagged = true;
        f.vlan_vid = tci & 0x0fff;
        eth_type = be16(frame, off + 2)?;
        off += VLAN_HLEN;
        if is_vlan(eth_type) {
            // An inner tag (QinQ): skipped, the outer id counts.
            eth_type = be16(frame, off + 2)?;
            off += VLAN_HLEN;
        }
    }
    if eth_type < ETH_TYPE_MIN {
        eth_type = ETH_TYPE_NONE;
    }
    f.eth_type = eth_type;
    match eth_type {
        ETH_TYPE_IP => parse_ipv4(frame, off, p),
        ETH_TYPE_IPV6 => parse_ipv6(frame, off, p),
        _ => Some(()),
    }
}

/// IPv4 header at `off`, then L4.
fn parse_ipv4(frame: &[u8], off: usize, p: &mut Parsed) -> Option<()> {
    let f = &mut p.fields;
    let ihl = usize::from(u8_at(frame, off)? & 0x0f);
    if ihl < 5 {
        return None;
    }
    f.ip_proto = u8_at(frame, off + 9)?;
    let frag = be16(frame, off + 6)?;
    f.ip_src = ipv4_mapped(bytes(frame, off + 12)?);
    f.ip_dst = ipv4_mapped(bytes(frame, off + 16)?);
    // More-fragments set, or an offset: part of a fragmented datagram.
    p.fragment = frag & 0x3fff != 0;
    if frag & 0x1fff != 0 {
        // A later fragment: no L4 header.
        return None;
    }
    let l4 = off + ihl * 4;
    // The whole header, options included, must be there before L4.
    frame.get(..l4)?;
    parse_l4(frame, l4, p.fields.ip_proto, false, p)
}

/// IPv6 header at `off`, extension headers, then L4.
fn parse_ipv6(frame: &[u8], off: usize, p: &mut Parsed) -> Option<()> {
    let mut next = u8_at(frame, off + 6)?;
    p.fields.ip_src = bytes(frame, off + 8)?;
    p.fields.ip_dst = bytes(frame, off + 24)?;
    let mut pos = off + IPV6_HLEN;
    // Each extension header is at least 8 bytes and must be in the frame, so this ends.
    loop {
        match next {
            IPV6_HOPOPTS | IPV6_ROUTING | IPV6_DSTOPTS => {
                let [nh, len] = bytes::<2>(frame, pos)?;
                let hlen = (usize::from(len) + 1) * 8;
                frame.get(..pos.checked_add(hlen)?)?;
                next = nh;
                pos += hlen;
            }
            IPV6_FRAGMENT => {
                let h = bytes::<8>(frame, pos)?;
                next = h[0];
                pos += 8;
                p.fragment = true;
                if u16::from_be_bytes([h[2], h[3]]) & 0xfff8 != 0 {
                    // A later fragment: the protocol is known, the L4 header is not here.
                    p.fields.ip_proto = next;
                    return None;
                }
            }
            _ => break,
        }
    }
    p.fields.ip_proto = next;
    parse_l4(frame, pos, next, true, p)
}

/// L4 header of protocol `proto` at `off`.
fn parse_l4(frame: &[u8], off: usize, proto: u8, v6: bool, p: &mut Parsed) -> Option<()> {
    let f = &mut p.fields;
    match proto {
        IPPROTO_TCP | IPPROTO_UDP | IPPROTO_SCTP => {
            f.l4_src = be16(frame, off)?;
            f.l4_dst = be16(frame, off + 2)?;
            let hlen = match proto {
                IPPROTO_TCP => match usize::from(u8_at(frame, off + 12)? >> 4) * 4 {
                    h if h >= 20 => h,
                    _ => return Some(()),
                },
                IPPROTO_UDP => 8,
                _ => return Some(()),
            };
            let end = off.checked_add(hlen)?;
            if end <= frame.len() {
                p.l4_end = u16::try_from(end).ok()?;
            }
        }
        IPPROTO_ICMP if !v6 => {
            f.l4_src = u16::from(u8_at(frame, off)?);
            f.l4_dst = u16::from(u8_at(frame, off + 1)?);
        }
        IPPROTO_ICMPV6 if v6 => {
            f.l4_src = u16::from(u8_at(frame, off)?);
            f.l4_dst = u16::from(u8_at(frame, off + 1)?);
        }
        _ => {}
    }
    Some(())
}
