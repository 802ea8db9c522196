//! Flow keys, matches and match validation: every error with its message, round trips,
//! covered_by semantics, and matches against parsed frames.

use ofgroup_logic::error::errno;
use ofgroup_logic::flow::{FlowErrorKind as K, IpMasked, Key, Match, MatchSpec};
use ofgroup_logic::hash::FlowFields;
use ofgroup_logic::packet::{ipv4_mapped, parse, Parsed};
use proptest::prelude::*;

fn msg(s: &MatchSpec) -> String {
    let e = s.to_match().expect_err("should be refused");
    assert_eq!(e.errno(), errno::EINVAL);
    let m = e.to_string();
    // The kernel's extack message buffer keeps 79 bytes.
    assert!(m.len() <= 79, "too long for extack: {m}");
    m
}

fn kind(s: &MatchSpec) -> K {
    s.to_match().expect_err("should be refused").kind
}

const IP: Option<u16> = Some(0x0800);
const IPV6: Option<u16> = Some(0x86dd);

#[test]
fn error_codes() {
    assert_eq!(K::BadPrereq.of_name(), "BAD_PREREQ");
    assert_eq!(K::BadValue.of_name(), "BAD_VALUE");
    assert_eq!(K::BadWildcards.of_name(), "BAD_WILDCARDS");
    for k in [K::BadPrereq, K::BadValue, K::BadWildcards] {
        assert_eq!(k.errno(), 22);
    }
}

#[test]
fn in_port_range() {
    for p in [0u32, 0xffff_ff01, 0xffff_fffe, u32::MAX] {
        let s = MatchSpec {
            in_port: Some(p),
            ..Default::default()
        };
        assert_eq!(
            msg(&s),
            "BAD_VALUE: match: in_port must be 1 to 0xffffff00",
            "{p:#x}"
        );
    }
    for p in [1u32, 0xffff_ff00] {
        let s = MatchSpec {
            in_port: Some(p),
            ..Default::default()
        };
        assert_eq!(s.to_match().unwrap().key.in_port(), p);
    }
}

#[test]
fn vlan_range() {
    let s = MatchSpec {
        vlan_vid: Some(4096),
        ..Default::default()
    };
    assert_eq!(msg(&s), "BAD_VALUE: match: vlan_vid must be 0 to 4095");
    let m = MatchSpec {
        vlan_vid: Some(4095),
        ..Default::default()
    }
    .to_match()
    .unwrap();
    assert_eq!(m.key.vlan(), 0x1fff);
    assert_eq!(m.mask.vlan(), 0x1fff);
}

#[test]
fn wildcards() {
    let s = MatchSpec {
        eth_src: Some(([0, 0, 0, 0, 0, 1], [0xff, 0xff, 0xff, 0xff, 0xff, 0xfe])),
        ..Default::default()
    };
    assert_eq!(
        msg(&s),
        "BAD_WILDCARDS: match: eth_src has value bits outside its mask"
    );
    let s = MatchSpec {
        eth_dst: Some(([1, 0, 0, 0, 0, 0], [0; 6])),
        ..Default::default()
    };
    assert_eq!(
        msg(&s),
        "BAD_WILDCARDS: match: eth_dst has value bits outside its mask"
    );
    let s = MatchSpec {
        eth_type: IP,
        ip_src: Some(IpMasked::V4([10, 0, 0, 1], [255, 255, 255, 0])),
        ..Default::default()
    };
    assert_eq!(
        msg(&s),
        "BAD_WILDCARDS: match: ip_src has value bits outside its mask"
    );
    let mut v = [0u8; 16];
    v[15] = 1;
    let s = MatchSpec {
        eth_type: IPV6,
        ip_dst: Some(IpMasked::V6(v, [0xff; 16].map(|_| 0))),
        ..Default::default()
    };
    assert_eq!(
        msg(&s),
        "BAD_WILDCARDS: match: ipv6_dst has value bits outside its mask"
    );
    // Wildcards are checked before prerequisites.
    let s = MatchSpec {
        ip_src: Some(IpMasked::V4([10, 0, 0, 1], [255, 0, 0, 0])),
        ..Default::default()
    };
    assert_eq!(kind(&s), K::BadWildcards);
}

