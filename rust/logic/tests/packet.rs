//! Packet parsing: hand-built frames of every kind, truncation at every length, garbage.

use ofgroup_logic::hash::FlowFields;
use ofgroup_logic::packet::{ipv4_mapped, parse, Parsed};
use proptest::prelude::*;

const DST: [u8; 6] = [0x02, 0, 0, 0, 0, 0xd1];
const SRC: [u8; 6] = [0x02, 0, 0, 0, 0, 0x51];
const V4S: [u8; 4] = [10, 0, 0, 1];
const V4D: [u8; 4] = [192, 168, 7, 9];
const V6S: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const V6D: [u8; 16] = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];

fn eth(tags: &[(u16, u16)], eth_type: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&DST);
    f.extend_from_slice(&SRC);
    for &(tpid, tci) in tags {
        f.extend_from_slice(&tpid.to_be_bytes());
        f.extend_from_slice(&tci.to_be_bytes());
    }
    f.extend_from_slice(&eth_type.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

fn ipv4(proto: u8, frag: u16, options: usize, l4: &[u8]) -> Vec<u8> {
    let ihl = 5 + options / 4;
    let mut h = vec![0x40 | ihl as u8, 0];
    let total = (ihl * 4 + l4.len()) as u16;
    h.extend_from_slice(&total.to_be_bytes());
    h.extend_from_slice(&[0, 1]);
    h.extend_from_slice(&frag.to_be_bytes());
    h.extend_from_slice(&[64, proto, 0, 0]);
    h.extend_from_slice(&V4S);
    h.extend_from_slice(&V4D);
    h.extend(std::iter::repeat_n(1u8, options)); // NOP options
    h.extend_from_slice(l4);
    h
}

/// IPv6 with extension headers given as (type, body length in 8-byte units beyond the first 8).
fn ipv6(exts: &[(u8, u8)], proto: u8, frag_off: u16, l4: &[u8]) -> Vec<u8> {
    let first = exts.first().map_or(proto, |e| e.0);
    let mut h = vec![0x60, 0, 0, 0, 0, 0, first, 64];
    h.extend_from_slice(&V6S);
    h.extend_from_slice(&V6D);
    for (i, &(t, len)) in exts.iter().enumerate() {
        let next = exts.get(i + 1).map_or(proto, |e| e.0);
        if t == 44 {
            h.extend_from_slice(&[next, 0]);
            h.extend_from_slice(&(frag_off << 3).to_be_bytes());
            h.extend_from_slice(&[0, 0, 0, 7]);
        } else {
            h.extend_from_slice(&[next, len]);
            h.extend(std::iter::repeat_n(0u8, 6 + 8 * len as usize));
        }
    }
    h.extend_from_slice(l4);
    h
}

fn ports(src: u16, dst: u16) -> Vec<u8> {
    let mut l4 = Vec::new();
    l4.extend_from_slice(&src.to_be_bytes());
    l4.extend_from_slice(&dst.to_be_bytes());
    l4.extend_from_slice(&[0; 16]);
    l4
}

fn base(eth_type: u16) -> FlowFields {
    FlowFields {
        eth_src: SRC,
        eth_dst: DST,
        eth_type,
        ..Default::default()
    }
}

fn v4(proto: u8, l4_src: u16, l4_dst: u16) -> FlowFields {
    FlowFields {
        ip_src: ipv4_mapped(V4S),
        ip_dst: ipv4_mapped(V4D),
        ip_proto: proto,
        l4_src,
        l4_dst,
        ..base(0x0800)
    }
}

fn v6(proto: u8, l4_src: u16, l4_dst: u16) -> FlowFields {
    FlowFields {
        ip_src: V6S,
        ip_dst: V6D,
        ip_proto: proto,
        l4_src,
        l4_dst,
        ..base(0x86dd)
    }
}

fn untagged(fields: FlowFields) -> Parsed {
    Parsed {
        fields,
        ..Default::default()
    }
}

/// `parse` without the fragment flag and header length (tested on their own below), for the tests
/// that compare the fields.
fn pf(frame: &[u8]) -> Parsed {
    Parsed {
        fragment: false,
        l4_end: 0,
        ..parse(frame)
    }
}

#[test]
fn ipv4_l4_protocols() {
    for proto in [6u8, 17, 132] {
        let f = eth(&[], 0x0800, &ipv4(proto, 0, 0, &ports(1234, 80)));
        assert_eq!(pf(&f), untagged(v4(proto, 1234, 80)), "proto {proto}");
    }
    let icmp = eth(&[], 0x0800, &ipv4(1, 0, 0, &[8, 3, 0, 0, 0, 0, 0, 0]));
    assert_eq!(pf(&icmp), untagged(v4(1, 8, 3)));
    // Other protocols: addresses and protocol, no ports.
    let gre = eth(&[], 0x0800, &ipv4(47, 0, 0, &ports(1, 2)));
    assert_eq!(pf(&gre), untagged(v4(47, 0, 0)));
    // ICMPv6's number inside IPv4 is not ICMP.
    let odd = eth(&[], 0x0800, &ipv4(58, 0, 0, &[8, 3, 0, 0]));
    assert_eq!(pf(&odd), untagged(v4(58, 0, 0)));
}

#[test]
fn ipv4_options_and_fragments() {
    let f = eth(&[], 0x0800, &ipv4(6, 0, 8, &ports(1, 2)));
    assert_eq!(pf(&f), untagged(v4(6, 1, 2)), "options skipped");
    // First fragment (MF set, offset 0): L4 is there.
    let f = eth(&[], 0x0800, &ipv4(17, 0x2000, 0, &ports(53, 53)));
    assert_eq!(pf(&f), untagged(v4(17, 53, 53)));
    // Later fragment: no L4.
    let f = eth(&[], 0x0800, &ipv4(17, 0x2000 | 185, 0, &ports(53, 53)));
    assert_eq!(pf(&f), untagged(v4(17, 0, 0)));
    // Last fragment (MF clear, offset != 0).
    let f = eth(&[], 0x0800, &ipv4(6, 3, 0, &ports(53, 53)));
    assert_eq!(pf(&f), untagged(v4(6, 0, 0)));
}

#[test]
fn ipv4_bad_ihl_stops_after_ethernet() {
    for ihl in 0..5u8 {
        let mut ip = ipv4(6, 0, 0, &ports(1, 2));
        ip[0] = 0x40 | ihl;
        let f = eth(&[], 0x0800, &ip);
        assert_eq!(pf(&f), untagged(base(0x0800)), "ihl {ihl}");
    }
    // IHL beyond the frame: addresses but no L4.
    let mut ip = ipv4(6, 0, 0, &ports(1, 2));
    ip[0] = 0x4f;
    let f = eth(&[], 0x0800, &ip);
    assert_eq!(pf(&f), untagged(v4(6, 0, 0)));
}

#[test]
fn ipv6_l4_protocols() {
    for proto in [6u8, 17, 132] {
        let f = eth(&[], 0x86dd, &ipv6(&[], proto, 0, &ports(4000, 443)));
        assert_eq!(pf(&f), untagged(v6(proto, 4000, 443)), "proto {proto}");
    }
    let icmp6 = eth(&[], 0x86dd, &ipv6(&[], 58, 0, &[135, 0, 0, 0]));
    assert_eq!(pf(&icmp6), untagged(v6(58, 135, 0)));
    // ICMP's number inside IPv6 is not ICMPv6.
    let odd = eth(&[], 0x86dd, &ipv6(&[], 1, 0, &[8, 3, 0, 0]));
    assert_eq!(pf(&odd), untagged(v6(1, 0, 0)));
}

#[test]
fn ipv6_extension_headers() {
    let chain = [(0u8, 0u8), (43, 1), (60, 2)];
    let f = eth(&[], 0x86dd, &ipv6(&chain, 6, 0, &ports(22, 2222)));
    assert_eq!(pf(&f), untagged(v6(6, 22, 2222)));
    // First fragment: L4 present.
    let f = eth(&[], 0x86dd, &ipv6(&[(0, 0), (44, 0)], 17, 0, &ports(5, 6)));
    assert_eq!(pf(&f), untagged(v6(17, 5, 6)));
    // Later fragment: the protocol, no L4.
    let f = eth(&[], 0x86dd, &ipv6(&[(44, 0)], 17, 100, &ports(5, 6)));
    assert_eq!(pf(&f), untagged(v6(17, 0, 0)));
    // An extension header running past the end: no protocol, no L4.
    let mut ip = ipv6(&[(60, 0)], 6, 0, &ports(5, 6));
    ip[41] = 200;
    let f = eth(&[], 0x86dd, &ip);
    assert_eq!(pf(&f), untagged(v6(0, 0, 0)));
    // Unknown extension (e.g. ESP 50) is the final protocol.
    let f = eth(&[], 0x86dd, &ipv6(&[(0, 0)], 50, 0, &ports(5, 6)));
    assert_eq!(pf(&f), untagged(v6(50, 0, 0)));
}

#[test]
fn vlan_tags() {
    let ip = ipv4(6, 0, 0, &ports(1, 2));
    for tpid in [0x8100u16, 0x88a8] {
        let f = eth(&[(tpid, 0xe000 | 100)], 0x0800, &ip);
        let p = parse(&f);
        assert!(p.vlan_tagged);
        assert_eq!(
            p.fields,
            FlowFields {
                vlan_vid: 100,
                ..v4(6, 1, 2)
            }
        );
    }
    // QinQ: the outer id counts, the inner tag is skipped.
    let f = eth(
        &[(0x88a8, 7), (0x8100, 300)],
        0x86dd,
        &ipv6(&[], 17, 0, &ports(9, 10)),
    );
    let p = parse(&f);
    assert!(p.vlan_tagged);
    assert_eq!(
        p.fields,
        FlowFields {
            vlan_vid: 7,
            ..v6(17, 9, 10)
        }
    );
    // Priority-tagged (vid 0) still counts as tagged.
    let p = parse(&eth(&[(0x8100, 0x2000)], 0x0806, &[0; 28]));
    assert!(p.vlan_tagged);
    assert_eq!(p.fields, base(0x0806));
}

#[test]
fn other_ethernet_types() {
    assert_eq!(pf(&eth(&[], 0x0806, &[0; 28])), untagged(base(0x0806)));
    // 802.3 length field.
    for len in [0u16, 46, 0x05dc, 0x05ff] {
        assert_eq!(pf(&eth(&[], len, &[0xaa, 0xaa, 3])), untagged(base(0x05ff)));
    }
    assert_eq!(pf(&eth(&[], 0x0600, &[])), untagged(base(0x0600)));
    // 802.3 inside a VLAN tag.
    let p = parse(&eth(&[(0x8100, 5)], 64, &[0; 8]));
    assert_eq!(p.fields.eth_type, 0x05ff);
    assert_eq!(p.fields.vlan_vid, 5);
}

#[test]
fn tiny_frames() {
    assert_eq!(pf(&[]), Parsed::default());
    assert_eq!(pf(&[1, 2, 3, 4, 5]), Parsed::default());
    let p = parse(&DST);
    assert_eq!(p.fields.eth_dst, DST);
    assert_eq!(p.fields.eth_src, [0; 6]);
}

/// Each field of `part` is zero or equal to its value in `full`.
fn prefix_consistent(part: &Parsed, full: &Parsed) -> Result<(), String> {
    let (a, b) = (&part.fields, &full.fields);
    let ok = (a.eth_src == [0; 6] || a.eth_src == b.eth_src)
        && (a.eth_dst == [0; 6] || a.eth_dst == b.eth_dst)
        && (a.eth_type == 0 || a.eth_type == b.eth_type)
        && (a.vlan_vid == 0 || a.vlan_vid == b.vlan_vid)
        && (a.ip_src == [0; 16] || a.ip_src == b.ip_src)
        && (a.ip_dst == [0; 16] || a.ip_dst == b.ip_dst)
        && (a.ip_proto == 0 || a.ip_proto == b.ip_proto)
        && (a.l4_src == 0 || a.l4_src == b.l4_src)
        && (a.l4_dst == 0 || a.l4_dst == b.l4_dst)
        && (!part.vlan_tagged || full.vlan_tagged)
        && (!part.fragment || full.fragment)
        && (part.l4_end == 0 || part.l4_end == full.l4_end);
    if ok {
        Ok(())
    } else {
        Err(format!("{part:?}\nis not a prefix of\n{full:?}"))
    }
}

fn check_truncations(frame: &[u8]) {
    let full = parse(frame);
    let mut prev = Parsed::default();
    for len in 0..=frame.len() {
        let p = parse(&frame[..len]);
        prefix_consistent(&p, &full).unwrap_or_else(|e| panic!("len {len}: {e}"));
        // Monotone: one more byte never loses a field.
        prefix_consistent(&prev, &p).unwrap_or_else(|e| panic!("len {len} vs {}: {e}", len - 1));
        prev = p;
    }
    assert_eq!(prev, full);
}

#[test]
fn truncated_at_every_length() {
    let tcp = ports(40000, 443);
    check_truncations(&eth(&[], 0x0800, &ipv4(6, 0, 0, &tcp)));
    check_truncations(&eth(&[], 0x0800, &ipv4(6, 0, 12, &tcp)));
    check_truncations(&eth(&[(0x8100, 42)], 0x0800, &ipv4(6, 0, 0, &tcp)));
    check_truncations(&eth(
        &[(0x88a8, 42), (0x8100, 1)],
        0x0800,
        &ipv4(6, 0, 0, &tcp),
    ));
    check_truncations(&eth(&[], 0x86dd, &ipv6(&[], 6, 0, &tcp)));
    check_truncations(&eth(
        &[(0x8100, 9)],
        0x86dd,
        &ipv6(&[(0, 0), (43, 1), (44, 0), (60, 0)], 6, 0, &tcp),
    ));
    check_truncations(&eth(&[], 0x0800, &ipv4(1, 0, 0, &[3, 4, 0, 0])));
    check_truncations(&eth(&[], 0x86dd, &ipv6(&[(44, 0)], 58, 0, &[128, 0, 0, 0])));
    // The fully truncated TCP/IPv4 frame parses to everything.
    let f = eth(&[], 0x0800, &ipv4(6, 0, 0, &tcp));
    assert_eq!(pf(&f[..14 + 20 + 4]), untagged(v4(6, 40000, 443)));
    assert_eq!(pf(&f[..14 + 20 + 3]).fields.l4_dst, 0);
}

/// A TCP header with data offset `doff` words (options zero-filled), then `payload` bytes.
fn tcp(doff: u8, payload: usize) -> Vec<u8> {
    let mut h = ports(40000, 443);
    h.truncate(12);
    h.push(doff << 4);
    h.extend(std::iter::repeat_n(
        0u8,
        usize::from(doff) * 4 - 13 + payload,
    ));
    h
}

#[test]
fn fragments_flagged_and_hashed_on_l3_only() {
    use ofgroup_logic::hash::{flow_hash, FieldSet, HashField};
    let l4 = ports(5353, 53);
    let frames = [
        ("v4 first", eth(&[], 0x0800, &ipv4(17, 0x2000, 0, &l4))),
        (
            "v4 middle",
            eth(&[], 0x0800, &ipv4(17, 0x2000 | 185, 0, &l4)),
        ),
        ("v4 last", eth(&[], 0x0800, &ipv4(17, 370, 0, &l4))),
        (
            "v4 DF not a fragment",
            eth(&[], 0x0800, &ipv4(17, 0x4000, 0, &l4)),
        ),
        ("v6 first", eth(&[], 0x86dd, &ipv6(&[(44, 0)], 17, 0, &l4))),
        (
            "v6 later",
            eth(&[], 0x86dd, &ipv6(&[(44, 0)], 17, 100, &l4)),
        ),
    ];
    let fields = [
        FieldSet(0),
        FieldSet(HashField::IpDst.bit() | HashField::L4Src.bit() | HashField::L4Dst.bit()),
    ];
    for fs in fields {
        let h = |f: &[u8]| flow_hash(&parse(f).hash_fields(), fs, 7);
        // Every fragment of one datagram hashes alike, first (with ports) and later (without).
        assert_eq!(h(&frames[0].1), h(&frames[1].1), "{fs:?}");
        assert_eq!(h(&frames[0].1), h(&frames[2].1), "{fs:?}");
        assert_eq!(h(&frames[4].1), h(&frames[5].1), "{fs:?}");
    }
    for (name, f) in &frames {
        let p = parse(f);
        assert_eq!(p.fragment, !name.contains("not"), "{name}");
        if !p.fragment {
            // Not a fragment: the ports feed the hash.
            assert_eq!(p.hash_fields(), p.fields, "{name}");
            assert_ne!(p.fields.l4_src, 0, "{name}");
        }
    }
    // The first fragment still matches flows on its ports.
    assert_eq!(parse(&frames[0].1).fields.l4_dst, 53);
}

#[test]
fn header_length_through_l4() {
    // TCP with timestamps (doff 8 = 32 bytes): 14 + 20 + 32.
    let f = eth(&[], 0x0800, &ipv4(6, 0, 0, &tcp(8, 1000)));
    assert_eq!(parse(&f).l4_end, 66);
    // IPv4 options and a VLAN tag count too: 18 + 32 + 20.
    let f = eth(&[(0x8100, 5)], 0x0800, &ipv4(6, 0, 12, &tcp(5, 10)));
    assert_eq!(parse(&f).l4_end, 18 + 32 + 20);
    // UDP over IPv6 with an extension header: 14 + 40 + 16 + 8.
    let f = eth(&[], 0x86dd, &ipv6(&[(60, 1)], 17, 0, &ports(1, 2)));
    assert_eq!(parse(&f).l4_end, 14 + 40 + 16 + 8);
    // Bad data offset, a header running past the frame, non-TCP/UDP: unknown.
    let f = eth(&[], 0x0800, &ipv4(6, 0, 0, &tcp(4, 0)));
    assert_eq!(parse(&f).l4_end, 0);
    let f = eth(&[], 0x0800, &ipv4(6, 0, 0, &tcp(15, 0)));
    assert_eq!(parse(&f[..f.len() - 1]).l4_end, 0);
    assert_eq!(
        parse(&eth(&[], 0x0800, &ipv4(132, 0, 0, &ports(1, 2)))).l4_end,
        0
    );
    assert_eq!(
        parse(&eth(&[], 0x0800, &ipv4(1, 0, 0, &[8, 0, 0, 0]))).l4_end,
        0
    );
    // A later fragment has no L4 header.
    assert_eq!(
        parse(&eth(&[], 0x0800, &ipv4(17, 185, 0, &ports(1, 2)))).l4_end,
        0
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// Garbage never panics, and what it parses to is still read from the frame: the Ethernet
    /// addresses are its first bytes (zero when cut short), the L4 header ends inside it (and only
    /// TCP and UDP have one), and every truncation parses to a prefix of the whole.
    #[test]
    fn garbage_never_panics(frame in proptest::collection::vec(any::<u8>(), 0..200)) {
        let p = parse(&frame);
        let at = |o: usize| frame.get(o..o + 6).map_or([0; 6], |b| b.try_into().unwrap());
        prop_assert_eq!(p.fields.eth_dst, at(0));
        prop_assert_eq!(p.fields.eth_src, if frame.len() >= 12 { at(6) } else { [0; 6] });
        prop_assert!(usize::from(p.l4_end) <= frame.len());
        prop_assert!(p.l4_end == 0 || matches!(p.fields.ip_proto, 6 | 17), "{:?}", p);
        check_truncations(&frame);
    }

    /// Garbage after a plausible header never panics, and truncation stays consistent.
    #[test]
    fn plausible_garbage(
        tags in proptest::collection::vec((prop_oneof![Just(0x8100u16), Just(0x88a8)], any::<u16>()), 0..3),
        eth_type in prop_oneof![Just(0x0800u16), Just(0x86dd), any::<u16>()],
        first in any::<u8>(),
        rest in proptest::collection::vec(any::<u8>(), 0..160),
    ) {
        let mut payload = vec![first];
        payload.extend_from_slice(&rest);
        if eth_type == 0x86dd {
            // Make extension headers likely.
            if let Some(b) = payload.get_mut(6) {
                *b = [0u8, 43, 44, 60, 6, 17, 58][usize::from(first) % 7];
            }
        }
        let frame = eth(&tags, eth_type, &payload);
        check_truncations(&frame);
    }
}
