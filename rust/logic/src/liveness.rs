// SPDX-License-Identifier: GPL-2.0

//! Bucket liveness, as OpenFlow and OVS define it: a bucket with no watch is live; otherwise it is
//! live when its watch_port is up or its watch_group has a live bucket. Recursion through
//! watch_group is bounded by [`MAX_CHAIN_DEPTH`] (the table never holds deeper chains, so the bound
//! only guards against a table that changed under a reader: past it, a bucket counts as dead).
//!
//! On the packet path the environment also meters the work (one unit per bucket checked, one per
//! watched group looked up; see [`super::work`]) and remembers each watched group's liveness for
//! the rest of the frame, so a group watched by many buckets is evaluated once per frame. A
//! frame whose budget is spent sees every further bucket as dead.

use super::model::{MAX_CHAIN_DEPTH, OFPG_ANY, OFPP_ANY};

/// A bucket's watch fields (OFPP_ANY / OFPG_ANY: none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Watch {
    /// Watched port or OFPP_ANY.
    pub port: u32,
    /// Watched group or OFPG_ANY.
    pub group: u32,
}

impl Watch {
    /// No watch: always live.
    pub const NONE: Watch = Watch {
        port: OFPP_ANY,
        group: OFPG_ANY,
    };
}

/// What liveness needs to know about the world.
pub trait LiveEnv {
    /// Whether datapath port `port` is up (admin and carrier). Unknown ports are down.
    fn port_live(&self, port: u32) -> bool;
    /// Whether group `id` exists and `any` returns true for one of its buckets' watches.
    fn any_bucket(&self, id: u32, any: &mut dyn FnMut(Watch) -> bool) -> bool;
    /// Spend `units` of the frame's work budget; `false` when it is spent (nothing is then
    /// live). Unmetered by default.
    fn charge(&self, _units: u32) -> bool {
        true
    }
    /// Group `id`'s liveness, if already computed for this frame.
    fn memo(&self, _id: u32) -> Option<bool> {
        None
    }
    /// Remember group `id`'s liveness for the rest of the frame.
    fn set_memo(&self, _id: u32, _live: bool) {}
}

/// Whether a bucket with watches `w` is live, `depth` groups deep into watch_group recursion.
pub fn bucket_live(env: &dyn LiveEnv, w: Watch, depth: u32) -> bool {
    if !env.charge(1) {
        return false;
    }
    if w.port == OFPP_ANY && w.group == OFPG_ANY {
        return true;
    }
    if w.port != OFPP_ANY && env.port_live(w.port) {
        return true;
    }
    w.group != OFPG_ANY && group_live(env, w.group, depth + 1)
}

/// Whether group `id` has a live bucket (a missing group has none).
pub fn group_live(env: &dyn LiveEnv, id: u32, depth: u32) -> bool {
    if let Some(live) = env.memo(id) {
        return live;
    }
    if depth > MAX_CHAIN_DEPTH || !env.charge(1) {
        return false;
    }
    let live = env.any_bucket(id, &mut |w| bucket_live(env, w, depth));
    env.set_memo(id, live);
    live
}

/// A liveness environment metered by a frame's [`Frame`](super::work::Frame): charges its
/// budget and memoizes watched groups in it.
pub struct Metered<'a> {
    /// The unmetered environment.
    pub env: &'a dyn LiveEnv,
    /// The frame's budget and memo.
    pub frame: &'a super::work::Frame,
}

impl LiveEnv for Metered<'_> {
    fn port_live(&self, port: u32) -> bool {
        self.env.port_live(port)
    }
    fn any_bucket(&self, id: u32, any: &mut dyn FnMut(Watch) -> bool) -> bool {
        self.env.any_bucket(id, any)
    }
    fn charge(&self, units: u32) -> bool {
        self.frame.charge(units)
    }
    fn memo(&self, id: u32) -> Option<bool> {
        self.frame.live_memo(id)
    }
    fn set_memo(&self, id: u32, live: bool) {
        self.frame.set_live_memo(id, live)
    }
}
