// SPDX-License-Identifier: GPL-2.0

//! The flow table: priority-ordered flows, and the classifier the packet path searches.
//!
//! Writers (netlink, group deletion) keep the flows in a list ordered by priority (highest
//! first, then age) under a mutex, and after every change build a new immutable snapshot — the
//! list plus a tuple-space classifier (`logic::classifier`: one hash table per distinct mask) —
//! and publish it with one RCU pointer store. Readers look up a packet's key in the current
//! snapshot without locks or allocation; the cost grows with the number of distinct masks, not
//! with the number of flows. A flow object (its counters) is shared by consecutive snapshots, so
//! counters survive other flows' changes, and modify keeps them.

use kernel::{new_mutex, prelude::*, sync::rcu, sync::Arc, sync::Mutex};

use crate::counters::Counters;
use crate::ffi::{self, RcuCell, RcuLink, Retire};
use crate::group::GroupShared;
use crate::logic::{
    classifier::{self, Entry, Subtable},
    error::Error as OfError,
    flow::{Key, Match},
    model::Action,
    work::FlowSet,
};
use crate::table::{OpError, Table};

/// Most flows the table holds (OFPFMFC_TABLE_FULL beyond).
pub(crate) const MAX_FLOWS: usize = 65536;

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
    /// The table is full (OFPFMFC_TABLE_FULL).
    TableFull,
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

/// An immutable published state of the table.
struct Snapshot {
    flows: KVVec<Arc<Flow>>,
    subtables: KVVec<Subtable>,
    entries: KVVec<Entry>,
    slots: KVVec<u32>,
    /// Its deferred release once replaced.
    rcu: RcuLink,
}

impl Retire for Snapshot {
    fn rcu_link(&self) -> &RcuLink {
        &self.rcu
    }
}

impl Snapshot {
    fn build(flows: &[Arc<Flow>]) -> Result<Self, FlowError> {
        let cap = classifier::capacity(flows.len());
        let mut s = Snapshot {
            flows: KVVec::with_capacity(flows.len(), GFP_KERNEL_ACCOUNT)?,
            subtables: KVVec::new(),
            entries: KVVec::new(),
            slots: KVVec::new(),
            rcu: RcuLink::new(),
        };
        for f in flows {
            s.flows.push(f.clone(), GFP_KERNEL_ACCOUNT)?;
        }
        s.subtables
            .resize(cap.subtables, Subtable::default(), GFP_KERNEL_ACCOUNT)?;
        s.entries
            .resize(cap.entries, Entry::default(), GFP_KERNEL_ACCOUNT)?;
        s.slots
            .resize(cap.slots, classifier::EMPTY, GFP_KERNEL_ACCOUNT)?;
        let mut order = KVVec::new();
        order.resize(flows.len(), 0u32, GFP_KERNEL)?;
        let used = classifier::build(
            &s.flows,
            |f: &Arc<Flow>| (&f.m, f.priority),
            &mut order,
            &mut s.subtables,
            &mut s.entries,
            &mut s.slots,
        )
        .ok_or(FlowError::NoMem)?;
        s.subtables.truncate(used.subtables);
        s.entries.truncate(used.entries);
        s.slots.truncate(used.slots);
        Ok(s)
    }
}

/// Writer-side state.
struct Writer {
    /// Installed flows, ordered by `Flow::order`.
    flows: KVVec<Arc<Flow>>,
    /// Next sequence number.
    seq: u64,
}

