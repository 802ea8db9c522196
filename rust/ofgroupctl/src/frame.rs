//! Ethernet frames for `packet-out` and `frame`: from hex, or built from a description in flow
//! match syntax with exact values (`udp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_dst=2000`), with
//! correct lengths and checksums (IPv4 header, ICMP, ICMPv6, TCP, UDP, SCTP CRC32c).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::flow::{
    ip_addr, parse_frame_match, MatchSpec, ETH_TYPE_ARP, ETH_TYPE_IPV4, ETH_TYPE_IPV6,
    ETH_TYPE_VLAN, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP,
};
use crate::parse::ParseError;

/// Shortest Ethernet frame (without FCS); shorter built frames are padded to it.
pub const MIN_FRAME: usize = 60;
/// Shortest frame the kernel takes.
pub const MIN_RAW: usize = 14;
/// Longest frame the kernel takes.
pub const MAX_FRAME: usize = ofgroup_abi::PACKET_MAX as usize;
/// Ethernet type of a frame whose description names none (IEEE 802 local experimental).
pub const DEFAULT_ETH_TYPE: u16 = 0x88b5;
/// IP protocol of an `ip`/`ipv6` frame whose description names none (RFC 3692 experimental).
pub const DEFAULT_IP_PROTO: u8 = 253;

/// What a description leaves out, for `--help`.
pub const DEFAULTS_HELP: &str = "Defaults for what a description leaves out:
  dl_src=50:54:00:00:00:01, dl_dst=50:54:00:00:00:02, no VLAN tag,
  dl_type=0x88b5 (no IP header) when no protocol is named,
  nw_src=10.0.0.1, nw_dst=10.0.0.2, ipv6_src=fd00::1, ipv6_dst=fd00::2,
  nw_proto=253 for a bare ip/ipv6, TTL / hop limit 64, IPv4 id 0 without DF,
  tp_src=1024, tp_dst=80; TCP is a SYN (seq 0, window 65535);
  icmp/icmp6 is an echo request (icmp_type=8 / icmpv6_type=128, code 0, id 0, seq 0);
  arp is a request from 10.0.0.1 (dl_src) for 10.0.0.2.
The payload is zeros and the frame at least 60 bytes; --len N makes it exactly N bytes,
the payload growing and every length and checksum covering it (UDP checksum included).";

/// Default source MAC.
pub const DEFAULT_DL_SRC: [u8; 6] = [0x50, 0x54, 0, 0, 0, 1];
/// Default destination MAC.
pub const DEFAULT_DL_DST: [u8; 6] = [0x50, 0x54, 0, 0, 0, 2];
/// Default IPv4 source.
pub const DEFAULT_NW_SRC: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
/// Default IPv4 destination.
pub const DEFAULT_NW_DST: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
/// Default IPv6 source.
pub const DEFAULT_IPV6_SRC: Ipv6Addr = Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 1);
/// Default IPv6 destination.
pub const DEFAULT_IPV6_DST: Ipv6Addr = Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, 2);
/// Default L4 source port.
pub const DEFAULT_TP_SRC: u16 = 1024;
/// Default L4 destination port.
pub const DEFAULT_TP_DST: u16 = 80;

/// The Internet checksum (RFC 1071) of `data`, ready to store big-endian.
pub fn checksum(data: &[u8]) -> u16 {
    let mut sum: u32 = 0;
    for c in data.chunks(2) {
        let w = if c.len() == 2 {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], 0])
        };
        sum += u32::from(w);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

