// SPDX-License-Identifier: GPL-2.0

//! Bucket liveness, as OpenFlow and OVS define it: a bucket with no watch is live; otherwise it is
//! live when its watch_port is up or its watch_group has a live bucket. Recursion through
//! watch_group is bounded by [`MAX_CHAIN_DEPTH`] (the table never holds deeper chains, so the bound
//! only guards against a table that changed under a reader: past it, a bucket counts as dead).

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
}

/// Whether a bucket with watches `w` is live, `depth` groups deep into watch_group recursion.
pub fn bucket_live(env: &dyn LiveEnv, w: Watch, depth: u32) -> bool {
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
    if depth > MAX_CHAIN_DEPTH {
        return false;
    }
    env.any_bucket(id, &mut |w| bucket_live(env, w, depth))
}