/// The flow table.
#[pin_data]
pub(crate) struct FlowTable {
    current: RcuCell<Snapshot>,
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
    /// An empty table.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            current: RcuCell::new(),
            writer <- new_mutex!(Writer { flows: KVVec::new(), seq: 0 }),
        })
    }

    /// The highest-priority flow matching `key`: lock-free, for the read section `rcu`.
    pub(crate) fn lookup<'a>(&'a self, rcu: &'a rcu::Guard, key: &Key) -> Option<&'a Flow> {
        let s = self.current.get(rcu)?;
        if cfg!(ofgroup_ablate = "noclassify") {
            // Benchmark-only variant (scripts/module.sh OFGROUP_ABLATE=noclassify): the first flow.
            return s.flows.first().map(|f| &**f);
        }
        let i = classifier::lookup(key, &s.subtables, &s.entries, &s.slots)?;
        s.flows.get(i as usize).map(|f| &**f)
    }

    /// Number of installed flows.
    pub(crate) fn len(&self) -> usize {
        self.writer.lock().flows.len()
    }

    /// Publish `flows` as the new state.
    fn publish(&self, flows: &[Arc<Flow>]) -> Result<(), FlowError> {
        let s = Snapshot::build(flows)?;
        self.current.replace(Some(Arc::new(s, GFP_KERNEL_ACCOUNT)?));
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
                v.push(g.shared.clone(), GFP_KERNEL)?;
            }
        }
        Ok(v)
    }

    /// Add a flow; one with the same match and priority is replaced (its counters restart).
    /// The table's group writers must not run concurrently with a flow change that names a
    /// group being deleted: callers serialize through `Datapath` (`flows_lock`).
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
        let same = w
            .flows
            .iter()
            .position(|f| f.priority == priority && f.m == m);
        if same.is_none() && w.flows.len() >= MAX_FLOWS {
            return Err(FlowError::TableFull);
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
        let mut next = Self::copy_without(&w.flows, |f| {
            same.is_some_and(|i| w.flows.get(i).is_some_and(|s| core::ptr::eq(f, &**s)))
        })?;
        let at = next
            .iter()
            .position(|f| f.order() > flow.order())
            .unwrap_or(next.len());
        next.push(flow.clone(), GFP_KERNEL_ACCOUNT)?;
        if let Some(tail) = next.get_mut(at..) {
            tail.rotate_right(1);
        }
        self.publish(&next)?;
        // Committed: nothing below can fail.
        flow.groups.iter().for_each(|g| g.hold_flow_ref());
        if let Some(old) = same.and_then(|i| w.flows.get(i)) {
            old.release_group_refs();
        }
        w.flows = next;
        w.seq += 1;
        Ok(())
    }

    /// A copy of `flows` without those `skip` selects, with room for one more.
    fn copy_without(
        flows: &[Arc<Flow>],
        skip: impl Fn(&Flow) -> bool,
    ) -> Result<KVVec<Arc<Flow>>, FlowError> {
        let mut v = KVVec::with_capacity(flows.len() + 1, GFP_KERNEL_ACCOUNT)?;
        for f in flows.iter().filter(|f| !skip(f)) {
            v.push(f.clone(), GFP_KERNEL_ACCOUNT)?;
        }
        Ok(v)
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
        let mut next = KVVec::with_capacity(w.flows.len(), GFP_KERNEL_ACCOUNT)?;
        let mut changed = 0u32;
        for f in &w.flows {
            if !sel.selects(f) {
                next.push(f.clone(), GFP_KERNEL_ACCOUNT)?;
                continue;
            }
            if changed == 0 {
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
            next.push(nf, GFP_KERNEL_ACCOUNT)?;
            changed += 1;
        }
        if changed == 0 {
            return Ok(0);
        }
        self.publish(&next)?;
        for (old, new) in w.flows.iter().zip(next.iter()) {
            if !Arc::ptr_eq(old, new) {
                new.groups.iter().for_each(|g| g.hold_flow_ref());
                old.release_group_refs();
            }
        }
        w.flows = next;
        Ok(changed)
    }

    /// Delete the flows `pred` selects; returns how many.
    fn delete_where(&self, pred: impl Fn(&Flow) -> bool) -> Result<u32, FlowError> {
        let mut w = self.writer.lock();
        let n = w.flows.iter().filter(|f| pred(f)).count();
        if n == 0 {
            return Ok(0);
        }
        let next = Self::copy_without(&w.flows, &pred)?;
        self.publish(&next)?;
        w.flows
            .iter()
            .filter(|f| pred(f))
            .for_each(|f| f.release_group_refs());
        w.flows = next;
        Ok(n as u32)
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
    /// once. Cursor 0 starts.
    pub(crate) fn next(&self, cursor: &mut u64) -> Option<FlowInfo> {
        let w = self.writer.lock();
        let after = *cursor;
        // The list is in cursor order: binary search, so a dump of n flows costs O(n log n).
        let i = w.flows.partition_point(|f| cursor_of(f) <= after);
        let f = w.flows.get(i)?;
        *cursor = cursor_of(f);
        Some(FlowInfo {
            flow: f.clone(),
            duration_ns: ffi::boottime_ns().saturating_sub(f.created_ns),
        })
    }
}

/// The installed flows, for the work recheck of a group change (under the datapath's
/// `flows_lock`, so the published snapshot is the current state).
impl FlowSet for FlowTable {
    fn for_each(&self, f: &mut dyn FnMut(u16, &[Action]) -> bool) {
        let rcu = rcu::read_lock();
        if let Some(s) = self.current.get(&rcu) {
            for fl in s.flows.iter() {
                if !f(fl.priority, &fl.actions) {
                    return;
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
