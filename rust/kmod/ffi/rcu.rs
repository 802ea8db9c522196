// SPDX-License-Identifier: GPL-2.0

//! Deferring work past an RCU grace period.

use core::ffi::c_void;
use kernel::types::ForeignOwnable;

use super::raw;

/// Wait until every RCU read-side critical section that started before this call has ended.
/// Sleeps: process context only.
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
    // SAFETY: `drop_it::<T>` matches the callback signature and takes back ownership of `arg`;
    // `T: Send` makes dropping it on the RCU callback's CPU and context sound; `T`'s drop only
    // frees memory, which is allowed in softirq context where RCU callbacks run.
    unsafe { raw::ofg_call_rcu(Some(drop_it::<T>), arg) }
}
