// SPDX-License-Identifier: GPL-2.0

//! Networking at the C boundary: frames (`Skb`), held net devices (`NetDev`), RTNL, the frame
//! hook that makes a device a port, and the two entry points the shim calls (a frame arrived on
//! a port; a port's device is going away), which hand over to the port type's [`PortHooks`].

use core::{any::TypeId, ffi::c_void, marker::PhantomData, ptr::NonNull};
use kernel::{
    bindings,
    error::to_result,
    prelude::*,
    sync::{rcu, Arc, ArcBorrow, SetOnce},
};

use super::netns::Net;
use super::raw;

/// A frame: an owned `sk_buff` whose data starts at the Ethernet header.
///
/// # Invariants
///
/// `0` is a valid `sk_buff` owned by this object (nobody else frees it) with `data` at the
/// Ethernet header.
pub(crate) struct Skb(NonNull<bindings::sk_buff>);

// SAFETY: an owned sk_buff may be handed to and freed on any CPU.
unsafe impl Send for Skb {}

impl Skb {
    /// # Safety
    ///
    /// `skb` is a valid `sk_buff` whose ownership passes to the result, positioned at the
    /// Ethernet header.
    unsafe fn from_raw(skb: *mut bindings::sk_buff) -> Option<Self> {
        // INVARIANT: a valid skb, owned and at its Ethernet header (caller contract).
        NonNull::new(skb).map(Skb)
    }

    fn into_raw(self) -> *mut bindings::sk_buff {
        let p = self.0.as_ptr();
        core::mem::forget(self);
        p
    }

    /// A copy of `frame` as if `dev` had received it (process context). `None` on ENOMEM.
    pub(crate) fn from_frame(frame: &[u8], dev: &NetDev) -> Option<Self> {
        let len = u32::try_from(frame.len()).ok()?;
        if frame.len() < 14 {
            return None;
        }
        // SAFETY: `frame` is readable for `len` bytes; `dev` is a held device (type invariant of
        // `NetDev`); the shim allocates with GFP_KERNEL, allowed in the process context the
        // callers (netlink handlers) run in; the result is a new skb at its Ethernet header.
        unsafe {
            Self::from_raw(raw::ofg_skb_from_frame(
                frame.as_ptr(),
                len,
                dev.dev.as_ptr(),
            ))
        }
    }

    /// Length of the whole frame in bytes (L2 header included).
    pub(crate) fn len(&self) -> u32 {
        // SAFETY: `self.0` is a valid skb (type invariant).
        unsafe { raw::ofg_skb_len(self.0.as_ptr()) }
    }

    /// The first `N` bytes of the frame (fewer if it is shorter), read in place when the linear
    /// part holds them, else copied into `buf` (as `skb_header_pointer`): the frame is never
    /// modified. `None` if the copy fails (a malformed frame).
    pub(crate) fn headers<'a, const N: usize>(&'a self, buf: &'a mut [u8; N]) -> Option<&'a [u8]> {
        let mut len = 0u32;
        let want = u32::try_from(N).ok()?;
        // SAFETY: `self.0` is a valid skb (type invariant); `buf` has room for the `N` bytes the
        // shim may copy; the shim only reads the skb.
        let p = unsafe { raw::ofg_skb_frame(self.0.as_ptr(), want, buf.as_mut_ptr(), &mut len) };
        if p.is_null() {
            return None;
        }
        // SAFETY: the shim returned either `buf` with `len` <= N bytes written, or the skb's
        // linear part of `len` readable bytes; both stay valid and unmodified while the borrows
        // of `self` and `buf` in the result's lifetime last (nothing writes the skb through
        // `&self`).
        Some(unsafe { core::slice::from_raw_parts(p, len as usize) })
    }

    /// A clone sharing the frame data (GFP_ATOMIC), for `all` groups and multi-output action
    /// lists. `None` on ENOMEM.
    pub(crate) fn clone_atomic(&self) -> Option<Self> {
        // SAFETY: `self.0` is a valid skb; the clone is a new skb owned by the result, at the
        // same (Ethernet header) position.
        unsafe { Self::from_raw(raw::ofg_skb_clone(self.0.as_ptr())) }
    }

    /// The frame's GSO size (0: not GSO) and the stack's segment count (0: unknown).
    pub(crate) fn gso(&self) -> (u16, u16) {
        let (mut size, mut segs) = (0u16, 0u16);
        // SAFETY: `self.0` is a valid skb (type invariant); the shim only reads its shared info.
        unsafe { raw::ofg_skb_gso(self.0.as_ptr(), &mut size, &mut segs) };
        (size, segs)
    }

