// SPDX-License-Identifier: GPL-2.0

//! A group version: type, select parameters and buckets, immutable once published, plus the state
//! that outlives versions (counters, creation time, flow references) in [`GroupShared`].

use kernel::{
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Arc,
    },
};

use crate::bucket::Bucket;
use crate::counters::Counters;
#[cfg(ofgroup_kunit)]
use crate::counters::Totals;
use crate::ffi::{self, RcuLink, Retire};
use crate::logic::{
    chain::Memo,
    gso::Wire,
    hash::FieldSet,
    liveness::{bucket_live, LiveEnv},
    model::{Action, GroupType},
    select::{self, Candidate},
};

/// Group objects alive (all versions, in the table, retired or held). KUnit uses it to prove
/// every version is freed (kunit variant only).
#[cfg(ofgroup_kunit)]
pub(crate) static LIVE_GROUPS: Atomic<i64> = Atomic::new(0);

/// What a group keeps across versions (modify, insert/remove buckets) until it is deleted.
pub(crate) struct GroupShared {
    /// When the group was created (boottime ns); duration counts from here.
    pub(crate) created_ns: u64,
    /// Packets and bytes that entered the group.
    pub(crate) stats: Counters,
    /// Number of flows whose actions reference the group (OpenFlow's ref_count).
    flow_refs: Atomic<u32>,
}

impl GroupShared {
    /// Shared state of a group created now.
    pub(crate) fn new() -> Result<Arc<Self>> {
        Ok(Arc::new(
            GroupShared {
                created_ns: ffi::boottime_ns(),
                stats: Counters::new()?,
                flow_refs: Atomic::new(0),
            },
            GFP_KERNEL_ACCOUNT,
        )?)
    }

    /// A flow started referencing the group.
    pub(crate) fn hold_flow_ref(&self) {
        self.flow_refs.add(1u32, Relaxed);
    }

    /// A flow stopped referencing the group.
    pub(crate) fn release_flow_ref(&self) {
        self.flow_refs.fetch_sub(1u32, Relaxed);
    }

    /// Number of flows referencing the group.
    pub(crate) fn flow_refs(&self) -> u32 {
        self.flow_refs.load(Relaxed)
    }
}

/// One published version of a group.
///
/// # Invariants
///
/// `buckets` satisfies the group's validation (`logic::validate::validate_group`) and the table's
/// chaining rules at the time it was published; bucket ids are unique.
pub(crate) struct Group {
    /// Group id.
    pub(crate) id: u32,
    /// Group type.
    pub(crate) group_type: GroupType,
    /// Select hash fields (empty: symmetric L4).
    pub(crate) fields: FieldSet,
    /// Select hash basis.
    pub(crate) basis: u32,
    /// Buckets in order.
    pub(crate) buckets: KVVec<Bucket>,
    /// State shared by every version of this group.
    pub(crate) shared: Arc<GroupShared>,
    /// Per-check memos of the chaining check, tagged with the check's generation (writer only).
    memo: [Atomic<u64>; Memo::COUNT],
    /// Its deferred release once replaced or deleted.
    rcu: RcuLink,
}

impl Retire for Group {
    fn rcu_link(&self) -> &RcuLink {
        &self.rcu
    }
}

/// A reading of a group's counters (KUnit's view; netlink replies read them in place).
#[cfg(ofgroup_kunit)]
pub(crate) struct GroupStats {
    /// Group id.
    pub(crate) id: u32,
    /// Nanoseconds since the group was created.
    pub(crate) duration_ns: u64,
    /// Flows referencing the group.
    pub(crate) ref_count: u32,
    /// Group totals.
    pub(crate) totals: Totals,
    /// Per bucket, in bucket order: (bucket id, totals).
    pub(crate) buckets: KVVec<(u32, Totals)>,
}

impl Group {
    /// A new version. `buckets` must already be validated.
    pub(crate) fn new(
        id: u32,
        group_type: GroupType,
        fields: FieldSet,
        basis: u32,
        buckets: KVVec<Bucket>,
        shared: Arc<GroupShared>,
    ) -> Result<Arc<Self>> {
        let g = Arc::new(
            Group {
                id,
                group_type,
                fields,
                basis,
                buckets,
                shared,
                memo: [const { Atomic::new(0) }; Memo::COUNT],
                rcu: RcuLink::new(),
            },
            GFP_KERNEL_ACCOUNT,
        )?;
        #[cfg(ofgroup_kunit)]
        LIVE_GROUPS.add(1i64, Relaxed);
        Ok(g)
    }

    /// The bucket with id `id`.
    pub(crate) fn bucket(&self, id: u32) -> Option<&Bucket> {
        self.buckets.iter().find(|b| b.id == id)
    }

