// SPDX-License-Identifier: GPL-2.0

//! The `ofgroup` generic netlink ABI: family, operations, multicast groups, attributes and enums.
//!
//! One source of truth, shared by the kernel module (compiled from this same file) and the
//! userspace tools, and proven equal to the YNL spec `spec/ofgroup.yaml` by `tests/spec.rs`
//! (names, numbers, types) and, in the VM, to the policy the loaded module registers.
#![cfg_attr(not(MODULE), no_std)]

// The logic crate's flow types, under the name the kernel module gives them (there `abi` and
// `logic` are sibling modules of one crate, so `crate::logic` names the same code in both builds).
#[cfg(not(MODULE))]
extern crate ofgroup_logic as logic;

pub mod match_nest;
pub mod wire;

/// Generic netlink family name.
pub const FAMILY_NAME: &str = "ofgroup";
/// Family version.
pub const FAMILY_VERSION: u8 = 1;
/// Multicast group carrying a notification for every change.
pub const MCGRP_MONITOR: &str = "monitor";

/// Operation (command) numbers, in spec order from 1.
pub mod cmd {
    /// Add a group.
    pub const GROUP_NEW: u8 = 1;
    /// Replace (modify) a group; with may-create, add it if missing.
    pub const GROUP_SET: u8 = 2;
    /// Delete one group or all.
    pub const GROUP_DEL: u8 = 3;
    /// Insert buckets.
    pub const BUCKET_INSERT: u8 = 4;
    /// Remove buckets.
    pub const BUCKET_REMOVE: u8 = 5;
    /// Get one group / dump all.
    pub const GROUP_GET: u8 = 6;
    /// Zero counters.
    pub const STATS_RESET: u8 = 7;
    /// Table features.
    pub const FEATURES_GET: u8 = 8;
    /// Notification: a group was added or changed.
    pub const GROUP_CHANGE_NTF: u8 = 9;
    /// Notification: a group was deleted.
    pub const GROUP_DEL_NTF: u8 = 10;
    /// Attach a net device as a port.
    pub const PORT_NEW: u8 = 11;
    /// Detach a port.
    pub const PORT_DEL: u8 = 12;
    /// Get one port / dump all.
    pub const PORT_GET: u8 = 13;
    /// Add a flow (replaces one with the same match and priority).
    pub const FLOW_NEW: u8 = 14;
    /// Modify the actions of matching flows.
    pub const FLOW_SET: u8 = 15;
    /// Delete matching flows (all without a match).
    pub const FLOW_DEL: u8 = 16;
    /// Dump flows.
    pub const FLOW_GET: u8 = 17;
    /// Run a raw frame through the datapath as if received on a port.
    pub const PACKET_EXECUTE: u8 = 18;
    /// Datapath counters.
    pub const DP_GET: u8 = 19;
}

/// Attribute data types, as the spec names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrType {
    /// `u8`.
    U8,
    /// `u16`.
    U16,
    /// `u32`.
    U32,
    /// `uint`: 4 or 8 bytes on the wire.
    Uint,
    /// `flag`: present or not.
    Flag,
    /// `binary`: bytes, at most this many (the kernel checks exact lengths).
    Binary(u16),
    /// `string`: NUL-terminated, at most this many bytes before the NUL.
    String(u16),
    /// `nest` of another attribute set.
    Nest(&'static str),
}

impl AttrType {
    /// The spec's type name.
    pub fn spec_name(self) -> &'static str {
        match self {
            AttrType::U8 => "u8",
            AttrType::U16 => "u16",
            AttrType::U32 => "u32",
            AttrType::Uint => "uint",
            AttrType::Flag => "flag",
            AttrType::Binary(_) => "binary",
            AttrType::String(_) => "string",
            AttrType::Nest(_) => "nest",
        }
    }
}

/// One attribute: name, number, type, whether it may repeat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attr {
    /// Spec name.
    pub name: &'static str,
    /// Attribute number.
    pub id: u16,
    /// Data type.
    pub ty: AttrType,
    /// `multi-attr: true` in the spec.
    pub multi: bool,
}

