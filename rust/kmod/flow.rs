// SPDX-License-Identifier: GPL-2.0

//! The flow table: priority-ordered flows, and the classifier the packet path searches.
//!
//! The classifier is a tuple space: one subtable per distinct mask, each a hash table of chains
//! keyed by the masked key, one RCU cell per slot. Readers look a packet's key up in every
//! subtable (highest max priority first, stopping when no later one can win) without locks or
//! allocation: the cost grows with the number of masks, not of flows. Writers (netlink, group
//! deletion) are serialized by a mutex. Adding a flow changes the classifier in place: it
//! publishes one new chain (a copy of one slot's few entries with the flow in), and the
//! subtable list only when a subtable appears, doubles (amortized) or raises its max priority;
//! so a bulk install of n flows costs O(n), not the O(n^2) of rebuilding per change. Changes of
//! many flows at once (modify, delete, the flows of deleted groups) build the subtables afresh,
//! O(n log n), and publish them with one pointer store, all or nothing. Everything replaced is
//! freed after a grace period. The writer keeps the flows ordered by cursor (priority
//! descending, then age) in a red-black tree for dumps. A flow object (its counters) is shared
//! by every version of the classifier, so counters survive other flows' changes; modify keeps
//! them.

use kernel::{
    new_mutex,
    prelude::*,
    rbtree::{RBTree, RBTreeNode},
    sync::atomic::{Atomic, Relaxed},
    sync::{rcu, Arc, Mutex},
};

use crate::counters::Counters;
use crate::ffi::{self, RcuCell, RcuLink, Retire};
use crate::group::GroupShared;
use crate::logic::{
    classifier,
    error::Error as OfError,
    flow::{Key, Match},
    model::Action,
    work::FlowSet,
};
use crate::table::{OpError, Table};

/// Flow objects alive (installed, replaced and held). KUnit uses it to prove every flow is freed
/// (kunit variant only).
#[cfg(ofgroup_kunit)]
pub(crate) static LIVE_FLOWS: Atomic<i64> = Atomic::new(0);

#[cfg(ofgroup_kunit)]
impl Drop for Flow {
    fn drop(&mut self) {
        LIVE_FLOWS.add(-1i64, Relaxed);
    }
}

/// One installed flow. Immutable once published, except its counters.
pub(crate) struct Flow {
    /// Priority (higher wins).
    pub(crate) priority: u16,
    /// What it matches.
    pub(crate) m: Match,
    /// Actions in order; empty = drop.
    pub(crate) actions: KVVec<Action>,
    /// Packets and bytes that matched; shared with the flow's next version on modify.
    pub(crate) stats: Arc<Counters>,
    /// When the flow was added (boottime ns).
    pub(crate) created_ns: u64,
    /// Insertion sequence number: ties between equal priorities go to the older flow.
    seq: u64,
    /// The groups its actions name, each counting this flow in its ref_count while the flow is
    /// installed (released by the writer when the flow is removed or replaced).
    groups: KVVec<Arc<GroupShared>>,
}

impl Flow {
    fn release_group_refs(&self) {
        self.groups.iter().for_each(|g| g.release_flow_ref());
    }

    /// Sort key: priority descending, then age.
    fn order(&self) -> (u16, u64) {
        (u16::MAX - self.priority, self.seq)
    }
}

/// Why a flow request was refused.
pub(crate) enum FlowError {
    /// A group action names a group that does not exist (OFPBAC_BAD_OUT_GROUP).
    BadOutGroup(u32),
    /// The table is full (OFPFMFC_TABLE_FULL): it holds this many flows.
    TableFull(usize),
    /// Too many actions, or over the per-frame work budget (OFPBAC_TOO_MANY).
    Refused(OfError),
    /// Out of memory.
    NoMem,
}

impl From<kernel::alloc::AllocError> for FlowError {
    fn from(_: kernel::alloc::AllocError) -> Self {
        FlowError::NoMem
    }
}

