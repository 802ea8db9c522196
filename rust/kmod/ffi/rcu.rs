// SPDX-License-Identifier: GPL-2.0

//! Deferring work past an RCU grace period.

use core::ffi::c_void;
use kernel::sync::atomic::{Acquire, Atomic, Full};
use kernel::sync::Arc;
use kernel::types::ForeignOwnable;

use super::raw;

/// Wait until every RCU read-side critical section that started before this call has ended.
/// Sleeps: process context only. (KUnit and the benchmarks use it; the module defers instead.)
#[cfg(any(ofgroup_kunit, ofgroup_bench))]
pub(crate) fn synchronize_rcu() {
    // SAFETY: `synchronize_rcu` has no preconditions beyond a sleepable context, which every
    // caller (netlink handlers, module init/exit, KUnit cases) provides.
    unsafe { kernel::bindings::synchronize_rcu() }
}

/// Drop `obj` after an RCU grace period, without waiting for it: readers that found `obj` under
/// `rcu::read_lock()` before it was unpublished can keep using it until they leave their read
/// section. Process context (it may allocate with GFP_KERNEL, or wait for a grace period when
/// that fails). Module exit must `rcu_barrier()` so no deferred drop runs after unload.
pub(crate) fn defer_after_grace_period<T: ForeignOwnable + Send>(obj: T) {
    extern "C" fn drop_it<T: ForeignOwnable>(arg: *mut c_void) {
        // SAFETY: `arg` came from `T::into_foreign` below and is passed to this callback exactly
        // once, so ownership is taken back exactly once.
        drop(unsafe { T::from_foreign(arg) });
    }
    let arg = obj.into_foreign();
    // The callback runs in softirq context, so `T`'s drop must not sleep. What is deferred here -
    // groups, flow snapshots, ports - frees memory and drops references; the one whose last drop
    // could sleep, a port's `Arc<Datapath>`, is never the last one here: the genl family holds
    // the datapath while the module runs, and module exit keeps its own reference until
    // `rcu_barrier()` has run every callback (`ofgroup_main.rs`). That is an ordering argument,
    // not a type: making it one (a bound on `T`, or `queue_rcu_work`) is open in issue 12.
    // SAFETY: `drop_it::<T>` matches the callback signature and takes back ownership of `arg`
    // once; `T: Send` makes dropping it on the callback's CPU sound; the drop does not sleep.
    unsafe { raw::ofg_call_rcu(Some(drop_it::<T>), arg) }
}

/// One RCU-protected `Arc<T>`: readers get a reference valid for their read section without
/// taking a count; writers (serialized by the caller's lock) replace it, and the old value is
/// dropped after a grace period.
///
/// # Invariants
///
/// `ptr` is null or comes from `Arc::into_raw` and owns that reference; a replaced pointer's
/// reference is released only after a grace period.
pub(crate) struct RcuCell<T: Send + Sync + 'static> {
    ptr: Atomic<*mut T>,
}

// SAFETY: the cell only hands out `&T` (T: Sync) and moves `Arc<T>` (T: Send + Sync).
unsafe impl<T: Send + Sync + 'static> Send for RcuCell<T> {}
// SAFETY: as above; loads and stores of the pointer are atomic.
unsafe impl<T: Send + Sync + 'static> Sync for RcuCell<T> {}

impl<T: Send + Sync + 'static> RcuCell<T> {
    /// An empty cell.
    pub(crate) fn new() -> Self {
        // INVARIANT: null.
        RcuCell {
            ptr: Atomic::new(core::ptr::null_mut()),
        }
    }

    /// The current value, for the read section `_rcu` (rcu_dereference: acquire load).
    pub(crate) fn get<'a>(&'a self, _rcu: &'a kernel::sync::rcu::Guard) -> Option<&'a T> {
        let p = self.ptr.load(Acquire);
        // SAFETY: a non-null pointer owns a reference (type invariant) that is released only a
        // grace period after it is replaced, and the guard keeps this read section open, so `p`
        // is valid for `'a`.
        unsafe { p.as_ref() }
    }

    /// Publish `v` (rcu_assign_pointer: release store); the previous value is released after a
    /// grace period. Callers serialize replacements. Process context.
    pub(crate) fn replace(&self, v: Option<Arc<T>>) {
        let new = v.map_or(core::ptr::null_mut(), |v| Arc::into_raw(v).cast_mut());
        // INVARIANT: `new` is null or owns the reference `into_raw` gave up; `old`'s reference is
        // released only after a grace period, below.
        let old = self.ptr.xchg(new, Full);
        if !old.is_null() {
            // SAFETY: `old` owned a reference (type invariant) that nobody can load any more;
            // readers that loaded it before keep it until their grace period ends.
            defer_after_grace_period(unsafe { Arc::from_raw(old.cast_const()) });
        }
    }
}

impl<T: Send + Sync + 'static> Drop for RcuCell<T> {
    fn drop(&mut self) {
        self.replace(None);
    }
}
