// SPDX-License-Identifier: GPL-2.0

//! Registration of a generic netlink family and its C entry points, which find the
//! registration (and so its handler) from the family pointer the genetlink core passes them.

use core::{ffi::c_int, ptr::null};
use kernel::ffi::c_char;
use kernel::{bindings, prelude::*, types::Opaque};

use super::msg::{Dump, Msg, Request};
use super::policy::{split_ops, MAX_SPLIT};
use super::{DumpStatus, GenlHandler};
use crate::ffi::raw;

const fn name16(s: &str) -> [c_char; 16] {
    let mut out = [0 as c_char; 16];
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && i < 15 {
        out[i] = b[i] as c_char;
        i += 1;
    }
    out
}

/// Index of the (one) multicast group notifications go to.
pub(super) const MONITOR: u32 = 0;

/// What the genetlink core reads while the family is registered: the family, its split ops and
/// its multicast group.
#[repr(C)]
struct Registered {
    /// First field: a `*const genl_family` the core hands back is a pointer to this struct.
    family: bindings::genl_family,
    ops: [bindings::genl_split_ops; MAX_SPLIT],
    mcgrps: [bindings::genl_multicast_group; 1],
}

/// The registered family and the handler serving its operations. Unregisters on drop (which
/// waits for in-flight operations), before the handler is dropped.
///
/// # Invariants
///
/// `reg.family` is registered with the genetlink core while this object exists, as `H::SPEC`
/// describes, with split ops `reg.ops` whose entry points are `doit::<H>` and `dumpit::<H>`; so
/// the family pointer the core passes to those entry points points into a `Family<H>`.
#[pin_data(PinnedDrop)]
pub(crate) struct Family<H: GenlHandler> {
    #[pin]
    reg: Opaque<Registered>,
    handler: H,
}

// SAFETY: the genetlink core synchronizes its own use of the family; we only read it, and the
// handler is `Send + Sync`.
unsafe impl<H: GenlHandler> Sync for Family<H> {}
// SAFETY: as above.
unsafe impl<H: GenlHandler> Send for Family<H> {}

impl<H: GenlHandler> Family<H> {
    /// Register the family; `handler` serves its operations until the family is dropped.
    pub(crate) fn register(module: &'static ThisModule, handler: H) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            // The handler is initialized first: operations may run as soon as the family is
            // registered.
            handler,
            reg <- Opaque::try_ffi_init(move |r: *mut Registered| {
                // SAFETY: `r` is valid for writes; all-zero is a valid starting value (plain C
                // data).
                unsafe { r.write(core::mem::zeroed()) };
                // SAFETY: `r` was just initialized and is not shared yet.
                let reg = unsafe { &mut *r };
                let spec = H::SPEC;
                let n_ops = split_ops(spec, doit::<H>, dumpit::<H>, &mut reg.ops)
                    .and_then(|n| u8::try_from(n).ok())
                    .ok_or(EINVAL)?;
                reg.mcgrps[0].name = name16(spec.mcgrp);
                let fam = &mut reg.family;
                fam.name = name16(spec.name);
                fam.version = u32::from(spec.version);
                fam.maxattr = u32::from(spec.maxattr);
                fam.split_ops = reg.ops.as_ptr();
                fam.n_split_ops = n_ops;
                fam.mcgrps = reg.mcgrps.as_ptr();
                fam.n_mcgrps = 1;
                fam.resv_start_op = 0;
                fam.module = module.as_ptr();
                // Visible from every network namespace; each request acts on its sender's.
                fam.set_netnsok(1);
                fam.set_parallel_ops(0);
                // SAFETY: `fam` is a fully initialized family whose ops and multicast group are in
                // the same pinned allocation and whose policies are `'static` (`RequestPolicy`'s
                // invariant); it stays pinned and alive until `PinnedDrop` unregisters it; the
                // handler its entry points reach is already initialized.
                let rc = unsafe { bindings::genl_register_family(fam) };
                if rc < 0 {
                    return Err(Error::from_errno(rc));
                }
                // INVARIANT: registered as `H::SPEC` describes, with the entry points of `H`.
                Ok(())
            }),
        })
    }

    /// The registration whose family is `family`.
    ///
    /// # Safety
    ///
    /// `family` was passed by the genetlink core to an entry point of `Family<H>` (so to
    /// `doit::<H>` or `dumpit::<H>`), and the call has not returned.
    unsafe fn from_family<'a>(family: *const bindings::genl_family) -> &'a Self {
        // `family` is the first field of the `repr(C)` `Registered`, which `Opaque` wraps
        // transparently: it points at the `reg` field.
        let reg = family.cast::<Opaque<Registered>>();
        // SAFETY: only `Family<H>::register` registers these entry points, with the family in the
        // `reg` field of a `Family<H>` (type invariant), so stepping back to the container stays
        // inside that object; unregistering (in its drop) waits for running operations, so it is
        // alive for the call.
        unsafe { &*kernel::container_of!(reg, Self, reg) }
    }
}

