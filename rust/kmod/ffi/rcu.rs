// SPDX-License-Identifier: GPL-2.0

//! Deferring work past an RCU grace period.
//!
//! What is deferred is the drop of one `Arc<T>` reference (a group version, a flow snapshot, a
//! port) after readers that found it under `rcu::read_lock()` are done. The record the deferral
//! needs is embedded in the object ([`RcuLink`], through [`Retire`]), so the free path never
//! allocates and never waits for a grace period; the drop runs from `queue_rcu_work`, in process
//! context on the module's workqueue, so whatever `T`'s drop does (sleep, `synchronize_rcu`,
//! drop the last `Arc<Datapath>`) is allowed there: no callback ever drops anything in softirq.

use core::ffi::c_void;
use kernel::sync::atomic::{Acquire, Atomic, Full, Relaxed};
use kernel::sync::Arc;
use kernel::{prelude::*, types::Opaque};

use super::raw;

/// Wait until every RCU read-side critical section that started before this call has ended.
/// Sleeps: process context only. (KUnit and the benchmarks use it; the module defers instead.)
#[cfg(any(ofgroup_kunit, ofgroup_bench))]
pub(crate) fn synchronize_rcu() {
    // SAFETY: `synchronize_rcu` has no preconditions beyond a sleepable context, which every
    // caller (netlink handlers, module init/exit, KUnit cases) provides.
    unsafe { kernel::bindings::synchronize_rcu() }
}

/// The workqueue deferred drops run on: created by [`Deferrals::init`] (module init, before
/// anything is deferred); dropping it waits until every deferred drop has run (module exit).
pub(crate) struct Deferrals(());

impl Deferrals {
    /// Create the workqueue.
    pub(crate) fn init() -> Result<Self> {
        // SAFETY: no preconditions (process context, module init).
        let rc = unsafe { raw::ofg_rcu_init() };
        if rc < 0 {
            return Err(Error::from_errno(rc));
        }
        Ok(Deferrals(()))
    }
}

impl Drop for Deferrals {
    fn drop(&mut self) {
        // SAFETY: the workqueue was created by `init` (this object exists); the owner drops this
        // last, after the last deferral, so nothing is queued on it afterwards.
        unsafe { raw::ofg_rcu_exit() }
    }
}

/// Wait until every deferred drop queued so far has run (and those they queued). Sleeps.
#[cfg(ofgroup_kunit)]
pub(crate) fn wait_deferred() {
    // SAFETY: process context (KUnit cases); the workqueue exists while the module is loaded,
    // and KUnit cases run after module init.
    unsafe { raw::ofg_rcu_flush() }
}

/// Deferred drops queued and not yet run (KUnit: memory back at baseline).
#[cfg(ofgroup_kunit)]
pub(crate) fn pending() -> isize {
    // SAFETY: reads an atomic counter; no preconditions.
    unsafe { raw::ofg_rcu_pending() as isize }
}

/// The record a deferred drop of its object needs, embedded in that object. Used at most once.
///
/// # Invariants
///
/// `work` is touched only by `ofg_rcu_link_queue` and the workqueue, and only after `armed` was
/// set, which happens once.
pub(crate) struct RcuLink {
    work: Opaque<raw::ofg_rcu_link>,
    armed: Atomic<u32>,
}

// SAFETY: `work` is plain C data that Rust never reads; the C side takes it over once (`armed`).
unsafe impl Send for RcuLink {}
// SAFETY: as above; `armed` is atomic.
unsafe impl Sync for RcuLink {}

impl RcuLink {
    /// A link not yet used.
    pub(crate) fn new() -> Self {
        // INVARIANT: not armed.
        RcuLink {
            work: Opaque::uninit(),
            armed: Atomic::new(0),
        }
    }
}

/// An object that can be retired after a grace period through the [`RcuLink`] it embeds.
pub(crate) trait Retire: Send + Sync + 'static {
    /// The link, a field of `self`.
    fn rcu_link(&self) -> &RcuLink;
}

/// Drop `obj` after an RCU grace period, without waiting for it: readers that found `obj` under
/// `rcu::read_lock()` before it was unpublished can keep using it until they leave their read
/// section. Any context; never allocates, never sleeps. The drop runs in process context on the
/// module's workqueue ([`Deferrals`]). Each object is retired at most once: a second retirement
/// (a bug), or a link that is not a field of `obj`, leaks the reference rather than reuse it.
pub(crate) fn defer_after_grace_period<T: Retire>(obj: Arc<T>) {
    extern "C" fn drop_it<T: Retire>(arg: *mut c_void) {
        // SAFETY: `arg` came from `Arc::into_raw` below and is passed to this function exactly
        // once (the link is queued once), so the reference is taken back exactly once.
        drop(unsafe { Arc::<T>::from_raw(arg.cast::<T>().cast_const()) });
    }
    let link = obj.rcu_link();
    let base = core::ptr::from_ref::<T>(&obj) as usize;
    let at = core::ptr::from_ref(link) as usize;
    let inside = at >= base
        && at
            .checked_add(core::mem::size_of::<RcuLink>())
            .is_some_and(|end| end <= base.saturating_add(core::mem::size_of::<T>()));
    if !inside || link.armed.xchg(1, Relaxed) != 0 {
        pr_err!("ofgroup: an object was retired twice; leaking it\n");
        core::mem::forget(obj);
        return;
    }
    let work = link.work.get();
    let arg = Arc::into_raw(obj).cast_mut().cast::<c_void>();
    // SAFETY: `work` is the link of the object `arg` owns a reference to (it lies inside that
    // object, checked above), so it stays valid until `drop_it` gives the reference back; it is
    // armed once (just set), so this is its only queueing; `drop_it::<T>` matches the callback
    // signature and takes the reference back once. It runs in process context (a workqueue),
    // where `T`'s drop may sleep, and `T: Send` lets it run on the worker's CPU.
    unsafe { raw::ofg_rcu_link_queue(work, Some(drop_it::<T>), arg) }
}

/// One RCU-protected `Arc<T>`: readers get a reference valid for their read section without
/// taking a count; writers (serialized by the caller's lock) replace it, and the old value is
/// dropped after a grace period.
///
/// # Invariants
///
/// `ptr` is null or comes from `Arc::into_raw` and owns that reference; a replaced pointer's
/// reference is released only after a grace period.
pub(crate) struct RcuCell<T: Retire> {
    ptr: Atomic<*mut T>,
}

// SAFETY: the cell only hands out `&T` (T: Sync) and moves `Arc<T>` (T: Send + Sync).
unsafe impl<T: Retire> Send for RcuCell<T> {}
// SAFETY: as above; loads and stores of the pointer are atomic.
unsafe impl<T: Retire> Sync for RcuCell<T> {}

impl<T: Retire> RcuCell<T> {
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

    /// The current value as a counted reference, for a writer that needs it beyond the read
    /// section `_rcu` (to allocate, which a read section forbids).
    pub(crate) fn get_arc(&self, _rcu: &kernel::sync::rcu::Guard) -> Option<Arc<T>> {
        let p = self.ptr.load(Acquire);
        if p.is_null() {
            return None;
        }
        // SAFETY: as in `get`, `p` owns a reference that is released only a grace period after it
        // is replaced and the guard keeps the read section open, so the count is non-zero and
        // taking one more is sound.
        Some(Arc::from(unsafe { kernel::sync::ArcBorrow::from_raw(p) }))
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

impl<T: Retire> Drop for RcuCell<T> {
    fn drop(&mut self) {
        self.replace(None);
    }
}