impl From<OpError> for FlowError {
    fn from(e: OpError) -> Self {
        match e {
            OpError::Of(e) => FlowError::Refused(e),
            OpError::NoMem => FlowError::NoMem,
        }
    }
}

impl From<kernel::error::Error> for FlowError {
    fn from(_: kernel::error::Error) -> Self {
        FlowError::NoMem
    }
}

/// Which flows a modify/delete request is about.
#[derive(Clone, Copy)]
pub(crate) enum Selector<'a> {
    /// Exactly this match at exactly this priority.
    Strict(&'a Match, u16),
    /// Every flow at least as specific as this match, at any priority.
    Covered(&'a Match),
}

impl Selector<'_> {
    fn selects(&self, f: &Flow) -> bool {
        match *self {
            Selector::Strict(m, p) => f.priority == p && f.m == *m,
            Selector::Covered(m) => f.m.covered_by(m),
        }
    }
}

/// Flows sharing one masked key in one subtable, best first (`Flow::order`): lookups take the
/// first; the others are there so a deletion reveals the next best.
struct Entry {
    key: Key,
    flows: KVVec<Arc<Flow>>,
}

/// The entries of one hash slot. Immutable once published; a change publishes a new chain.
struct Chain {
    entries: KVVec<Entry>,
    rcu: RcuLink,
}

impl Retire for Chain {
    fn rcu_link(&self) -> &RcuLink {
        &self.rcu
    }
}

/// All flows with one mask: a hash table of chains (one RCU cell per slot, at least as many
/// slots as entries), changed in place one slot at a time.
struct Sub {
    mask: Key,
    /// The highest priority of its flows. Raised in place (then the subtable list is published
    /// again, re-sorted), never lowered while published: a stale high value only costs lookups
    /// an early exit.
    max_priority: Atomic<u32>,
    slots: KVVec<RcuCell<Chain>>,
    /// Distinct masked keys here (writer only, under the writer mutex).
    entries: Atomic<u32>,
    /// Flows here (writer only).
    flows: Atomic<u32>,
    rcu: RcuLink,
}

impl Retire for Sub {
    fn rcu_link(&self) -> &RcuLink {
        &self.rcu
    }
}

/// The published subtable list, highest `max_priority` first.
struct Top {
    subs: KVVec<Arc<Sub>>,
    rcu: RcuLink,
}

impl Retire for Top {
    fn rcu_link(&self) -> &RcuLink {
        &self.rcu
    }
}

/// Whether `a` beats `b` for one packet (higher priority, then older).
fn beats(a: &Flow, b: &Flow) -> bool {
    a.order() < b.order()
}

/// Slots for `entries` entries: a power of two, at least twice as many, at least 4.
fn slots_for(entries: usize) -> usize {
    entries
        .saturating_mul(2)
        .max(4)
        .checked_next_power_of_two()
        .unwrap_or(1 << 31)
}

fn slot_of(key: &Key, n_slots: usize) -> usize {
    (key.hash() as usize) & n_slots.wrapping_sub(1)
}

/// A list sorted for `Top`: highest max priority first (ties in the given order).
fn sorted(mut subs: KVVec<Arc<Sub>>) -> KVVec<Arc<Sub>> {
    let at = |s: &Arc<Sub>| s.max_priority.load(Relaxed);
    // Not stable: subtables of equal bound may come in any order, which lookups do not mind
    // (they stop only on a strictly lower bound, and compare flows, not subtables).
    classifier::heapsort(&mut subs, |a, b| at(a) > at(b));
    subs
}

