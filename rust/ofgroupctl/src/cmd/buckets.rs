//! Buckets: insert-buckets, remove-buckets.

use ofgroupctl::nl::Client;
use ofgroupctl::parse::{parse_group, Expect};
use ofgroupctl::spec::BatchCommand;

use super::Fail;

/// `insert-buckets`.
pub(crate) fn insert(group: &str) -> Result<(), Fail> {
    let g = parse_group(group, Expect::Insert)?;
    Client::connect()?.apply(BatchCommand::InsertBucket, &g)?;
    Ok(())
}

/// `remove-buckets`.
pub(crate) fn remove(group: &str) -> Result<(), Fail> {
    let g = parse_group(group, Expect::Remove)?;
    Client::connect()?.apply(BatchCommand::RemoveBucket, &g)?;
    Ok(())
}
