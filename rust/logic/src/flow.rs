// SPDX-License-Identifier: GPL-2.0

//! Flow keys and matches: the fixed-layout key the classifier compares word by word, masked matches
//! with OpenFlow's non-strict "covered by" relation, and the netlink-level [`MatchSpec`] with its
//! validation (OpenFlow prerequisites, value ranges and wildcards, as OVS checks them).
//!
//! # Key layout
//!
//! A [`Key`] is 8 `u64` words; bits not listed are always zero in keys built here and in masks
//! built by [`MatchSpec::to_match`]. Multi-byte addresses are packed big-endian, so a CIDR prefix
//! mask is a run of high bits.
//!
//! - word 0: `in_port` (bits 0..32), `eth_type` (32..48), `vlan` (48..64)
//! - word 1: `eth_src` (0..48, byte 0 in bits 40..48), `ip_proto` (48..56), zero (56..64)
//! - word 2: `eth_dst` (0..48, byte 0 in bits 40..48), zero (48..64)
//! - word 3: `l4_src` (0..16), `l4_dst` (16..32), zero (32..64)
//! - words 4, 5: `ip_src` bytes 0..8 and 8..16, each big-endian
//! - words 6, 7: `ip_dst` bytes 0..8 and 8..16, each big-endian
//!
//! `vlan` is the VLAN id with [`VLAN_PRESENT`] (0x1000) set when the frame is tagged, 0 when it is
//! not. IPv4 addresses are IPv4-mapped (`::ffff:a.b.c.d`) in packet keys; IPv4 matches mask only
//! the low 32 bits (bytes 12..16), since their `eth_type` prerequisite already says "IPv4".
//! `l4_src`/`l4_dst` are the ports, or ICMP/ICMPv6 type and code.

use core::fmt;

use super::error::errno;
use super::model::OFPP_MAX;
use super::packet::{
    Parsed, ETH_TYPE_IP, ETH_TYPE_IPV6, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_SCTP, IPPROTO_TCP,
    IPPROTO_UDP,
};
use super::select::mix64;

/// Priority of a flow that does not say (OpenFlow's `OFP_DEFAULT_PRIORITY`).
pub const DEFAULT_PRIORITY: u16 = 0x8000;

/// The VLAN-present bit in a key's `vlan` (OpenFlow's `OFPVID_PRESENT`).
pub const VLAN_PRESENT: u16 = 0x1000;
/// Largest VLAN id.
pub const VLAN_VID_MAX: u16 = 0x0fff;

/// Low 48 bits.
const MAC_BITS: u64 = (1 << 48) - 1;

/// A flow key (or a mask over one): see the module docs for the layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Key(pub [u64; 8]);

/// A MAC address as the low 48 bits of a word, big-endian.
fn mac_to_word(m: [u8; 6]) -> u64 {
    let [a, b, c, d, e, f] = m;
    u64::from_be_bytes([0, 0, a, b, c, d, e, f])
}

/// The MAC address in the low 48 bits of `w`.
fn word_to_mac(w: u64) -> [u8; 6] {
    let [_, _, a, b, c, d, e, f] = w.to_be_bytes();
    [a, b, c, d, e, f]
}

/// An IPv6 address as two big-endian words.
fn ip_to_words(ip: [u8; 16]) -> (u64, u64) {
    let v = u128::from_be_bytes(ip);
    ((v >> 64) as u64, v as u64)
}

/// The IPv6 address in two big-endian words.
fn words_to_ip(hi: u64, lo: u64) -> [u8; 16] {
    (u128::from(hi) << 64 | u128::from(lo)).to_be_bytes()
}

impl Key {
    /// The key of a parsed packet received on `in_port`.
    pub fn from_packet(in_port: u32, p: &Parsed) -> Key {
        let f = &p.fields;
        let mut k = Key::default();
        k.set_in_port(in_port);
        k.set_eth_type(f.eth_type);
        k.set_vlan(if p.vlan_tagged {
            (f.vlan_vid & VLAN_VID_MAX) | VLAN_PRESENT
        } else {
            0
        });
        k.set_eth_src(f.eth_src);
        k.set_eth_dst(f.eth_dst);
        k.set_ip_proto(f.ip_proto);
        k.set_ip_src(f.ip_src);
        k.set_ip_dst(f.ip_dst);
        k.set_l4_src(f.l4_src);
        k.set_l4_dst(f.l4_dst);
        k
    }

