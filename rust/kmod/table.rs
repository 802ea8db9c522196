// SPDX-License-Identifier: GPL-2.0

//! The group table: groups by id, readable lock-free under RCU from the packet path, changed by
//! writers serialized by a mutex.
//!
//! Structure: an XArray indexed by group id (a radix tree, 64-way: 1 level for ids below 64,
//! 4 levels for a million, so a lookup is a handful of dependent loads whatever the table size),
//! holding `Arc<Group>`. A change builds a complete new version of the group off to the side,
//! validates it, and publishes it with one store; the replaced version is retired and freed after
//! an RCU grace period once no holder keeps it. Writer-side bookkeeping (counts, the reverse index
//! of chaining references) lives in [`Writer`] under the mutex.

use core::cell::Cell;

use kernel::{
    new_mutex,
    prelude::*,
    rbtree::RBTree,
    sync::{rcu, Arc, Mutex},
};

use crate::abi::{action_bit, capability};
use crate::bucket::Bucket;
use crate::ffi::{RcuXArray, Retired};
#[cfg(ofgroup_kunit)]
use crate::group::GroupStats;
use crate::group::{Group, GroupShared};
use crate::logic::{
    chain::{self, ChainGraph, Memo},
    error::{Error as OfError, ErrorKind, Field},
    liveness::{LiveEnv, Watch},
    model::{Action, BucketPos, BucketSpec, GroupSpec, GroupType, MAX_ACTIONS, OFPG_ANY, OFPP_ANY},
    validate,
    work::{self, BucketView, FlowSet, NoFlows, WorkGraph},
};

/// Why a table operation failed: an OpenFlow error (with its message), or the kernel ran out of
/// memory. Either way the table is unchanged.
#[derive(Debug)]
pub(crate) enum OpError {
    /// Refused: the request is invalid in this table.
    Of(OfError),
    /// Allocation failed.
    NoMem,
}

impl OpError {
    /// The errno to return (KUnit's view; netlink replies map [`OfError`] themselves).
    #[cfg(ofgroup_kunit)]
    pub(crate) fn errno(&self) -> i32 {
        match self {
            OpError::Of(e) => e.errno(),
            OpError::NoMem => ENOMEM.to_errno().abs(),
        }
    }
}

impl From<OfError> for OpError {
    fn from(e: OfError) -> Self {
        OpError::Of(e)
    }
}

impl From<kernel::alloc::AllocError> for OpError {
    fn from(_: kernel::alloc::AllocError) -> Self {
        OpError::NoMem
    }
}

impl From<kernel::error::Error> for OpError {
    fn from(_: kernel::error::Error) -> Self {
        OpError::NoMem
    }
}

/// Result of table operations.
pub(crate) type OpResult<T = ()> = core::result::Result<T, OpError>;

/// How `add` treats an existing / missing group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AddMode {
    /// Create; an existing id is GROUP_EXISTS.
    Add,
    /// Replace; a missing id is UNKNOWN_GROUP.
    Modify,
    /// Create or replace (`mod-group --may-create`).
    AddOrModify,
}

/// Table limits (module parameters for the global table).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Most groups the table holds.
    pub(crate) max_groups: u32,
    /// Most buckets one group holds.
    pub(crate) max_buckets: u32,
}

/// What the table supports (OpenFlow group features).
pub(crate) struct Features {
    /// Bit per supported group type.
    pub(crate) types: u32,
    /// Capabilities: select weight, select liveness, chaining, chaining checks.
    pub(crate) capabilities: u32,
    /// Max groups per type (the table-wide limit applies to their sum).
    pub(crate) max_groups: [u32; 4],
    /// Max buckets per group.
    pub(crate) max_buckets: u32,
    /// Bit per supported action (output, group).
    pub(crate) actions: u32,
    /// Most actions per bucket.
    pub(crate) max_actions: u32,
    /// Most work units one frame may cost (see `logic::work`).
    pub(crate) work_budget: u32,
}

/// Port liveness, as the table needs it for watch_port. The datapath implements it from its
/// ports' link state; tests drive their own.
pub(crate) trait PortLiveness: Sync {
    /// Whether port `port` is up. Unknown ports are down.
    fn is_live(&self, port: u32) -> bool;
}

