// SPDX-License-Identifier: GPL-2.0

//! Group-table errors: OpenFlow's group-mod failure codes, each with an errno for netlink and a
//! message that names the group, the bucket and the field at fault.

use core::fmt;

/// Linux errno values used by ofgroup (generic across architectures).
pub mod errno {
    /// No such entity.
    pub const ENOENT: i32 = 2;
    /// Argument list too long.
    pub const E2BIG: i32 = 7;
    /// Entity exists.
    pub const EEXIST: i32 = 17;
    /// Invalid argument.
    pub const EINVAL: i32 = 22;
    /// No space left.
    pub const ENOSPC: i32 = 28;
    /// Too many levels of links (loops, chains too deep).
    pub const ELOOP: i32 = 40;
    /// Operation not supported.
    pub const EOPNOTSUPP: i32 = 95;
}

/// OpenFlow group-mod failure codes (OFPGMFC_*) plus ofgroup's own chain-depth error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Add of an existing group id.
    GroupExists,
    /// Invalid group: bad id, bad bucket count for the type, weight outside select, bad fields.
    InvalidGroup,
    /// Too many groups.
    OutOfGroups,
    /// Too many buckets.
    OutOfBuckets,
    /// Watch fields on a group type that has no liveness (all, indirect).
    WatchUnsupported,
    /// The change would make a group reach itself.
    Loop,
    /// The change would make a chain of groups longer than [`super::model::MAX_CHAIN_DEPTH`].
    ChainTooDeep,
    /// Modify or bucket command on a missing group.
    UnknownGroup,
    /// Unknown group type.
    BadType,
    /// Unknown or malformed command.
    BadCommand,
    /// Malformed bucket: bad or duplicate id, bad action.
    BadBucket,
    /// Malformed watch: bad port/group, or a fast_failover bucket without one.
    BadWatch,
    /// Bucket command on a bucket id the group does not have.
    UnknownBucket,
    /// Insert of a bucket id the group already has.
    BucketExists,
    /// Too many actions: a bucket or flow over its action cap, or a group or flow whose
    /// worst-case per-frame work exceeds [`super::work::WORK_BUDGET`] (OFPBAC_TOO_MANY).
    TooMany,
}

impl ErrorKind {
    /// The errno a netlink request fails with.
    pub fn errno(self) -> i32 {
        use errno::*;
        match self {
            ErrorKind::GroupExists | ErrorKind::BucketExists => EEXIST,
            ErrorKind::UnknownGroup | ErrorKind::UnknownBucket => ENOENT,
            ErrorKind::OutOfGroups | ErrorKind::OutOfBuckets => ENOSPC,
            ErrorKind::Loop | ErrorKind::ChainTooDeep => ELOOP,
            ErrorKind::TooMany => E2BIG,
            ErrorKind::WatchUnsupported => EOPNOTSUPP,
            ErrorKind::InvalidGroup
            | ErrorKind::BadType
            | ErrorKind::BadCommand
            | ErrorKind::BadBucket
            | ErrorKind::BadWatch => EINVAL,
        }
    }

    /// OpenFlow's name for the code (ovs-ofctl prints `OFPGMFC_<name>`).
    pub fn of_name(self) -> &'static str {
        match self {
            ErrorKind::GroupExists => "GROUP_EXISTS",
            ErrorKind::InvalidGroup => "INVALID_GROUP",
            ErrorKind::OutOfGroups => "OUT_OF_GROUPS",
            ErrorKind::OutOfBuckets => "OUT_OF_BUCKETS",
            ErrorKind::WatchUnsupported => "WATCH_UNSUPPORTED",
            ErrorKind::Loop => "LOOP",
            ErrorKind::ChainTooDeep => "CHAIN_TOO_DEEP",
            ErrorKind::UnknownGroup => "UNKNOWN_GROUP",
            ErrorKind::BadType => "BAD_TYPE",
            ErrorKind::BadCommand => "BAD_COMMAND",
            ErrorKind::BadBucket => "BAD_BUCKET",
            ErrorKind::BadWatch => "BAD_WATCH",
            ErrorKind::UnknownBucket => "UNKNOWN_BUCKET",
            ErrorKind::BucketExists => "BUCKET_EXISTS",
            ErrorKind::TooMany => "TOO_MANY",
        }
    }
}