/// Subtables for `flows` (any order), grouped by mask, each entry's flows best first. O(n log n).
fn build_subs(flows: &[Arc<Flow>]) -> Result<KVVec<Arc<Sub>>, FlowError> {
    let n = u32::try_from(flows.len()).map_err(|_| FlowError::NoMem)?;
    let mut order = KVVec::with_capacity(flows.len(), GFP_KERNEL)?;
    for i in 0..n {
        order.push(i, GFP_KERNEL)?;
    }
    let at = |i: u32| flows.get(i as usize);
    let rank = |f: &Flow| (f.m.mask.0, f.m.key.masked(&f.m.mask).0, f.order());
    classifier::heapsort(&mut order, |&a, &b| match (at(a), at(b)) {
        (Some(x), Some(y)) => rank(x) < rank(y),
        _ => a < b,
    });
    let mut subs = KVVec::new();
    let mut i = 0;
    while let Some(first) = order.get(i).and_then(|&k| at(k)) {
        let mask = first.m.mask;
        let end = order[i..]
            .iter()
            .position(|&k| at(k).is_none_or(|f| f.m.mask != mask))
            .map_or(order.len(), |p| i + p);
        subs.push(build_sub(flows, &order[i..end])?, GFP_KERNEL)?;
        i = end;
    }
    Ok(sorted(subs))
}

/// One subtable from `idx` (indices into `flows`, all with one mask, sorted by masked key then
/// `Flow::order`).
fn build_sub(flows: &[Arc<Flow>], idx: &[u32]) -> Result<Arc<Sub>, FlowError> {
    let at = |i: u32| flows.get(i as usize);
    let key_of = |i: u32| at(i).map(|f| f.m.key.masked(&f.m.mask));
    // Entries: runs of one masked key, as (slot, start, end) in `idx`.
    let mut runs: KVVec<(usize, usize, usize)> = KVVec::new();
    let mut i = 0;
    while let Some(k) = idx.get(i).and_then(|&x| key_of(x)) {
        let end = idx[i..]
            .iter()
            .position(|&x| key_of(x) != Some(k))
            .map_or(idx.len(), |p| i + p);
        runs.push((0, i, end), GFP_KERNEL)?;
        i = end;
    }
    let n_slots = slots_for(runs.len());
    for r in runs.iter_mut() {
        if let Some(k) = idx.get(r.1).and_then(|&x| key_of(x)) {
            r.0 = slot_of(&k, n_slots);
        }
    }
    classifier::heapsort(&mut runs, |a, b| a.0 < b.0);
    let mut slots = KVVec::with_capacity(n_slots, GFP_KERNEL)?;
    for _ in 0..n_slots {
        slots.push(RcuCell::new(), GFP_KERNEL)?;
    }
    let mut max_priority = 0u32;
    let mut n_flows = 0u32;
    let mut r = 0;
    while let Some(&(slot, _, _)) = runs.get(r) {
        let end = runs[r..]
            .iter()
            .position(|x| x.0 != slot)
            .map_or(runs.len(), |p| r + p);
        let mut entries = KVVec::with_capacity(end - r, GFP_KERNEL)?;
        for &(_, s, e) in &runs[r..end] {
            let mut fl = KVVec::with_capacity(e - s, GFP_KERNEL)?;
            for f in idx[s..e].iter().filter_map(|&x| at(x)) {
                max_priority = max_priority.max(u32::from(f.priority));
                n_flows += 1;
                fl.push(f.clone(), GFP_KERNEL)?;
            }
            let key = idx.get(s).and_then(|&x| key_of(x)).unwrap_or_default();
            entries.push(Entry { key, flows: fl }, GFP_KERNEL)?;
        }
        let chain = Arc::new(
            Chain {
                entries,
                rcu: RcuLink::new(),
            },
            GFP_KERNEL_ACCOUNT,
        )?;
        if let Some(cell) = slots.get(slot) {
            // A fresh cell: nothing is retired.
            cell.replace(Some(chain));
        }
        r = end;
    }
    let mask = idx
        .first()
        .and_then(|&x| at(x))
        .map(|f| f.m.mask)
        .unwrap_or_default();
    Ok(Arc::new(
        Sub {
            mask,
            max_priority: Atomic::new(max_priority),
            slots,
            entries: Atomic::new(runs.len() as u32),
            flows: Atomic::new(n_flows),
            rcu: RcuLink::new(),
        },
        GFP_KERNEL_ACCOUNT,
    )?)
}

