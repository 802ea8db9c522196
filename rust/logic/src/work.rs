// SPDX-License-Identifier: GPL-2.0

//! Bounded work per frame: the worst-case work a frame can cause, computed at install, and the
//! per-frame meter the packet path charges.
//!
//! # Unit model
//!
//! One unit is one of these steps on the packet path:
//! - an action executed: `output:P` (the transmit) or `group:G` (the visit of G, found or not);
//! - a clone: every action of a list but the last runs on a clone, and so does every bucket of
//!   an `all` group but the last;
//! - a liveness check: one bucket's watches evaluated, or one watched group looked up.
//!
//! Worst cases, computed from the table at install:
//! - an action list: the sum of its actions plus one clone per action after the first;
//! - `group:G`: 1 (the visit) plus G's body; a missing G (dangling) costs the visit only;
//! - an `all` / `indirect` body: the sum over buckets of their action lists, plus one clone per
//!   bucket after the first;
//! - a `select` / `fast_failover` body: the liveness of every bucket (worst case: all checked)
//!   plus the most expensive bucket's action list;
//! - a bucket's liveness: 1, plus the watched group's liveness: 1 for the lookup plus the
//!   liveness of each of its buckets (recursively; a missing watched group costs the lookup).
//!
//! The packet path remembers a watched group's liveness for the rest of the frame
//! ([`Frame`]), so its real work can only be lower than the install-time figure, which counts
//! every evaluation. A group or flow whose worst case exceeds [`WORK_BUDGET`] is refused
//! (TOO_MANY), and so is any change to a group that would push one of its ancestors, or a flow
//! that reaches it, over: the table never holds an entry over budget. The packet path still
//! meters each frame and drops it (counted lost) if a racing update ever made it exceed.
//!
//! Memos are per check, on the table's groups (see [`ChainGraph`]): each group's worst case is
//! computed once per check, so a check is linear in the part of the graph it touches.

use core::cell::Cell;

use super::chain::{ChainGraph, Memo};
use super::error::{BucketRef, Error, ErrorKind, Field};
use super::liveness::Watch;
use super::model::{Action, GroupType, MAX_CHAIN_DEPTH, OFPG_ANY};

/// Most work units one frame may cost (OVS caps resubmits at the same number).
pub const WORK_BUDGET: u32 = 4096;

/// Most actions one flow may carry.
pub const MAX_FLOW_ACTIONS: usize = 256;

/// A bucket as the work model sees it.
#[derive(Clone, Copy, Debug)]
pub struct BucketView<'a> {
    /// Bucket id.
    pub id: u32,
    /// Watches.
    pub watch: Watch,
    /// Actions in order.
    pub actions: &'a [Action],
}

/// The table as the work check sees it: the chaining graph plus the groups' contents. A group
/// being changed appears with its new contents.
pub trait WorkGraph: ChainGraph {
    /// Type and bucket count of group `id`, if it exists.
    fn group(&self, id: u32) -> Option<(GroupType, usize)>;
    /// Bucket `i` of group `id`.
    fn bucket(&self, id: u32, i: usize) -> Option<BucketView<'_>>;
    /// Whether flows reference group `id`.
    fn has_flows(&self, id: u32) -> bool;
}

/// The flows, for the recheck after a group change.
pub trait FlowSet {
    /// Call `f` with each flow's priority and actions until it returns `false`.
    fn for_each(&self, f: &mut dyn FnMut(u16, &[Action]) -> bool);
}

/// No flows (a table without a datapath).
pub struct NoFlows;

impl FlowSet for NoFlows {
    fn for_each(&self, _f: &mut dyn FnMut(u16, &[Action]) -> bool) {}
}

/// Work of a chain that should not exist (deeper than the chain check allows): over any budget.
const ENDLESS: u64 = u64::MAX;