/// Which part of a request an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The group id.
    GroupId,
    /// The group type.
    Type,
    /// The bucket list as a whole.
    Buckets,
    /// A bucket's id.
    BucketId,
    /// A bucket's weight.
    Weight,
    /// A bucket's watch_port.
    WatchPort,
    /// A bucket's watch_group.
    WatchGroup,
    /// A bucket's actions.
    Actions,
    /// The select hash fields.
    Fields,
    /// The command bucket id of insert/remove.
    CommandBucketId,
    /// The table as a whole (limits).
    Table,
    /// The worst-case work one frame does (the value is the work; see [`super::work`]).
    Work,
}

impl Field {
    /// The field's ovs-ofctl / spec name.
    pub fn name(self) -> &'static str {
        match self {
            Field::GroupId => "group_id",
            Field::Type => "type",
            Field::Buckets => "buckets",
            Field::BucketId => "bucket_id",
            Field::Weight => "weight",
            Field::WatchPort => "watch_port",
            Field::WatchGroup => "watch_group",
            Field::Actions => "actions",
            Field::Fields => "fields",
            Field::CommandBucketId => "command_bucket_id",
            Field::Table => "table",
            Field::Work => "per-frame work",
        }
    }
}

/// A rejected request: what, where, and a short reason. `Display` gives the extack message, e.g.
/// `INVALID_GROUP: group 1234 bucket 2: weight: only select groups have weights`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    /// OpenFlow code.
    pub kind: ErrorKind,
    /// The group the request was about.
    pub group: u32,
    /// The bucket, when one is at fault (its id, or its position if it had no id yet).
    pub bucket: Option<BucketRef>,
    /// The field at fault.
    pub field: Field,
    /// Why, in a few words.
    pub reason: &'static str,
    /// A value worth naming (another group id, a limit), if any.
    pub value: Option<u64>,
    /// For work errors: the group the named bucket (or flow) leads to, on the path at fault.
    pub via: Option<u32>,
    /// For work errors: the error is about a flow (its priority), not about group `group`.
    pub flow: Option<u16>,
}

/// How an error names a bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BucketRef {
    /// By bucket id.
    Id(u32),
    /// By position in the request (0-based), before it had an id.
    Index(usize),
}

impl Error {
    /// An error about the group as a whole.
    pub const fn group(kind: ErrorKind, group: u32, field: Field, reason: &'static str) -> Self {
        Error {
            kind,
            group,
            bucket: None,
            field,
            reason,
            value: None,
            via: None,
            flow: None,
        }
    }

    /// An error about one bucket.
    pub const fn bucket(
        kind: ErrorKind,
        group: u32,
        bucket: BucketRef,
        field: Field,
        reason: &'static str,
    ) -> Self {
        Error {
            kind,
            group,
            bucket: Some(bucket),
            field,
            reason,
            value: None,
            via: None,
            flow: None,
        }
    }

    /// The same error, naming a value.
    pub const fn with_value(mut self, v: u64) -> Self {
        self.value = Some(v);
        self
    }

    /// The same error, naming the group the path goes on to.
    pub const fn with_via(mut self, via: Option<u32>) -> Self {
        self.via = via;
        self
    }

    /// The same error, about a flow of priority `priority` rather than a group.
    pub const fn about_flow(mut self, priority: u16) -> Self {
        self.flow = Some(priority);
        self
    }

    /// The errno for netlink.
    pub fn errno(&self) -> i32 {
        self.kind.errno()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The code first: extack keeps 79 bytes, so a long reason is what gets cut.
        match self.flow {
            Some(p) => write!(f, "{}: flow priority {p}", self.kind.of_name())?,
            None => write!(f, "{}: group {}", self.kind.of_name(), self.group)?,
        }
        match self.bucket {
            Some(BucketRef::Id(id)) => write!(f, " bucket {id}")?,
            Some(BucketRef::Index(i)) => write!(f, " bucket #{i}")?,
            None => {}
        }
        if let Some(v) = self.via {
            write!(f, " -> group {v}")?;
        }
        if let (Field::Work, Some(w)) = (self.field, self.value) {
            // e.g. `TOO_MANY: group 1 bucket 3 -> group 7: per-frame work 1050624 > budget 4096`
            return write!(
                f,
                ": {} {w} > budget {}",
                self.field.name(),
                super::work::WORK_BUDGET
            );
        }
        write!(f, ": {}: {}", self.field.name(), self.reason)?;
        if let Some(v) = self.value {
            write!(f, " ({v})")?;
        }
        Ok(())
    }
}

/// Result of table operations.
pub type Result<T = ()> = core::result::Result<T, Error>;
