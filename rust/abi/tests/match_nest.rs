//! The match nest codec: every spec survives `put` then `parse`, the buffer is well-formed
//! netlink, and malformed nests are refused with the kernel's messages.

use ofgroup_abi::match_attr as ma;
use ofgroup_abi::match_nest::{parse, put, MatchNestError, MATCH_NEST_MAX};
use ofgroup_abi::wire::{AttrBuf, AttrSink, Attrs, Full};
use ofgroup_logic::flow::{IpMasked, MatchSpec};
use proptest::prelude::*;

fn ip() -> impl Strategy<Value = IpMasked> {
    prop_oneof![
        (any::<[u8; 4]>(), any::<[u8; 4]>()).prop_map(|(v, m)| IpMasked::V4(v, m)),
        (any::<[u8; 16]>(), any::<[u8; 16]>()).prop_map(|(v, m)| IpMasked::V6(v, m)),
        any::<[u8; 4]>().prop_map(|v| IpMasked::V4(v, [0xff; 4])),
    ]
}

fn mac() -> impl Strategy<Value = ([u8; 6], [u8; 6])> {
    prop_oneof![
        (any::<[u8; 6]>(), any::<[u8; 6]>()),
        any::<[u8; 6]>().prop_map(|v| (v, [0xff; 6])),
    ]
}

/// Any spec, valid or not: the codec carries shapes, not meaning.
fn spec() -> impl Strategy<Value = MatchSpec> {
    (
        (
            proptest::option::of(any::<u32>()),
            proptest::option::of(mac()),
            proptest::option::of(mac()),
            proptest::option::of(any::<u16>()),
            proptest::option::of(any::<u16>()),
        ),
        (
            proptest::option::of(any::<u8>()),
            proptest::option::of(ip()),
            proptest::option::of(ip()),
            proptest::option::of(any::<u16>()),
            proptest::option::of(any::<u16>()),
        ),
    )
        .prop_map(
            |(
                (in_port, eth_src, eth_dst, eth_type, vlan_vid),
                (ip_proto, ip_src, ip_dst, l4_src, l4_dst),
            )| {
                MatchSpec {
                    in_port,
                    eth_src,
                    eth_dst,
                    eth_type,
                    vlan_vid,
                    ip_proto,
                    ip_src,
                    ip_dst,
                    l4_src,
                    l4_dst,
                }
            },
        )
}

proptest! {
    #[test]
    fn put_then_parse_is_identity(s in spec()) {
        let mut b = AttrBuf::<MATCH_NEST_MAX>::new();
        put(&mut b, &s).expect("MATCH_NEST_MAX holds every match");
        prop_assert_eq!(b.as_bytes().len() % 4, 0);
        let n = Attrs::new(b.as_bytes()).count();
        prop_assert!(n <= usize::from(ma::MAX));
        prop_assert_eq!(parse(Attrs::new(b.as_bytes())), Ok(s));
    }

    #[test]
    fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse(Attrs::new(&bytes));
    }
}

#[test]
fn the_largest_match_fits_exactly() {
    let s = MatchSpec {
        in_port: Some(1),
        eth_src: Some(([1; 6], [0xf0; 6])),
        eth_dst: Some(([1; 6], [0xf0; 6])),
        eth_type: Some(0x86dd),
        vlan_vid: Some(1),
        ip_proto: Some(6),
        ip_src: Some(IpMasked::V6([1; 16], [0xf0; 16])),
        ip_dst: Some(IpMasked::V6([1; 16], [0xf0; 16])),
        l4_src: Some(1),
        l4_dst: Some(2),
    };
    let mut b = AttrBuf::<MATCH_NEST_MAX>::new();
    put(&mut b, &s).unwrap();
    assert_eq!(b.as_bytes().len(), MATCH_NEST_MAX);
    let mut small = AttrBuf::<{ MATCH_NEST_MAX - 4 }>::new();
    assert_eq!(put(&mut small, &s), Err(Full));
}

/// Attribute number and payload.
type Raw<'a> = (u16, &'a [u8]);

fn nest(attrs: &[Raw<'_>]) -> AttrBuf<256> {
    let mut b = AttrBuf::new();
    for (k, p) in attrs {
        b.put(*k, p).unwrap();
    }
    b
}

#[test]
fn malformed_nests_are_refused_with_the_kernels_messages() {
    let cases: &[(&[Raw<'_>], &str, usize)] = &[
        (
            &[(ma::IN_PORT, &[1, 0])],
            "attribute 'in-port' must be a u32",
            0,
        ),
        (
            &[(ma::ETH_TYPE, &[8])],
            "attribute 'eth-type' must be a u16",
            0,
        ),
        (
            &[(ma::ETH_SRC, &[1; 5])],
            "attribute 'eth-src' must be 6 bytes, not 5",
            0,
        ),
        (
            &[(ma::ETH_DST, &[1; 6]), (ma::ETH_DST_MASK, &[1; 7])],
            "attribute 'eth mask' must be 6 bytes, not 7",
            12,
        ),
        (
            &[(ma::ETH_SRC_MASK, &[1; 6])],
            "'eth-src-mask' without 'eth-src'",
            0,
        ),
        (
            &[(ma::IP_SRC, &[1; 5])],
            "'ip-src' must be 4 (IPv4) or 16 (IPv6) bytes, not 5",
            0,
        ),
        (
            &[(ma::IP_DST, &[1; 4]), (ma::IP_DST_MASK, &[1; 16])],
            "'ip-dst-mask' must be as long as 'ip-dst' (4 bytes)",
            8,
        ),
        (
            &[(ma::IP_DST_MASK, &[1; 4])],
            "'ip-dst-mask' without 'ip-dst'",
            0,
        ),
        (
            &[(ma::IP_PROTO, &[6, 0])],
            "attribute 'ip-proto' must be 1 bytes, not 2",
            0,
        ),
    ];
    for (attrs, msg, offset) in cases {
        let b = nest(attrs);
        let e: MatchNestError = parse(Attrs::new(b.as_bytes())).unwrap_err();
        assert_eq!(e.to_string(), *msg);
        assert_eq!(e.offset(), *offset, "{msg}");
        assert_eq!(e.errno(), 22);
    }
}

#[test]
fn the_last_of_a_repeated_attribute_counts_and_unknown_ones_are_ignored() {
    let b = nest(&[
        (ma::L4_SRC, &80u16.to_ne_bytes()),
        (99, &[1]),
        (ma::L4_SRC, &443u16.to_ne_bytes()),
    ]);
    let s = parse(Attrs::new(b.as_bytes())).unwrap();
    assert_eq!(
        s,
        MatchSpec {
            l4_src: Some(443),
            ..MatchSpec::default()
        }
    );
}