    /// This key with only the bits set in `mask`.
    #[inline]
    pub fn masked(&self, mask: &Key) -> Key {
        let mut out = [0u64; 8];
        for (o, (k, m)) in out.iter_mut().zip(self.0.iter().zip(mask.0.iter())) {
            *o = k & m;
        }
        Key(out)
    }

    /// A 64-bit hash of all 8 words (for the classifier's hash tables).
    #[inline]
    pub fn hash(&self) -> u64 {
        let mut h = 0u64;
        for w in self.0 {
            h = mix64(h ^ w).wrapping_add(0x9e37_79b9_7f4a_7c15);
        }
        mix64(h)
    }

    /// Ingress port.
    pub fn in_port(&self) -> u32 {
        self.0[0] as u32
    }
    /// Ethernet type.
    pub fn eth_type(&self) -> u16 {
        (self.0[0] >> 32) as u16
    }
    /// VLAN: id | [`VLAN_PRESENT`] when tagged, 0 when untagged.
    pub fn vlan(&self) -> u16 {
        (self.0[0] >> 48) as u16
    }
    /// Ethernet source.
    pub fn eth_src(&self) -> [u8; 6] {
        word_to_mac(self.0[1])
    }
    /// Ethernet destination.
    pub fn eth_dst(&self) -> [u8; 6] {
        word_to_mac(self.0[2])
    }
    /// IP protocol.
    pub fn ip_proto(&self) -> u8 {
        (self.0[1] >> 48) as u8
    }
    /// IP source (IPv4-mapped for IPv4 packets).
    pub fn ip_src(&self) -> [u8; 16] {
        words_to_ip(self.0[4], self.0[5])
    }
    /// IP destination (IPv4-mapped for IPv4 packets).
    pub fn ip_dst(&self) -> [u8; 16] {
        words_to_ip(self.0[6], self.0[7])
    }
    /// L4 source port, or ICMP type.
    pub fn l4_src(&self) -> u16 {
        self.0[3] as u16
    }
    /// L4 destination port, or ICMP code.
    pub fn l4_dst(&self) -> u16 {
        (self.0[3] >> 16) as u16
    }

    /// Set the ingress port.
    pub fn set_in_port(&mut self, v: u32) {
        self.0[0] = (self.0[0] & !0xffff_ffff) | u64::from(v);
    }
    /// Set the Ethernet type.
    pub fn set_eth_type(&mut self, v: u16) {
        self.0[0] = (self.0[0] & !(0xffff << 32)) | u64::from(v) << 32;
    }
    /// Set the VLAN (id | [`VLAN_PRESENT`], or 0).
    pub fn set_vlan(&mut self, v: u16) {
        self.0[0] = (self.0[0] & !(0xffff << 48)) | u64::from(v) << 48;
    }
    /// Set the Ethernet source.
    pub fn set_eth_src(&mut self, m: [u8; 6]) {
        self.0[1] = (self.0[1] & !MAC_BITS) | mac_to_word(m);
    }
    /// Set the Ethernet destination.
    pub fn set_eth_dst(&mut self, m: [u8; 6]) {
        self.0[2] = (self.0[2] & !MAC_BITS) | mac_to_word(m);
    }
    /// Set the IP protocol.
    pub fn set_ip_proto(&mut self, v: u8) {
        self.0[1] = (self.0[1] & !(0xff << 48)) | u64::from(v) << 48;
    }
    /// Set the IP source.
    pub fn set_ip_src(&mut self, ip: [u8; 16]) {
        (self.0[4], self.0[5]) = ip_to_words(ip);
    }
    /// Set the IP destination.
    pub fn set_ip_dst(&mut self, ip: [u8; 16]) {
        (self.0[6], self.0[7]) = ip_to_words(ip);
    }
    /// Set the L4 source port (or ICMP type).
    pub fn set_l4_src(&mut self, v: u16) {
        self.0[3] = (self.0[3] & !0xffff) | u64::from(v);
    }
    /// Set the L4 destination port (or ICMP code).
    pub fn set_l4_dst(&mut self, v: u16) {
        self.0[3] = (self.0[3] & !(0xffff << 16)) | u64::from(v) << 16;
    }
}

/// A masked match: a packet key `k` matches when `k.masked(&mask) == key`.
///
/// Invariant: `key == key.masked(&mask)` ([`Match::new`] and [`MatchSpec::to_match`] ensure it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Match {
    /// The values, zero outside `mask`.
    pub key: Key,
    /// Which bits matter.
    pub mask: Key,
}