/// Writer-side state.
struct Writer {
    /// Installed flows by cursor (`cursor_of`: table order).
    flows: RBTree<u64, Arc<Flow>>,
    /// How many.
    count: usize,
    /// Next sequence number.
    seq: u64,
}

/// The flow table.
#[pin_data]
pub(crate) struct FlowTable {
    top: RcuCell<Top>,
    max: usize,
    #[pin]
    writer: Mutex<Writer>,
}

/// A flow as a dump reports it.
pub(crate) struct FlowInfo {
    /// The flow.
    pub(crate) flow: Arc<Flow>,
    /// Nanoseconds since it was added.
    pub(crate) duration_ns: u64,
}

impl FlowTable {
    /// An empty table of at most `max` flows (OFPFMFC_TABLE_FULL beyond; the module's come from
    /// `max_flows`). Nothing in the table is sized by it: vectors grow with the flows
    /// (kvmalloc'd), so it only bounds memory.
    pub(crate) fn with_max(max: usize) -> impl PinInit<Self> {
        pin_init!(Self {
            top: RcuCell::new(),
            max,
            writer <- new_mutex!(Writer { flows: RBTree::new(), count: 0, seq: 0 }),
        })
    }

    /// The highest-priority flow matching `key` (the oldest among equals): lock-free, for the
    /// read section `rcu`.
    pub(crate) fn lookup<'a>(&'a self, rcu: &'a rcu::Guard, key: &Key) -> Option<&'a Flow> {
        let top = self.top.get(rcu)?;
        if cfg!(ofgroup_ablate = "noclassify") {
            // Benchmark-only variant (scripts/module.sh OFGROUP_ABLATE=noclassify): a flow.
            let sub = top.subs.first()?;
            return sub
                .slots
                .iter()
                .find_map(|c| c.get(rcu))
                .and_then(|c| c.entries.first())
                .and_then(|e| e.flows.first())
                .map(|f| &**f);
        }
        let mut best: Option<&'a Flow> = None;
        for st in top.subs.iter() {
            let maxp = st.max_priority.load(Relaxed);
            if best.is_some_and(|b| u32::from(b.priority) > maxp) {
                break;
            }
            let mk = key.masked(&st.mask);
            let Some(chain) = st
                .slots
                .get(slot_of(&mk, st.slots.len()))
                .and_then(|c| c.get(rcu))
            else {
                continue;
            };
            if let Some(f) = chain
                .entries
                .iter()
                .find(|e| e.key == mk)
                .and_then(|e| e.flows.first())
            {
                if best.is_none_or(|b| beats(f, b)) {
                    best = Some(&**f);
                }
            }
        }
        best
    }

    /// Number of installed flows.
    pub(crate) fn len(&self) -> usize {
        self.writer.lock().count
    }

    /// The published subtables (a counted reference: the writer allocates while holding it).
    fn current(&self) -> Option<Arc<Top>> {
        let rcu = rcu::read_lock();
        self.top.get_arc(&rcu)
    }

    /// A new `Top` holding `subs`.
    fn new_top(subs: KVVec<Arc<Sub>>) -> Result<Arc<Top>, FlowError> {
        Ok(Arc::new(
            Top {
                subs: sorted(subs),
                rcu: RcuLink::new(),
            },
            GFP_KERNEL_ACCOUNT,
        )?)
    }