    /// Drop the frame for reason `why`, as drop monitors and `perf` will report it.
    pub(crate) fn drop_for(self, why: DropReason) {
        // SAFETY: we own the skb (type invariant) and give it up here; `why` is one of the
        // shim's `enum ofg_drop` values.
        unsafe { raw::ofg_skb_drop_reason(self.into_raw(), why as u32) }
    }

    /// Done with the frame, normally or on purpose (a `drop` action): not counted as a drop.
    pub(crate) fn consume(self) {
        // SAFETY: we own the skb (type invariant) and give it up here.
        unsafe { raw::ofg_skb_consume(self.into_raw()) }
    }
}

impl Drop for Skb {
    /// Dropping a frame is a drop (kfree_skb): visible to drop monitors.
    fn drop(&mut self) {
        // SAFETY: we own the skb (type invariant); it is freed exactly once, here.
        unsafe { raw::ofg_skb_drop(self.0.as_ptr()) }
    }
}

/// Why the datapath drops a frame (the shim's `enum ofg_drop`), each reported to drop monitors as
/// an `SKB_DROP_REASON_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum DropReason {
    /// No flow, port, group or live bucket to send it to (`NO_TX_TARGET`).
    NoTarget = raw::ofg_drop_OFG_DROP_NO_TARGET,
    /// A clone or a header pull failed (`NOMEM`).
    NoMem = raw::ofg_drop_OFG_DROP_NOMEM,
    /// Chain depth or the per-frame work budget exceeded (`RECURSION_LIMIT`).
    Limit = raw::ofg_drop_OFG_DROP_LIMIT,
}

/// RTNL, held while this guard lives.
pub(crate) struct Rtnl(());

impl Rtnl {
    /// Take RTNL (sleeps: process context).
    pub(crate) fn lock() -> Self {
        // SAFETY: process context (netlink handlers, module init/exit); released in Drop.
        unsafe { raw::ofg_rtnl_lock() };
        Rtnl(())
    }

    /// # Safety
    ///
    /// The caller holds RTNL for as long as the result lives (netdevice notifier callbacks).
    pub(super) unsafe fn assume_held() -> core::mem::ManuallyDrop<Self> {
        core::mem::ManuallyDrop::new(Rtnl(()))
    }
}

impl Drop for Rtnl {
    fn drop(&mut self) {
        // SAFETY: taken in `lock`.
        unsafe { raw::ofg_rtnl_unlock() }
    }
}

/// A net device we hold a reference to.
///
/// # Invariants
///
/// `dev` is a device on which this object holds one reference (taken by
/// `ofg_dev_get` with `netdev_hold`, recorded in `tracker`), dropped in `Drop`; so the pointer
/// stays valid for reads.
pub(crate) struct NetDev {
    dev: NonNull<bindings::net_device>,
    /// The reference's tracker (CONFIG_NET_DEV_REFCNT_TRACKER: a leaked or doubly released
    /// reference is reported with the stack that took it). Only a pointer: it may move.
    tracker: bindings::netdevice_tracker,
}

// SAFETY: a held device may be used and released from any CPU and context.
unsafe impl Send for NetDev {}
// SAFETY: the accessors only read device fields the kernel updates atomically or under its own
// locks; transmit is safe concurrently.
unsafe impl Sync for NetDev {}

/// Errors `NetDev::get` reports.
pub(crate) enum DevError {
    /// No such device in the namespace.
    NoDevice,
    /// Not an Ethernet device, or loopback.
    NotEthernet,
}

impl NetDev {
    /// Find a device of namespace `net` by `ifindex` (non-zero) or `name` (at most 15 bytes,
    /// no NUL), under RTNL.
    pub(crate) fn get(
        _rtnl: &Rtnl,
        net: &Net<'_>,
        ifindex: u32,
        name: &[u8],
    ) -> Result<Self, DevError> {
        let mut buf = [0u8; 16];
        match buf.get_mut(..name.len()) {
            Some(b) if name.len() < 16 => b.copy_from_slice(name),
            _ => return Err(DevError::NoDevice),
        }
        // An empty tracker: all zeroes (a null pointer, or an empty struct without the tracker).
        let mut tracker: bindings::netdevice_tracker = pin_init::zeroed();
        // SAFETY: RTNL is held (the guard); `net` is alive (its type invariant); `buf` is
        // NUL-terminated (16 bytes, name < 16); `tracker` is writable.
        let p =
            unsafe { raw::ofg_dev_get(net.as_ptr(), ifindex, buf.as_ptr().cast(), &mut tracker) };
        // SAFETY: `p` is a pointer or an ERR_PTR; IS_ERR only inspects the value.
        match unsafe { raw::ofg_ptr_err(p.cast()) } {
            // INVARIANT: `ofg_dev_get` took a reference on the device, tracked in `tracker`.
            0 => NonNull::new(p)
                .map(|dev| NetDev { dev, tracker })
                .ok_or(DevError::NoDevice),
            e if e == -(bindings::EINVAL as kernel::ffi::c_long) => Err(DevError::NotEthernet),
            _ => Err(DevError::NoDevice),
        }
    }