fn memo_of(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// Worst-case work of `group:id` (the visit included).
pub fn group_work(g: &dyn WorkGraph, id: u32) -> u64 {
    group_work_at(g, id, 0)
}

fn group_work_at(g: &dyn WorkGraph, id: u32, level: u32) -> u64 {
    if let Some(v) = g.memo(id, Memo::Work) {
        return u64::from(v);
    }
    let Some((t, n)) = g.group(id) else {
        return 1;
    };
    if level > MAX_CHAIN_DEPTH {
        return ENDLESS;
    }
    let mut body = 0u64;
    match t {
        GroupType::All | GroupType::Indirect => {
            for i in 0..n {
                if let Some(b) = g.bucket(id, i) {
                    body = body.saturating_add(actions_work_at(g, b.actions, level + 1));
                }
            }
            body = body.saturating_add(n.saturating_sub(1) as u64);
        }
        GroupType::Select | GroupType::FastFailover => {
            let mut most = 0u64;
            for i in 0..n {
                if let Some(b) = g.bucket(id, i) {
                    body = body.saturating_add(bucket_live_work(g, b.watch, level + 1));
                    most = most.max(actions_work_at(g, b.actions, level + 1));
                }
            }
            body = body.saturating_add(most);
        }
    }
    let w = body.saturating_add(1);
    g.set_memo(id, Memo::Work, memo_of(w));
    w
}

/// Worst-case work of an action list (flow or bucket).
pub fn actions_work(g: &dyn WorkGraph, actions: &[Action]) -> u64 {
    actions_work_at(g, actions, 0)
}

fn actions_work_at(g: &dyn WorkGraph, actions: &[Action], level: u32) -> u64 {
    let mut w = actions.len().saturating_sub(1) as u64;
    for a in actions {
        w = w.saturating_add(match *a {
            Action::Output(_) => 1,
            Action::Group(t) => group_work_at(g, t, level),
        });
    }
    w
}

/// Worst-case work of checking one bucket's liveness.
fn bucket_live_work(g: &dyn WorkGraph, w: Watch, level: u32) -> u64 {
    if w.group == OFPG_ANY {
        1
    } else {
        group_live_work(g, w.group, level).saturating_add(1)
    }
}

/// Worst-case work of deciding whether watched group `id` has a live bucket (the lookup included).
fn group_live_work(g: &dyn WorkGraph, id: u32, level: u32) -> u64 {
    if let Some(v) = g.memo(id, Memo::LiveWork) {
        return u64::from(v);
    }
    let Some((_, n)) = g.group(id) else {
        return 1;
    };
    if level > MAX_CHAIN_DEPTH {
        return ENDLESS;
    }
    let mut w = 1u64;
    for i in 0..n {
        if let Some(b) = g.bucket(id, i) {
            w = w.saturating_add(bucket_live_work(g, b.watch, level + 1));
        }
    }
    g.set_memo(id, Memo::LiveWork, memo_of(w));
    w
}

/// Group `id` is over budget with work `w`: the error, naming its most expensive bucket and the
/// group that bucket leads to (its most expensive `group:` action or watched group).
fn group_over(g: &dyn WorkGraph, id: u32, w: u64) -> Error {
    let mut worst: Option<(u64, u32, Option<u32>)> = None;
    if let Some((t, n)) = g.group(id) {
        let live = matches!(t, GroupType::Select | GroupType::FastFailover);
        for i in 0..n {
            let Some(b) = g.bucket(id, i) else { continue };
            let mut bw = actions_work(g, b.actions);
            let mut via: Option<(u64, u32)> = None;
            for a in b.actions {
                if let Action::Group(t) = *a {
                    let tw = group_work(g, t);
                    if via.is_none_or(|(vw, _)| tw > vw) {
                        via = Some((tw, t));
                    }
                }
            }
            if live {
                let lw = bucket_live_work(g, b.watch, 0);
                bw = bw.saturating_add(lw);
                if b.watch.group != OFPG_ANY && via.is_none_or(|(vw, _)| lw > vw) {
                    via = Some((lw, b.watch.group));
                }
            }
            if worst.is_none_or(|(ww, _, _)| bw > ww) {
                worst = Some((bw, b.id, via.map(|v| v.1)));
            }
        }
    }
    let e = Error::group(
        ErrorKind::TooMany,
        id,
        Field::Work,
        "per-frame work over budget",
    );
    let e = match worst {
        Some((_, bucket, via)) => Error {
            bucket: Some(BucketRef::Id(bucket)),
            ..e
        }
        .with_via(via),
        None => e,
    };
    e.with_value(w)
}

/// A flow of priority `priority` is over budget with work `w`: the error, naming its most
/// expensive `group:` action. `group` is the group whose change is refused (0 for a flow change).
fn flow_over(g: &dyn WorkGraph, group: u32, priority: u16, actions: &[Action], w: u64) -> Error {
    let mut via: Option<(u64, u32)> = None;
    for a in actions {
        if let Action::Group(t) = *a {
            let tw = group_work(g, t);
            if via.is_none_or(|(vw, _)| tw > vw) {
                via = Some((tw, t));
            }
        }
    }
    Error::group(
        ErrorKind::TooMany,
        group,
        Field::Work,
        "per-frame work over budget",
    )
    .with_value(w)
    .with_via(via.map(|v| v.1))
    .about_flow(priority)
}

/// The refusal of a flow with `n` actions, over [`MAX_FLOW_ACTIONS`] (TOO_MANY); the caller
/// names the flow (`about_flow`). Request parsers use it before collecting the list.
pub fn too_many_flow_actions(n: usize) -> Error {
    Error::group(
        ErrorKind::TooMany,
        0,
        Field::Actions,
        "too many actions (max 256)",
    )
    .with_value(n as u64)
}

/// Check a flow's actions: the cap on their number, then their worst-case work. Returns the work.
pub fn check_flow(g: &dyn WorkGraph, priority: u16, actions: &[Action]) -> Result<u64, Error> {
    if actions.len() > MAX_FLOW_ACTIONS {
        return Err(too_many_flow_actions(actions.len()).about_flow(priority));
    }
    let w = actions_work(g, actions);
    if w > u64::from(WORK_BUDGET) {
        return Err(flow_over(g, 0, priority, actions, w));
    }
    Ok(w)
}

/// Check installing group `id` as `g` shows it (its new contents): its own worst case, then
/// every ancestor's (groups that reach it through `group:` actions or `watch_group`), then
/// every flow that reaches it or an ancestor. The chaining check must have passed (no loops,
/// bounded depth). Returns the group's work. Memos are per check: the caller starts a new one.
pub fn check_group(g: &dyn WorkGraph, id: u32, flows: &dyn FlowSet) -> Result<u64, Error> {
    let w = group_work(g, id);
    if w > u64::from(WORK_BUDGET) {
        return Err(group_over(g, id, w));
    }
    g.set_memo(id, Memo::Ancestor, 1);
    let mut with_flows = g.has_flows(id);
    up(g, id, 0, &mut with_flows)?;
    if !with_flows {
        return Ok(w);
    }
    let mut err = None;
    flows.for_each(&mut |priority, actions| {
        let reaches = actions.iter().any(|a| match *a {
            Action::Group(t) => g.memo(t, Memo::Ancestor).is_some(),
            Action::Output(_) => false,
        });
        if reaches {
            let fw = actions_work(g, actions);
            if fw > u64::from(WORK_BUDGET) {
                err = Some(flow_over(g, id, priority, actions, fw));
                return false;
            }
        }
        true
    });
    match err {
        Some(e) => Err(e),
        None => Ok(w),
    }
}

/// Check every ancestor of `v` not yet visited in this check, marking them.
fn up(g: &dyn WorkGraph, v: u32, level: u32, with_flows: &mut bool) -> Result<(), Error> {
    if level > MAX_CHAIN_DEPTH {
        return Ok(());
    }
    let mut err = None;
    g.parents(v, &mut |p| {
        if err.is_some() || g.memo(p, Memo::Ancestor).is_some() {
            return;
        }
        g.set_memo(p, Memo::Ancestor, 1);
        *with_flows |= g.has_flows(p);
        let w = group_work(g, p);
        if w > u64::from(WORK_BUDGET) {
            err = Some(group_over(g, p, w));
            return;
        }
        if let Err(e) = up(g, p, level + 1, with_flows) {
            err = Some(e);
        }
    });
    match err {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Entries of a frame's liveness memo.
pub const LIVE_MEMO: usize = 16;

/// One frame's meter: the work it has done, and the liveness of the watched groups it has
/// evaluated (up to [`LIVE_MEMO`] of them; beyond, they are evaluated again, still metered).
/// Lives on the packet path's stack; no allocation, no atomics.
pub struct Frame {
    used: Cell<u32>,
    memo: [Cell<u64>; LIVE_MEMO],
    n: Cell<usize>,
}

impl Default for Frame {
    fn default() -> Self {
        Self::new()
    }
}

impl Frame {
    /// A frame that has done nothing yet.
    pub const fn new() -> Self {
        Frame {
            used: Cell::new(0),
            memo: [const { Cell::new(0) }; LIVE_MEMO],
            n: Cell::new(0),
        }
    }

    /// Spend `units`; `false` once the frame is over budget (and from then on).
    pub fn charge(&self, units: u32) -> bool {
        let u = self.used.get().saturating_add(units);
        self.used.set(u);
        u <= WORK_BUDGET
    }

    /// Units spent so far.
    pub fn used(&self) -> u32 {
        self.used.get()
    }

    /// Whether the frame went over budget.
    pub fn over(&self) -> bool {
        self.used.get() > WORK_BUDGET
    }

    /// The liveness of watched group `id`, if evaluated during this frame.
    pub fn live_memo(&self, id: u32) -> Option<bool> {
        self.memo
            .iter()
            .take(self.n.get())
            .map(Cell::get)
            .find(|v| (v >> 1) as u32 == id)
            .map(|v| v & 1 == 1)
    }

    /// Remember the liveness of watched group `id` (if there is room).
    pub fn set_live_memo(&self, id: u32, live: bool) {
        let n = self.n.get();
        if let Some(slot) = self.memo.get(n) {
            slot.set(u64::from(id) << 1 | u64::from(live));
            self.n.set(n + 1);
        }
    }
}
