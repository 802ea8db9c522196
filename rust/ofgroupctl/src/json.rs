//! The `--json` output: one JSON value per object, keys as the YNL spec names the attributes
//! (what `ynl --output-json` prints), so scripts can use either tool.
//!
//! Each shape is a `serde` derive: [`Port`], [`DpStats`] and [`Features`] serialize themselves;
//! groups, flows and matches go through the views below, which carry the spec's attribute
//! layout (stats merged into the group, wildcards and all-ones masks left out). Values are built
//! with `serde_json::to_value`, whose objects keep their keys sorted, as the output always had
//! them (`tests/json.golden`).

use ofgroup_logic::flow::{IpMasked, MatchSpec};
use ofgroup_logic::model::Action;
use serde::Serialize;
use serde_json::Value;

use crate::flow::{format_mac, ip_addr, ip_is_exact, ip_mask, mac_is_exact, Flow, FlowStats};
use crate::format::{Features, GroupStats};
use crate::nl::{FlowEvent, Notification};
use crate::port::{DpStats, Port};
use crate::spec::{Group, GroupId};

/// A serializable value as JSON (sorted keys).
fn value(v: impl Serialize) -> Value {
    serde_json::to_value(v).expect("the JSON views have string keys only")
}

/// An action nest: `{"output": N}` or `{"group": N}`.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
enum ActionView {
    Output(u32),
    Group(u32),
}

fn actions(list: &[Action]) -> Vec<ActionView> {
    list.iter()
        .map(|a| match *a {
            Action::Output(p) => ActionView::Output(p),
            Action::Group(g) => ActionView::Group(g),
        })
        .collect()
}

/// A bucket nest, with its counters when the group's stats were asked for.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct BucketView {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<u32>,
    weight: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    watch_port: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    watch_group: Option<u32>,
    action: Vec<ActionView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    packets: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes: Option<u64>,
}

/// A group: its attributes, then its counters when asked for.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct GroupView {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<u32>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    group_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hash_field: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    basis: Option<u32>,
    bucket: Vec<BucketView>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    stats: Option<GroupCounters>,
}

/// A group's own counters.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct GroupCounters {
    duration: u64,
    ref_count: u32,
    packets: u64,
    bytes: u64,
}

/// A group as the spec's `group` attribute set; with `s`, its counters and its buckets'.
pub fn group_json(g: &Group, s: Option<&GroupStats>) -> Value {
    let hash_names = ofgroup_abi::ENUMS[1].1;
    value(GroupView {
        id: match g.group_id {
            Some(GroupId::Id(id)) => Some(id),
            _ => None,
        },
        group_type: g.group_type.map(|t| t.name()),
        hash_field: g.fields.iter().map(|f| hash_names[*f as usize]).collect(),
        basis: g.basis,
        bucket: g
            .buckets
            .iter()
            .enumerate()
            .map(|(i, b)| {
                let counters = s.and_then(|s| s.buckets.get(i));
                BucketView {
                    id: b.bucket_id,
                    weight: b.weight.unwrap_or(1),
                    watch_port: b.watch_port,
                    watch_group: b.watch_group,
                    action: actions(&b.actions),
                    packets: counters.map(|c| c.0),
                    bytes: counters.map(|c| c.1),
                }
            })
            .collect(),
        stats: s.map(|s| GroupCounters {
            duration: s.duration_ns,
            ref_count: s.ref_count,
            packets: s.packets,
            bytes: s.bytes,
        }),
    })
}