const fn a(name: &'static str, id: u16, ty: AttrType) -> Attr {
    Attr {
        name,
        id,
        ty,
        multi: false,
    }
}

const fn m(name: &'static str, id: u16, ty: AttrType) -> Attr {
    Attr {
        name,
        id,
        ty,
        multi: true,
    }
}

/// Attributes of a bucket action (exactly one per `action` nest).
pub mod action_attr {
    /// Output port.
    pub const OUTPUT: u16 = 1;
    /// Chained group.
    pub const GROUP: u16 = 2;
    /// Highest attribute number.
    pub const MAX: u16 = 2;
}

/// Attributes of a bucket.
pub mod bucket_attr {
    /// Bucket id.
    pub const ID: u16 = 1;
    /// Weight.
    pub const WEIGHT: u16 = 2;
    /// Watched port.
    pub const WATCH_PORT: u16 = 3;
    /// Watched group.
    pub const WATCH_GROUP: u16 = 4;
    /// One action (nest, repeated in order).
    pub const ACTION: u16 = 5;
    /// Packet counter.
    pub const PACKETS: u16 = 6;
    /// Byte counter.
    pub const BYTES: u16 = 7;
    /// Highest attribute number.
    pub const MAX: u16 = 7;
}

/// Attributes of a group.
pub mod group_attr {
    /// Group id.
    pub const ID: u16 = 1;
    /// Group type (`group-type` enum).
    pub const TYPE: u16 = 2;
    /// Hashed field (`hash-field` enum), repeated.
    pub const HASH_FIELD: u16 = 3;
    /// Hash basis.
    pub const BASIS: u16 = 4;
    /// One bucket (nest, repeated in order).
    pub const BUCKET: u16 = 5;
    /// group-set: create if missing.
    pub const MAY_CREATE: u16 = 6;
    /// bucket-insert / bucket-remove position.
    pub const COMMAND_BUCKET_ID: u16 = 7;
    /// group-get: include counters.
    pub const STATS: u16 = 8;
    /// Nanoseconds since creation.
    pub const DURATION: u16 = 9;
    /// Flows referencing the group.
    pub const REF_COUNT: u16 = 10;
    /// Packet counter.
    pub const PACKETS: u16 = 11;
    /// Byte counter.
    pub const BYTES: u16 = 12;
    /// Highest attribute number.
    pub const MAX: u16 = 12;
}

/// Attributes of the features reply.
pub mod features_attr {
    /// Bit per supported group type.
    pub const TYPES: u16 = 1;
    /// Capability flags.
    pub const CAPABILITIES: u16 = 2;
    /// Most groups, one per type in type order.
    pub const MAX_GROUPS: u16 = 3;
    /// Most buckets per group.
    pub const MAX_BUCKETS: u16 = 4;
    /// Bit per supported action.
    pub const ACTIONS: u16 = 5;
    /// Most actions per bucket.
    pub const MAX_ACTIONS: u16 = 6;
    /// Most work units per frame.
    pub const WORK_BUDGET: u16 = 7;
    /// Highest attribute number.
    pub const MAX: u16 = 7;
}

/// Attributes of a port.
pub mod port_attr {
    /// Datapath port number.
    pub const PORT_NO: u16 = 1;
    /// Net device index.
    pub const IFINDEX: u16 = 2;
    /// Net device name.
    pub const IFNAME: u16 = 3;
    /// The port is up with carrier (drives watch_port).
    pub const LIVE: u16 = 4;
    /// Frames received.
    pub const RX_PACKETS: u16 = 5;
    /// Bytes received.
    pub const RX_BYTES: u16 = 6;
    /// Frames received that matched no flow.
    pub const RX_MISSED: u16 = 7;
    /// Frames transmitted.
    pub const TX_PACKETS: u16 = 8;
    /// Bytes transmitted.
    pub const TX_BYTES: u16 = 9;
    /// Frames the device refused or that found the port down.
    pub const TX_DROPPED: u16 = 10;
    /// Highest attribute number.
    pub const MAX: u16 = 10;
}

