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
    /// Notification: a flow was added, or flows were modified.
    pub const FLOW_CHANGE_NTF: u8 = 20;
    /// Notification: flows were deleted.
    pub const FLOW_DEL_NTF: u8 = 21;
    /// Notification: a port was attached.
    pub const PORT_NEW_NTF: u8 = 22;
    /// Notification: a port was detached.
    pub const PORT_DEL_NTF: u8 = 23;
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

/// The largest of `ids` (a set's `MAX`), in const context.
const fn max_id(ids: &[u16]) -> u16 {
    let (mut i, mut max) = (0, 0);
    while i < ids.len() {
        if ids[i] > max {
            max = ids[i];
        }
        i += 1;
    }
    max
}

/// `multi` after an attribute's type: it may repeat.
macro_rules! attr_multi {
    () => {
        false
    };
    (multi) => {
        true
    };
}

/// The attribute sets, each stated once: from one table come a module of `u16` constants per set
/// (with `MAX`, its highest attribute number) and [`ATTRIBUTE_SETS`] (names, numbers, types and
/// `multi-attr`, checked against the YNL spec by `tests/spec.rs`). A line is
/// `CONST = number, "spec-name", Type[(arg)][, multi];` with `Type` an [`AttrType`] variant.
macro_rules! attribute_sets {
    ($(
        $(#[$set_doc:meta])*
        $module:ident = $set:literal {
            $(
                $(#[$doc:meta])*
                $name:ident = $id:literal, $spec:literal, $ty:ident $(($arg:expr))? $(, $multi:ident)?;
            )*
        }
    )*) => {
        $(
            $(#[$set_doc])*
            pub mod $module {
                $(
                    $(#[$doc])*
                    pub const $name: u16 = $id;
                )*
                /// Highest attribute number.
                pub const MAX: u16 = super::max_id(&[$($id),*]);
            }
        )*

        /// Every attribute set: (name, attributes), in spec order.
        pub const ATTRIBUTE_SETS: &[(&str, &[Attr])] = &[
            $(
                (
                    $set,
                    &[$(
                        Attr {
                            name: $spec,
                            id: $module::$name,
                            ty: AttrType::$ty $(($arg))?,
                            multi: attr_multi!($($multi)?),
                        },
                    )*],
                ),
            )*
        ];
    };
}

/// The largest attribute number of any top-level set (the family's maxattr).
pub const MAX_ATTR: u16 = 13;

/// Largest frame packet-execute takes.
pub const PACKET_MAX: u16 = 9216;

attribute_sets! {
    /// Attributes of a bucket action (exactly one per `action` nest).
    action_attr = "action" {
        /// Output port.
        OUTPUT = 1, "output", U32;
        /// Chained group.
        GROUP = 2, "group", U32;
    }
    /// Attributes of a bucket.
    bucket_attr = "bucket" {
        /// Bucket id.
        ID = 1, "id", U32;
        /// Weight.
        WEIGHT = 2, "weight", U16;
        /// Watched port.
        WATCH_PORT = 3, "watch-port", U32;
        /// Watched group.
        WATCH_GROUP = 4, "watch-group", U32;
        /// One action (nest, repeated in order).
        ACTION = 5, "action", Nest("action"), multi;
        /// Packet counter.
        PACKETS = 6, "packets", Uint;
        /// Byte counter.
        BYTES = 7, "bytes", Uint;
    }
    /// Attributes of a group.
    group_attr = "group" {
        /// Group id.
        ID = 1, "id", U32;
        /// Group type (`group-type` enum).
        TYPE = 2, "type", U32;
        /// Hashed field (`hash-field` enum), repeated.
        HASH_FIELD = 3, "hash-field", U32, multi;
        /// Hash basis.
        BASIS = 4, "basis", U32;
        /// One bucket (nest, repeated in order).
        BUCKET = 5, "bucket", Nest("bucket"), multi;
        /// group-set: create if missing.
        MAY_CREATE = 6, "may-create", Flag;
        /// bucket-insert / bucket-remove position.
        COMMAND_BUCKET_ID = 7, "command-bucket-id", U32;
        /// group-get: include counters.
        STATS = 8, "stats", Flag;
        /// Nanoseconds since creation.
        DURATION = 9, "duration", Uint;
        /// Flows referencing the group.
        REF_COUNT = 10, "ref-count", U32;
        /// Packet counter.
        PACKETS = 11, "packets", Uint;
        /// Byte counter.
        BYTES = 12, "bytes", Uint;
        /// This message holds part of the group's buckets: in a dump, the next message carries
        /// the same group's next buckets; in a notification, the buckets were left out.
        PARTIAL = 13, "partial", Flag;
    }
    /// Attributes of the features reply.
    features_attr = "features" {
        /// Bit per supported group type.
        TYPES = 1, "types", U32;
        /// Capability flags.
        CAPABILITIES = 2, "capabilities", U32;
        /// Most groups, one per type in type order.
        MAX_GROUPS = 3, "max-groups", U32, multi;
        /// Most buckets per group.
        MAX_BUCKETS = 4, "max-buckets", U32;
        /// Bit per supported action.
        ACTIONS = 5, "actions", U32;
        /// Most actions per bucket.
        MAX_ACTIONS = 6, "max-actions", U32;
        /// Most work units per frame.
        WORK_BUDGET = 7, "work-budget", U32;
    }
    /// Attributes of a port.
    port_attr = "port" {
        /// Datapath port number.
        PORT_NO = 1, "port-no", U32;
        /// Net device index.
        IFINDEX = 2, "ifindex", U32;
        /// Net device name.
        IFNAME = 3, "ifname", String(15);
        /// The port is up with carrier (drives watch_port).
        LIVE = 4, "live", Flag;
        /// Frames received.
        RX_PACKETS = 5, "rx-packets", Uint;
        /// Bytes received.
        RX_BYTES = 6, "rx-bytes", Uint;
        /// Frames received that matched no flow.
        RX_MISSED = 7, "rx-missed", Uint;
        /// Frames transmitted.
        TX_PACKETS = 8, "tx-packets", Uint;
        /// Bytes transmitted.
        TX_BYTES = 9, "tx-bytes", Uint;
        /// Frames the device refused or that found the port down.
        TX_DROPPED = 10, "tx-dropped", Uint;
    }
    /// Attributes of a flow match; an absent field is a wildcard.
    match_attr = "match" {
        /// Ingress port.
        IN_PORT = 1, "in-port", U32;
        /// Ethernet source (6 bytes).
        ETH_SRC = 2, "eth-src", Binary(6);
        /// Ethernet source mask (6 bytes; default all ones).
        ETH_SRC_MASK = 3, "eth-src-mask", Binary(6);
        /// Ethernet destination (6 bytes).
        ETH_DST = 4, "eth-dst", Binary(6);
        /// Ethernet destination mask (6 bytes; default all ones).
        ETH_DST_MASK = 5, "eth-dst-mask", Binary(6);
        /// Ethernet type (after a VLAN tag).
        ETH_TYPE = 6, "eth-type", U16;
        /// VLAN id (802.1Q tagged frames only).
        VLAN_VID = 7, "vlan-vid", U16;
        /// IP protocol (needs eth-type IPv4 or IPv6).
        IP_PROTO = 8, "ip-proto", U8;
        /// IP source: 4 bytes (eth-type IPv4) or 16 (IPv6).
        IP_SRC = 9, "ip-src", Binary(16);
        /// IP source mask, same length (default all ones).
        IP_SRC_MASK = 10, "ip-src-mask", Binary(16);
        /// IP destination: 4 bytes (eth-type IPv4) or 16 (IPv6).
        IP_DST = 11, "ip-dst", Binary(16);
        /// IP destination mask, same length (default all ones).
        IP_DST_MASK = 12, "ip-dst-mask", Binary(16);
        /// L4 source port (TCP/UDP/SCTP; ICMP type).
        L4_SRC = 13, "l4-src", U16;
        /// L4 destination port (TCP/UDP/SCTP; ICMP code).
        L4_DST = 14, "l4-dst", U16;
    }
    /// Attributes of a flow.
    flow_attr = "flow" {
        /// Priority (higher wins).
        PRIORITY = 1, "priority", U16;
        /// The match (nest).
        MATCH = 2, "match", Nest("match");
        /// One action (nest, repeated in order); none means drop.
        ACTION = 3, "action", Nest("action"), multi;
        /// flow-set / flow-del: only the flow with exactly this match and priority.
        STRICT = 4, "strict", Flag;
        /// Nanoseconds since the flow was added.
        DURATION = 5, "duration", Uint;
        /// Packets that matched.
        PACKETS = 6, "packets", Uint;
        /// Bytes that matched (whole frames).
        BYTES = 7, "bytes", Uint;
        /// Reply to flow-set / flow-del: how many flows it changed.
        COUNT = 8, "count", U32;
    }
    /// Attributes of packet-execute.
    packet_attr = "packet" {
        /// The port the frame enters on.
        IN_PORT = 1, "in-port", U32;
        /// The whole Ethernet frame.
        DATA = 2, "data", Binary(PACKET_MAX);
    }
    /// Attributes of the datapath counters.
    dp_attr = "dp" {
        /// Frames that matched a flow.
        HIT = 1, "hit", Uint;
        /// Frames that matched no flow.
        MISSED = 2, "missed", Uint;
        /// Frames (or copies) dropped by actions: missing port or group, no live bucket, chain too
        /// deep, over the work budget.
        LOST = 3, "lost", Uint;
        /// Installed flows.
        FLOWS = 4, "flows", U32;
        /// Attached ports.
        PORTS = 5, "ports", U32;
        /// Most actions per flow.
        MAX_FLOW_ACTIONS = 6, "max-flow-actions", U32;
        /// Most work units per frame.
        WORK_BUDGET = 7, "work-budget", U32;
    }
}

/// One operation of the family.
#[derive(Clone, Copy, Debug)]
pub struct Op {
    /// Spec name.
    pub name: &'static str,
    /// Command number.
    pub cmd: u8,
    /// The attribute set its messages carry.
    pub set: &'static str,
    /// Needs CAP_NET_ADMIN in the user namespace owning the requester's network namespace
    /// (`uns-admin-perm`).
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
        dump_request: Some(&["id", "stats"]),
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
    Op {
        name: "flow-change-ntf",
        cmd: cmd::FLOW_CHANGE_NTF,
        set: "flow",
        admin: false,
        do_request: None,
        dump_request: None,
    },
    Op {
        name: "flow-del-ntf",
        cmd: cmd::FLOW_DEL_NTF,
        set: "flow",
        admin: false,
        do_request: None,
        dump_request: None,
    },
    Op {
        name: "port-new-ntf",
        cmd: cmd::PORT_NEW_NTF,
        set: "port",
        admin: false,
        do_request: None,
        dump_request: None,
    },
    Op {
        name: "port-del-ntf",
        cmd: cmd::PORT_DEL_NTF,
        set: "port",
        admin: false,
        do_request: None,
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
