//! The `--json` output: one JSON value per object, keys as the YNL spec names the attributes
//! (what `ynl --output-json` prints), so scripts can use either tool.

use ofgroup_logic::flow::{IpMasked, MatchSpec};
use serde_json::{json, Value};

use crate::flow::{ip_addr, ip_is_exact, ip_mask, mac_is_exact, Flow, FlowStats};
use crate::format::{Features, GroupStats};
use crate::nl::Notification;
use crate::port::{DpStats, Port};
use crate::spec::{Group, GroupId};

pub fn group_json(g: &Group, s: Option<&GroupStats>) -> Value {
    let mut o = serde_json::Map::new();
    if let Some(GroupId::Id(id)) = g.group_id {
        o.insert("id".into(), json!(id));
    }
    if let Some(t) = g.group_type {
        let name = if t.name() == "ff" { "ff" } else { t.name() };
        o.insert("type".into(), json!(name));
    }
    if !g.fields.is_empty() {
        let f: Vec<String> = g
            .fields
            .iter()
            .map(|f| ofgroup_abi::ENUMS[1].1[*f as usize].to_string())
            .collect();
        o.insert("hash-field".into(), json!(f));
    }
    if let Some(b) = g.basis {
        o.insert("basis".into(), json!(b));
    }
    let buckets: Vec<Value> = g
        .buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut m = serde_json::Map::new();
            if let Some(id) = b.bucket_id {
                m.insert("id".into(), json!(id));
            }
            m.insert("weight".into(), json!(b.weight.unwrap_or(1)));
            if let Some(p) = b.watch_port {
                m.insert("watch-port".into(), json!(p));
            }
            if let Some(w) = b.watch_group {
                m.insert("watch-group".into(), json!(w));
            }
            let acts: Vec<Value> = b
                .actions
                .iter()
                .map(|a| match a {
                    ofgroup_logic::model::Action::Output(p) => json!({ "output": p }),
                    ofgroup_logic::model::Action::Group(x) => json!({ "group": x }),
                })
                .collect();
            m.insert("action".into(), json!(acts));
            if let Some((p, by)) = s.and_then(|s| s.buckets.get(i)) {
                m.insert("packets".into(), json!(p));
                m.insert("bytes".into(), json!(by));
            }
            Value::Object(m)
        })
        .collect();
    o.insert("bucket".into(), json!(buckets));
    if let Some(s) = s {
        o.insert("duration".into(), json!(s.duration_ns));
        o.insert("ref-count".into(), json!(s.ref_count));
        o.insert("packets".into(), json!(s.packets));
        o.insert("bytes".into(), json!(s.bytes));
    }
    Value::Object(o)
}

pub fn features_json(f: &Features) -> Value {
    let names = |bits: u32, list: &[&str]| -> Vec<String> {
        list.iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, n)| n.to_string())
            .collect()
    };
    let e = |n: &str| {
        ofgroup_abi::ENUMS
            .iter()
            .find(|x| x.0 == n)
            .map_or(&[][..], |x| x.1)
    };
    json!({
        "types": names(f.types, e("group-type")),
        "capabilities": names(f.capabilities, e("capability")),
        "max-groups": f.max_groups,
        "max-buckets": f.max_buckets,
        "actions": names(f.actions, e("action-type")),
        "max-actions": f.max_actions,
        "work-budget": f.work_budget,
    })
}

pub fn port_json(p: &Port) -> Value {
    json!({
        "port-no": p.port_no,
        "ifindex": p.ifindex,
        "ifname": p.ifname,
        "live": p.live,
        "rx-packets": p.rx_packets,
        "rx-bytes": p.rx_bytes,
        "rx-missed": p.rx_missed,
        "tx-packets": p.tx_packets,
        "tx-bytes": p.tx_bytes,
        "tx-dropped": p.tx_dropped,
    })
}

pub fn dp_json(d: &DpStats) -> Value {
    json!({
        "hit": d.hit,
        "missed": d.missed,
        "lost": d.lost,
        "flows": d.flows,
        "ports": d.ports,
        "max-flow-actions": d.max_flow_actions,
        "work-budget": d.work_budget,
    })
}

/// The match as the kernel carries it: wildcards and all-ones masks left out; addresses as text.
pub fn match_json(m: &MatchSpec) -> Value {
    let mut o = serde_json::Map::new();
    let mut mac = |key: &str, a: &Option<([u8; 6], [u8; 6])>| {
        if let Some((addr, mask)) = a {
            o.insert(key.into(), json!(crate::flow::format_mac(addr)));
            if !mac_is_exact(mask) {
                o.insert(format!("{key}-mask"), json!(crate::flow::format_mac(mask)));
            }
        }
    };
    mac("eth-src", &m.eth_src);
    mac("eth-dst", &m.eth_dst);
    let mut ip = |key: &str, a: &Option<IpMasked>| {
        if let Some(a) = a {
            o.insert(key.into(), json!(ip_addr(a).to_string()));
            if !ip_is_exact(a) {
                o.insert(format!("{key}-mask"), json!(ip_mask(a).to_string()));
            }
        }
    };
    ip("ip-src", &m.ip_src);
    ip("ip-dst", &m.ip_dst);
    if let Some(p) = m.in_port {
        o.insert("in-port".into(), json!(p));
    }
    if let Some(t) = m.eth_type {
        o.insert("eth-type".into(), json!(t));
    }
    if let Some(v) = m.vlan_vid {
        o.insert("vlan-vid".into(), json!(v));
    }
    if let Some(p) = m.ip_proto {
        o.insert("ip-proto".into(), json!(p));
    }
    if let Some(p) = m.l4_src {
        o.insert("l4-src".into(), json!(p));
    }
    if let Some(p) = m.l4_dst {
        o.insert("l4-dst".into(), json!(p));
    }
    Value::Object(o)
}

pub fn flow_json(f: &Flow, s: &FlowStats) -> Value {
    let acts: Vec<Value> = f
        .actions
        .iter()
        .map(|a| match a {
            ofgroup_logic::model::Action::Output(p) => json!({ "output": p }),
            ofgroup_logic::model::Action::Group(x) => json!({ "group": x }),
        })
        .collect();
    json!({
        "priority": f.priority,
        "match": match_json(&f.matches),
        "action": acts,
        "duration": s.duration_ns,
        "packets": s.packets,
        "bytes": s.bytes,
    })
}

/// A monitor notification, as `ynl --subscribe` prints one: `{"name": ..., "msg": ...}`.
pub fn notification_json(n: &Notification) -> Value {
    match n {
        Notification::Changed(g) => json!({"name": "group-change-ntf", "msg": group_json(g, None)}),
        Notification::Deleted(id) => {
            let msg = match id {
                Some(id) => json!({ "id": id }),
                None => json!({}),
            };
            json!({"name": "group-del-ntf", "msg": msg})
        }
    }
}

/// The reply to mod-flows / del-flows: how many flows changed.
pub fn count_json(count: Option<u32>) -> Value {
    json!({ "count": count.unwrap_or(0) })
}

/// A frame's bytes, as hex.
pub fn frame_json(hex: &str) -> Value {
    json!({ "data": hex })
}