/// Attributes of a flow match; an absent field is a wildcard.
pub mod match_attr {
    /// Ingress port.
    pub const IN_PORT: u16 = 1;
    /// Ethernet source (6 bytes).
    pub const ETH_SRC: u16 = 2;
    /// Ethernet source mask (6 bytes; default all ones).
    pub const ETH_SRC_MASK: u16 = 3;
    /// Ethernet destination (6 bytes).
    pub const ETH_DST: u16 = 4;
    /// Ethernet destination mask (6 bytes; default all ones).
    pub const ETH_DST_MASK: u16 = 5;
    /// Ethernet type (after a VLAN tag).
    pub const ETH_TYPE: u16 = 6;
    /// VLAN id (802.1Q tagged frames only).
    pub const VLAN_VID: u16 = 7;
    /// IP protocol (needs eth-type IPv4 or IPv6).
    pub const IP_PROTO: u16 = 8;
    /// IP source: 4 bytes (eth-type IPv4) or 16 (IPv6).
    pub const IP_SRC: u16 = 9;
    /// IP source mask, same length (default all ones).
    pub const IP_SRC_MASK: u16 = 10;
    /// IP destination: 4 bytes (eth-type IPv4) or 16 (IPv6).
    pub const IP_DST: u16 = 11;
    /// IP destination mask, same length (default all ones).
    pub const IP_DST_MASK: u16 = 12;
    /// L4 source port (TCP/UDP/SCTP; ICMP type).
    pub const L4_SRC: u16 = 13;
    /// L4 destination port (TCP/UDP/SCTP; ICMP code).
    pub const L4_DST: u16 = 14;
    /// Highest attribute number.
    pub const MAX: u16 = 14;
}

/// Attributes of a flow.
pub mod flow_attr {
    /// Priority (higher wins).
    pub const PRIORITY: u16 = 1;
    /// The match (nest).
    pub const MATCH: u16 = 2;
    /// One action (nest, repeated in order); none means drop.
    pub const ACTION: u16 = 3;
    /// flow-set / flow-del: only the flow with exactly this match and priority.
    pub const STRICT: u16 = 4;
    /// Nanoseconds since the flow was added.
    pub const DURATION: u16 = 5;
    /// Packets that matched.
    pub const PACKETS: u16 = 6;
    /// Bytes that matched (whole frames).
    pub const BYTES: u16 = 7;
    /// Reply to flow-set / flow-del: how many flows it changed.
    pub const COUNT: u16 = 8;
    /// Highest attribute number.
    pub const MAX: u16 = 8;
}

/// Attributes of packet-execute.
pub mod packet_attr {
    /// The port the frame enters on.
    pub const IN_PORT: u16 = 1;
    /// The whole Ethernet frame.
    pub const DATA: u16 = 2;
    /// Highest attribute number.
    pub const MAX: u16 = 2;
}

/// Attributes of the datapath counters.
pub mod dp_attr {
    /// Frames that matched a flow.
    pub const HIT: u16 = 1;
    /// Frames that matched no flow.
    pub const MISSED: u16 = 2;
    /// Frames (or copies) dropped by actions: missing port or group, no live bucket, chain too
    /// deep, over the work budget.
    pub const LOST: u16 = 3;
    /// Installed flows.
    pub const FLOWS: u16 = 4;
    /// Attached ports.
    pub const PORTS: u16 = 5;
    /// Most actions per flow.
    pub const MAX_FLOW_ACTIONS: u16 = 6;
    /// Most work units per frame.
    pub const WORK_BUDGET: u16 = 7;
    /// Highest attribute number.
    pub const MAX: u16 = 7;
}

/// The largest attribute number of any top-level set (the family's maxattr).
pub const MAX_ATTR: u16 = 12;

/// Largest frame packet-execute takes.
pub const PACKET_MAX: u16 = 9216;