impl Match {
    /// The match-everything match (all wildcards).
    pub const ANY: Match = Match {
        key: Key([0; 8]),
        mask: Key([0; 8]),
    };

    /// A match of `key` under `mask` (bits of `key` outside `mask` are dropped).
    pub fn new(key: Key, mask: Key) -> Match {
        Match {
            key: key.masked(&mask),
            mask,
        }
    }

    /// Whether the packet key `k` matches.
    #[inline]
    pub fn matches(&self, k: &Key) -> bool {
        k.masked(&self.mask) == self.key
    }

    /// OpenFlow's non-strict relation: whether `self` is at least as specific as `other`, so that
    /// every packet `self` matches is matched by `other` (every bit `other` looks at, `self` looks
    /// at too, with the same value). Non-strict flow-mod modify/delete act on the flows whose match
    /// is covered by the request's.
    pub fn covered_by(&self, other: &Match) -> bool {
        let wider = self
            .mask
            .0
            .iter()
            .zip(other.mask.0.iter())
            .any(|(s, o)| o & !s != 0);
        !wider && self.key.masked(&other.mask) == other.key
    }
}

/// An IP address match: value and mask. `V4` uses `eth_type` 0x0800, `V6` uses 0x86dd.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpMasked {
    /// IPv4 address and mask.
    V4([u8; 4], [u8; 4]),
    /// IPv6 address and mask.
    V6([u8; 16], [u8; 16]),
}

/// A match as netlink carries it: each field absent (wildcarded) or given, exact or with a mask.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct MatchSpec {
    /// Ingress port, 1..=0xffffff00.
    pub in_port: Option<u32>,
    /// Ethernet source: value and mask.
    pub eth_src: Option<([u8; 6], [u8; 6])>,
    /// Ethernet destination: value and mask.
    pub eth_dst: Option<([u8; 6], [u8; 6])>,
    /// Ethernet type (0x05ff matches 802.3 frames).
    pub eth_type: Option<u16>,
    /// VLAN id, 0..=4095: matches frames tagged with this id (priority bits ignored). "Untagged
    /// only" and "any tag" cannot be said here yet; absent matches both tagged and untagged.
    pub vlan_vid: Option<u16>,
    /// IP protocol; needs `eth_type` IPv4 or IPv6.
    pub ip_proto: Option<u8>,
    /// IP source; needs the matching `eth_type`.
    pub ip_src: Option<IpMasked>,
    /// IP destination; needs the matching `eth_type`.
    pub ip_dst: Option<IpMasked>,
    /// L4 source port or ICMP type; needs `ip_proto` TCP, UDP, SCTP, ICMP or ICMPv6.
    pub l4_src: Option<u16>,
    /// L4 destination port or ICMP code; needs `ip_proto` TCP, UDP, SCTP, ICMP or ICMPv6.
    pub l4_dst: Option<u16>,
}

/// Why a match was refused: OpenFlow's bad-match codes (`OFPBMC_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowErrorKind {
    /// A field's prerequisite is missing (`OFPBMC_BAD_PREREQ`).
    BadPrereq,
    /// A field's value is out of range (`OFPBMC_BAD_VALUE`).
    BadValue,
    /// A value has bits set outside its mask (`OFPBMC_BAD_WILDCARDS`).
    BadWildcards,
}

impl FlowErrorKind {
    /// OpenFlow's name for the code (ovs-ofctl prints `OFPBMC_<name>`).
    pub fn of_name(self) -> &'static str {
        match self {
            FlowErrorKind::BadPrereq => "BAD_PREREQ",
            FlowErrorKind::BadValue => "BAD_VALUE",
            FlowErrorKind::BadWildcards => "BAD_WILDCARDS",
        }
    }

    /// The errno a netlink request fails with.
    pub fn errno(self) -> i32 {
        errno::EINVAL
    }
}

/// A refused match. `Display` gives the extack message, e.g.
/// `BAD_PREREQ: match: ip_dst needs eth_type ip (0x0800)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FlowError {
    /// OpenFlow code.
    pub kind: FlowErrorKind,
    /// The field at fault, by its ovs-ofctl name.
    pub field: &'static str,
    /// Why, in a few words.
    pub reason: &'static str,
}

impl FlowError {
    /// The errno for netlink.
    pub fn errno(&self) -> i32 {
        self.kind.errno()
    }
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: match: {} {}",
            self.kind.of_name(),
            self.field,
            self.reason
        )
    }
}