    /// The current subtables with `old` (by address) replaced by `new` (or removed), or `new`
    /// added.
    fn subs_with(
        cur: Option<&Top>,
        old: Option<&Arc<Sub>>,
        new: Option<Arc<Sub>>,
    ) -> Result<KVVec<Arc<Sub>>, FlowError> {
        let n = cur.map_or(0, |t| t.subs.len()) + 1;
        let mut v = KVVec::with_capacity(n, GFP_KERNEL)?;
        for s in cur.iter().flat_map(|t| t.subs.iter()) {
            if !old.is_some_and(|o| Arc::ptr_eq(o, s)) {
                v.push(s.clone(), GFP_KERNEL)?;
            }
        }
        if let Some(s) = new {
            v.push(s, GFP_KERNEL)?;
        }
        Ok(v)
    }

    /// Publish subtables built afresh for every installed flow after a change `w` is about to
    /// make: without those `gone` selects, with `swap`'s replacements. All or nothing.
    fn rebuild(
        &self,
        w: &Writer,
        gone: &dyn Fn(&Flow) -> bool,
        swap: &dyn Fn(&Arc<Flow>) -> Option<Arc<Flow>>,
    ) -> Result<(), FlowError> {
        let mut all = KVVec::with_capacity(w.count, GFP_KERNEL)?;
        for (_, f) in w.flows.iter() {
            if gone(f) {
                continue;
            }
            all.push(swap(f).unwrap_or_else(|| f.clone()), GFP_KERNEL)?;
        }
        let top = if all.is_empty() {
            None
        } else {
            Some(Self::new_top(build_subs(&all)?)?)
        };
        self.top.replace(top);
        Ok(())
    }

    /// Put `flow` into the classifier in place (replacing `same`, the flow with its match and
    /// priority, if any): one chain is published anew, and the subtable list only when a
    /// subtable comes, grows or raises its max priority. Amortized O(1) in the number of flows
    /// (O(subtables) when the list changes). All or nothing.
    fn insert(&self, flow: &Arc<Flow>, same: Option<&Arc<Flow>>) -> Result<(), FlowError> {
        let cur = self.current();
        let mk = flow.m.key.masked(&flow.m.mask);
        let sub = cur
            .as_deref()
            .and_then(|t| t.subs.iter().find(|s| s.mask == flow.m.mask))
            .cloned();
        let Some(sub) = sub else {
            let one = [flow.clone()];
            let mut new = build_subs(&one)?;
            let subs = Self::subs_with(cur.as_deref(), None, new.pop())?;
            self.top.replace(Some(Self::new_top(subs)?));
            return Ok(());
        };
        let n_slots = sub.slots.len();
        let cell = sub
            .slots
            .get(slot_of(&mk, n_slots))
            .ok_or(FlowError::NoMem)?;
        let old = {
            let rcu = rcu::read_lock();
            cell.get_arc(&rcu)
        };
        let old_entries = old.as_deref().map_or(&[][..], |c| &c.entries[..]);
        let new_key = !old_entries.iter().any(|e| e.key == mk);
        let n_entries = sub.entries.load(Relaxed) as usize + usize::from(new_key);
        if n_entries > n_slots {
            // Grow: this subtable afresh with twice the slots (amortized over the entries).
            return self.regrow(cur.as_deref(), &sub, flow, same);
        }
        let mut entries = KVVec::with_capacity(old_entries.len() + 1, GFP_KERNEL)?;
        for e in old_entries {
            let mut fl = KVVec::with_capacity(e.flows.len() + 1, GFP_KERNEL)?;
            for f in e.flows.iter() {
                if !same.is_some_and(|s| Arc::ptr_eq(s, f)) {
                    fl.push(f.clone(), GFP_KERNEL)?;
                }
            }
            if e.key == mk {
                let at = fl.iter().position(|f| beats(flow, f)).unwrap_or(fl.len());
                fl.push(flow.clone(), GFP_KERNEL)?;
                if let Some(tail) = fl.get_mut(at..) {
                    tail.rotate_right(1);
                }
            }
            entries.push(
                Entry {
                    key: e.key,
                    flows: fl,
                },
                GFP_KERNEL,
            )?;
        }
        if new_key {
            let mut fl = KVVec::with_capacity(1, GFP_KERNEL)?;
            fl.push(flow.clone(), GFP_KERNEL)?;
            entries.push(Entry { key: mk, flows: fl }, GFP_KERNEL)?;
        }
        let chain = Arc::new(
            Chain {
                entries,
                rcu: RcuLink::new(),
            },
            GFP_KERNEL_ACCOUNT,
        )?;
        let p = u32::from(flow.priority);
        let raise = p > sub.max_priority.load(Relaxed);
        let top = if raise {
            // Sorted as it will be once the bound is raised.
            let mut subs = Self::subs_with(cur.as_deref(), None, None)?;
            let at = |s: &Arc<Sub>| {
                if Arc::ptr_eq(s, &sub) {
                    p
                } else {
                    s.max_priority.load(Relaxed)
                }
            };
            classifier::heapsort(&mut subs, |a, b| at(a) > at(b));
            Some(Arc::new(
                Top {
                    subs,
                    rcu: RcuLink::new(),
                },
                GFP_KERNEL_ACCOUNT,
            )?)
        } else {
            None
        };
        // Committed: nothing below fails. Raise the bound first, so no lookup stops before the
        // chain that holds the new flow.
        if let Some(top) = top {
            sub.max_priority.store(p, Relaxed);
            self.top.replace(Some(top));
        }
        cell.replace(Some(chain));
        if new_key {
            sub.entries.store(n_entries as u32, Relaxed);
        }
        if same.is_none() {
            sub.flows.store(sub.flows.load(Relaxed) + 1, Relaxed);
        }
        Ok(())
    }

