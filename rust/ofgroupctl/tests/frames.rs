//! Frames for packet-out: byte-exact for a hand-computed case, and every built frame parsed back
//! field by field here, with its own checksum code, to check lengths and checksums.

use ofgroupctl::frame::{checksum, crc32c, frame_from_arg, parse_hex, to_hex};

fn hex(s: &str) -> Vec<u8> {
    parse_hex(s).unwrap()
}

/// The ICMP echo request of the packet-out example, computed by hand:
/// IPv4 header words 4500 002e 0000 0000 4001 0a00 0001 0a00 0002 sum to 0x9932, checksum
/// !0x9932 = 0x66cd; total length 60 - 14 = 46 = 0x2e; ICMP 0800 0000 0000 0000 + 18 zero bytes
/// sum to 0x0800, checksum 0xf7ff.
#[test]
fn icmp_example_is_byte_exact() {
    let f = frame_from_arg(
        "icmp,dl_src=50:54:00:00:00:05,dl_dst=50:54:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.2",
        None,
    )
    .unwrap();
    let want = hex("50:54:00:00:00:00 50:54:00:00:00:05 0800 \
         4500 002e 0000 0000 4001 66cd 0a00 0001 0a00 0002 \
         0800 f7ff 0000 0000 \
         000000000000000000000000000000000000");
    assert_eq!(to_hex(&f), to_hex(&want));
    assert_eq!(f.len(), 60);
}

/// UDP, computed by hand: a 60-byte frame, IP total length 46 (0x2e), UDP length 26 (0x1a).
/// IPv4 words 4500 002e 0000 0000 4011 0a00 0001 0a00 0002 sum to 0x9942: checksum 0x66bd.
/// Pseudo-header 0a00 0001 0a00 0002 0011 001a (0x142e) plus UDP 03e8 07d0 001a (0x0bd2) and
/// zeros sum to 0x2000: checksum 0xdfff.
#[test]
fn udp_example_is_byte_exact() {
    let f = frame_from_arg(
        "udp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=1000,tp_dst=2000",
        None,
    )
    .unwrap();
    let mut want = hex("505400000002 505400000001 0800 \
         4500 002e 0000 0000 4011 66bd 0a00 0001 0a00 0002 \
         03e8 07d0 001a dfff");
    want.resize(60, 0);
    assert_eq!(to_hex(&f), to_hex(&want));
}

// An independent reader: Ethernet (+802.1Q), IPv4/IPv6, ICMP/ICMPv6/TCP/UDP/SCTP.
fn sum16(data: &[u8]) -> u32 {
    let mut s: u32 = data
        .chunks(2)
        .map(|c| (u32::from(c[0]) << 8) | u32::from(*c.get(1).unwrap_or(&0)))
        .sum();
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    s
}

struct Parsed {
    eth_type: u16,
    vlan: Option<u16>,
    proto: Option<u8>,
    l4: usize,
}