/// Writer-side state, under the table mutex.
struct Writer {
    /// Groups in the table.
    count: u32,
    /// Groups per type.
    per_type: [u32; 4],
    /// Reverse chaining index: referenced id -> ids of groups that reference it (one entry per
    /// reference). Keys may map to empty vectors (kept to make rollback allocation-free).
    parents: RBTree<u32, KVVec<u32>>,
    /// Generation of the current chaining check (0 is never used).
    generation: u32,
}

/// The group table.
#[pin_data]
pub(crate) struct Table {
    #[pin]
    groups: RcuXArray<Group>,
    #[pin]
    writer: Mutex<Writer>,
    limits: Limits,
}

/// The group a check is about, as it would be installed: the checks see it in place of the
/// table's version (if any), with memos of its own.
struct Pending<'a> {
    spec: &'a GroupSpec<'a>,
    ids: &'a [u32],
    old: Option<&'a Group>,
    memo: [Cell<Option<u32>>; Memo::COUNT],
}

/// The table as the chaining and work checks walk it, with the writer lock held.
struct Graph<'a> {
    table: &'a Table,
    writer: &'a Writer,
    rcu: &'a rcu::Guard,
    pending: Option<Pending<'a>>,
}

impl<'a> Graph<'a> {
    fn pending(&self, id: u32) -> Option<&Pending<'a>> {
        self.pending.as_ref().filter(|p| p.spec.id == id)
    }
}

impl ChainGraph for Graph<'_> {
    fn children(&self, id: u32, f: &mut dyn FnMut(u32)) {
        if let Some(p) = self.pending(id) {
            p.spec.group_refs().for_each(f);
        } else if let Some(g) = self.table.groups.get(self.rcu, id) {
            g.group_refs().for_each(f);
        }
    }
    fn parents(&self, id: u32, f: &mut dyn FnMut(u32)) {
        if let Some(p) = self.writer.parents.get(&id) {
            p.iter().copied().for_each(f);
        }
    }
    fn begin(&self) {}
    fn memo(&self, id: u32, which: Memo) -> Option<u32> {
        if let Some(p) = self.pending(id) {
            return p.memo.get(which.index())?.get();
        }
        self.table
            .groups
            .get(self.rcu, id)?
            .memo(self.writer.generation, which)
    }
    fn set_memo(&self, id: u32, which: Memo, v: u32) {
        if let Some(p) = self.pending(id) {
            if let Some(c) = p.memo.get(which.index()) {
                c.set(Some(v));
            }
        } else if let Some(g) = self.table.groups.get(self.rcu, id) {
            g.set_memo(self.writer.generation, which, v);
        }
    }
}

impl WorkGraph for Graph<'_> {
    fn group(&self, id: u32) -> Option<(GroupType, usize)> {
        if let Some(p) = self.pending(id) {
            return Some((p.spec.group_type, p.spec.buckets.len()));
        }
        let g = self.table.groups.get(self.rcu, id)?;
        Some((g.group_type, g.buckets.len()))
    }
    fn bucket(&self, id: u32, i: usize) -> Option<BucketView<'_>> {
        if let Some(p) = self.pending(id) {
            let b = p.spec.buckets.get(i)?;
            return Some(BucketView {
                id: p.ids.get(i).copied().unwrap_or(0),
                watch: watch_of(b),
                actions: b.actions,
            });
        }
        let b = self.table.groups.get(self.rcu, id)?.buckets.get(i)?;
        Some(BucketView {
            id: b.id,
            watch: b.watch,
            actions: &b.actions,
        })
    }
    fn has_flows(&self, id: u32) -> bool {
        if let Some(p) = self.pending(id) {
            return p.old.is_some_and(|o| o.shared.flow_refs() > 0);
        }
        self.table
            .groups
            .get(self.rcu, id)
            .is_some_and(|g| g.shared.flow_refs() > 0)
    }
}

/// A bucket spec's watches.
fn watch_of(b: &BucketSpec<'_>) -> Watch {
    Watch {
        port: b.watched_port().unwrap_or(OFPP_ANY),
        group: b.watched_group().unwrap_or(OFPG_ANY),
    }
}