#[test]
fn ip_prerequisites() {
    for et in [None, Some(0x0806u16)] {
        let s = MatchSpec {
            eth_type: et,
            ip_proto: Some(6),
            ..Default::default()
        };
        assert_eq!(
            msg(&s),
            "BAD_PREREQ: match: ip_proto needs eth_type ip (0x0800) or ipv6 (0x86dd)"
        );
    }
    let v4 = IpMasked::V4([10, 0, 0, 0], [255, 0, 0, 0]);
    let v6 = IpMasked::V6([0x20; 16], [0xff; 16]);
    for et in [None, IPV6, Some(0x0806)] {
        let s = MatchSpec {
            eth_type: et,
            ip_src: Some(v4),
            ..Default::default()
        };
        assert_eq!(
            msg(&s),
            "BAD_PREREQ: match: ip_src needs eth_type ip (0x0800)"
        );
        let s = MatchSpec {
            eth_type: et,
            ip_dst: Some(v4),
            ..Default::default()
        };
        assert_eq!(
            msg(&s),
            "BAD_PREREQ: match: ip_dst needs eth_type ip (0x0800)"
        );
    }
    for et in [None, IP] {
        let s = MatchSpec {
            eth_type: et,
            ip_src: Some(v6),
            ..Default::default()
        };
        assert_eq!(
            msg(&s),
            "BAD_PREREQ: match: ipv6_src needs eth_type ipv6 (0x86dd)"
        );
        let s = MatchSpec {
            eth_type: et,
            ip_dst: Some(v6),
            ..Default::default()
        };
        assert_eq!(
            msg(&s),
            "BAD_PREREQ: match: ipv6_dst needs eth_type ipv6 (0x86dd)"
        );
    }
    // An all-zero mask is a wildcard and needs nothing.
    let s = MatchSpec {
        ip_src: Some(IpMasked::V4([0; 4], [0; 4])),
        ip_dst: Some(IpMasked::V6([0; 16], [0; 16])),
        ..Default::default()
    };
    assert_eq!(s.to_match().unwrap(), Match::ANY);
}

#[test]
fn l4_prerequisites() {
    for (proto, src, dst) in [(None, "tp_src", "tp_dst"), (Some(47u8), "tp_src", "tp_dst")] {
        for et in [IP, IPV6] {
            let s = MatchSpec {
                eth_type: et,
                ip_proto: proto,
                l4_src: Some(80),
                ..Default::default()
            };
            assert_eq!(
                msg(&s),
                format!("BAD_PREREQ: match: {src} needs ip_proto 6, 17, 132, 1 (ip) or 58 (ipv6)")
            );
            let s = MatchSpec {
                eth_type: et,
                ip_proto: proto,
                l4_dst: Some(80),
                ..Default::default()
            };
            assert_eq!(
                msg(&s),
                format!("BAD_PREREQ: match: {dst} needs ip_proto 6, 17, 132, 1 (ip) or 58 (ipv6)")
            );
        }
    }
    let s = MatchSpec {
        eth_type: IPV6,
        ip_proto: Some(1),
        l4_src: Some(8),
        ..Default::default()
    };
    assert_eq!(
        msg(&s),
        "BAD_PREREQ: match: icmp_type needs eth_type ip (0x0800)"
    );
    let s = MatchSpec {
        eth_type: IP,
        ip_proto: Some(58),
        l4_dst: Some(0),
        ..Default::default()
    };
    assert_eq!(
        msg(&s),
        "BAD_PREREQ: match: icmpv6_code needs eth_type ipv6 (0x86dd)"
    );
    // Ports for TCP, UDP and SCTP over both IP versions.
    for (p, name) in [(6u8, "tcp"), (17, "udp"), (132, "sctp")] {
        for et in [IP, IPV6] {
            let s = MatchSpec {
                eth_type: et,
                ip_proto: Some(p),
                l4_src: Some(u16::MAX),
                l4_dst: Some(1),
                ..Default::default()
            };
            let m = s.to_match().unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!((m.key.l4_src(), m.key.l4_dst()), (u16::MAX, 1));
        }
    }
}