/// Every attribute set: (name, attributes).
pub const ATTRIBUTE_SETS: &[(&str, &[Attr])] = &[
    (
        "action",
        &[
            a("output", action_attr::OUTPUT, AttrType::U32),
            a("group", action_attr::GROUP, AttrType::U32),
        ],
    ),
    (
        "bucket",
        &[
            a("id", bucket_attr::ID, AttrType::U32),
            a("weight", bucket_attr::WEIGHT, AttrType::U16),
            a("watch-port", bucket_attr::WATCH_PORT, AttrType::U32),
            a("watch-group", bucket_attr::WATCH_GROUP, AttrType::U32),
            m("action", bucket_attr::ACTION, AttrType::Nest("action")),
            a("packets", bucket_attr::PACKETS, AttrType::Uint),
            a("bytes", bucket_attr::BYTES, AttrType::Uint),
        ],
    ),
    (
        "group",
        &[
            a("id", group_attr::ID, AttrType::U32),
            a("type", group_attr::TYPE, AttrType::U32),
            m("hash-field", group_attr::HASH_FIELD, AttrType::U32),
            a("basis", group_attr::BASIS, AttrType::U32),
            m("bucket", group_attr::BUCKET, AttrType::Nest("bucket")),
            a("may-create", group_attr::MAY_CREATE, AttrType::Flag),
            a(
                "command-bucket-id",
                group_attr::COMMAND_BUCKET_ID,
                AttrType::U32,
            ),
            a("stats", group_attr::STATS, AttrType::Flag),
            a("duration", group_attr::DURATION, AttrType::Uint),
            a("ref-count", group_attr::REF_COUNT, AttrType::U32),
            a("packets", group_attr::PACKETS, AttrType::Uint),
            a("bytes", group_attr::BYTES, AttrType::Uint),
        ],
    ),
    (
        "features",
        &[
            a("types", features_attr::TYPES, AttrType::U32),
            a("capabilities", features_attr::CAPABILITIES, AttrType::U32),
            m("max-groups", features_attr::MAX_GROUPS, AttrType::U32),
            a("max-buckets", features_attr::MAX_BUCKETS, AttrType::U32),
            a("actions", features_attr::ACTIONS, AttrType::U32),
            a("max-actions", features_attr::MAX_ACTIONS, AttrType::U32),
            a("work-budget", features_attr::WORK_BUDGET, AttrType::U32),
        ],
    ),
    (
        "port",
        &[
            a("port-no", port_attr::PORT_NO, AttrType::U32),
            a("ifindex", port_attr::IFINDEX, AttrType::U32),
            a("ifname", port_attr::IFNAME, AttrType::String(15)),
            a("live", port_attr::LIVE, AttrType::Flag),
            a("rx-packets", port_attr::RX_PACKETS, AttrType::Uint),
            a("rx-bytes", port_attr::RX_BYTES, AttrType::Uint),
            a("rx-missed", port_attr::RX_MISSED, AttrType::Uint),
            a("tx-packets", port_attr::TX_PACKETS, AttrType::Uint),
            a("tx-bytes", port_attr::TX_BYTES, AttrType::Uint),
            a("tx-dropped", port_attr::TX_DROPPED, AttrType::Uint),
        ],
    ),
    (
        "match",
        &[
            a("in-port", match_attr::IN_PORT, AttrType::U32),
            a("eth-src", match_attr::ETH_SRC, AttrType::Binary(6)),
            a(
                "eth-src-mask",
                match_attr::ETH_SRC_MASK,
                AttrType::Binary(6),
            ),
            a("eth-dst", match_attr::ETH_DST, AttrType::Binary(6)),
            a(
                "eth-dst-mask",
                match_attr::ETH_DST_MASK,
                AttrType::Binary(6),
            ),
            a("eth-type", match_attr::ETH_TYPE, AttrType::U16),
            a("vlan-vid", match_attr::VLAN_VID, AttrType::U16),
            a("ip-proto", match_attr::IP_PROTO, AttrType::U8),
            a("ip-src", match_attr::IP_SRC, AttrType::Binary(16)),
            a("ip-src-mask", match_attr::IP_SRC_MASK, AttrType::Binary(16)),
            a("ip-dst", match_attr::IP_DST, AttrType::Binary(16)),
            a("ip-dst-mask", match_attr::IP_DST_MASK, AttrType::Binary(16)),
            a("l4-src", match_attr::L4_SRC, AttrType::U16),
            a("l4-dst", match_attr::L4_DST, AttrType::U16),
        ],
    ),
    (
        "flow",
        &[
            a("priority", flow_attr::PRIORITY, AttrType::U16),
            a("match", flow_attr::MATCH, AttrType::Nest("match")),
            m("action", flow_attr::ACTION, AttrType::Nest("action")),
            a("strict", flow_attr::STRICT, AttrType::Flag),
            a("duration", flow_attr::DURATION, AttrType::Uint),
            a("packets", flow_attr::PACKETS, AttrType::Uint),
            a("bytes", flow_attr::BYTES, AttrType::Uint),
            a("count", flow_attr::COUNT, AttrType::U32),
        ],
    ),
    (
        "packet",
        &[
            a("in-port", packet_attr::IN_PORT, AttrType::U32),
            a("data", packet_attr::DATA, AttrType::Binary(PACKET_MAX)),
        ],
    ),
    (
        "dp",
        &[
            a("hit", dp_attr::HIT, AttrType::Uint),
            a("missed", dp_attr::MISSED, AttrType::Uint),
            a("lost", dp_attr::LOST, AttrType::Uint),
            a("flows", dp_attr::FLOWS, AttrType::U32),
            a("ports", dp_attr::PORTS, AttrType::U32),
            a("max-flow-actions", dp_attr::MAX_FLOW_ACTIONS, AttrType::U32),
            a("work-budget", dp_attr::WORK_BUDGET, AttrType::U32),
        ],
    ),
];