#[pinned_drop]
impl<H: GenlHandler> PinnedDrop for Family<H> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: registered (type invariant); unregistering waits for running operations, so
        // none can reach the handler once this returns.
        unsafe { bindings::genl_unregister_family(self.reg.get().cast::<bindings::genl_family>()) };
    }
}

/// The request's attribute bytes.
///
/// # Safety
///
/// `data` is null or points at `len` readable bytes (already validated by the netlink core) that
/// stay valid for `'a`.
unsafe fn attr_bytes<'a>(data: *const core::ffi::c_void, len: c_int) -> &'a [u8] {
    match usize::try_from(len) {
        Ok(n) if n > 0 && !data.is_null() => {
            // SAFETY: guaranteed by the caller.
            unsafe { core::slice::from_raw_parts(data.cast::<u8>(), n) }
        }
        _ => &[],
    }
}

/// # Safety
///
/// Called by the genetlink core with a live request skb and info of a family registered by
/// `Family<H>`.
unsafe extern "C" fn doit<H: GenlHandler>(
    _skb: *mut bindings::sk_buff,
    info: *mut bindings::genl_info,
) -> c_int {
    let mut len: c_int = 0;
    // SAFETY: `info` is the live request (caller contract); the attributes it returns stay valid
    // for this call.
    let attrs = unsafe { attr_bytes(raw::ofg_genl_info_attrs(info, &mut len), len) };
    // SAFETY: `info` is live; genlhdr points into the request.
    let cmd = unsafe { (*(*info).genlhdr).cmd };
    // SAFETY: `info->family` is the family this entry point of `Family<H>` was called for.
    let family = unsafe { Family::<H>::from_family((*info).family) };
    // SAFETY: `info` is the live request of the registered family, `attrs` its attributes.
    let req = unsafe { Request::new(info, attrs) };
    match family.handler.doit(cmd, &req) {
        Ok(()) => 0,
        Err(r) => {
            let bad = r
                .bad_attr
                .and_then(|o| attrs.get(o..))
                .map_or(null(), |s| s.as_ptr());
            // SAFETY: `info` is live; the message is NUL-terminated and copied; `bad` is null or
            // points at an attribute header inside the request.
            unsafe { raw::ofg_genl_set_err(info, r.msg.as_ptr().cast(), bad.cast()) };
            r.errno
        }
    }
}

/// # Safety
///
/// Called by the netlink core with a live dump skb and callback of a family registered by
/// `Family<H>`.
unsafe extern "C" fn dumpit<H: GenlHandler>(
    skb: *mut bindings::sk_buff,
    cb: *mut bindings::netlink_callback,
) -> c_int {
    let mut len: c_int = 0;
    // SAFETY: `cb` is live (caller contract); its request stays valid for the whole dump.
    let attrs = unsafe { attr_bytes(raw::ofg_cb_attrs(cb, &mut len), len) };
    // SAFETY: `cb` is live.
    let cmd = unsafe { raw::ofg_cb_cmd(cb) };
    // SAFETY: `cb` is a live dump of the family registered by `Family<H>`.
    let family = unsafe { Family::<H>::from_family(raw::ofg_cb_family(cb)) };
    // SAFETY: `skb` is the part's buffer, ours to append to during this call.
    let msg = unsafe { Msg::from_raw(skb) };
    // SAFETY: `cb` is a live dump of the registered family, `msg` its part, `attrs` its request.
    let mut d = unsafe { Dump::new(cb, msg, attrs) };
    let res = family.handler.dumpit(cmd, &mut d);
    // The part's skb belongs to the netlink core: never free it.
    let len = d.finish();
    match res {
        Ok(DumpStatus::More) => len as c_int,
        Ok(DumpStatus::Done) => 0,
        Err(r) => {
            // SAFETY: `cb` is live; the message is NUL-terminated and copied.
            unsafe { raw::ofg_cb_set_err(cb, r.msg.as_ptr().cast()) };
            r.errno
        }
    }
}