#[test]
fn icmp_ranges() {
    for (et, proto, src, dst) in [
        (IP, 1u8, "icmp_type", "icmp_code"),
        (IPV6, 58, "icmpv6_type", "icmpv6_code"),
    ] {
        let ok = MatchSpec {
            eth_type: et,
            ip_proto: Some(proto),
            l4_src: Some(255),
            l4_dst: Some(0),
            ..Default::default()
        };
        assert!(ok.to_match().is_ok());
        let s = MatchSpec {
            l4_src: Some(256),
            ..ok
        };
        assert_eq!(msg(&s), format!("BAD_VALUE: match: {src} must be 0 to 255"));
        let s = MatchSpec {
            l4_dst: Some(300),
            ..ok
        };
        assert_eq!(msg(&s), format!("BAD_VALUE: match: {dst} must be 0 to 255"));
    }
}

#[test]
fn key_getters_and_setters() {
    let mut k = Key::default();
    k.set_in_port(0xdead_beef);
    k.set_eth_type(0x86dd);
    k.set_vlan(0x1abc);
    k.set_eth_src([1, 2, 3, 4, 5, 6]);
    k.set_eth_dst([7, 8, 9, 10, 11, 12]);
    k.set_ip_proto(0x84);
    let ip: [u8; 16] = core::array::from_fn(|i| i as u8 + 1);
    let ip2: [u8; 16] = core::array::from_fn(|i| 0xf0 - i as u8);
    k.set_ip_src(ip);
    k.set_ip_dst(ip2);
    k.set_l4_src(0xfffe);
    k.set_l4_dst(0x1234);
    assert_eq!(k.in_port(), 0xdead_beef);
    assert_eq!(k.eth_type(), 0x86dd);
    assert_eq!(k.vlan(), 0x1abc);
    assert_eq!(k.eth_src(), [1, 2, 3, 4, 5, 6]);
    assert_eq!(k.eth_dst(), [7, 8, 9, 10, 11, 12]);
    assert_eq!(k.ip_proto(), 0x84);
    assert_eq!(k.ip_src(), ip);
    assert_eq!(k.ip_dst(), ip2);
    assert_eq!(k.l4_src(), 0xfffe);
    assert_eq!(k.l4_dst(), 0x1234);
    // The documented layout.
    assert_eq!(k.0[0], 0x1abc_86dd_dead_beef);
    assert_eq!(k.0[1], 0x0084_0102_0304_0506);
    assert_eq!(k.0[2], 0x0000_0708_090a_0b0c);
    assert_eq!(k.0[3], 0x1234_fffe);
    assert_eq!(k.0[4], 0x0102_0304_0506_0708);
    assert_eq!(k.0[7], 0xe8e7_e6e5_e4e3_e2e1);
    // Setters overwrite only their field.
    k.set_eth_type(0);
    k.set_ip_proto(0);
    assert_eq!(k.0[0], 0x1abc_0000_dead_beef);
    assert_eq!(k.0[1], 0x0000_0102_0304_0506);
    // Hash differs per word.
    let h = Key::default().hash();
    for i in 0..8 {
        let mut k = Key::default();
        k.0[i] = 1;
        assert_ne!(k.hash(), h, "word {i}");
    }
}

fn tcp4_frame(vlan: Option<u16>, src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1];
    if let Some(v) = vlan {
        f.extend_from_slice(&[0x81, 0]);
        f.extend_from_slice(&v.to_be_bytes());
    }
    f.extend_from_slice(&[0x08, 0, 0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0]);
    f.extend_from_slice(&src);
    f.extend_from_slice(&dst);
    f.extend_from_slice(&sport.to_be_bytes());
    f.extend_from_slice(&dport.to_be_bytes());
    f.extend_from_slice(&[0; 16]);
    f
}

