// SPDX-License-Identifier: GPL-2.0

//! A bucket as installed: its id, weight, watches, actions and its own counters.

use kernel::{prelude::*, sync::Arc};

use crate::counters::Counters;
use crate::logic::{liveness::Watch, model::Action};

/// An installed bucket. Immutable once its group version is published, except for the counters.
/// The counters are shared (`Arc`) with the bucket of the same id in the next version of the
/// group, so modify and insert/remove keep them and in-flight packets on the old version are
/// still counted.
pub(crate) struct Bucket {
    /// Bucket id, unique within the group.
    pub(crate) id: u32,
    /// Weight (select groups; 0 elsewhere).
    pub(crate) weight: u16,
    /// Watched port / group.
    pub(crate) watch: Watch,
    /// Actions, in order.
    pub(crate) actions: KVec<Action>,
    /// Packets and bytes that ran through this bucket.
    pub(crate) stats: Arc<Counters>,
}

impl Bucket {
    /// A bucket with fresh counters, or `stats` carried over from its previous version.
    pub(crate) fn new(
        id: u32,
        weight: u16,
        watch: Watch,
        actions: &[Action],
        stats: Option<Arc<Counters>>,
    ) -> Result<Self> {
        let mut a = KVec::with_capacity(actions.len(), GFP_KERNEL_ACCOUNT)?;
        a.extend_from_slice(actions, GFP_KERNEL_ACCOUNT)?;
        let stats = match stats {
            Some(s) => s,
            None => Arc::new(Counters::new()?, GFP_KERNEL_ACCOUNT)?,
        };
        Ok(Bucket {
            id,
            weight,
            watch,
            actions: a,
            stats,
        })
    }
}
