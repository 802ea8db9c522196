// SPDX-License-Identifier: GPL-2.0

//! An XArray of `Arc<T>` that readers search lock-free under RCU, from any context.
//!
//! `kernel::xarray::XArray` takes the array's (non-bh) spinlock to read, which softirq cannot
//! use. Here readers call `xa_load`/`xa_find` inside an `rcu::Guard` and borrow the entry for the
//! guard's lifetime; writers store and erase (the XArray serializes them internally with its own
//! lock, and callers add their own mutex for multi-step updates). A removed entry comes back as a
//! [`Retired`], whose drop is deferred past an RCU grace period.

use core::{ffi::c_void, marker::PhantomData};
use kernel::{
    bindings,
    prelude::*,
    sync::{rcu, Arc, ArcBorrow},
    types::Opaque,
};

use super::{
    raw,
    rcu::{defer_after_grace_period, Retire},
};

/// Lock-free-readable map from `u32` index to `Arc<T>`.
///
/// # Invariants
///
/// `xa` is initialized. Every entry was produced by `Arc::<T>::into_raw` and the array owns that
/// reference until the entry is removed; a removed entry's reference is dropped only after an RCU
/// grace period (through [`Retired`]), so a pointer loaded under `rcu::read_lock()` stays valid
/// until that read section ends.
#[pin_data(PinnedDrop)]
pub(crate) struct RcuXArray<T: Retire> {
    #[pin]
    xa: Opaque<bindings::xarray>,
    _owns: PhantomData<Arc<T>>,
}

// SAFETY: the XArray is safe to use from any thread (its writers lock internally, its readers use
// RCU), and it only hands out `&T`/`Arc<T>` with `T: Send + Sync`.
unsafe impl<T: Retire> Send for RcuXArray<T> {}
// SAFETY: as above.
unsafe impl<T: Retire> Sync for RcuXArray<T> {}

impl<T: Retire> RcuXArray<T> {
    /// An empty array.
    pub(crate) fn new() -> impl PinInit<Self> {
        // INVARIANT: `xa_init` initializes `xa`, empty.
        pin_init!(Self {
            // SAFETY: `xa_init` initializes the xarray in place at `slot`, which is valid for
            // writes and pinned.
            xa <- Opaque::ffi_init(|slot| unsafe { raw::ofg_xa_init(slot) }),
            _owns: PhantomData,
        })
    }

    fn ptr(&self) -> *mut bindings::xarray {
        self.xa.get()
    }

    /// The entry at `index`, borrowed for as long as the RCU read section lasts.
    pub(crate) fn get<'a>(&'a self, rcu: &'a rcu::Guard, index: u32) -> Option<&'a T> {
        // SAFETY: see `borrow`.
        self.load(rcu, index).map(|b| unsafe { Self::borrow(b) })
    }

    /// A counted reference to the entry at `index`, usable outside any RCU section.
    pub(crate) fn get_arc(&self, index: u32) -> Option<Arc<T>> {
        let guard = rcu::read_lock();
        // SAFETY: see `borrow_arc`.
        self.load(&guard, index)
            .map(|p| unsafe { Self::borrow_arc(p) })
    }