/// Liveness as the packet path sees it: ports from `ports`, watched groups from the table.
pub(crate) struct TableEnv<'a> {
    table: &'a Table,
    rcu: &'a rcu::Guard,
    ports: &'a dyn PortLiveness,
}

impl LiveEnv for TableEnv<'_> {
    fn port_live(&self, port: u32) -> bool {
        self.ports.is_live(port)
    }
    fn bucket_watch(&self, id: u32, i: usize) -> Option<Watch> {
        Some(self.table.groups.get(self.rcu, id)?.buckets.get(i)?.watch)
    }
}

impl Table {
    /// An empty table.
    pub(crate) fn new(limits: Limits) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            groups <- RcuXArray::new(),
            writer <- new_mutex!(Writer {
                count: 0,
                per_type: [0; 4],
                parents: RBTree::new(),
                generation: 0,
            }),
            limits,
        })
    }

    /// Find a group on the packet path: lock-free, valid for the RCU read section.
    pub(crate) fn lookup<'a>(&'a self, rcu: &'a rcu::Guard, id: u32) -> Option<&'a Group> {
        self.groups.get(rcu, id)
    }

    /// Liveness environment for the packet path.
    pub(crate) fn env<'a>(
        &'a self,
        rcu: &'a rcu::Guard,
        ports: &'a dyn PortLiveness,
    ) -> TableEnv<'a> {
        TableEnv {
            table: self,
            rcu,
            ports,
        }
    }

    /// A counted reference to group `id` (a holder: keeps it alive after delete/modify).
    pub(crate) fn get(&self, id: u32) -> Option<Arc<Group>> {
        self.groups.get_arc(id)
    }

    /// The first group with id >= `*cursor`, and moves `*cursor` past it: a resumable iteration
    /// that sees every group present throughout exactly once, in id order, whatever is added or
    /// removed meanwhile.
    pub(crate) fn next(&self, cursor: &mut u64) -> Option<Arc<Group>> {
        let rcu = rcu::read_lock();
        let mut at = usize::try_from(*cursor).ok()?;
        let (id, g) = self.groups.find_arc(&rcu, &mut at)?;
        *cursor = u64::from(id) + 1;
        Some(g)
    }

    /// Targets in the reverse chaining index (KUnit's view: no node outlives its references).
    #[cfg(ofgroup_kunit)]
    pub(crate) fn index_len(&self) -> usize {
        self.writer.lock().parents.iter().count()
    }

    /// Number of groups (KUnit's view).
    #[cfg(ofgroup_kunit)]
    pub(crate) fn len(&self) -> u32 {
        self.writer.lock().count
    }

    /// Most buckets one group may hold (request parsers bound bucket lists by it).
    pub(crate) fn max_buckets(&self) -> u32 {
        self.limits.max_buckets
    }

    /// Features of this table.
    pub(crate) fn features(&self) -> Features {
        Features {
            types: (1 << GroupType::All as u32)
                | (1 << GroupType::Select as u32)
                | (1 << GroupType::Indirect as u32)
                | (1 << GroupType::FastFailover as u32),
            capabilities: capability::SELECT_WEIGHT
                | capability::SELECT_LIVENESS
                | capability::CHAINING
                | capability::CHAINING_CHECKS,
            max_groups: [self.limits.max_groups; 4],
            max_buckets: self.limits.max_buckets,
            actions: action_bit::OUTPUT | action_bit::GROUP,
            max_actions: MAX_ACTIONS as u32,
            work_budget: work::WORK_BUDGET,
        }
    }

    /// Add, modify or add-or-modify a group (a table without flows: KUnit's and the benchmarks').
    #[cfg(any(ofgroup_kunit, ofgroup_bench))]
    pub(crate) fn add(&self, spec: &GroupSpec<'_>, mode: AddMode) -> OpResult {
        self.add_checked(spec, mode, &NoFlows)
    }

    /// Add, modify or add-or-modify a group; `flows` are rechecked against the work budget
    /// when the change raises the work of a group they reach (the caller keeps them stable).
    pub(crate) fn add_checked(
        &self,
        spec: &GroupSpec<'_>,
        mode: AddMode,
        flows: &dyn FlowSet,
    ) -> OpResult {
        validate::validate_group(spec, self.limits.max_buckets as usize)?;
        let mut w = self.writer.lock();
        let old = self.groups.get_arc(spec.id);
        match (mode, &old) {
            (AddMode::Add, Some(_)) => {
                return Err(OfError::group(
                    ErrorKind::GroupExists,
                    spec.id,
                    Field::GroupId,
                    "group exists",
                )
                .into())
            }
            (AddMode::Modify, None) => {
                return Err(OfError::group(
                    ErrorKind::UnknownGroup,
                    spec.id,
                    Field::GroupId,
                    "no such group",
                )
                .into())
            }
            _ => {}
        }
        let mut ids = KVVec::with_capacity(spec.buckets.len(), GFP_KERNEL)?;
        ids.resize(spec.buckets.len(), 0, GFP_KERNEL)?;
        validate::assign_bucket_ids(spec.id, &[], spec.buckets, &mut ids)?;
        self.install(&mut w, spec, &ids, old.as_deref(), flows)
    }

    /// Check a flow's actions against the action cap and the work budget (see `logic::work`):
    /// its worst-case per-frame work, or the refusal.
    pub(crate) fn flow_work(&self, priority: u16, actions: &[Action]) -> OpResult<u64> {
        let mut w = self.writer.lock();
        w.generation = w.generation.wrapping_add(1).max(1);
        let rcu = rcu::read_lock();
        let graph = Graph {
            table: self,
            writer: &w,
            rcu: &rcu,
            pending: None,
        };
        Ok(work::check_flow(&graph, priority, actions)?)
    }

    /// Insert buckets into group `id` at `pos` (a table without flows: KUnit's).
    #[cfg(ofgroup_kunit)]
    pub(crate) fn insert_buckets(
        &self,
        id: u32,
        pos: BucketPos,
        new: &[BucketSpec<'_>],
    ) -> OpResult {
        self.insert_buckets_checked(id, pos, new, &NoFlows)
    }

    /// Insert buckets into group `id` at `pos` (first, last, or before a bucket id). The type and
    /// select parameters are kept. `flows` as for [`Table::add_checked`].
    pub(crate) fn insert_buckets_checked(
        &self,
        id: u32,
        pos: BucketPos,
        new: &[BucketSpec<'_>],
        flows: &dyn FlowSet,
    ) -> OpResult {
        let mut w = self.writer.lock();
        let old = self.existing(id)?;
        let old_ids = old.bucket_ids()?;
        let at = validate::insert_index(id, &old_ids, pos)?;
        let n = old.buckets.len().saturating_add(new.len());
        if n > self.limits.max_buckets as usize {
            // Bounded before the combined lists are allocated (validate_group says the same).
            return Err(OfError::group(
                ErrorKind::OutOfBuckets,
                id,
                Field::Buckets,
                "more buckets than max_buckets",
            )
            .with_value(u64::from(self.limits.max_buckets))
            .into());
        }
        let mut new_ids = KVVec::with_capacity(new.len(), GFP_KERNEL)?;
        new_ids.resize(new.len(), 0, GFP_KERNEL)?;
        validate::assign_bucket_ids(id, &old_ids, new, &mut new_ids)?;
        let mut specs = KVVec::with_capacity(n, GFP_KERNEL)?;
        let mut ids = KVVec::with_capacity(n, GFP_KERNEL)?;
        for b in &old.buckets[..at] {
            specs.push(spec_of(b), GFP_KERNEL)?;
            ids.push(b.id, GFP_KERNEL)?;
        }
        for (b, &bid) in new.iter().zip(new_ids.iter()) {
            specs.push(
                BucketSpec {
                    bucket_id: Some(bid),
                    ..*b
                },
                GFP_KERNEL,
            )?;
            ids.push(bid, GFP_KERNEL)?;
        }
        for b in &old.buckets[at..] {
            specs.push(spec_of(b), GFP_KERNEL)?;
            ids.push(b.id, GFP_KERNEL)?;
        }
        self.rebuild(&mut w, &old, &specs, &ids, flows)
    }

    /// Remove the first, last, all, or one bucket (by id) of group `id`.
    pub(crate) fn remove_buckets(&self, id: u32, pos: BucketPos) -> OpResult {
        let mut w = self.writer.lock();
        let old = self.existing(id)?;
        let old_ids = old.bucket_ids()?;
        let range = validate::remove_range(id, &old_ids, pos)?;
        let mut specs = KVVec::with_capacity(old.buckets.len(), GFP_KERNEL)?;
        let mut ids = KVVec::with_capacity(old.buckets.len(), GFP_KERNEL)?;
        for (i, b) in old.buckets.iter().enumerate() {
            if !range.contains(&i) {
                specs.push(spec_of(b), GFP_KERNEL)?;
                ids.push(b.id, GFP_KERNEL)?;
            }
        }
        // Fewer buckets never cost a frame more work: no flow can go over budget.
        self.rebuild(&mut w, &old, &specs, &ids, &NoFlows)
    }

    /// Publish `old` with a new bucket list (insert/remove buckets): type and select parameters
    /// are kept, the result is validated like any group.
    fn rebuild(
        &self,
        w: &mut Writer,
        old: &Group,
        buckets: &[BucketSpec<'_>],
        ids: &[u32],
        flows: &dyn FlowSet,
    ) -> OpResult {
        let spec = GroupSpec {
            id: old.id,
            group_type: old.group_type,
            fields: old.fields,
            basis: old.basis,
            buckets,
        };
        validate::validate_group(&spec, self.limits.max_buckets as usize)?;
        self.install(w, &spec, ids, Some(old), flows)
    }

    /// Delete group `id`. Returns whether it existed (deleting a missing group is not an error).
    /// Holders keep the deleted version alive; readers may finish with it.
    pub(crate) fn delete(&self, id: u32) -> bool {
        let mut w = self.writer.lock();
        self.delete_locked(&mut w, id)
    }

    /// Delete every group; returns how many there were.
    pub(crate) fn delete_all(&self) -> u32 {
        let mut w = self.writer.lock();
        let mut n = 0;
        self.groups.drain(|id, retired| {
            retire_group(&mut w, id, &retired);
            n += 1;
        });
        n
    }

    /// Counters of group `id` (KUnit's view; netlink replies read them in place).
    #[cfg(ofgroup_kunit)]
    pub(crate) fn stats(&self, id: u32) -> OpResult<GroupStats> {
        Ok(self.existing(id)?.stats()?)
    }

    /// Zero the counters of group `id`, or of every group.
    pub(crate) fn reset_stats(&self, id: Option<u32>) -> OpResult {
        match id {
            Some(id) => self.existing(id)?.reset_stats(),
            None => {
                let mut cursor = 0;
                while let Some(g) = self.next(&mut cursor) {
                    g.reset_stats();
                }
            }
        }
        Ok(())
    }

    fn existing(&self, id: u32) -> OpResult<Arc<Group>> {
        self.get(id).ok_or_else(|| {
            OfError::group(ErrorKind::UnknownGroup, id, Field::GroupId, "no such group").into()
        })
    }

    fn delete_locked(&self, w: &mut Writer, id: u32) -> bool {
        let Some(retired) = self.groups.erase(id) else {
            return false;
        };
        retire_group(w, id, &retired);
        true
    }

    /// Check chaining and per-frame work (the group, its ancestors and the flows reaching them),
    /// build the new version (carrying counters of surviving bucket ids) and publish it.
    /// Nothing changes unless everything succeeds.
    fn install(
        &self,
        w: &mut Writer,
        spec: &GroupSpec<'_>,
        ids: &[u32],
        old: Option<&Group>,
        flows: &dyn FlowSet,
    ) -> OpResult {
        let id = spec.id;
        if old.is_none() && w.count >= self.limits.max_groups {
            return Err(OfError::group(
                ErrorKind::OutOfGroups,
                id,
                Field::Table,
                "table full (max_groups)",
            )
            .with_value(u64::from(self.limits.max_groups))
            .into());
        }
        w.generation = w.generation.wrapping_add(1).max(1);
        {
            let rcu = rcu::read_lock();
            let graph = Graph {
                table: self,
                writer: w,
                rcu: &rcu,
                pending: Some(Pending {
                    spec,
                    ids,
                    old,
                    memo: [const { Cell::new(None) }; Memo::COUNT],
                }),
            };
            chain::check(&graph, id, &mut spec.group_refs()).map_err(|e| e.to_error(id))?;
            work::check_group(&graph, id, flows)?;
        }

        let mut buckets = KVVec::with_capacity(spec.buckets.len(), GFP_KERNEL_ACCOUNT)?;
        for (b, &bid) in spec.buckets.iter().zip(ids.iter()) {
            let carried = old.and_then(|o| o.bucket(bid)).map(|ob| ob.stats.clone());
            let watch = watch_of(b);
            let weight = validate::effective_weight(spec.group_type, b);
            buckets.push(
                Bucket::new(bid, weight, watch, b.actions, carried)?,
                GFP_KERNEL_ACCOUNT,
            )?;
        }
        let shared = match old {
            Some(o) => o.shared.clone(),
            None => GroupShared::new()?,
        };
        let group = Group::new(
            id,
            spec.group_type,
            spec.fields,
            spec.basis,
            buckets,
            shared,
        )?;

        // Reverse index: add the new references first (may allocate; undone on failure), then
        // drop the old ones (never allocates).
        for (added, r) in spec.group_refs().enumerate() {
            if index(w, r, id).is_err() {
                for r2 in spec.group_refs().take(added) {
                    unindex(w, r2, id);
                }
                return Err(OpError::NoMem);
            }
        }
        let publish = self.groups.store(id, group);
        let retired = match publish {
            Ok(r) => r,
            Err(_) => {
                for r in spec.group_refs() {
                    unindex(w, r, id);
                }
                return Err(OpError::NoMem);
            }
        };
        if let Some(o) = old {
            for r in o.group_refs() {
                unindex(w, r, id);
            }
            let t = o.group_type as usize;
            w.per_type[t] = w.per_type[t].saturating_sub(1);
        } else {
            w.count += 1;
        }
        w.per_type[spec.group_type as usize] += 1;
        drop(retired);
        Ok(())
    }
}

/// A bucket spec equal to an installed bucket (for insert/remove, which rebuild the group).
/// Account for group `id`, just removed from the table: drop its chaining edges and counts.
fn retire_group(w: &mut Writer, id: u32, retired: &Retired<Group>) {
    if let Some(g) = retired.value() {
        for r in g.group_refs() {
            unindex(w, r, id);
        }
        w.count = w.count.saturating_sub(1);
        let t = g.group_type as usize;
        w.per_type[t] = w.per_type[t].saturating_sub(1);
    }
}

fn spec_of(b: &Bucket) -> BucketSpec<'_> {
    BucketSpec {
        bucket_id: Some(b.id),
        weight: Some(b.weight),
        watch_port: Some(b.watch.port),
        watch_group: Some(b.watch.group),
        actions: &b.actions,
    }
}

/// The index lives as long as the groups: charged to the requester (GFP_KERNEL_ACCOUNT).
fn index(w: &mut Writer, target: u32, from: u32) -> Result {
    if let Some(v) = w.parents.get_mut(&target) {
        return Ok(v.push(from, GFP_KERNEL_ACCOUNT)?);
    }
    let mut v = KVVec::new();
    v.push(from, GFP_KERNEL_ACCOUNT)?;
    w.parents
        .try_create_and_insert(target, v, GFP_KERNEL_ACCOUNT)?;
    Ok(())
}

/// Drop one reference `from` -> `target`; the last one takes `target`'s node with it, so ids
/// that were only ever named (dangling references are allowed) do not stay in the index.
fn unindex(w: &mut Writer, target: u32, from: u32) {
    let Some(v) = w.parents.get_mut(&target) else {
        return;
    };
    if let Some(i) = v.iter().position(|&p| p == from) {
        // Cannot fail: `i` is in bounds.
        let _ = v.remove(i);
    }
    if v.is_empty() {
        drop(w.parents.remove(&target));
    }
}