fn read_back(f: &[u8]) -> Parsed {
    let mut at = 12;
    let mut vlan = None;
    let mut eth_type = u16::from_be_bytes([f[at], f[at + 1]]);
    if eth_type == 0x8100 {
        vlan = Some(u16::from_be_bytes([f[14], f[15]]) & 0xfff);
        at += 4;
        eth_type = u16::from_be_bytes([f[at], f[at + 1]]);
    }
    let l3 = at + 2;
    let (proto, l4, pseudo) = match eth_type {
        0x0800 => {
            let h = &f[l3..l3 + 20];
            assert_eq!(h[0], 0x45);
            assert_eq!(sum16(h), 0xffff, "IPv4 header checksum");
            let tot = usize::from(u16::from_be_bytes([h[2], h[3]]));
            assert_eq!(tot, f.len() - l3, "IPv4 total length covers the payload");
            assert_eq!(h[8], 64);
            let l4_len = (tot - 20) as u16;
            let mut p = h[12..20].to_vec();
            p.extend([0, h[9]]);
            p.extend(l4_len.to_be_bytes());
            (Some(h[9]), l3 + 20, p)
        }
        0x86dd => {
            let h = &f[l3..l3 + 40];
            assert_eq!(h[0] >> 4, 6);
            let plen = usize::from(u16::from_be_bytes([h[4], h[5]]));
            assert_eq!(plen, f.len() - l3 - 40, "IPv6 payload length");
            let mut p = h[8..40].to_vec();
            p.extend((plen as u32).to_be_bytes());
            p.extend([0, 0, 0, h[6]]);
            (Some(h[6]), l3 + 40, p)
        }
        _ => (None, l3, vec![]),
    };
    let seg = &f[l4..];
    match (eth_type, proto) {
        (0x0800, Some(1)) => assert_eq!(sum16(seg), 0xffff, "ICMP checksum"),
        (0x86dd, Some(58)) | (_, Some(6)) => {
            let mut d = pseudo.clone();
            d.extend(seg);
            assert_eq!(sum16(&d), 0xffff, "pseudo-header checksum");
        }
        (_, Some(17)) => {
            assert_eq!(
                usize::from(u16::from_be_bytes([seg[4], seg[5]])),
                seg.len(),
                "UDP length"
            );
            let mut d = pseudo.clone();
            d.extend(seg);
            assert_ne!(&seg[6..8], &[0, 0], "UDP checksum is filled in");
            assert_eq!(sum16(&d), 0xffff, "UDP checksum");
        }
        (_, Some(132)) => {
            let mut z = seg.to_vec();
            z[8..12].fill(0);
            assert_eq!(
                u32::from_le_bytes(seg[8..12].try_into().unwrap()),
                crc32c(&z)
            );
        }
        _ => {}
    }
    Parsed {
        eth_type,
        vlan,
        proto,
        l4,
    }
}

#[test]
fn every_kind_of_frame_reads_back() {
    let cases: &[(&str, u16, Option<u8>, usize)] = &[
        ("icmp", 0x0800, Some(1), 60),
        ("icmp,icmp_type=0,icmp_code=0", 0x0800, Some(1), 60),
        ("tcp,tp_src=1,tp_dst=2", 0x0800, Some(6), 60),
        (
            "udp,nw_src=192.168.1.1,nw_dst=192.168.1.2",
            0x0800,
            Some(17),
            60,
        ),
        ("sctp,tp_dst=9", 0x0800, Some(132), 60),
        ("ip", 0x0800, Some(253), 60),
        ("ip,nw_proto=47", 0x0800, Some(47), 60),
        ("icmp6", 0x86dd, Some(58), 62),
        (
            "tcp6,ipv6_src=2001:db8::1,ipv6_dst=2001:db8::2",
            0x86dd,
            Some(6),
            74,
        ),
        ("udp6", 0x86dd, Some(17), 62),
        ("sctp6", 0x86dd, Some(132), 66),
        ("arp", 0x0806, None, 60),
        ("dl_type=0x88cc", 0x88cc, None, 60),
        ("dl_src=50:54:00:00:00:09", 0x88b5, None, 60),
        ("udp,dl_vlan=10", 0x0800, Some(17), 60),
        ("icmp6,dl_vlan=4095,icmpv6_type=135", 0x86dd, Some(58), 66),
    ];
    for &(desc, eth, proto, len) in cases {
        let f = frame_from_arg(desc, None).unwrap_or_else(|e| panic!("{desc}: {e}"));
        assert_eq!(f.len(), len, "{desc}");
        let p = read_back(&f);
        assert_eq!((p.eth_type, p.proto), (eth, proto), "{desc}");
        // --len grows the payload, and every length and checksum follows.
        for n in [len, 100, 1514, 9216] {
            let g = frame_from_arg(desc, Some(n)).unwrap();
            assert_eq!(g.len(), n, "{desc} --len {n}");
            read_back(&g);
        }
    }
    let f = frame_from_arg("udp,dl_vlan=10", None).unwrap();
    assert_eq!(read_back(&f).vlan, Some(10));
    let f = frame_from_arg("icmp6,icmpv6_type=135", None).unwrap();
    let p = read_back(&f);
    assert_eq!(f[p.l4], 135);
    let f = frame_from_arg("icmp", None).unwrap();
    assert_eq!(&f[read_back(&f).l4..][..2], &[8, 0], "echo request");
    let f = frame_from_arg("tcp,tp_src=1000,tp_dst=2000", None).unwrap();
    let l4 = read_back(&f).l4;
    assert_eq!(&f[l4..l4 + 4], &[0x03, 0xe8, 0x07, 0xd0]);
    assert_eq!(f[l4 + 13], 0x02, "SYN");
    // ARP request: sha is dl_src, spa 10.0.0.1, tpa 10.0.0.2.
    let f = frame_from_arg("arp,dl_src=50:54:00:00:00:07", None).unwrap();
    assert_eq!(
        to_hex(&f[14..42]),
        "0001080006040001505400000007 0a000001 000000000000 0a000002".replace(' ', "")
    );
}

