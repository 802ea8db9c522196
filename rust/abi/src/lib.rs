// SPDX-License-Identifier: GPL-2.0

//! The `ofgroup` generic netlink ABI: family, operations, multicast groups, attributes and enums.
//!
//! One source of truth, shared by the kernel module (compiled from this same file) and the
//! userspace tools, and proven equal to the YNL spec `spec/ofgroup.yaml` by `tests/spec.rs`
//! (names, numbers, types) and, in the VM, to the policy the loaded module registers.
#![cfg_attr(not(MODULE), no_std)]

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

/// Every operation: (spec name, command number, needs CAP_NET_ADMIN).
pub const OPERATIONS: &[(&str, u8, bool)] = &[
    ("group-new", cmd::GROUP_NEW, true),
    ("group-set", cmd::GROUP_SET, true),
    ("group-del", cmd::GROUP_DEL, true),
    ("bucket-insert", cmd::BUCKET_INSERT, true),
    ("bucket-remove", cmd::BUCKET_REMOVE, true),
    ("group-get", cmd::GROUP_GET, false),
    ("stats-reset", cmd::STATS_RESET, true),
    ("features-get", cmd::FEATURES_GET, false),
    ("group-change-ntf", cmd::GROUP_CHANGE_NTF, false),
    ("group-del-ntf", cmd::GROUP_DEL_NTF, false),
];

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
