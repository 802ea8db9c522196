//! A group request as the user wrote it: every field optional, owned, ready to become netlink
//! attributes or a line of ovs-ofctl output.

use ofgroup_logic::hash::HashField;
use ofgroup_logic::model::{Action, BucketPos, GroupType};

/// A bucket as written (`bucket=bucket_id:0,weight:5,watch_port:10,actions=output:10`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    /// `bucket_id`.
    pub bucket_id: Option<u32>,
    /// `weight`.
    pub weight: Option<u16>,
    /// `watch_port`.
    pub watch_port: Option<u32>,
    /// `watch_group`.
    pub watch_group: Option<u32>,
    /// Actions in order; empty is `actions=drop`.
    pub actions: Vec<Action>,
}

/// Which group(s) a request names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupId {
    /// One group.
    Id(u32),
    /// `group_id=all` (delete, stats).
    All,
}

/// A group as written in ovs-ofctl syntax.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Group {
    /// `group_id`.
    pub group_id: Option<GroupId>,
    /// `type`.
    pub group_type: Option<GroupType>,
    /// `selection_method=hash` was given.
    pub selection_method: bool,
    /// `fields(...)`, in the order written.
    pub fields: Vec<HashField>,
    /// `selection_method_param` (the hash basis).
    pub basis: Option<u32>,
    /// `command_bucket_id` (insert/remove buckets).
    pub command_bucket_id: Option<BucketPos>,
    /// Buckets in order.
    pub buckets: Vec<Bucket>,
}

/// A command in an `add-groups` batch file line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchCommand {
    /// `add`.
    Add,
    /// `modify`.
    Modify,
    /// `add_or_mod`.
    AddOrMod,
    /// `delete`.
    Delete,
    /// `insert_bucket`.
    InsertBucket,
    /// `remove_bucket`.
    RemoveBucket,
}

impl BatchCommand {
    /// All commands with their batch-file keywords.
    pub const ALL: [(BatchCommand, &'static str); 6] = [
        (BatchCommand::Add, "add"),
        (BatchCommand::Modify, "modify"),
        (BatchCommand::AddOrMod, "add_or_mod"),
        (BatchCommand::Delete, "delete"),
        (BatchCommand::InsertBucket, "insert_bucket"),
        (BatchCommand::RemoveBucket, "remove_bucket"),
    ];

    /// The keyword.
    pub fn keyword(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("add", |(_, k)| k)
    }
}