    /// Device index.
    pub(crate) fn ifindex(&self) -> u32 {
        // SAFETY: held device (type invariant).
        unsafe { raw::ofg_dev_ifindex(self.dev.as_ptr()) as u32 }
    }

    /// Device name, NUL-padded.
    pub(crate) fn name(&self) -> [u8; 16] {
        let mut buf = [0u8; 16];
        // SAFETY: held device; `buf` has the IFNAMSIZ (16) bytes the shim writes.
        unsafe { raw::ofg_dev_name(self.dev.as_ptr(), buf.as_mut_ptr().cast()) };
        buf
    }

    /// Up with carrier.
    pub(crate) fn live(&self) -> bool {
        // SAFETY: held device; reads two state bits.
        unsafe { raw::ofg_dev_live(self.dev.as_ptr()) }
    }

    /// Transmit `skb` on this device. `true` if the device took it; it is consumed either way.
    pub(crate) fn xmit(&self, skb: Skb) -> bool {
        // SAFETY: held device; the skb is ours and at its Ethernet header; the shim consumes it.
        unsafe { raw::ofg_xmit(self.dev.as_ptr(), skb.into_raw()) == 0 }
    }

    /// Make this device a port: its frames go to `P::rx` with `port`. The registration owns one
    /// reference of `port`, given back by `unhook`. `EBUSY` if another rx_handler owns the
    /// device; the error of `dev_set_promiscuity` if it cannot go promiscuous; `EINVAL` unless `NetHooks<P>` was registered (the entry points frames reach).
    pub(crate) fn hook<P: PortHooks>(&self, _rtnl: &Rtnl, port: Arc<P>) -> Result {
        if !NetHooks::<P>::bound() {
            return Err(EINVAL);
        }
        let p = Arc::into_raw(port);
        // SAFETY: RTNL held; held device; `p` stays valid until `unhook` takes it back. The
        // shim's entry points are those of `P` (checked above, and never rebound to another
        // type), so they read `p` as the `Arc<P>` it is.
        let rc = unsafe { raw::ofg_port_hook(self.dev.as_ptr(), p.cast_mut().cast()) };
        if rc != 0 {
            // SAFETY: registration failed - never made, or undone by the shim when the device
            // could not go promiscuous, `netdev_rx_handler_unregister` waiting for frames in
            // flight - so no one else reads `p`: still ours, from `into_raw` above.
            drop(unsafe { Arc::from_raw(p) });
        }
        to_result(rc)
    }

    /// Undo `hook`: after this returns no frame of this device reaches the datapath any more
    /// (the kernel waited for frames in flight). Returns the registration's port reference;
    /// `None` if our hook is not registered on the device.
    pub(crate) fn unhook<P: PortHooks>(&self, _rtnl: &Rtnl) -> Option<Arc<P>> {
        if !NetHooks::<P>::bound() {
            return None;
        }
        // SAFETY: RTNL held; held device. The shim unregisters only our own frame hook.
        let p = unsafe { raw::ofg_port_unhook(self.dev.as_ptr()) };
        if p.is_null() {
            return None;
        }
        // SAFETY: only `hook::<P>` registers our frame hook (the entry points are bound to `P`,
        // checked above, and never rebound), always with a pointer from `Arc::into_raw(Arc<P>)`;
        // unregistering ended the registration's use of it, so its reference is taken back
        // exactly once.
        Some(unsafe { Arc::from_raw(p.cast_const().cast::<P>()) })
    }
}

impl Drop for NetDev {
    fn drop(&mut self) {
        // SAFETY: the reference taken by `ofg_dev_get` with this tracker (type invariant),
        // released once.
        unsafe { raw::ofg_dev_put(self.dev.as_ptr(), &mut self.tracker) }
    }
}

