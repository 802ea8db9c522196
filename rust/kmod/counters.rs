// SPDX-License-Identifier: GPL-2.0

//! Packet and byte counters credited on the packet path: per CPU, summed on read.
//!
//! The packet path only calls [`Counters::credit`] (one add to the running CPU's slot: no atomic
//! read-modify-write, no cache line shared between CPUs), readers [`Counters::read`].

use kernel::prelude::*;
use kernel::sync::atomic::{Atomic, Relaxed};

use crate::ffi::PerCpu;
use crate::logic::gso::Wire;

/// A packet and byte counter pair, per CPU.
///
/// A reset does not touch the per-CPU slots (another CPU may be adding to its slot at that very
/// moment): it records the current sums as a base that later reads subtract. Resets and reads run
/// in netlink handlers, which the family serializes (it has no `parallel_ops`), so a reader sees
/// a reset of a group and its buckets entirely or not at all.
pub(crate) struct Counters {
    pcpu: PerCpu<2>,
    base: [Atomic<u64>; 2],
}

/// A point-in-time reading of [`Counters`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    /// Packets counted (wire segments: a GSO frame counts as the segments it stands for).
    pub(crate) packets: u64,
    /// Bytes counted (whole frames, L2 header included, each segment with its headers).
    pub(crate) bytes: u64,
}

impl Counters {
    /// Zeroed counters (allocates the per-CPU part: process context).
    pub(crate) fn new() -> Result<Self> {
        Ok(Counters {
            pcpu: PerCpu::new()?,
            base: [Atomic::new(0), Atomic::new(0)],
        })
    }

    /// Count a frame as the packets and bytes it stands for. Any context, no locks.
    #[inline]
    pub(crate) fn credit(&self, w: Wire) {
        if cfg!(ofgroup_ablate = "nocount") {
            return; // benchmark-only variant (scripts/module.sh OFGROUP_ABLATE=nocount)
        }
        self.pcpu.add2(0, w.packets, w.bytes);
    }

    /// Current values: the per-CPU sums since the last reset.
    pub(crate) fn read(&self) -> Totals {
        let [p, b] = self.pcpu.sum();
        Totals {
            packets: p.wrapping_sub(self.base[0].load(Relaxed)),
            bytes: b.wrapping_sub(self.base[1].load(Relaxed)),
        }
    }

    /// Start counting from zero (an explicit stats reset; see the type's docs for atomicity).
    pub(crate) fn reset(&self) {
        let [p, b] = self.pcpu.sum();
        self.base[0].store(p, Relaxed);
        self.base[1].store(b, Relaxed);
    }
}
