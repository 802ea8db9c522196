// SPDX-License-Identifier: GPL-2.0

//! Packet and byte counters credited on the packet path.
//!
//! One small type so that a later move to per-CPU counters stays local to this file: the packet
//! path only calls [`Counters::credit`], readers only [`Counters::read`].

use kernel::sync::atomic::{Atomic, Relaxed};

/// A packet and byte counter pair, updated with atomic adds (exact under concurrency: no lost
/// updates, no locks). Aligned to a cache line so that counters written by different CPUs
/// (different buckets, groups) never share one.
#[repr(C, align(64))]
pub(crate) struct Counters {
    packets: Atomic<u64>,
    bytes: Atomic<u64>,
}

/// A point-in-time reading of [`Counters`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Packets counted.
    pub(crate) packets: u64,
    /// Bytes counted (whole frames, L2 header included).
    pub(crate) bytes: u64,
}

impl Counters {
    /// Zeroed counters.
    pub(crate) const fn new() -> Self {
        Counters {
            packets: Atomic::new(0),
            bytes: Atomic::new(0),
        }
    }

    /// Count one packet of `bytes` bytes. Any context, no locks.
    #[inline]
    pub(crate) fn credit(&self, bytes: u64) {
        if cfg!(ofgroup_ablate = "nocount") {
            return; // benchmark-only variant (scripts/module.sh OFGROUP_ABLATE=nocount)
        }
        self.packets.add(1u64, Relaxed);
        self.bytes.add(bytes, Relaxed);
    }

    /// Current values. Each counter is read atomically; the pair is not a snapshot of one instant.
    pub(crate) fn read(&self) -> Totals {
        Totals {
            packets: self.packets.load(Relaxed),
            bytes: self.bytes.load(Relaxed),
        }
    }

    /// Set both counters back to zero (an explicit stats reset).
    pub(crate) fn reset(&self) {
        self.packets.store(0u64, Relaxed);
        self.bytes.store(0u64, Relaxed);
    }
}