/// One operation of the family.
#[derive(Clone, Copy, Debug)]
pub struct Op {
    /// Spec name.
    pub name: &'static str,
    /// Command number.
    pub cmd: u8,
    /// The attribute set its messages carry.
    pub set: &'static str,
    /// Needs CAP_NET_ADMIN (`admin-perm`).
    pub admin: bool,
    /// Attributes a `do` request may carry (`None`: no `do`).
    pub do_request: Option<&'static [&'static str]>,
    /// Attributes a `dump` request may carry (`None`: no `dump`).
    pub dump_request: Option<&'static [&'static str]>,
}

const GROUP_SPEC: &[&str] = &["id", "type", "hash-field", "basis", "bucket"];

/// Every operation, in command order. Notifications have neither `do` nor `dump`.
pub const OPERATIONS: &[Op] = &[
    Op {
        name: "group-new",
        cmd: cmd::GROUP_NEW,
        set: "group",
        admin: true,
        do_request: Some(GROUP_SPEC),
        dump_request: None,
    },
    Op {
        name: "group-set",
        cmd: cmd::GROUP_SET,
        set: "group",
        admin: true,
        do_request: Some(&["id", "type", "hash-field", "basis", "bucket", "may-create"]),
        dump_request: None,
    },
    Op {
        name: "group-del",
        cmd: cmd::GROUP_DEL,
        set: "group",
        admin: true,
        do_request: Some(&["id"]),
        dump_request: None,
    },
    Op {
        name: "bucket-insert",
        cmd: cmd::BUCKET_INSERT,
        set: "group",
        admin: true,
        do_request: Some(&["id", "command-bucket-id", "bucket"]),
        dump_request: None,
    },
    Op {
        name: "bucket-remove",
        cmd: cmd::BUCKET_REMOVE,
        set: "group",
        admin: true,
        do_request: Some(&["id", "command-bucket-id"]),
        dump_request: None,
    },
    Op {
        name: "group-get",
        cmd: cmd::GROUP_GET,
        set: "group",
        admin: false,
        do_request: Some(&["id", "stats"]),
        dump_request: Some(&["stats"]),
    },
    Op {
        name: "stats-reset",
        cmd: cmd::STATS_RESET,
        set: "group",
        admin: true,
        do_request: Some(&["id"]),
        dump_request: None,
    },
    Op {
        name: "features-get",
        cmd: cmd::FEATURES_GET,
        set: "features",
        admin: false,
        do_request: Some(&[]),
        dump_request: None,
    },
    Op {
        name: "group-change-ntf",
        cmd: cmd::GROUP_CHANGE_NTF,
        set: "group",
        admin: false,
        do_request: None,
        dump_request: None,
    },
    Op {
        name: "group-del-ntf",
        cmd: cmd::GROUP_DEL_NTF,
        set: "group",
        admin: false,
        do_request: None,
        dump_request: None,
    },
    Op {
        name: "port-new",
        cmd: cmd::PORT_NEW,
        set: "port",
        admin: true,
        do_request: Some(&["port-no", "ifindex", "ifname"]),
        dump_request: None,
    },
    Op {
        name: "port-del",
        cmd: cmd::PORT_DEL,
        set: "port",
        admin: true,
        do_request: Some(&["port-no"]),
        dump_request: None,
    },
    Op {
        name: "port-get",
        cmd: cmd::PORT_GET,
        set: "port",
        admin: false,
        do_request: Some(&["port-no"]),
        dump_request: Some(&[]),
    },
    Op {
        name: "flow-new",
        cmd: cmd::FLOW_NEW,
        set: "flow",
        admin: true,
        do_request: Some(&["priority", "match", "action"]),
        dump_request: None,
    },
    Op {
        name: "flow-set",
        cmd: cmd::FLOW_SET,
        set: "flow",
        admin: true,
        do_request: Some(&["priority", "match", "action", "strict"]),
        dump_request: None,
    },
    Op {
        name: "flow-del",
        cmd: cmd::FLOW_DEL,
        set: "flow",
        admin: true,
        do_request: Some(&["priority", "match", "strict"]),
        dump_request: None,
    },
    Op {
        name: "flow-get",
        cmd: cmd::FLOW_GET,
        set: "flow",
        admin: false,
        do_request: None,
        dump_request: Some(&[]),
    },
    Op {
        name: "packet-execute",
        cmd: cmd::PACKET_EXECUTE,
        set: "packet",
        admin: true,
        do_request: Some(&["in-port", "data"]),
        dump_request: None,
    },
    Op {
        name: "dp-get",
        cmd: cmd::DP_GET,
        set: "dp",
        admin: false,
        do_request: Some(&[]),
        dump_request: None,
    },
];

