//! The `--json` output, byte for byte: scenarios and scripts parse it, so its keys, their order
//! and the number formats must not change.

use ofgroupctl::flow::{parse_flow, FlowCommand, FlowStats};
use ofgroupctl::format::{Features, GroupStats};
use ofgroupctl::json::{
    count_json, dp_json, features_json, flow_json, frame_json, group_json, notification_json,
    port_json,
};
use ofgroupctl::nl::Notification;
use ofgroupctl::parse::{parse_group, Expect};
use ofgroupctl::port::{DpStats, Port};
use ofgroupctl::watch::{compute, json_lines, Sample};

const GROUPS: &[&str] = &[
    "group_id=1234,type=select,selection_method=hash,fields(eth_dst,ip_dst,tcp_dst),bucket=bucket_id:0,weight:5,watch_port:10,watch_group:2,actions=output:10,bucket=bucket_id:1,weight:3,actions=output:11,group:7",
    "group_id=3,type=select,selection_method=hash,selection_method_param=7,fields(ip_src,udp_dst),bucket=weight=2000,output:1,bucket=weight=0,output:2",
    "group_id=9,type=ff,bucket=watch_port:1,output:1,bucket=watch_port:2,output:2",
    "group_id=5,type=all",
    "group_id=6,type=indirect,bucket=actions=drop",
];

const FLOWS: &[&str] = &[
    "priority=10,in_port=1,ip,nw_dst=10.0.0.0/24,actions=group:1234",
    "tcp,in_port=3,dl_src=50:54:00:00:00:05,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.0/255.0.255.0,tp_dst=80,dl_vlan=7,actions=output:1,output:2",
    "icmp6,ipv6_src=fd00::1,ipv6_dst=fd00::/16,icmpv6_type=128,actions=drop",
    "dl_type=0x88cc,actions=output:4",
    "actions=drop",
];

fn golden() -> Vec<String> {
    let mut out = Vec::new();
    for (i, text) in GROUPS.iter().enumerate() {
        let g = parse_group(text, Expect::Add).unwrap();
        out.push(group_json(&g, None).to_string());
        let s = GroupStats {
            group_id: 1,
            duration_ns: 1_500_000_000 + i as u64,
            ref_count: 2,
            packets: 30,
            bytes: 4000,
            buckets: g.buckets.iter().map(|_| (10, 1000)).collect(),
        };
        out.push(group_json(&g, Some(&s)).to_string());
        out.push(notification_json(&Notification::Changed(g)).to_string());
    }
    out.push(notification_json(&Notification::Deleted(Some(4))).to_string());
    out.push(notification_json(&Notification::Deleted(None)).to_string());
    for text in FLOWS {
        let f = parse_flow(text, FlowCommand::Add).unwrap();
        let s = FlowStats {
            duration_ns: 12,
            packets: 3,
            bytes: 180,
        };
        out.push(flow_json(&f, &s).to_string());
    }
    let features = Features {
        types: 0b1111,
        capabilities: 0b1011,
        max_groups: vec![1, 2, 3, 4],
        max_buckets: 5,
        actions: 0b11,
        max_actions: 32,
        work_budget: 4096,
    };
    out.push(features_json(&features).to_string());
    let port = Port {
        port_no: 1,
        ifindex: 7,
        ifname: "veth0".into(),
        live: true,
        rx_packets: 1,
        rx_bytes: 2,
        rx_missed: 3,
        tx_packets: 4,
        tx_bytes: 5,
        tx_dropped: 6,
    };
    out.push(port_json(&port).to_string());
    let dp = DpStats {
        hit: 1,
        missed: 2,
        lost: 3,
        flows: 4,
        ports: 5,
        max_flow_actions: 256,
        work_budget: 4096,
    };
    out.push(dp_json(&dp).to_string());
    out.push(count_json(Some(3)).to_string());
    out.push(count_json(None).to_string());
    out.push(frame_json("0a0b").to_string());
    out.extend(watch_golden());
    out
}

/// watch-group-stats --json lines: rates, shares, a new group (nulls), a reset.
fn watch_golden() -> Vec<String> {
    let stats = |g: &ofgroupctl::spec::Group, id, total: (u64, u64), b: &[(u64, u64)]| GroupStats {
        group_id: id,
        duration_ns: 5_000_000_000,
        ref_count: 1,
        packets: total.0,
        bytes: total.1,
        buckets: b[..g.buckets.len()].to_vec(),
    };
    let sel = parse_group(GROUPS[0], Expect::Add).unwrap();
    let all = parse_group(GROUPS[3], Expect::Add).unwrap();
    let ff = parse_group(GROUPS[2], Expect::Add).unwrap();
    let prev = Sample {
        time: 1.0,
        groups: vec![
            (
                sel.clone(),
                stats(&sel, 1234, (10, 1000), &[(4, 400), (6, 600)]),
            ),
            (ff.clone(), stats(&ff, 9, (50, 5000), &[(50, 5000), (0, 0)])),
        ],
    };
    let cur = Sample {
        time: 1.5,
        groups: vec![
            (
                sel.clone(),
                stats(&sel, 1234, (30, 3000), &[(9, 900), (21, 2100)]),
            ),
            (ff.clone(), stats(&ff, 9, (1, 100), &[(1, 100), (0, 0)])),
            (all.clone(), stats(&all, 5, (0, 0), &[])),
        ],
    };
    json_lines(1_700_000_000.25, &compute(&prev, &cur))
        .iter()
        .map(|v| v.to_string())
        .collect()
}

#[test]
fn json_output_is_unchanged() {
    let got = golden();
    let want: Vec<&str> = include_str!("json.golden").lines().collect();
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "line {}", i + 1);
    }
    assert_eq!(got.len(), want.len());
}

/// `GOLDEN=1 cargo test --test json -- --ignored` rewrites the golden file (review the diff!).
#[test]
#[ignore]
fn write_golden() {
    if std::env::var_os("GOLDEN").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/json.golden");
        std::fs::write(path, golden().join("\n") + "\n").unwrap();
    }
}