    /// The first entry at or after `*cursor`; advances `*cursor` to its index.
    pub(crate) fn find<'a>(
        &'a self,
        rcu: &'a rcu::Guard,
        cursor: &mut usize,
    ) -> Option<(u32, &'a T)> {
        let (i, p) = self.find_raw(rcu, cursor)?;
        // SAFETY: see `borrow`.
        Some((i, unsafe { Self::borrow(p) }))
    }

    /// Like [`Self::find`], with a counted reference.
    pub(crate) fn find_arc(&self, rcu: &rcu::Guard, cursor: &mut usize) -> Option<(u32, Arc<T>)> {
        let (i, p) = self.find_raw(rcu, cursor)?;
        // SAFETY: see `borrow_arc`.
        Some((i, unsafe { Self::borrow_arc(p) }))
    }

    /// Load the entry pointer at `index` (null: none) under `_rcu`.
    fn load(&self, _rcu: &rcu::Guard, index: u32) -> Option<*const T> {
        // SAFETY: `self.ptr()` is an initialized xarray (type invariant); `xa_load` is safe from
        // any context.
        let p = unsafe { bindings::xa_load(self.ptr(), index as usize) };
        (!p.is_null()).then_some(p.cast::<T>().cast_const())
    }

    fn find_raw(&self, _rcu: &rcu::Guard, cursor: &mut usize) -> Option<(u32, *const T)> {
        let mut idx: usize = *cursor;
        // SAFETY: initialized xarray (type invariant); `idx` is a valid in/out index.
        let p = unsafe { raw::ofg_xa_find(self.ptr(), &mut idx) };
        if p.is_null() {
            return None;
        }
        *cursor = idx;
        Some((u32::try_from(idx).ok()?, p.cast::<T>().cast_const()))
    }

    /// # Safety
    ///
    /// `p` was loaded from this array under an RCU guard that outlives `'a`.
    unsafe fn borrow<'a>(p: *const T) -> &'a T {
        // SAFETY: every entry came from `Arc::<T>::into_raw` (type invariant), so it points at a
        // live `T`; it cannot be freed before the grace period that follows its removal, which
        // cannot end while the caller's guard (outliving `'a`) is held.
        unsafe { &*p }
    }

    /// # Safety
    ///
    /// `p` was loaded from this array under an RCU guard that is still held.
    unsafe fn borrow_arc(p: *const T) -> Arc<T> {
        // SAFETY: as in `borrow`, the entry is alive and the array's own reference keeps its
        // refcount non-zero until after the grace period, so taking one more is sound.
        Arc::from(unsafe { ArcBorrow::from_raw(p) })
    }

    /// Publish `value` at `index`. Returns the entry it replaced, retired. On allocation failure
    /// nothing changes and `value` is dropped (it was never visible to readers).
    pub(crate) fn store(&self, index: u32, value: Arc<T>) -> Result<Option<Retired<T>>> {
        // INVARIANT: the array owns the reference `into_raw` gives up (taken back below if the
        // store fails); the entry it replaces is retired, so released after a grace period.
        let raw_value = Arc::into_raw(value).cast_mut().cast::<c_void>();
        let mut old: *mut c_void = core::ptr::null_mut();
        // SAFETY: initialized xarray; `raw_value` is 4-byte aligned (it points into an `Arc`
        // allocation), as the XArray requires of entries; `old` is valid for writes.
        let rc = unsafe { raw::ofg_xa_store(self.ptr(), index as usize, raw_value, &mut old) };
        if rc < 0 {
            // SAFETY: the store failed, so the array did not take `raw_value`; take it back.
            drop(unsafe { Arc::from_raw(raw_value.cast::<T>()) });
            return Err(Error::from_errno(rc));
        }
        Ok(self.retire(old))
    }

    /// Remove the entry at `index`, if any.
    pub(crate) fn erase(&self, index: u32) -> Option<Retired<T>> {
        // SAFETY: initialized xarray.
        let old = unsafe { bindings::xa_erase(self.ptr(), index as usize) };
        self.retire(old)
    }

    /// Remove every entry, in index order, handing each (retired) to `f` with its index. The
    /// caller serializes writers, as for every multi-step update.
    pub(crate) fn drain(&self, mut f: impl FnMut(u32, Retired<T>)) {
        let mut cursor = 0usize;
        loop {
            let index = {
                let guard = rcu::read_lock();
                match self.find_raw(&guard, &mut cursor) {
                    Some((i, _)) => i,
                    None => break,
                }
            };
            if let Some(retired) = self.erase(index) {
                f(index, retired);
            }
            cursor = index as usize + 1;
        }
    }

    fn retire(&self, old: *mut c_void) -> Option<Retired<T>> {
        if old.is_null() {
            return None;
        }
        // SAFETY: `old` was just removed from the array, which owned one reference created by
        // `Arc::into_raw`; ownership of that reference moves into the `Retired`.
        Some(Retired(Some(unsafe { Arc::from_raw(old.cast::<T>()) })))
    }
}

#[pinned_drop]
impl<T: Retire> PinnedDrop for RcuXArray<T> {
    fn drop(self: Pin<&mut Self>) {
        self.drain(|_, retired| drop(retired));
        // SAFETY: the array is empty and nobody can reach it any more (we are dropping it).
        unsafe { bindings::xa_destroy(self.ptr()) };
    }
}

/// An entry removed from an [`RcuXArray`]. RCU readers may still be using it, so dropping it
/// defers the release of the array's reference past a grace period (without blocking).
pub(crate) struct Retired<T: Retire>(Option<Arc<T>>);

impl<T: Retire> Retired<T> {
    /// The retired value (it stays valid: the retired reference is still held).
    pub(crate) fn value(&self) -> Option<&T> {
        self.0.as_deref()
    }
}

impl<T: Retire> Drop for Retired<T> {
    fn drop(&mut self) {
        if let Some(arc) = self.0.take() {
            defer_after_grace_period(arc);
        }
    }
}