/// CRC32c (Castagnoli), as SCTP uses it.
pub fn crc32c(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x82f6_3b78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn ip_octets(a: IpAddr) -> Vec<u8> {
    match a {
        IpAddr::V4(a) => a.octets().to_vec(),
        IpAddr::V6(a) => a.octets().to_vec(),
    }
}

/// The TCP/UDP/ICMPv6 pseudo-header for `src`, `dst`, protocol and L4 length.
fn pseudo_header(src: IpAddr, dst: IpAddr, proto: u8, len: usize) -> Vec<u8> {
    let mut p = ip_octets(src);
    p.extend(ip_octets(dst));
    if src.is_ipv4() {
        p.push(0);
        p.push(proto);
        p.extend((len as u16).to_be_bytes());
    } else {
        p.extend((len as u32).to_be_bytes());
        p.extend([0, 0, 0, proto]);
    }
    p
}

/// Build the frame a (parsed, exact) description names; `len` is the total length wanted.
pub fn build_frame(m: &MatchSpec, len: Option<usize>) -> Result<Vec<u8>, String> {
    let eth_type = m.eth_type.unwrap_or(DEFAULT_ETH_TYPE);
    let mut f = Vec::with_capacity(len.unwrap_or(MIN_FRAME));
    f.extend(m.eth_dst.map_or(DEFAULT_DL_DST, |(a, _)| a));
    f.extend(m.eth_src.map_or(DEFAULT_DL_SRC, |(a, _)| a));
    if let Some(vid) = m.vlan_vid {
        f.extend(ETH_TYPE_VLAN.to_be_bytes());
        f.extend(vid.to_be_bytes());
    }
    f.extend(eth_type.to_be_bytes());
    let l3 = f.len();

    let (src, dst) = match eth_type {
        ETH_TYPE_IPV6 => (
            m.ip_src
                .as_ref()
                .map_or(IpAddr::V6(DEFAULT_IPV6_SRC), ip_addr),
            m.ip_dst
                .as_ref()
                .map_or(IpAddr::V6(DEFAULT_IPV6_DST), ip_addr),
        ),
        _ => (
            m.ip_src
                .as_ref()
                .map_or(IpAddr::V4(DEFAULT_NW_SRC), ip_addr),
            m.ip_dst
                .as_ref()
                .map_or(IpAddr::V4(DEFAULT_NW_DST), ip_addr),
        ),
    };
    let ip = matches!(eth_type, ETH_TYPE_IPV4 | ETH_TYPE_IPV6);
    let proto = m.ip_proto.unwrap_or(DEFAULT_IP_PROTO);

    // Headers first (lengths and checksums zero), then the payload, then fill them in.
    let ip_hdr = match eth_type {
        ETH_TYPE_IPV4 => 20,
        ETH_TYPE_IPV6 => 40,
        _ => 0,
    };
    if eth_type == ETH_TYPE_ARP {
        f.extend([0, 1, 0x08, 0x00, 6, 4, 0, 1]);
        f.extend(m.eth_src.map_or(DEFAULT_DL_SRC, |(a, _)| a));
        f.extend(DEFAULT_NW_SRC.octets());
        f.extend([0; 6]);
        f.extend(DEFAULT_NW_DST.octets());
    }
    if ip_hdr > 0 {
        f.resize(l3 + ip_hdr, 0);
    }
    let l4 = f.len();
    let sport = m.l4_src.unwrap_or(DEFAULT_TP_SRC);
    let dport = m.l4_dst.unwrap_or(DEFAULT_TP_DST);
    let l4_kind = if ip {
        match (eth_type, proto) {
            (ETH_TYPE_IPV4, IPPROTO_ICMP) | (ETH_TYPE_IPV6, IPPROTO_ICMPV6) => {
                let (ty, code) = match proto {
                    IPPROTO_ICMP => (m.l4_src.unwrap_or(8), m.l4_dst.unwrap_or(0)),
                    _ => (m.l4_src.unwrap_or(128), m.l4_dst.unwrap_or(0)),
                };
                f.extend([ty as u8, code as u8, 0, 0, 0, 0, 0, 0]);
                Some(proto)
            }
            (_, IPPROTO_TCP) => {
                f.extend(sport.to_be_bytes());
                f.extend(dport.to_be_bytes());
                f.extend([0; 8]); // seq, ack
                f.extend([0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0]);
                Some(proto)
            }
            (_, IPPROTO_UDP) => {
                f.extend(sport.to_be_bytes());
                f.extend(dport.to_be_bytes());
                f.extend([0; 4]);
                Some(proto)
            }
            (_, IPPROTO_SCTP) => {
                f.extend(sport.to_be_bytes());
                f.extend(dport.to_be_bytes());
                f.extend([0; 8]);
                Some(proto)
            }
            _ => None,
        }
    } else {
        None
    };
    let headers = f.len();
    let total = match len {
        Some(n) if n < headers.max(MIN_RAW) => {
            return Err(format!(
                "--len {n} is shorter than the frame's headers ({} bytes)",
                headers.max(MIN_RAW)
            ))
        }
        Some(n) if n > MAX_FRAME => {
            return Err(format!(
                "--len {n} is longer than the longest frame ({MAX_FRAME} bytes)"
            ))
        }
        Some(n) => n,
        None => headers.max(MIN_FRAME),
    };
    f.resize(total, 0);

    // L4 length and checksum.
    let l4_len = total - l4;
    match l4_kind {
        Some(IPPROTO_UDP) => {
            f[l4 + 4..l4 + 6].copy_from_slice(&(l4_len as u16).to_be_bytes());
            let mut data = pseudo_header(src, dst, proto, l4_len);
            data.extend(&f[l4..]);
            let c = match checksum(&data) {
                0 => 0xffff,
                c => c,
            };
            f[l4 + 6..l4 + 8].copy_from_slice(&c.to_be_bytes());
        }
        Some(IPPROTO_TCP) | Some(IPPROTO_ICMPV6) => {
            let at = if proto == IPPROTO_TCP { 16 } else { 2 };
            let mut data = pseudo_header(src, dst, proto, l4_len);
            data.extend(&f[l4..]);
            let c = checksum(&data);
            f[l4 + at..l4 + at + 2].copy_from_slice(&c.to_be_bytes());
        }
        Some(IPPROTO_ICMP) => {
            let c = checksum(&f[l4..]);
            f[l4 + 2..l4 + 4].copy_from_slice(&c.to_be_bytes());
        }
        Some(IPPROTO_SCTP) => {
            // CRC32c over the SCTP packet, stored in little-endian byte order (RFC 3309).
            let c = crc32c(&f[l4..]);
            f[l4 + 8..l4 + 12].copy_from_slice(&c.to_le_bytes());
        }
        _ => {}
    }

    // L3 header.
    match (eth_type, src, dst) {
        (ETH_TYPE_IPV4, IpAddr::V4(s), IpAddr::V4(d)) => {
            let tot = total - l3;
            if tot > usize::from(u16::MAX) {
                return Err("IPv4 packet too long".into());
            }
            let h = &mut f[l3..l3 + 20];
            h[0] = 0x45;
            h[2..4].copy_from_slice(&(tot as u16).to_be_bytes());
            h[8] = 64;
            h[9] = proto;
            h[12..16].copy_from_slice(&s.octets());
            h[16..20].copy_from_slice(&d.octets());
            let c = checksum(h);
            h[10..12].copy_from_slice(&c.to_be_bytes());
        }
        (ETH_TYPE_IPV6, IpAddr::V6(s), IpAddr::V6(d)) => {
            let h = &mut f[l3..l3 + 40];
            h[0] = 0x60;
            h[4..6].copy_from_slice(&((total - l3 - 40) as u16).to_be_bytes());
            h[6] = proto;
            h[7] = 64;
            h[8..24].copy_from_slice(&s.octets());
            h[24..40].copy_from_slice(&d.octets());
        }
        _ => {}
    }
    Ok(f)
}

/// The input is hex (digits with optional spaces or colons), not a description.
pub fn looks_hex(input: &str) -> bool {
    let t = input.trim();
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    t.chars().any(|c| c.is_ascii_hexdigit())
        && t.chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c.is_whitespace())
}