/// The names of the bits set in `bits`, bit `i` named `list[i]`.
pub(crate) fn bit_names(bits: u32, list: &[&'static str]) -> Vec<&'static str> {
    list.iter()
        .enumerate()
        .filter(|(i, _)| bits & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect()
}

/// The entries of the spec enum `name`.
pub(crate) fn spec_enum(name: &str) -> &'static [&'static str] {
    ofgroup_abi::ENUMS
        .iter()
        .find(|x| x.0 == name)
        .map_or(&[][..], |x| x.1)
}

/// The table features, bit sets as lists of names.
pub fn features_json(f: &Features) -> Value {
    value(f)
}

/// A port, counters included.
pub fn port_json(p: &Port) -> Value {
    value(p)
}

/// The datapath counters.
pub fn dp_json(d: &DpStats) -> Value {
    value(d)
}

/// The match as the kernel carries it: wildcards and all-ones masks left out; addresses as text.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct MatchView {
    #[serde(skip_serializing_if = "Option::is_none")]
    in_port: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    eth_src: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    eth_src_mask: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    eth_dst: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    eth_dst_mask: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    eth_type: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vlan_vid: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_proto: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_src: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_src_mask: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_dst: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_dst_mask: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    l4_src: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    l4_dst: Option<u16>,
}

/// An Ethernet address and its mask (`None` when exact) as text.
fn mac_text(f: Option<([u8; 6], [u8; 6])>) -> (Option<String>, Option<String>) {
    match f {
        Some((addr, mask)) => (
            Some(format_mac(&addr)),
            (!mac_is_exact(&mask)).then(|| format_mac(&mask)),
        ),
        None => (None, None),
    }
}

/// An IP address and its mask (`None` when exact) as text.
fn ip_text(f: Option<IpMasked>) -> (Option<String>, Option<String>) {
    match f {
        Some(ip) => (
            Some(ip_addr(&ip).to_string()),
            (!ip_is_exact(&ip)).then(|| ip_mask(&ip).to_string()),
        ),
        None => (None, None),
    }
}

impl From<&MatchSpec> for MatchView {
    fn from(m: &MatchSpec) -> Self {
        let (eth_src, eth_src_mask) = mac_text(m.eth_src);
        let (eth_dst, eth_dst_mask) = mac_text(m.eth_dst);
        let (ip_src, ip_src_mask) = ip_text(m.ip_src);
        let (ip_dst, ip_dst_mask) = ip_text(m.ip_dst);
        MatchView {
            in_port: m.in_port,
            eth_src,
            eth_src_mask,
            eth_dst,
            eth_dst_mask,
            eth_type: m.eth_type,
            vlan_vid: m.vlan_vid,
            ip_proto: m.ip_proto,
            ip_src,
            ip_src_mask,
            ip_dst,
            ip_dst_mask,
            l4_src: m.l4_src,
            l4_dst: m.l4_dst,
        }
    }
}

/// A flow as the spec's `flow` attribute set, counters included.
#[derive(Serialize)]
struct FlowView {
    priority: u16,
    #[serde(rename = "match")]
    matches: MatchView,
    action: Vec<ActionView>,
    duration: u64,
    packets: u64,
    bytes: u64,
}

/// A flow and its counters.
pub fn flow_json(f: &Flow, s: &FlowStats) -> Value {
    value(FlowView {
        priority: f.priority,
        matches: MatchView::from(&f.matches),
        action: actions(&f.actions),
        duration: s.duration_ns,
        packets: s.packets,
        bytes: s.bytes,
    })
}

/// A monitor notification, as `ynl --subscribe` prints one: `{"name": ..., "msg": ...}`.
#[derive(Serialize)]
struct NotificationView {
    name: &'static str,
    msg: Value,
}

/// The body of a group-del notification: the group, or `{}` for all.
#[derive(Serialize)]
struct DeletedView {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<u32>,
}

/// A monitor notification.
pub fn notification_json(n: &Notification) -> Value {
    value(match n {
        Notification::Changed(g) => NotificationView {
            name: "group-change-ntf",
            msg: group_json(g, None),
        },
        Notification::Deleted(id) => NotificationView {
            name: "group-del-ntf",
            msg: value(DeletedView { id: *id }),
        },
        Notification::FlowChanged(e) => NotificationView {
            name: "flow-change-ntf",
            msg: flow_event_json(e),
        },
        Notification::FlowDeleted(e) => NotificationView {
            name: "flow-del-ntf",
            msg: flow_event_json(e),
        },
        Notification::PortAdded(p) => NotificationView {
            name: "port-new-ntf",
            msg: port_json(p),
        },
        Notification::PortDeleted(p) => NotificationView {
            name: "port-del-ntf",
            msg: value(PortDeletedView {
                port_no: p.port_no,
                ifindex: p.ifindex,
                ifname: &p.ifname,
            }),
        },
    })
}

/// A flow notification's body, with the spec's attribute names.
#[derive(Serialize)]
struct FlowEventView {
    priority: u16,
    #[serde(rename = "match")]
    matches: MatchView,
    action: Vec<ActionView>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    strict: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<u32>,
}

fn flow_event_json(e: &FlowEvent) -> Value {
    value(FlowEventView {
        priority: e.flow.priority,
        matches: MatchView::from(&e.flow.matches),
        action: actions(&e.flow.actions),
        strict: e.strict,
        count: e.count,
    })
}

/// A port-del notification's body.
#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct PortDeletedView<'a> {
    port_no: u32,
    ifindex: u32,
    ifname: &'a str,
}

/// The reply to mod-flows / del-flows.
#[derive(Serialize)]
struct CountView {
    count: u32,
}

/// The reply to mod-flows / del-flows: how many flows changed.
pub fn count_json(count: Option<u32>) -> Value {
    value(CountView {
        count: count.unwrap_or(0),
    })
}

/// A built frame.
#[derive(Serialize)]
struct FrameView<'a> {
    data: &'a str,
}

/// A frame's bytes, as hex.
pub fn frame_json(hex: &str) -> Value {
    value(FrameView { data: hex })
}