#[test]
fn hex_frames_and_errors() {
    let f = frame_from_arg("50:54:00:00:00:02 50:54:00:00:00:01 88b5 0000", None).unwrap();
    assert_eq!(f.len(), 16);
    assert_eq!(to_hex(&f), "50540000000250540000000188b50000");
    assert_eq!(
        frame_from_arg("0x505400000002505400000001 88b5", Some(60))
            .unwrap()
            .len(),
        60
    );
    let e = parse_hex("5054 00zz").unwrap_err();
    assert_eq!((e.token.as_str(), e.position), ("z", 8));
    let e = frame_from_arg("505400000002505400000001 88b", None).unwrap_err();
    assert!(e.message.contains("odd number of hex digits"), "{e}");
    let e = frame_from_arg("5054 0000", None).unwrap_err();
    assert!(e.message.contains("a frame is 14 to 9216 bytes"), "{e}");
    let e = frame_from_arg("505400000002505400000001 88b5 0000", Some(10)).unwrap_err();
    assert!(e.message.contains("--len 10 is shorter"), "{e}");
    let e = frame_from_arg("udp", Some(41)).unwrap_err();
    assert_eq!(
        e.message,
        "--len 41 is shorter than the frame's headers (42 bytes)"
    );
    let e = frame_from_arg("udp", Some(9217)).unwrap_err();
    assert!(e.message.contains("longer than the longest frame"), "{e}");
    // Descriptions need exact values and take no flow-only fields.
    let e = frame_from_arg("ip,nw_dst=10.0.0.0/24", None).unwrap_err();
    assert_eq!(
        (e.message.as_str(), e.position),
        ("a frame needs an exact nw_dst, not a mask", 4)
    );
    let e = frame_from_arg("in_port=1,ip", None).unwrap_err();
    assert!(e.message.contains("in_port is not part of a frame"), "{e}");
    let e = frame_from_arg("ip,actions=drop", None).unwrap_err();
    assert!(e.message.contains("a frame has no actions"), "{e}");
    let e = frame_from_arg("udp,tcp_dst=1", None).unwrap_err();
    assert!(e.message.contains("tcp_dst needs tcp"), "{e}");
}

#[test]
fn checksum_helpers_match_known_values() {
    // RFC 1071's example: 0001 f203 f4f5 f6f7 sums to 0xddf2 (checksum 0x220d).
    assert_eq!(
        checksum(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]),
        0x220d
    );
    // Odd length pads with a zero byte.
    assert_eq!(checksum(&[0x01]), !0x0100);
    // CRC32c check value.
    assert_eq!(crc32c(b"123456789"), 0xe306_9283);
}