    /// Rebuild subtable `sub` with `flow` in it (replacing `same`), sized for its entries.
    fn regrow(
        &self,
        cur: Option<&Top>,
        sub: &Arc<Sub>,
        flow: &Arc<Flow>,
        same: Option<&Arc<Flow>>,
    ) -> Result<(), FlowError> {
        let mut mine = KVVec::with_capacity(sub.flows.load(Relaxed) as usize + 1, GFP_KERNEL)?;
        {
            let rcu = rcu::read_lock();
            for c in sub.slots.iter().filter_map(|c| c.get(&rcu)) {
                for f in c.entries.iter().flat_map(|e| e.flows.iter()) {
                    if !same.is_some_and(|s| Arc::ptr_eq(s, f)) {
                        // No allocation here: the capacity covers every flow of the subtable.
                        if mine.push_within_capacity(f.clone()).is_err() {
                            return Err(FlowError::NoMem);
                        }
                    }
                }
            }
        }
        mine.push(flow.clone(), GFP_KERNEL)?;
        let mut new = build_subs(&mine)?;
        let subs = Self::subs_with(cur, Some(sub), new.pop())?;
        self.top.replace(Some(Self::new_top(subs)?));
        Ok(())
    }

    /// The groups `actions` name, each looked up in `table`: counted references to hold, one
    /// per group however often the actions name it (a group's ref-count counts flows, as
    /// OpenFlow's does).
    fn group_refs(table: &Table, actions: &[Action]) -> Result<KVVec<Arc<GroupShared>>, FlowError> {
        let mut v: KVVec<Arc<GroupShared>> = KVVec::new();
        for (i, a) in actions.iter().enumerate() {
            if let Action::Group(id) = *a {
                if actions[..i].contains(a) {
                    continue;
                }
                let g = table.get(id).ok_or(FlowError::BadOutGroup(id))?;
                // Kept with the flow: charged to the requester, as the flow is.
                v.push(g.shared.clone(), GFP_KERNEL_ACCOUNT)?;
            }
        }
        Ok(v)
    }

