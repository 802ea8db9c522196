// SPDX-License-Identifier: GPL-2.0

//! Flow hashing for select groups: which packet fields feed the hash, and the hash itself.
//!
//! By default a group hashes the symmetric L4 tuple, as OVS does: Ethernet addresses, Ethernet type,
//! VLAN, IP addresses, IP protocol and L4 ports, with each src/dst pair ordered so both directions
//! of a connection hash alike. A group may name a subset of fields instead
//! (`fields(eth_dst,ip_dst,tcp_dst)`), hashed as given, and a 32-bit basis.

use super::select::mix64;

/// One hashable packet field. The numeric values are the ABI's (`hash-field` enum in the YNL spec).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum HashField {
    /// Ethernet source address.
    EthSrc = 0,
    /// Ethernet destination address.
    EthDst = 1,
    /// Ethernet type.
    EthType = 2,
    /// VLAN id.
    VlanVid = 3,
    /// IPv4/IPv6 source address.
    IpSrc = 4,
    /// IPv4/IPv6 destination address.
    IpDst = 5,
    /// IP protocol.
    IpProto = 6,
    /// TCP/UDP/SCTP source port.
    L4Src = 7,
    /// TCP/UDP/SCTP destination port.
    L4Dst = 8,
}

impl HashField {
    /// All fields, in ABI order.
    pub const ALL: [HashField; 9] = [
        HashField::EthSrc,
        HashField::EthDst,
        HashField::EthType,
        HashField::VlanVid,
        HashField::IpSrc,
        HashField::IpDst,
        HashField::IpProto,
        HashField::L4Src,
        HashField::L4Dst,
    ];

    /// The field for an ABI value.
    pub fn from_u32(v: u32) -> Option<Self> {
        Self::ALL.get(v as usize).copied()
    }

    /// The ovs-ofctl name(s): the first is canonical, the rest are accepted aliases.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            HashField::EthSrc => &["eth_src", "dl_src"],
            HashField::EthDst => &["eth_dst", "dl_dst"],
            HashField::EthType => &["eth_type", "dl_type"],
            HashField::VlanVid => &["vlan_vid", "dl_vlan"],
            HashField::IpSrc => &["ip_src", "nw_src", "ipv6_src"],
            HashField::IpDst => &["ip_dst", "nw_dst", "ipv6_dst"],
            HashField::IpProto => &["ip_proto", "nw_proto"],
            HashField::L4Src => &["tcp_src", "udp_src", "sctp_src", "tp_src"],
            HashField::L4Dst => &["tcp_dst", "udp_dst", "sctp_dst", "tp_dst"],
        }
    }

    /// Look a field up by any of its names.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.names().contains(&name))
    }

    /// This field's bit in a [`FieldSet`].
    pub const fn bit(self) -> u32 {
        1 << self as u32
    }
}

/// A set of [`HashField`]s as a bitmask (bit = `1 << field`). Empty means "the default symmetric
/// L4 hash".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FieldSet(pub u32);

impl FieldSet {
    /// Bits that name a field.
    pub const VALID: u32 = (1 << HashField::ALL.len()) - 1;

    /// Whether `f` is in the set.
    pub const fn contains(self, f: HashField) -> bool {
        self.0 & f.bit() != 0
    }

    /// Fields in ABI order.
    pub fn iter(self) -> impl Iterator<Item = HashField> {
        HashField::ALL
            .into_iter()
            .filter(move |f| self.contains(*f))
    }
}

/// The packet fields a select hash may use, extracted by the datapath. Absent fields are zero.
/// IPv4 addresses are stored as IPv4-mapped IPv6 addresses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FlowFields {
    /// Ethernet source.
    pub eth_src: [u8; 6],
    /// Ethernet destination.
    pub eth_dst: [u8; 6],
    /// Ethernet type (after VLAN tags), host order.
    pub eth_type: u16,
    /// VLAN id, 0 when untagged.
    pub vlan_vid: u16,
    /// IP source.
    pub ip_src: [u8; 16],
    /// IP destination.
    pub ip_dst: [u8; 16],
    /// IP protocol, 0 when not IP.
    pub ip_proto: u8,
    /// L4 source port, 0 when none.
    pub l4_src: u16,
    /// L4 destination port, 0 when none.
    pub l4_dst: u16,
}

/// Incremental 64-bit hash state: each word is mixed in with [`mix64`].
struct Hasher(u64);

impl Hasher {
    fn word(&mut self, w: u64) {
        self.0 = mix64(self.0 ^ w).wrapping_add(0x9e37_79b9_7f4a_7c15);
    }
    fn bytes(&mut self, b: &[u8]) {
        for chunk in b.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.word(u64::from_le_bytes(w));
        }
    }
    fn finish(self) -> u32 {
        (mix64(self.0) >> 32) as u32
    }
}

fn mac_word(m: &[u8; 6]) -> u64 {
    let mut w = [0u8; 8];
    w[..6].copy_from_slice(m);
    u64::from_le_bytes(w)
}

/// The 32-bit flow hash of `f` over `fields` (empty: symmetric L4) with `basis`.
pub fn flow_hash(f: &FlowFields, fields: FieldSet, basis: u32) -> u32 {
    let mut h = Hasher(u64::from(basis) | u64::from(fields.0) << 32);
    if fields.0 == 0 {
        // Symmetric: order each src/dst pair so that both directions hash alike.
        let (a, b) = (mac_word(&f.eth_src), mac_word(&f.eth_dst));
        h.word(a.min(b));
        h.word(a.max(b));
        h.word(u64::from(f.eth_type) | u64::from(f.vlan_vid) << 16 | u64::from(f.ip_proto) << 32);
        let (lo, hi) = if f.ip_src <= f.ip_dst {
            (&f.ip_src, &f.ip_dst)
        } else {
            (&f.ip_dst, &f.ip_src)
        };
        h.bytes(lo);
        h.bytes(hi);
        let (p, q) = (f.l4_src.min(f.l4_dst), f.l4_src.max(f.l4_dst));
        h.word(u64::from(p) | u64::from(q) << 16);
        return h.finish();
    }
    for field in fields.iter() {
        match field {
            HashField::EthSrc => h.word(mac_word(&f.eth_src)),
            HashField::EthDst => h.word(mac_word(&f.eth_dst)),
            HashField::EthType => h.word(u64::from(f.eth_type)),
            HashField::VlanVid => h.word(u64::from(f.vlan_vid)),
            HashField::IpSrc => h.bytes(&f.ip_src),
            HashField::IpDst => h.bytes(&f.ip_dst),
            HashField::IpProto => h.word(u64::from(f.ip_proto)),
            HashField::L4Src => h.word(u64::from(f.l4_src)),
            HashField::L4Dst => h.word(u64::from(f.l4_dst)),
        }
    }
    h.finish()
}
