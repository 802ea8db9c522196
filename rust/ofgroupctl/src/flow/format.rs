//! Canonical ovs-ofctl formatting of flows and matches: shorthands when eth_type/ip_proto allow,
//! masks as `/N` when they are prefixes; what it writes parses back to the same flow.

use std::fmt::Write;

use crate::format::format_actions;

use super::{
    ip_addr, ip_is_exact, ip_mask, ip_mask_bytes, mac_is_exact, prefix_len, Flow, FlowStats,
    IpMasked, MatchSpec, DEFAULT_PRIORITY, IPPROTO_ICMP, IPPROTO_ICMPV6, SHORTHANDS,
};

/// `aa:bb:cc:dd:ee:ff`.
pub fn format_mac(m: &[u8; 6]) -> String {
    let parts: Vec<String> = m.iter().map(|b| format!("{b:02x}")).collect();
    parts.join(":")
}

fn format_ip(ip: &IpMasked) -> String {
    let addr = ip_addr(ip);
    if ip_is_exact(ip) {
        return addr.to_string();
    }
    match prefix_len(ip_mask_bytes(ip)) {
        Some(n) => format!("{addr}/{n}"),
        None => format!("{addr}/{}", ip_mask(ip)),
    }
}

fn format_mac_masked((addr, mask): &([u8; 6], [u8; 6])) -> String {
    if mac_is_exact(mask) {
        format_mac(addr)
    } else {
        format!("{}/{}", format_mac(addr), format_mac(mask))
    }
}

/// The match (and priority, unless it is the default) in canonical ovs-ofctl form, e.g.
/// `priority=10,ip,in_port=1,nw_dst=10.0.0.0/24`; empty for a default-priority match-all.
pub fn format_match(priority: u16, m: &MatchSpec) -> String {
    let mut parts: Vec<String> = Vec::new();
    if priority != DEFAULT_PRIORITY {
        parts.push(format!("priority={priority}"));
    }
    let short = m.eth_type.and_then(|e| {
        SHORTHANDS
            .iter()
            .find(|(_, t, p)| *t == e && (p.is_none() || *p == m.ip_proto))
            // A protocol-specific name wins over the bare ip/ipv6.
            .map(|s| {
                SHORTHANDS
                    .iter()
                    .find(|(_, t, p)| *t == e && p.is_some() && *p == m.ip_proto)
                    .unwrap_or(s)
            })
    });
    if let Some((name, _, _)) = short {
        parts.push(name.to_string());
    }
    if let Some(p) = m.in_port {
        parts.push(format!("in_port={p}"));
    }
    if let Some(v) = m.vlan_vid {
        parts.push(format!("dl_vlan={v}"));
    }
    if let Some(a) = &m.eth_src {
        parts.push(format!("dl_src={}", format_mac_masked(a)));
    }
    if let Some(a) = &m.eth_dst {
        parts.push(format!("dl_dst={}", format_mac_masked(a)));
    }
    if let (Some(t), None) = (m.eth_type, short) {
        parts.push(format!("dl_type=0x{t:04x}"));
    }
    for (ip, v4, v6) in [
        (&m.ip_src, "nw_src", "ipv6_src"),
        (&m.ip_dst, "nw_dst", "ipv6_dst"),
    ] {
        if let Some(ip) = ip {
            let key = if matches!(ip, IpMasked::V4(..)) {
                v4
            } else {
                v6
            };
            parts.push(format!("{key}={}", format_ip(ip)));
        }
    }
    if let Some(p) = m.ip_proto {
        if short.is_none_or(|s| s.2 != Some(p)) {
            parts.push(format!("nw_proto={p}"));
        }
    }
    let (src, dst) = match m.ip_proto {
        Some(IPPROTO_ICMP) => ("icmp_type", "icmp_code"),
        Some(IPPROTO_ICMPV6) => ("icmpv6_type", "icmpv6_code"),
        _ => ("tp_src", "tp_dst"),
    };
    if let Some(p) = m.l4_src {
        parts.push(format!("{src}={p}"));
    }
    if let Some(p) = m.l4_dst {
        parts.push(format!("{dst}={p}"));
    }
    parts.join(",")
}

/// A flow as `dump-flows` writes it without counters, e.g.
/// `priority=10,ip,nw_dst=10.0.0.0/24 actions=group:1234`; parses back to the same flow.
pub fn format_flow(f: &Flow) -> String {
    let m = format_match(f.priority, &f.matches);
    let sep = if m.is_empty() { "" } else { " " };
    format!("{m}{sep}actions={}", format_actions(&f.actions))
}

/// A `dump-flows` line (without its leading space):
/// `duration=1.234s, n_packets=3, n_bytes=180, priority=10,ip,nw_dst=10.0.0.0/24 actions=group:1234`.
pub fn format_flow_stats(f: &Flow, s: &FlowStats) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "duration={}.{:03}s, n_packets={}, n_bytes={}, {}",
        s.duration_ns / 1_000_000_000,
        s.duration_ns / 1_000_000 % 1000,
        s.packets,
        s.bytes,
        format_flow(f)
    );
    out
}