    /// The flow with exactly this match and priority.
    fn find_same(&self, m: &Match, priority: u16) -> Option<Arc<Flow>> {
        let rcu = rcu::read_lock();
        let top = self.top.get(&rcu)?;
        let sub = top.subs.iter().find(|s| s.mask == m.mask)?;
        let mk = m.key.masked(&m.mask);
        let chain = sub.slots.get(slot_of(&mk, sub.slots.len()))?.get(&rcu)?;
        let e = chain.entries.iter().find(|e| e.key == mk)?;
        e.flows
            .iter()
            .find(|f| f.priority == priority && f.m == *m)
            .cloned()
    }

    /// Add a flow; one with the same match and priority is replaced (its counters restart).
    /// The table's group writers must not run concurrently with a flow change that names a
    /// group being deleted: callers serialize through `Datapath` (`flows_lock`). Costs O(1)
    /// amortized in the number of flows (the classifier changes in place), O(log n) for the
    /// ordered list.
    pub(crate) fn add(
        &self,
        table: &Table,
        priority: u16,
        m: Match,
        actions: &[Action],
    ) -> Result<(), FlowError> {
        let mut w = self.writer.lock();
        let groups = Self::group_refs(table, actions)?;
        table.flow_work(priority, actions)?;
        let same = self.find_same(&m, priority);
        if same.is_none() && w.count >= self.max {
            return Err(FlowError::TableFull(self.max));
        }
        let seq = w.seq;
        let mut acts = KVVec::with_capacity(actions.len(), GFP_KERNEL_ACCOUNT)?;
        acts.extend_from_slice(actions, GFP_KERNEL_ACCOUNT)?;
        let flow = Arc::new(
            Flow {
                priority,
                m,
                actions: acts,
                stats: Arc::new(Counters::new()?, GFP_KERNEL_ACCOUNT)?,
                created_ns: ffi::boottime_ns(),
                seq,
                groups,
            },
            GFP_KERNEL_ACCOUNT,
        )?;
        #[cfg(ofgroup_kunit)]
        LIVE_FLOWS.add(1i64, Relaxed);
        let node = RBTreeNode::new(cursor_of(&flow), flow.clone(), GFP_KERNEL)?;
        self.insert(&flow, same.as_ref())?;
        // Committed: nothing below can fail.
        flow.groups.iter().for_each(|g| g.hold_flow_ref());
        if let Some(old) = same {
            old.release_group_refs();
            drop(w.flows.remove(&cursor_of(&old)));
        } else {
            w.count += 1;
        }
        w.flows.insert(node);
        w.seq += 1;
        Ok(())
    }

    /// Replace the actions of the flows `sel` selects, keeping their counters and age.
    /// Returns how many changed.
    pub(crate) fn modify(
        &self,
        table: &Table,
        sel: Selector<'_>,
        actions: &[Action],
    ) -> Result<u32, FlowError> {
        let mut w = self.writer.lock();
        // Replacements by cursor, in cursor order.
        let mut repl: KVVec<(u64, Arc<Flow>)> = KVVec::new();
        for (_, f) in w.flows.iter() {
            if !sel.selects(f) {
                continue;
            }
            if repl.is_empty() {
                // The same actions cost every selected flow the same: check them once.
                table.flow_work(f.priority, actions)?;
            }
            let mut acts = KVVec::with_capacity(actions.len(), GFP_KERNEL_ACCOUNT)?;
            acts.extend_from_slice(actions, GFP_KERNEL_ACCOUNT)?;
            let nf = Arc::new(
                Flow {
                    priority: f.priority,
                    m: f.m,
                    actions: acts,
                    stats: f.stats.clone(),
                    created_ns: f.created_ns,
                    seq: f.seq,
                    groups: Self::group_refs(table, actions)?,
                },
                GFP_KERNEL_ACCOUNT,
            )?;
            #[cfg(ofgroup_kunit)]
            LIVE_FLOWS.add(1i64, Relaxed);
            repl.push((cursor_of(f), nf), GFP_KERNEL)?;
        }
        if repl.is_empty() {
            return Ok(0);
        }
        let find = |f: &Arc<Flow>| {
            let c = cursor_of(f);
            repl.binary_search_by_key(&c, |r| r.0)
                .ok()
                .and_then(|i| repl.get(i))
                .map(|r| r.1.clone())
        };
        self.rebuild(&w, &|_| false, &find)?;
        // Committed: nothing below can fail.
        for (c, new) in repl.iter() {
            if let Some(old) = w.flows.get_mut(c) {
                new.groups.iter().for_each(|g| g.hold_flow_ref());
                old.release_group_refs();
                *old = new.clone();
            }
        }
        Ok(repl.len() as u32)
    }