/// Bytes from hex with optional `0x`, spaces and colons, e.g. `50:54:00:00:00:02 50540000…`.
pub fn parse_hex(input: &str) -> Result<Vec<u8>, ParseError> {
    let mut digits = Vec::new();
    let trimmed = input.trim_start();
    let lead = input.chars().count() - trimmed.chars().count();
    let (body, skip) = match trimmed
        .strip_prefix("0x")
        .or_else(|| trimmed.strip_prefix("0X"))
    {
        Some(b) => (b, 2),
        None => (trimmed, 0),
    };
    for (i, c) in body.chars().enumerate() {
        if c == ':' || c.is_whitespace() {
            continue;
        }
        let d = c.to_digit(16).ok_or_else(|| ParseError {
            message: format!("'{c}' is not a hex digit"),
            token: c.to_string(),
            position: lead + skip + i + 1,
        })?;
        digits.push(d as u8);
    }
    if digits.len() % 2 != 0 {
        return Err(ParseError {
            message: format!(
                "odd number of hex digits ({}): every byte needs two",
                digits.len()
            ),
            token: String::new(),
            position: 0,
        });
    }
    Ok(digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect())
}

/// Hex without separators.
pub fn to_hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

fn plain(message: String) -> ParseError {
    ParseError {
        message,
        token: String::new(),
        position: 0,
    }
}

/// The frame `input` names: hex (padded with zeros to `len`) or a description (built, `len`
/// bytes or at least 60).
pub fn frame_from_arg(input: &str, len: Option<usize>) -> Result<Vec<u8>, ParseError> {
    if looks_hex(input) {
        let mut f = parse_hex(input)?;
        if let Some(n) = len {
            if n < f.len() {
                return Err(plain(format!(
                    "--len {n} is shorter than the frame ({} bytes)",
                    f.len()
                )));
            }
            f.resize(n, 0);
        }
        if f.len() < MIN_RAW || f.len() > MAX_FRAME {
            return Err(plain(format!(
                "a frame is {MIN_RAW} to {MAX_FRAME} bytes, this one is {}",
                f.len()
            )));
        }
        return Ok(f);
    }
    let m = parse_frame_match(input)?;
    build_frame(&m, len).map_err(plain)
}
