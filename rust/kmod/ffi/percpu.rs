// SPDX-License-Identifier: GPL-2.0

//! Per-CPU counters (`alloc_percpu` + `u64_stats_sync`, through the shim): the packet path adds to
//! the running CPU's slot with no shared cache line and no atomic read-modify-write; readers sum
//! every CPU. The pattern of nexthop groups and `pcpu_sw_netstats`.

use core::ptr::NonNull;
use kernel::prelude::*;

use super::raw;

/// Most counters one [`PerCpu`] holds (`OFG_PCPU_MAX` in the shim).
const MAX: usize = 8;

/// `N` u64 counters per CPU, zero when created.
///
/// # Invariants
///
/// `0` was returned by `ofg_pcpu_alloc(N)` with `1 <= N <= MAX`, is owned by this object and is
/// freed only in `Drop`.
pub(crate) struct PerCpu<const N: usize>(NonNull<raw::ofg_pcpu>);

// SAFETY: the per-CPU area may be used from any CPU (each writes its own slot, with preemption
// off inside the shim) and freed from any context: `free_percpu` may be called from atomic
// context, such as the RCU callback that frees a retired group.
unsafe impl<const N: usize> Send for PerCpu<N> {}
// SAFETY: every operation through `&self` is a per-CPU add or a read of all CPUs, both safe
// concurrently (see the shim).
unsafe impl<const N: usize> Sync for PerCpu<N> {}

impl<const N: usize> PerCpu<N> {
    const VALID: () = assert!(N >= 1 && N <= MAX);

    /// Zeroed counters (GFP_KERNEL_ACCOUNT: process context).
    pub(crate) fn new() -> Result<Self> {
        let () = Self::VALID;
        // SAFETY: 1 <= N <= MAX (checked at compile time above); process context.
        let p = unsafe { raw::ofg_pcpu_alloc(N as u32) };
        // INVARIANT: a non-NULL result of `ofg_pcpu_alloc(N)`, owned from here on.
        NonNull::new(p).map(PerCpu).ok_or(ENOMEM)
    }

    /// Add `a` to counter `i` and `b` to counter `i + 1` on this CPU. Any context, no lock.
    /// Indices past the end are ignored (they are constants at every call site).
    #[inline]
    pub(crate) fn add2(&self, i: usize, a: u64, b: u64) {
        if i + 1 < N {
            // SAFETY: `self.0` is live (type invariant); i + 1 < N counters exist.
            unsafe { raw::ofg_pcpu_add(self.0.as_ptr(), i as u32, a, b) }
        }
    }

    /// Add `a` to counter `i` on this CPU. Any context, no lock.
    #[inline]
    pub(crate) fn add(&self, i: usize, a: u64) {
        if i < N {
            // SAFETY: `self.0` is live (type invariant); i < N; with b = 0 the shim touches only
            // counter i.
            unsafe { raw::ofg_pcpu_add(self.0.as_ptr(), i as u32, a, 0) }
        }
    }

    /// Each counter summed over all CPUs. Any context; a sum is not a snapshot of one instant
    /// (adds running meanwhile may or may not be in it), but no add is ever lost or counted
    /// twice.
    pub(crate) fn sum(&self) -> [u64; N] {
        let mut out = [0u64; N];
        // SAFETY: `self.0` is live (type invariant); `out` has room for the N sums written.
        unsafe { raw::ofg_pcpu_sum(self.0.as_ptr(), N as u32, out.as_mut_ptr()) };
        out
    }
}

impl<const N: usize> Drop for PerCpu<N> {
    fn drop(&mut self) {
        // SAFETY: allocated by `ofg_pcpu_alloc` (type invariant), freed once, here.
        unsafe { raw::ofg_pcpu_free(self.0.as_ptr()) }
    }
}