    /// Delete the flows `pred` selects; returns how many.
    fn delete_where(&self, pred: impl Fn(&Flow) -> bool) -> Result<u32, FlowError> {
        let mut w = self.writer.lock();
        let mut victims = KVVec::new();
        for (c, f) in w.flows.iter() {
            if pred(f) {
                victims.push(*c, GFP_KERNEL)?;
            }
        }
        if victims.is_empty() {
            return Ok(0);
        }
        self.rebuild(&w, &|f| pred(f), &|_| None)?;
        // Committed: nothing below can fail.
        for c in victims.iter() {
            if let Some(f) = w.flows.remove(c) {
                f.release_group_refs();
            }
        }
        w.count -= victims.len();
        Ok(victims.len() as u32)
    }

    /// Delete the flows `sel` selects (all, with `None`); returns how many.
    pub(crate) fn delete(&self, sel: Option<Selector<'_>>) -> Result<u32, FlowError> {
        match sel {
            Some(sel) => self.delete_where(|f| sel.selects(f)),
            None => self.delete_where(|_| true),
        }
    }

    /// Delete every flow whose actions name a group `gone` says was deleted.
    pub(crate) fn delete_using_groups(&self, gone: impl Fn(u32) -> bool) -> Result<u32, FlowError> {
        self.delete_where(|f| {
            f.actions
                .iter()
                .any(|a| matches!(*a, Action::Group(g) if gone(g)))
        })
    }

    /// The first flow after `cursor` in table order (priority descending, then age), and the
    /// cursor past it: a resumable iteration that sees every flow present throughout exactly
    /// once. Cursor 0 starts. O(log n) per flow.
    pub(crate) fn next(&self, cursor: &mut u64) -> Option<FlowInfo> {
        let w = self.writer.lock();
        let c = w.flows.cursor_lower_bound(&cursor.checked_add(1)?)?;
        let (&k, f) = c.current();
        *cursor = k;
        Some(FlowInfo {
            flow: f.clone(),
            duration_ns: ffi::boottime_ns().saturating_sub(f.created_ns),
        })
    }
}

/// The installed flows, for the work recheck of a group change (under the datapath's
/// `flows_lock`, so the published classifier is the current state; read under RCU, without the
/// writer mutex, which a flow change holds while it takes the group table's).
impl FlowSet for FlowTable {
    fn for_each(&self, f: &mut dyn FnMut(u16, &[Action]) -> bool) {
        let rcu = rcu::read_lock();
        let Some(top) = self.top.get(&rcu) else {
            return;
        };
        for sub in top.subs.iter() {
            for chain in sub.slots.iter().filter_map(|c| c.get(&rcu)) {
                for fl in chain.entries.iter().flat_map(|e| e.flows.iter()) {
                    if !f(fl.priority, &fl.actions) {
                        return;
                    }
                }
            }
        }
    }
}

/// A flow's position as a non-zero u64 that grows in table order: inverted priority in the top
/// 16 bits, sequence number (+1) below.
fn cursor_of(f: &Flow) -> u64 {
    let (p, seq) = f.order();
    u64::from(p) << 48 | (seq.wrapping_add(1) & ((1 << 48) - 1))
}