/// Shorthand for building errors.
const fn err(kind: FlowErrorKind, field: &'static str, reason: &'static str) -> FlowError {
    FlowError {
        kind,
        field,
        reason,
    }
}

const NEEDS_IP: &str = "needs eth_type ip (0x0800)";
const NEEDS_IPV6: &str = "needs eth_type ipv6 (0x86dd)";
const NEEDS_IP_ANY: &str = "needs eth_type ip (0x0800) or ipv6 (0x86dd)";
const NEEDS_L4: &str = "needs ip_proto 6, 17, 132, 1 (ip) or 58 (ipv6)";
const OUTSIDE_MASK: &str = "has value bits outside its mask";

/// `value & !mask == 0` byte-wise.
fn within_mask(value: &[u8], mask: &[u8]) -> bool {
    value.iter().zip(mask).all(|(v, m)| v & !m == 0)
}

/// Whether every byte is zero.
fn all_zero(b: &[u8]) -> bool {
    b.iter().all(|&x| x == 0)
}

/// ovs-ofctl names of the L4 source and destination fields under `ip_proto`.
fn l4_names(ip_proto: Option<u8>) -> (&'static str, &'static str) {
    match ip_proto {
        Some(IPPROTO_TCP) => ("tcp_src", "tcp_dst"),
        Some(IPPROTO_UDP) => ("udp_src", "udp_dst"),
        Some(IPPROTO_SCTP) => ("sctp_src", "sctp_dst"),
        Some(IPPROTO_ICMP) => ("icmp_type", "icmp_code"),
        Some(IPPROTO_ICMPV6) => ("icmpv6_type", "icmpv6_code"),
        _ => ("tp_src", "tp_dst"),
    }
}

impl MatchSpec {
    /// Validate and convert to a [`Match`]. A field whose mask is all zero is a wildcard (as if
    /// absent) and needs no prerequisite; a value with bits outside its mask is refused.
    pub fn to_match(&self) -> Result<Match, FlowError> {
        self.validate()?;
        let (mut key, mut mask) = (Key::default(), Key::default());
        if let Some(p) = self.in_port {
            key.set_in_port(p);
            mask.set_in_port(u32::MAX);
        }
        if let Some((v, m)) = self.eth_src {
            key.set_eth_src(v);
            mask.set_eth_src(m);
        }
        if let Some((v, m)) = self.eth_dst {
            key.set_eth_dst(v);
            mask.set_eth_dst(m);
        }
        if let Some(t) = self.eth_type {
            key.set_eth_type(t);
            mask.set_eth_type(u16::MAX);
        }
        if let Some(vid) = self.vlan_vid {
            key.set_vlan(vid | VLAN_PRESENT);
            mask.set_vlan(VLAN_PRESENT | VLAN_VID_MAX);
        }
        if let Some(p) = self.ip_proto {
            key.set_ip_proto(p);
            mask.set_ip_proto(u8::MAX);
        }
        if let Some(ip) = self.ip_src {
            let (v, m) = ip_key(ip);
            key.set_ip_src(v);
            mask.set_ip_src(m);
        }
        if let Some(ip) = self.ip_dst {
            let (v, m) = ip_key(ip);
            key.set_ip_dst(v);
            mask.set_ip_dst(m);
        }
        if let Some(p) = self.l4_src {
            key.set_l4_src(p);
            mask.set_l4_src(u16::MAX);
        }
        if let Some(p) = self.l4_dst {
            key.set_l4_dst(p);
            mask.set_l4_dst(u16::MAX);
        }
        Ok(Match::new(key, mask))
    }

    /// The spec of a match: the inverse of [`MatchSpec::to_match`] (for every valid spec without
    /// all-zero masks, `from_match(&s.to_match()?) == s`). Fields with an all-zero mask are absent.
    /// An IP address is `V4` when the match has `eth_type` 0x0800, `V6` otherwise.
    pub fn from_match(m: &Match) -> MatchSpec {
        let (k, mk) = (&m.key, &m.mask);
        let ipv4 = mk.eth_type() != 0 && k.eth_type() == ETH_TYPE_IP;
        let ip = |v: [u8; 16], msk: [u8; 16]| {
            if all_zero(&msk) {
                None
            } else if ipv4 {
                let [_, _, _, _, _, _, _, _, _, _, _, _, a, b, c, d] = v;
                let [_, _, _, _, _, _, _, _, _, _, _, _, e, f, g, h] = msk;
                Some(IpMasked::V4([a, b, c, d], [e, f, g, h]))
            } else {
                Some(IpMasked::V6(v, msk))
            }
        };
        MatchSpec {
            in_port: (mk.in_port() != 0).then(|| k.in_port()),
            eth_src: (mk.eth_src() != [0; 6]).then(|| (k.eth_src(), mk.eth_src())),
            eth_dst: (mk.eth_dst() != [0; 6]).then(|| (k.eth_dst(), mk.eth_dst())),
            eth_type: (mk.eth_type() != 0).then(|| k.eth_type()),
            vlan_vid: (mk.vlan() != 0).then(|| k.vlan() & VLAN_VID_MAX),
            ip_proto: (mk.ip_proto() != 0).then(|| k.ip_proto()),
            ip_src: ip(k.ip_src(), mk.ip_src()),
            ip_dst: ip(k.ip_dst(), mk.ip_dst()),
            l4_src: (mk.l4_src() != 0).then(|| k.l4_src()),
            l4_dst: (mk.l4_dst() != 0).then(|| k.l4_dst()),
        }
    }

