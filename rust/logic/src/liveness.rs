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
    /// The watches of bucket `i` (in order) of group `id`; `None` past its last bucket or if
    /// there is no such group.
    fn bucket_watch(&self, id: u32, i: usize) -> Option<Watch>;
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

/// Whether group `id` has a live bucket (a missing group has none), `depth` groups deep.
///
/// Iterative, with an explicit stack of the groups being looked into (at most
/// [`MAX_CHAIN_DEPTH`] + 1): a chain of watched groups costs no stack per level on the packet
/// path. Charges and memo as a recursive walk would: one unit per group looked up and per bucket
/// checked; every group whose liveness is settled is remembered for the rest of the frame.
pub fn group_live(env: &dyn LiveEnv, id: u32, depth: u32) -> bool {
    if let Some(live) = env.memo(id) {
        return live;
    }
    if depth > MAX_CHAIN_DEPTH || !env.charge(1) {
        return false;
    }
    // (group, next bucket to check) from `id` down to the group looked into now.
    let mut stack = [(0u32, 0usize); MAX_CHAIN_DEPTH as usize + 1];
    stack[0] = (id, 0);
    let mut len = 1;
    loop {
        let (gid, i) = stack[len - 1];
        let d = depth + len as u32 - 1;
        let Some(w) = env.bucket_watch(gid, i) else {
            // No bucket of `gid` is live: settled dead; its watcher's bucket is dead too, unless
            // `gid` was the group asked about.
            env.set_memo(gid, false);
            len -= 1;
            if len == 0 {
                return false;
            }
            stack[len - 1].1 += 1;
            continue;
        };
        let live = if !env.charge(1) {
            false
        } else if (w.port == OFPP_ANY && w.group == OFPG_ANY)
            || (w.port != OFPP_ANY && env.port_live(w.port))
        {
            true
        } else if w.group == OFPG_ANY {
            false
        } else if let Some(live) = env.memo(w.group) {
            live
        } else if d + 1 > MAX_CHAIN_DEPTH || len == stack.len() || !env.charge(1) {
            false
        } else {
            // Look into the watched group first.
            stack[len] = (w.group, 0);
            len += 1;
            continue;
        };
        if live {
            // A live bucket: its group is live, and so is every group watching down to it.
            for &(g, _) in &stack[..len] {
                env.set_memo(g, true);
            }
            return true;
        }
        stack[len - 1].1 += 1;
    }
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
    fn bucket_watch(&self, id: u32, i: usize) -> Option<Watch> {
        self.env.bucket_watch(id, i)
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