/// The attribute set `name`, if any.
pub const fn attribute_set(name: &str) -> Option<&'static [Attr]> {
    let mut i = 0;
    while i < ATTRIBUTE_SETS.len() {
        if str_eq(ATTRIBUTE_SETS[i].0, name) {
            return Some(ATTRIBUTE_SETS[i].1);
        }
        i += 1;
    }
    None
}

/// `a == b`, usable in const context.
pub const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Enumerations: (spec name, entries in value order). Their values are the logic crate's
/// (`GroupType`, `HashField`) and the table's capability bits.
pub const ENUMS: &[(&str, &[&str])] = &[
    ("group-type", &["all", "select", "indirect", "ff"]),
    (
        "hash-field",
        &[
            "eth-src", "eth-dst", "eth-type", "vlan-vid", "ip-src", "ip-dst", "ip-proto", "l4-src",
            "l4-dst",
        ],
    ),
    (
        "capability",
        &[
            "select-weight",
            "select-liveness",
            "chaining",
            "chaining-checks",
        ],
    ),
    ("action-type", &["output", "group"]),
];

/// Capability bits (`capability` flags in the spec, in entry order).
pub mod capability {
    /// Select groups take weights.
    pub const SELECT_WEIGHT: u32 = 1 << 0;
    /// Select groups honour liveness.
    pub const SELECT_LIVENESS: u32 = 1 << 1;
    /// Groups may chain to groups.
    pub const CHAINING: u32 = 1 << 2;
    /// Loops and over-deep chains are refused at install.
    pub const CHAINING_CHECKS: u32 = 1 << 3;
}

/// Action bits (`action-type` enum as flags, in entry order).
pub mod action_bit {
    /// output:PORT.
    pub const OUTPUT: u32 = 1 << 0;
    /// group:ID.
    pub const GROUP: u32 = 1 << 1;
}

/// Constants: (spec name, value).
pub const CONSTS: &[(&str, u32)] = &[
    ("group-max", 0xffff_ff00),
    ("bucket-max", 0xffff_ff00),
    ("bucket-first", 0xffff_fffd),
    ("bucket-last", 0xffff_fffe),
    ("bucket-all", 0xffff_ffff),
    ("max-actions", 32),
    ("max-flow-actions", 256),
    ("work-budget", 4096),
];
