// SPDX-License-Identifier: GPL-2.0

//! The `ofgroup` generic netlink ABI: family, operations, multicast groups, attributes and enums.
//!
//! One source of truth, shared by the kernel module (compiled from this same file) and the
//! userspace tools, and proven equal to the YNL spec `spec/ofgroup.yaml` by `tests/spec.rs`
//! (names, numbers, types) and, in the VM, to the policy the loaded module registers.
#![cfg_attr(not(MODULE), no_std)]

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
}

/// Attribute data types, as the spec names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttrType {
    /// `u16`.
    U16,
    /// `u32`.
    U32,
    /// `uint`: 4 or 8 bytes on the wire.
    Uint,
    /// `flag`: present or not.
    Flag,
    /// `nest` of another attribute set.
    Nest(&'static str),
}

impl AttrType {
    /// The spec's type name.
    pub fn spec_name(self) -> &'static str {
        match self {
            AttrType::U16 => "u16",
            AttrType::U32 => "u32",
            AttrType::Uint => "uint",
            AttrType::Flag => "flag",
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
    /// Highest attribute number.
    pub const MAX: u16 = 5;
}

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
        admin: true,
        do_request: Some(GROUP_SPEC),
        dump_request: None,
    },
    Op {
        name: "group-set",
        cmd: cmd::GROUP_SET,
        admin: true,
        do_request: Some(&["id", "type", "hash-field", "basis", "bucket", "may-create"]),
        dump_request: None,
    },
    Op {
        name: "group-del",
        cmd: cmd::GROUP_DEL,
        admin: true,
        do_request: Some(&["id"]),
        dump_request: None,
    },
    Op {
        name: "bucket-insert",
        cmd: cmd::BUCKET_INSERT,
        admin: true,
        do_request: Some(&["id", "command-bucket-id", "bucket"]),
        dump_request: None,
    },
    Op {
        name: "bucket-remove",
        cmd: cmd::BUCKET_REMOVE,
        admin: true,
        do_request: Some(&["id", "command-bucket-id"]),
        dump_request: None,
    },
    Op {
        name: "group-get",
        cmd: cmd::GROUP_GET,
        admin: false,
        do_request: Some(&["id", "stats"]),
        dump_request: Some(&["stats"]),
    },
    Op {
        name: "stats-reset",
        cmd: cmd::STATS_RESET,
        admin: true,
        do_request: Some(&["id"]),
        dump_request: None,
    },
    Op {
        name: "features-get",
        cmd: cmd::FEATURES_GET,
        admin: false,
        do_request: Some(&[]),
        dump_request: None,
    },
    Op {
        name: "group-change-ntf",
        cmd: cmd::GROUP_CHANGE_NTF,
        admin: false,
        do_request: None,
        dump_request: None,
    },
    Op {
        name: "group-del-ntf",
        cmd: cmd::GROUP_DEL_NTF,
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
];
