// SPDX-License-Identifier: GPL-2.0

//! The group model as OpenFlow 1.5 defines it: ids, group types, buckets and their actions.
//! Values here are the ABI's; `rust/abi` and the YNL spec name the same numbers.

use super::hash::FieldSet;

/// Largest group id a group may have (OFPG_MAX).
pub const OFPG_MAX: u32 = 0xffff_ff00;
/// Wildcard group id of delete and stats requests (OFPG_ALL).
pub const OFPG_ALL: u32 = 0xffff_fffc;
/// "No group" in `watch_group` (OFPG_ANY).
pub const OFPG_ANY: u32 = 0xffff_ffff;
/// Largest port number an action or watch may name (OFPP_MAX).
pub const OFPP_MAX: u32 = 0xffff_ff00;
/// "No port" in `watch_port` (OFPP_ANY).
pub const OFPP_ANY: u32 = 0xffff_ffff;
/// Largest bucket id (OFPG_BUCKET_MAX).
pub const BUCKET_MAX: u32 = 0xffff_ff00;
/// Bucket command id: the first bucket (OFPG_BUCKET_FIRST).
pub const BUCKET_FIRST: u32 = 0xffff_fffd;
/// Bucket command id: the last bucket (OFPG_BUCKET_LAST).
pub const BUCKET_LAST: u32 = 0xffff_fffe;
/// Bucket command id: all buckets (OFPG_BUCKET_ALL).
pub const BUCKET_ALL: u32 = 0xffff_ffff;

/// Longest chain of groups (group -> group via `group:` actions or `watch_group`) a table accepts.
/// A chain of N groups has depth N - 1; installing anything that would make a longer one fails.
pub const MAX_CHAIN_DEPTH: u32 = 16;
/// Most actions one bucket may carry.
pub const MAX_ACTIONS: usize = 32;

/// Group type. Numeric values are OpenFlow's (`OFPGT_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum GroupType {
    /// Every bucket runs on its own copy of the packet.
    All = 0,
    /// One live bucket, chosen by a hash of the packet and the buckets' weights.
    Select = 1,
    /// Exactly one bucket.
    Indirect = 2,
    /// The first live bucket in order.
    FastFailover = 3,
}

impl GroupType {
    /// All types, in numeric order.
    pub const ALL: [GroupType; 4] = [
        GroupType::All,
        GroupType::Select,
        GroupType::Indirect,
        GroupType::FastFailover,
    ];

    /// The type for an ABI value.
    pub fn from_u32(v: u32) -> Option<Self> {
        Self::ALL.get(v as usize).copied()
    }

    /// ovs-ofctl's name (`ff` is accepted too when parsing).
    pub fn name(self) -> &'static str {
        match self {
            GroupType::All => "all",
            GroupType::Select => "select",
            GroupType::Indirect => "indirect",
            GroupType::FastFailover => "ff",
        }
    }

    /// Parse an ovs-ofctl type name.
    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "all" => Some(GroupType::All),
            "select" => Some(GroupType::Select),
            "indirect" => Some(GroupType::Indirect),
            "ff" | "fast_failover" => Some(GroupType::FastFailover),
            _ => None,
        }
    }
}

/// One bucket action. Room for more kinds later; unknown kinds are rejected at the ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Transmit on a datapath port.
    Output(u32),
    /// Run another group (chaining).
    Group(u32),
}

/// A bucket as requested (before ids are assigned and defaults applied).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BucketSpec<'a> {
    /// Requested id; `None` = next free, counting 0, 1, 2 … in order.
    pub bucket_id: Option<u32>,
    /// Requested weight; `None` = 1 in select groups, 0 elsewhere.
    pub weight: Option<u16>,
    /// Port whose liveness makes this bucket live (`None` or OFPP_ANY: none).
    pub watch_port: Option<u32>,
    /// Group whose liveness makes this bucket live (`None` or OFPG_ANY: none).
    pub watch_group: Option<u32>,
    /// The actions, in order.
    pub actions: &'a [Action],
}

impl<'a> BucketSpec<'a> {
    /// A bucket with only actions.
    pub const fn new(actions: &'a [Action]) -> Self {
        BucketSpec {
            bucket_id: None,
            weight: None,
            watch_port: None,
            watch_group: None,
            actions,
        }
    }

    /// The watched port, if any.
    pub fn watched_port(&self) -> Option<u32> {
        self.watch_port.filter(|&p| p != OFPP_ANY)
    }

    /// The watched group, if any.
    pub fn watched_group(&self) -> Option<u32> {
        self.watch_group.filter(|&g| g != OFPG_ANY)
    }

    /// Group ids this bucket refers to (actions and watch), duplicates included.
    pub fn group_refs(&self) -> impl Iterator<Item = u32> + '_ {
        self.actions
            .iter()
            .filter_map(|a| match a {
                Action::Group(g) => Some(*g),
                Action::Output(_) => None,
            })
            .chain(self.watched_group())
    }
}

/// A group as requested.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GroupSpec<'a> {
    /// Group id.
    pub id: u32,
    /// Group type.
    pub group_type: GroupType,
    /// Select hash fields (empty: symmetric L4 default).
    pub fields: FieldSet,
    /// Select hash basis.
    pub basis: u32,
    /// Buckets in order.
    pub buckets: &'a [BucketSpec<'a>],
}

impl GroupSpec<'_> {
    /// Group ids the group refers to through its buckets, duplicates included.
    pub fn group_refs(&self) -> impl Iterator<Item = u32> + '_ {
        self.buckets.iter().flat_map(|b| b.group_refs())
    }
}

/// Where `insert_bucket` puts new buckets, or which buckets `remove_bucket` removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BucketPos {
    /// Before the first bucket / the first bucket.
    First,
    /// After the last bucket / the last bucket.
    Last,
    /// All buckets (remove only).
    All,
    /// Before the bucket with this id / the bucket with this id.
    Id(u32),
}

impl BucketPos {
    /// Decode an OpenFlow command bucket id.
    pub fn from_u32(v: u32) -> Option<Self> {
        match v {
            BUCKET_FIRST => Some(BucketPos::First),
            BUCKET_LAST => Some(BucketPos::Last),
            BUCKET_ALL => Some(BucketPos::All),
            id if id <= BUCKET_MAX => Some(BucketPos::Id(id)),
            _ => None,
        }
    }

    /// Encode as an OpenFlow command bucket id.
    pub fn to_u32(self) -> u32 {
        match self {
            BucketPos::First => BUCKET_FIRST,
            BucketPos::Last => BUCKET_LAST,
            BucketPos::All => BUCKET_ALL,
            BucketPos::Id(id) => id,
        }
    }
}