#[test]
fn from_packet() {
    let p = parse(&tcp4_frame(
        Some(0x2064),
        [10, 0, 0, 1],
        [10, 0, 0, 2],
        1000,
        80,
    ));
    let k = Key::from_packet(7, &p);
    assert_eq!(k.in_port(), 7);
    assert_eq!(k.vlan(), 0x1064);
    assert_eq!(k.eth_type(), 0x0800);
    assert_eq!(k.ip_src(), ipv4_mapped([10, 0, 0, 1]));
    assert_eq!(k.ip_proto(), 6);
    assert_eq!((k.l4_src(), k.l4_dst()), (1000, 80));
    let untagged = Parsed {
        fields: FlowFields {
            vlan_vid: 5,
            ..p.fields
        },
        vlan_tagged: false,
        ..p
    };
    assert_eq!(Key::from_packet(7, &untagged).vlan(), 0);
    let vid0 = Parsed {
        fields: FlowFields {
            vlan_vid: 0,
            ..p.fields
        },
        vlan_tagged: true,
        ..p
    };
    assert_eq!(Key::from_packet(7, &vid0).vlan(), 0x1000);
}

#[test]
fn matches_parsed_frames() {
    let web = MatchSpec {
        in_port: Some(3),
        eth_type: IP,
        ip_proto: Some(6),
        ip_dst: Some(IpMasked::V4([10, 1, 0, 0], [255, 255, 0, 0])),
        l4_dst: Some(80),
        ..Default::default()
    }
    .to_match()
    .unwrap();
    let key = |port, dst, dport| {
        Key::from_packet(
            port,
            &parse(&tcp4_frame(None, [1, 2, 3, 4], dst, 999, dport)),
        )
    };
    assert!(web.matches(&key(3, [10, 1, 200, 9], 80)));
    assert!(!web.matches(&key(4, [10, 1, 200, 9], 80)), "other port");
    assert!(!web.matches(&key(3, [10, 2, 0, 9], 80)), "outside the /16");
    assert!(!web.matches(&key(3, [10, 1, 0, 9], 443)), "other l4 port");
    assert!(Match::ANY.matches(&key(3, [10, 1, 200, 9], 80)));

    let vlan = MatchSpec {
        vlan_vid: Some(100),
        ..Default::default()
    }
    .to_match()
    .unwrap();
    let tagged = |v: Option<u16>| Key::from_packet(1, &parse(&tcp4_frame(v, [1; 4], [2; 4], 1, 2)));
    assert!(vlan.matches(&tagged(Some(0xe064))), "priority bits ignored");
    assert!(!vlan.matches(&tagged(Some(101))));
    assert!(!vlan.matches(&tagged(None)));
    let vid0 = MatchSpec {
        vlan_vid: Some(0),
        ..Default::default()
    }
    .to_match()
    .unwrap();
    assert!(vid0.matches(&tagged(Some(0))), "priority-tagged");
    assert!(!vid0.matches(&tagged(None)), "vid 0 is not untagged");

    let mac = MatchSpec {
        eth_dst: Some(([1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0])),
        ..Default::default()
    }
    .to_match()
    .unwrap();
    assert!(!mac.matches(&tagged(None)), "unicast dst");
    let mut bcast = tcp4_frame(None, [1; 4], [2; 4], 1, 2);
    bcast[..6].copy_from_slice(&[0xff; 6]);
    assert!(mac.matches(&Key::from_packet(1, &parse(&bcast))));

    // IPv6 prefix.
    let mut frame = vec![0u8; 12];
    frame.extend_from_slice(&[0x86, 0xdd, 0x60, 0, 0, 0, 0, 8, 17, 64]);
    let src: [u8; 16] = [0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    frame.extend_from_slice(&src);
    frame.extend_from_slice(&src);
    frame.extend_from_slice(&[0, 53, 0, 53, 0, 8, 0, 0]);
    let mut mask = [0u8; 16];
    mask[..4].copy_from_slice(&[0xff; 4]);
    let mut val = [0u8; 16];
    val[..4].copy_from_slice(&src[..4]);
    let v6 = MatchSpec {
        eth_type: IPV6,
        ip_src: Some(IpMasked::V6(val, mask)),
        ip_proto: Some(17),
        l4_src: Some(53),
        ..Default::default()
    }
    .to_match()
    .unwrap();
    assert!(v6.matches(&Key::from_packet(1, &parse(&frame))));
    frame[14 + 8 + 3] = 0xb9;
    assert!(!v6.matches(&Key::from_packet(1, &parse(&frame))));
}

fn v4_dst(prefix: [u8; 4], len: u32) -> Match {
    let mask = (u32::MAX.checked_shl(32 - len).unwrap_or(0)).to_be_bytes();
    let val: [u8; 4] = core::array::from_fn(|i| prefix[i] & mask[i]);
    MatchSpec {
        eth_type: IP,
        ip_dst: Some(IpMasked::V4(val, mask)),
        ..Default::default()
    }
    .to_match()
    .unwrap()
}

#[test]
fn covered_by_semantics() {
    let n24 = v4_dst([10, 1, 2, 0], 24);
    let n16 = v4_dst([10, 1, 0, 0], 16);
    let other16 = v4_dst([10, 2, 0, 0], 16);
    assert!(n24.covered_by(&n16), "/24 is covered by its /16");
    assert!(!n16.covered_by(&n24), "not vice versa");
    assert!(!n24.covered_by(&other16), "other prefix");
    assert!(n24.covered_by(&n24) && n16.covered_by(&n16), "reflexive");
    for m in [n24, n16, other16, Match::ANY] {
        assert!(m.covered_by(&Match::ANY), "ANY covers everything");
    }
    assert!(!Match::ANY.covered_by(&n16));
    // A match on more fields is covered by one on fewer.
    let tcp = MatchSpec {
        eth_type: IP,
        ip_proto: Some(6),
        ..Default::default()
    }
    .to_match()
    .unwrap();
    let ip = MatchSpec {
        eth_type: IP,
        ..Default::default()
    }
    .to_match()
    .unwrap();
    assert!(tcp.covered_by(&ip));
    assert!(!ip.covered_by(&tcp));
    assert!(n24.covered_by(&ip));
    assert!(!n24.covered_by(&tcp), "n24 matches UDP too");
}

fn arb_mask<const N: usize>() -> impl Strategy<Value = [u8; N]> {
    prop_oneof![
        Just([0xffu8; N]),
        (0..=N * 8).prop_map(|bits| core::array::from_fn(|i| {
            let b = bits.saturating_sub(i * 8).min(8);
            (0xff00u16 >> b) as u8
        })),
        any::<[u8; N]>().prop_filter("nonzero", |m| m.iter().any(|&b| b != 0)),
    ]
}

fn arb_masked<const N: usize>() -> impl Strategy<Value = ([u8; N], [u8; N])> {
    (any::<[u8; N]>(), arb_mask::<N>())
        .prop_map(|(v, m)| (core::array::from_fn(|i| v[i] & m[i]), m))
        .prop_filter("nonzero mask", |(_, m)| m.iter().any(|&b| b != 0))
}

/// Valid specs without all-zero masks.
fn arb_spec() -> impl Strategy<Value = MatchSpec> {
    let eth = (
        proptest::option::of(1u32..=0xffff_ff00),
        proptest::option::of(arb_masked::<6>()),
        proptest::option::of(arb_masked::<6>()),
        proptest::option::of(0u16..=4095),
    );
    let l3 = prop_oneof![
        Just(None),
        any::<u16>().prop_map(|t| Some((t, None, None, None, None, None))),
        (
            proptest::option::of(prop_oneof![
                Just(1u8),
                Just(6),
                Just(17),
                Just(132),
                any::<u8>()
            ]),
            proptest::option::of(arb_masked::<4>()),
            proptest::option::of(arb_masked::<4>()),
            proptest::option::of(any::<u16>()),
            proptest::option::of(any::<u16>()),
        )
            .prop_map(|(p, s, d, a, b)| Some((
                0x0800,
                p,
                s.map(|(v, m)| IpMasked::V4(v, m)),
                d.map(|(v, m)| IpMasked::V4(v, m)),
                a,
                b
            ))),
        (
            proptest::option::of(prop_oneof![
                Just(58u8),
                Just(6),
                Just(17),
                Just(132),
                any::<u8>()
            ]),
            proptest::option::of(arb_masked::<16>()),
            proptest::option::of(arb_masked::<16>()),
            proptest::option::of(any::<u16>()),
            proptest::option::of(any::<u16>()),
        )
            .prop_map(|(p, s, d, a, b)| Some((
                0x86dd,
                p,
                s.map(|(v, m)| IpMasked::V6(v, m)),
                d.map(|(v, m)| IpMasked::V6(v, m)),
                a,
                b
            ))),
    ];
    (eth, l3).prop_map(|((in_port, eth_src, eth_dst, vlan_vid), l3)| {
        let mut s = MatchSpec {
            in_port,
            eth_src,
            eth_dst,
            vlan_vid,
            ..Default::default()
        };
        if let Some((t, p, src, dst, a, b)) = l3 {
            s.eth_type = Some(t);
            s.ip_proto = p;
            s.ip_src = src;
            s.ip_dst = dst;
            // Keep L4 only where its prerequisites hold.
            let l4 = match p {
                Some(6 | 17 | 132) => Some(0xffff),
                Some(1) if t == 0x0800 => Some(0xff),
                Some(58) if t == 0x86dd => Some(0xff),
                _ => None,
            };
            if let Some(max) = l4 {
                s.l4_src = a.map(|v| v & max);
                s.l4_dst = b.map(|v| v & max);
            }
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    /// from_match inverts to_match on valid specs, and the match satisfies its invariant.
    #[test]
    fn round_trip(s in arb_spec()) {
        let m = s.to_match().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(m.key, m.key.masked(&m.mask));
        prop_assert_eq!(MatchSpec::from_match(&m), s);
        prop_assert!(m.covered_by(&m));
        prop_assert!(m.covered_by(&Match::ANY));
    }

    /// covered_by agrees with "every key the first matches, the second matches" on samples.
    #[test]
    fn covered_by_is_implication(a in arb_spec(), b in arb_spec(), keys in proptest::collection::vec(any::<[u64; 8]>(), 16)) {
        let (ma, mb) = (a.to_match().unwrap(), b.to_match().unwrap());
        if ma.covered_by(&mb) {
            // Keys made to match `ma`: random bits outside its mask.
            for k in keys {
                let mut key = Key(k);
                for i in 0..8 {
                    key.0[i] = (key.0[i] & !ma.mask.0[i]) | ma.key.0[i];
                }
                prop_assert!(ma.matches(&key));
                prop_assert!(mb.matches(&key));
            }
        }
    }

    /// A zero-mask field reads back as absent, and never needs prerequisites.
    #[test]
    fn zero_masks_are_absent(et in proptest::option::of(any::<u16>())) {
        let s = MatchSpec {
            eth_type: et,
            eth_src: Some(([0; 6], [0; 6])),
            ip_src: Some(IpMasked::V6([0; 16], [0; 16])),
            ip_dst: Some(IpMasked::V4([0; 4], [0; 4])),
            ..Default::default()
        };
        let m = s.to_match().unwrap();
        prop_assert_eq!(MatchSpec::from_match(&m), MatchSpec { eth_type: et, ..Default::default() });
    }
}