    /// The OpenFlow checks, in field order: values in range, values within masks, prerequisites.
    fn validate(&self) -> Result<(), FlowError> {
        use FlowErrorKind::*;
        if let Some(p) = self.in_port {
            if p == 0 || p > OFPP_MAX {
                return Err(err(BadValue, "in_port", "must be 1 to 0xffffff00"));
            }
        }
        for (name, f) in [("eth_src", self.eth_src), ("eth_dst", self.eth_dst)] {
            if let Some((v, m)) = f {
                if !within_mask(&v, &m) {
                    return Err(err(BadWildcards, name, OUTSIDE_MASK));
                }
            }
        }
        if self.vlan_vid.is_some_and(|v| v > VLAN_VID_MAX) {
            return Err(err(BadValue, "vlan_vid", "must be 0 to 4095"));
        }
        let is_ip = matches!(self.eth_type, Some(ETH_TYPE_IP | ETH_TYPE_IPV6));
        if self.ip_proto.is_some() && !is_ip {
            return Err(err(BadPrereq, "ip_proto", NEEDS_IP_ANY));
        }
        for (v4name, v6name, f) in [
            ("ip_src", "ipv6_src", self.ip_src),
            ("ip_dst", "ipv6_dst", self.ip_dst),
        ] {
            let (name, within, zero, want, needs) = match f {
                None => continue,
                Some(IpMasked::V4(v, m)) => (
                    v4name,
                    within_mask(&v, &m),
                    all_zero(&m),
                    ETH_TYPE_IP,
                    NEEDS_IP,
                ),
                Some(IpMasked::V6(v, m)) => (
                    v6name,
                    within_mask(&v, &m),
                    all_zero(&m),
                    ETH_TYPE_IPV6,
                    NEEDS_IPV6,
                ),
            };
            if !within {
                return Err(err(BadWildcards, name, OUTSIDE_MASK));
            }
            if !zero && self.eth_type != Some(want) {
                return Err(err(BadPrereq, name, needs));
            }
        }
        let (src_name, dst_name) = l4_names(self.ip_proto);
        for (name, f) in [(src_name, self.l4_src), (dst_name, self.l4_dst)] {
            let Some(v) = f else { continue };
            match self.ip_proto {
                Some(IPPROTO_TCP | IPPROTO_UDP | IPPROTO_SCTP) => {}
                Some(IPPROTO_ICMP) if self.eth_type != Some(ETH_TYPE_IP) => {
                    return Err(err(BadPrereq, name, NEEDS_IP));
                }
                Some(IPPROTO_ICMPV6) if self.eth_type != Some(ETH_TYPE_IPV6) => {
                    return Err(err(BadPrereq, name, NEEDS_IPV6));
                }
                Some(IPPROTO_ICMP | IPPROTO_ICMPV6) => {
                    if v > 0xff {
                        return Err(err(BadValue, name, "must be 0 to 255"));
                    }
                }
                _ => return Err(err(BadPrereq, name, NEEDS_L4)),
            }
        }
        Ok(())
    }
}

/// Key value and mask of an IP match: IPv4 in the low 32 bits, see the module docs.
fn ip_key(ip: IpMasked) -> ([u8; 16], [u8; 16]) {
    match ip {
        IpMasked::V4(v, m) => {
            let (mut kv, mut km) = ([0u8; 16], [0u8; 16]);
            kv[12..].copy_from_slice(&v);
            km[12..].copy_from_slice(&m);
            (kv, km)
        }
        IpMasked::V6(v, m) => (v, m),
    }
}
