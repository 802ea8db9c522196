// SPDX-License-Identifier: GPL-2.0

//! Network namespaces at the C boundary: [`Net`], the namespace a request runs in, and
//! [`Pernet`], the registration of one state object per namespace (`pernet_operations`,
//! registered as a device's, see `netns_shim.c`), created when a namespace is (or, for those
//! that exist, at registration) and torn down when it goes away or the registration is dropped.

use core::{any::TypeId, ffi::c_void, marker::PhantomData, ptr::NonNull};
use kernel::{
    bindings,
    error::to_result,
    prelude::*,
    sync::{Arc, ArcBorrow, SetOnce},
};

use super::net::Rtnl;
use super::raw;

/// A network namespace, alive for `'a`.
///
/// # Invariants
///
/// `net` is a namespace that stays alive (its refcount above zero, so its pernet exit methods
/// have not run) for `'a`: the namespace a netlink request was sent from, while the request is
/// served (the sender's socket holds a reference to it).
pub(crate) struct Net<'a> {
    net: NonNull<bindings::net>,
    _alive: PhantomData<&'a bindings::net>,
}

impl<'a> Net<'a> {
    /// # Safety
    ///
    /// `net` is non-null and alive for `'a` (see the type invariant).
    pub(super) unsafe fn from_raw(net: *mut bindings::net) -> Option<Self> {
        // INVARIANT: alive for `'a` (caller contract).
        NonNull::new(net).map(|net| Net {
            net,
            _alive: PhantomData,
        })
    }

    pub(super) fn as_ptr(&self) -> *mut bindings::net {
        self.net.as_ptr()
    }
}

/// What each namespace has one of. The registration holds one reference per namespace.
pub(crate) trait PernetState: Send + Sync + Sized + 'static {
    /// A new namespace's state (process context; the namespace is not visible yet).
    fn new() -> Result<Arc<Self>>;

    /// The namespace is going away (or the registration is dropped), under RTNL, while its
    /// devices are still registered.
    fn exit_rtnl(state: &Self, rtnl: &Rtnl);

    /// After `exit_rtnl`, in process context; the registration's reference is dropped after
    /// the RCU callbacks queued until then have run.
    fn exit(state: &Self);
}

/// Namespace creation: a new state, its reference handed to the namespace's slot.
///
/// # Safety
///
/// Called by the shim only, in process context.
unsafe extern "C" fn init_entry<S: PernetState>() -> *mut c_void {
    match S::new() {
        Ok(s) => Arc::into_raw(s).cast_mut().cast(),
        Err(_) => core::ptr::null_mut(),
    }
}

/// # Safety
///
/// `state` is a namespace's slot, from `init_entry::<S>`, not freed yet; RTNL is held.
unsafe extern "C" fn exit_rtnl_entry<S: PernetState>(state: *mut c_void) {
    // SAFETY: the slot holds a reference from `Arc::into_raw` that `free_entry` gives back only
    // after this returns (the shim runs exit_rtnl, then exit, then free).
    let s = unsafe { ArcBorrow::from_raw(state.cast_const().cast::<S>()) };
    // SAFETY: the shim's exit_rtnl runs with RTNL held (cleanup_net's ops_exit_rtnl_list).
    let rtnl = unsafe { Rtnl::assume_held() };
    S::exit_rtnl(&s, &rtnl);
}

/// # Safety
///
/// `state` is a namespace's slot, from `init_entry::<S>`, not freed yet.
unsafe extern "C" fn exit_entry<S: PernetState>(state: *mut c_void) {
    // SAFETY: as in `exit_rtnl_entry`.
    let s = unsafe { ArcBorrow::from_raw(state.cast_const().cast::<S>()) };
    S::exit(&s);
}

/// # Safety
///
/// `state` is a namespace's slot, from `init_entry::<S>`; the shim clears the slot and never
/// passes it again.
unsafe extern "C" fn free_entry<S: PernetState>(state: *mut c_void) {
    // SAFETY: the slot's reference, from `Arc::into_raw` in `init_entry::<S>`, given back once.
    drop(unsafe { Arc::from_raw(state.cast_const().cast::<S>()) });
}

/// The state type the shim's entry points are bound to: set by the first `Pernet::register`,
/// never changed, so every slot is read as the type that filled it.
static BOUND: SetOnce<TypeId> = SetOnce::new();

/// One `S` per network namespace, for as long as this registration lives; dropping it tears
/// every namespace's state down (`exit_rtnl`, `exit`, then the reference).
///
/// # Invariants
///
/// The shim's pernet operations are registered with the entry points of `S`, so every live
/// namespace's slot holds a reference from `Arc::<S>::into_raw`.
pub(crate) struct Pernet<S: PernetState>(PhantomData<S>);

impl<S: PernetState> Pernet<S> {
    /// Register: creates the state of every existing namespace before returning (process
    /// context). `EBUSY` if registered already or ever bound to another state type.
    pub(crate) fn register() -> Result<Self> {
        if !BOUND.populate(TypeId::of::<S>()) && BOUND.as_ref() != Some(&TypeId::of::<S>()) {
            return Err(EBUSY);
        }
        // SAFETY: the entry points match the shim's callback types, stay valid while the module
        // is loaded and are `S`'s, as `BOUND` records; the shim refuses a second registration;
        // Drop unregisters before unload.
        to_result(unsafe {
            raw::ofg_pernet_register(
                Some(init_entry::<S>),
                Some(exit_rtnl_entry::<S>),
                Some(exit_entry::<S>),
                Some(free_entry::<S>),
            )
        })?;
        // INVARIANT: registered with `S`'s entry points.
        Ok(Pernet(PhantomData))
    }

    /// The state of namespace `net`, borrowed while both the namespace and this registration
    /// live. `None` only if the namespace has none (it cannot: a namespace whose state could
    /// not be created is not created).
    pub(crate) fn state<'a>(&'a self, net: &Net<'a>) -> Option<ArcBorrow<'a, S>> {
        // SAFETY: `net` is alive (its type invariant); the shim only reads its slot.
        let p = unsafe { raw::ofg_pernet_state(net.as_ptr()) };
        if p.is_null() {
            return None;
        }
        // SAFETY: the slot holds a reference from `Arc::<S>::into_raw` (type invariant), which
        // is given back only by the namespace's exit (it cannot run while `net` is alive, for
        // `'a`) or by unregistering (it cannot run while `self` is borrowed, for `'a`).
        Some(unsafe { ArcBorrow::from_raw(p.cast_const().cast::<S>()) })
    }
}

impl<S: PernetState> Drop for Pernet<S> {
    fn drop(&mut self) {
        // SAFETY: registered (type invariant); runs every namespace's exit methods and frees
        // their states before returning.
        unsafe { raw::ofg_pernet_unregister() }
    }
}