/// What a port does with its device's events. Implemented by the port type whose `Arc` each
/// hooked device carries (see [`NetDev::hook`]).
pub(crate) trait PortHooks: Send + Sync + Sized + 'static {
    /// A frame arrived on the port's device (softirq, inside the receive path's RCU read
    /// section, which `rcu` stands for).
    fn rx(port: &Self, skb: Skb, rcu: &rcu::Guard);

    /// The port's device is being unregistered (or leaves its network namespace), under RTNL.
    fn gone(port: ArcBorrow<'_, Self>, rtnl: &Rtnl);
}

/// Frame-hook entry: a frame arrived on a port's device (softirq, RCU read side).
///
/// # Safety
///
/// `port` is the data pointer `NetDev::hook::<P>` registered, and the registration is alive for
/// the call.
unsafe extern "C" fn rx_entry<P: PortHooks>(port: *mut c_void, skb: *mut bindings::sk_buff) {
    // SAFETY: the shim passes the data pointer `hook::<P>` registered (an `Arc<P>` reference the
    // registration owns until `unhook`, which waits for this call to return).
    let port = unsafe { ArcBorrow::from_raw(port.cast_const().cast::<P>()) };
    // SAFETY: the shim hands over an skb it no longer uses, at its Ethernet header.
    if let Some(skb) = unsafe { Skb::from_raw(skb) } {
        // The frame hook already runs in the receive path's RCU read section; nesting is cheap
        // and gives the datapath a guard to borrow from.
        let rcu = rcu::read_lock();
        P::rx(&port, skb, &rcu);
    }
}

/// Notifier entry: a port's device is being unregistered, under RTNL.
///
/// # Safety
///
/// As for `rx_entry`, and RTNL is held.
unsafe extern "C" fn gone_entry<P: PortHooks>(port: *mut c_void) {
    // SAFETY: as in `rx_entry`; the notifier runs under RTNL, which `unhook` also needs, so the
    // registration's reference is alive for this whole call.
    let port = unsafe { ArcBorrow::from_raw(port.cast_const().cast::<P>()) };
    // SAFETY: netdevice notifiers run with RTNL held.
    let rtnl = unsafe { Rtnl::assume_held() };
    P::gone(port, &rtnl);
}

/// The port type the shim's entry points are bound to. Set by the first `NetHooks::register` and
/// never changed after, so every hooked device's data pointer is read as the type it was hooked
/// with.
static BOUND: SetOnce<TypeId> = SetOnce::new();

/// Registration of the frame hook's and notifier's entry points for ports of type `P`;
/// unregisters the notifier on drop (every port must be detached before).
///
/// # Invariants
///
/// The netdevice notifier is registered, and the shim's entry points are `rx_entry::<P>` and
/// `gone_entry::<P>`.
pub(crate) struct NetHooks<P: PortHooks>(PhantomData<P>);

impl<P: PortHooks> NetHooks<P> {
    /// Whether the shim's entry points are `P`'s.
    fn bound() -> bool {
        BOUND.as_ref() == Some(&TypeId::of::<P>())
    }

    /// Register the netdevice notifier (process context). `EBUSY` if the entry points were ever
    /// bound to another port type. Called at module init, before anything can hook a device:
    /// `P` is recorded as bound just before the shim's entry points are set.
    pub(crate) fn register() -> Result<Self> {
        if !BOUND.populate(TypeId::of::<P>()) && !Self::bound() {
            return Err(EBUSY);
        }
        // SAFETY: both entry points match the shim's callback types and stay valid while the
        // module is loaded; they are `P`'s, as `BOUND` records for `hook`/`unhook`; the notifier
        // is unregistered in Drop, before unload.
        to_result(unsafe { raw::ofg_net_init(Some(rx_entry::<P>), Some(gone_entry::<P>)) })?;
        // INVARIANT: registered, with `P`'s entry points.
        Ok(NetHooks(PhantomData))
    }
}

impl<P: PortHooks> Drop for NetHooks<P> {
    fn drop(&mut self) {
        // SAFETY: registered (type invariant).
        unsafe { raw::ofg_net_exit() }
    }
}

/// Run `f` with bottom halves disabled (packet-execute runs the packet path like a softirq).
pub(crate) fn with_bh_disabled<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: paired with the enable below; process context.
    unsafe { raw::ofg_bh_disable() };
    let r = f();
    // SAFETY: disabled above.
    unsafe { raw::ofg_bh_enable() };
    r
}