    /// Bucket ids in order.
    pub(crate) fn bucket_ids(&self) -> Result<KVVec<u32>> {
        let mut v = KVVec::with_capacity(self.buckets.len(), GFP_KERNEL)?;
        for b in &self.buckets {
            v.push(b.id, GFP_KERNEL)?;
        }
        Ok(v)
    }

    /// Group ids this version refers to (actions and watches), duplicates included.
    pub(crate) fn group_refs(&self) -> impl Iterator<Item = u32> + '_ {
        self.buckets.iter().flat_map(|b| {
            let actions = b.actions.iter().filter_map(|a| match a {
                Action::Group(g) => Some(*g),
                Action::Output(_) => None,
            });
            let watch = (b.watch.group != crate::logic::model::OFPG_ANY).then_some(b.watch.group);
            Iterator::chain(actions, watch)
        })
    }

    /// The buckets a packet with flow hash `hash` runs through, per the group type, calling `run`
    /// for each in order. Returns how many ran (0: dropped, nothing to credit).
    /// Lock-free and allocation-free: safe on the packet path.
    pub(crate) fn for_each_chosen<'a>(
        &'a self,
        env: &dyn LiveEnv,
        hash: u32,
        mut run: impl FnMut(&'a Bucket),
    ) -> usize {
        match self.group_type {
            GroupType::All | GroupType::Indirect => {
                self.buckets.iter().for_each(&mut run);
                self.buckets.len()
            }
            GroupType::Select => {
                let cands = self.buckets.iter().map(|b| Candidate {
                    bucket_id: b.id,
                    weight: b.weight,
                    live: b.weight != 0 && bucket_live(env, b.watch, 0),
                });
                match select::select(hash, cands).and_then(|i| self.buckets.get(i)) {
                    Some(b) => {
                        run(b);
                        1
                    }
                    None => 0,
                }
            }
            GroupType::FastFailover => {
                match self.buckets.iter().find(|b| bucket_live(env, b.watch, 0)) {
                    Some(b) => {
                        run(b);
                        1
                    }
                    None => 0,
                }
            }
        }
    }

    /// Credit a frame standing for `w` to every bucket `for_each_chosen` picks, calling `run` for each
    /// after crediting it, and to the group when at least one was; returns how many buckets were
    /// credited (0: dropped, and nothing is credited, as in OVS). The packet path's accounting.
    pub(crate) fn credit_packet<'a>(
        &'a self,
        env: &dyn LiveEnv,
        hash: u32,
        w: Wire,
        mut run: impl FnMut(&'a Bucket),
    ) -> usize {
        let n = self.for_each_chosen(env, hash, |b| {
            b.stats.credit(w);
            run(b);
        });
        if n > 0 {
            self.shared.stats.credit(w);
        }
        n
    }

    /// Credit a frame standing for `w` to every bucket and to the group: what an `all` or
    /// `indirect` group with at least one bucket runs (the packet path's walk runs the buckets).
    pub(crate) fn credit_all(&self, w: Wire) {
        for b in &self.buckets {
            b.stats.credit(w);
        }
        self.shared.stats.credit(w);
    }

    /// Nanoseconds since the group was created.
    pub(crate) fn duration_ns(&self) -> u64 {
        ffi::boottime_ns().saturating_sub(self.shared.created_ns)
    }

    /// Read the counters (KUnit's view; netlink replies read them in place).
    #[cfg(ofgroup_kunit)]
    pub(crate) fn stats(&self) -> Result<GroupStats> {
        let mut buckets = KVVec::with_capacity(self.buckets.len(), GFP_KERNEL)?;
        for b in &self.buckets {
            buckets.push((b.id, b.stats.read()), GFP_KERNEL)?;
        }
        Ok(GroupStats {
            id: self.id,
            duration_ns: self.duration_ns(),
            ref_count: self.shared.flow_refs(),
            totals: self.shared.stats.read(),
            buckets,
        })
    }

    /// Zero the group's and every bucket's counters.
    pub(crate) fn reset_stats(&self) {
        self.shared.stats.reset();
        self.buckets.iter().for_each(|b| b.stats.reset());
    }

    fn memo_slot(&self, which: Memo) -> &Atomic<u64> {
        &self.memo[which.index()]
    }

    /// The chaining / work memo for check generation `generation`, if set in it.
    pub(crate) fn memo(&self, generation: u32, which: Memo) -> Option<u32> {
        let v = self.memo_slot(which).load(Relaxed);
        ((v >> 32) as u32 == generation).then_some(v as u32)
    }

    /// Set the chaining / work memo for check generation `generation`.
    pub(crate) fn set_memo(&self, generation: u32, which: Memo, value: u32) {
        self.memo_slot(which)
            .store(u64::from(generation) << 32 | u64::from(value), Relaxed);
    }
}

#[cfg(ofgroup_kunit)]
impl Drop for Group {
    fn drop(&mut self) {
        LIVE_GROUPS.add(-1i64, Relaxed);
    }
}
