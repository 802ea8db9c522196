// SPDX-License-Identifier: GPL-2.0

//! Messages of the generic netlink family: a `do` request with its reply and notifications
//! ([`Request`]), a message being filled ([`Msg`]), and one part of a dump ([`Dump`]).

use core::ffi::c_int;
use kernel::{bindings, prelude::*};

use super::family::MONITOR;
use crate::ffi::{netns::Net, raw};

/// A `do` request.
///
/// # Invariants
///
/// `info` is the live request of a `do` call of a registered family and `attrs` its attribute
/// bytes, both valid for `'a`.
pub(crate) struct Request<'a> {
    info: *mut bindings::genl_info,
    attrs: &'a [u8],
}

impl<'a> Request<'a> {
    /// # Safety
    ///
    /// `info` is the live request of a `do` call of a registered family, and `attrs` its
    /// attribute bytes; both stay valid for `'a`.
    pub(super) unsafe fn new(info: *mut bindings::genl_info, attrs: &'a [u8]) -> Self {
        // INVARIANT: as the caller guarantees.
        Request { info, attrs }
    }

    /// The request's attribute bytes (validated by the netlink core against the policy).
    pub(crate) fn attr_bytes(&self) -> &'a [u8] {
        self.attrs
    }

    fn family(&self) -> *const bindings::genl_family {
        // SAFETY: `info` is the live request (type invariant).
        unsafe { (*self.info).family }
    }

    /// The network namespace the request was sent from (the family is `netnsok`): the one it
    /// acts on.
    /// (`None` cannot happen: the genetlink core always sets it.)
    pub(crate) fn net(&self) -> Option<Net<'a>> {
        // SAFETY: `info` is the live request (type invariant).
        let net = unsafe { raw::ofg_genl_info_net(self.info) };
        // SAFETY: the sender's socket holds a reference to its namespace while the request is
        // served (netlink_unicast to the genetlink socket runs in the sender's sendmsg), which
        // `'a` spans (type invariant).
        unsafe { Net::from_raw(net) }
    }

    /// Send a reply message for command `cmd`, filled by `fill`.
    pub(crate) fn reply(
        &self,
        cmd: u8,
        size: usize,
        fill: impl FnOnce(&mut Msg) -> Result,
    ) -> Result {
        let skb = Msg::build(
            size,
            // SAFETY: `skb` is a fresh message, `self.info` the live request of the registered
            // family (type invariant).
            |skb| unsafe { raw::ofg_genlmsg_put_reply(skb, self.info, self.family(), cmd) },
            fill,
        )?;
        // SAFETY: `skb` is a complete message; genlmsg_reply consumes it.
        let rc = unsafe { raw::ofg_genlmsg_reply(skb, self.info) };
        if rc < 0 {
            return Err(Error::from_errno(rc));
        }
        Ok(())
    }

    /// Allocate the reply to a change before making it: a change that succeeded must not be
    /// reported as failed because its reply could not be allocated afterwards. `size` must
    /// hold what [`PreparedReply::send`] will put.
    pub(crate) fn prepare_reply(&self, cmd: u8, size: usize) -> Result<PreparedReply<'_, 'a>> {
        let msg = Msg::new(size)?;
        // SAFETY: `msg.skb` is a fresh message, `self.info` the live request of the registered
        // family (type invariant).
        let hdr = unsafe { raw::ofg_genlmsg_put_reply(msg.skb, self.info, self.family(), cmd) };
        if hdr.is_null() {
            return Err(EMSGSIZE);
        }
        // INVARIANT: `hdr` is the header genlmsg_put wrote into `msg`.
        Ok(PreparedReply {
            req: self,
            msg,
            hdr,
        })
    }

    /// Send a notification for command `cmd` to the family's monitor group in the request's
    /// network namespace, if anyone there listens: listeners in other namespaces see nothing.
    pub(crate) fn notify(
        &self,
        cmd: u8,
        size: usize,
        fill: impl FnOnce(&mut Msg) -> Result,
    ) -> Result {
        let f = self.family();
        let Some(net) = self.net() else {
            return Ok(());
        };
        // SAFETY: `f` is the registered family serving this request (type invariant); `net` is
        // alive (its type invariant).
        if unsafe { raw::ofg_genl_has_listeners(f, net.as_ptr(), MONITOR) } == 0 {
            return Ok(());
        }
        // SAFETY: `skb` is a fresh message and `f` the registered family.
        let skb = Msg::build(
            size,
            |skb| unsafe { raw::ofg_genlmsg_put_ntf(skb, f, cmd) },
            fill,
        )?;
        // SAFETY: complete message; genlmsg_multicast_netns consumes it; `net` is alive. ESRCH
        // (no listener) is not an error.
        let rc = unsafe { raw::ofg_genlmsg_multicast(f, net.as_ptr(), skb, MONITOR) };
        if rc < 0 && rc != ESRCH.to_errno() {
            return Err(Error::from_errno(rc));
        }
        Ok(())
    }
}

/// A message being built.
///
/// A reply allocated before the change it reports ([`Request::prepare_reply`]).
///
/// # Invariants
///
/// `hdr` is the genetlink header written into `msg`, a message for `req`.
pub(crate) struct PreparedReply<'r, 'a> {
    req: &'r Request<'a>,
    msg: Msg,
    hdr: *mut core::ffi::c_void,
}

impl PreparedReply<'_, '_> {
    /// Fill the reply and send it. The change it reports is made, so this cannot fail: a reply
    /// that does not fit (a wrong `size`: a bug) or cannot be queued (the receiver's buffer is
    /// full) is lost, as a message on an overrun socket is, and the request still succeeds.
    pub(crate) fn send(mut self, fill: impl FnOnce(&mut Msg) -> Result) {
        if fill(&mut self.msg).is_err() {
            pr_warn!("a reply did not fit its prepared size; dropped\n");
            return;
        }
        // SAFETY: `hdr` was returned by genlmsg_put for `msg` (type invariant).
        unsafe { raw::ofg_genlmsg_end(self.msg.skb, self.hdr) };
        let skb = self.msg.take();
        // SAFETY: `skb` is a complete message; genlmsg_reply consumes it; `info` is the live
        // request (`Request`'s type invariant).
        let _ = unsafe { raw::ofg_genlmsg_reply(skb, self.req.info) };
    }
}

/// # Invariants
///
/// `skb` is null (given up) or a message buffer this object may append to.
pub(crate) struct Msg {
    skb: *mut bindings::sk_buff,
}

impl Msg {
    /// # Safety
    ///
    /// `skb` is a message buffer the caller may append to until the result is dropped or taken.
    pub(super) unsafe fn from_raw(skb: *mut bindings::sk_buff) -> Self {
        // INVARIANT: as the caller guarantees.
        Msg { skb }
    }

    fn new(size: usize) -> Result<Self> {
        // SAFETY: no preconditions (process context).
        let skb = unsafe { raw::ofg_genlmsg_new(size) };
        if skb.is_null() {
            return Err(ENOMEM);
        }
        // INVARIANT: a fresh message, ours until sent or freed.
        Ok(Msg { skb })
    }

    /// A complete message of `size` bytes at most: `put_header` writes the genetlink header (and
    /// returns it, or null when it does not fit), `fill` the attributes. The caller sends it.
    fn build(
        size: usize,
        put_header: impl FnOnce(*mut bindings::sk_buff) -> *mut core::ffi::c_void,
        fill: impl FnOnce(&mut Msg) -> Result,
    ) -> Result<*mut bindings::sk_buff> {
        let mut m = Msg::new(size)?;
        let hdr = put_header(m.skb);
        if hdr.is_null() {
            return Err(EMSGSIZE);
        }
        fill(&mut m)?;
        // SAFETY: `hdr` was returned by genlmsg_put for `m.skb`.
        unsafe { raw::ofg_genlmsg_end(m.skb, hdr) };
        Ok(m.take())
    }

    /// Give up the message (sent, or owned by the netlink core) without freeing it.
    pub(super) fn take(&mut self) -> *mut bindings::sk_buff {
        core::mem::take(&mut self.skb)
    }

    fn check(rc: c_int) -> Result {
        if rc < 0 {
            Err(EMSGSIZE)
        } else {
            Ok(())
        }
    }

    /// Put a u16 attribute.
    pub(crate) fn put_u16(&mut self, kind: u16, v: u16) -> Result {
        // SAFETY: `self.skb` is a live message being built.
        Self::check(unsafe { raw::ofg_nla_put_u16(self.skb, kind.into(), v) })
    }

    /// Put a u32 attribute.
    pub(crate) fn put_u32(&mut self, kind: u16, v: u32) -> Result {
        // SAFETY: as above.
        Self::check(unsafe { raw::ofg_nla_put_u32(self.skb, kind.into(), v) })
    }

    /// Put a `uint` attribute (4 or 8 bytes).
    pub(crate) fn put_uint(&mut self, kind: u16, v: u64) -> Result {
        // SAFETY: as above.
        Self::check(unsafe { raw::ofg_nla_put_uint(self.skb, kind.into(), v) })
    }

    /// Put a binary attribute (also strings, given with their NUL).
    pub(crate) fn put_bytes(&mut self, kind: u16, v: &[u8]) -> Result {
        let len = c_int::try_from(v.len()).map_err(|_| EMSGSIZE)?;
        // SAFETY: `self.skb` is a live message being built; `v` is readable for `len` bytes.
        Self::check(unsafe { raw::ofg_nla_put(self.skb, kind.into(), len, v.as_ptr().cast()) })
    }

    /// Put a flag attribute.
    pub(crate) fn put_flag(&mut self, kind: u16) -> Result {
        // SAFETY: as above.
        Self::check(unsafe { raw::ofg_nla_put_flag(self.skb, kind.into()) })
    }

    /// Put a nested attribute filled by `fill`; on failure the nest is removed.
    pub(crate) fn nest(&mut self, kind: u16, fill: impl FnOnce(&mut Msg) -> Result) -> Result {
        // SAFETY: as above.
        let start = unsafe { raw::ofg_nla_nest_start(self.skb, kind.into()) };
        if start.is_null() {
            return Err(EMSGSIZE);
        }
        match fill(self) {
            Ok(()) => {
                // SAFETY: `start` was returned by nla_nest_start on this skb.
                unsafe { raw::ofg_nla_nest_end(self.skb, start) };
                Ok(())
            }
            Err(e) => {
                // SAFETY: as above.
                unsafe { raw::ofg_nla_nest_cancel(self.skb, start) };
                Err(e)
            }
        }
    }

    /// Bytes the message can still grow by.
    pub(crate) fn room(&self) -> usize {
        // SAFETY: `self.skb` is live.
        unsafe { raw::ofg_skb_tailroom(self.skb) as usize }
    }

    /// Bytes in the message so far.
    pub(super) fn len(&self) -> u32 {
        // SAFETY: `self.skb` is live.
        unsafe { raw::ofg_skb_len(self.skb) }
    }
}

impl Drop for Msg {
    fn drop(&mut self) {
        if !self.skb.is_null() {
            // SAFETY: we own an unsent message.
            unsafe { raw::ofg_nlmsg_free(self.skb) };
        }
    }
}

/// One part of a dump: append messages to the part's buffer; a cursor survives between parts.
///
/// # Invariants
///
/// `cb` is the live callback of a dump of the registered family `family`, `msg` the part's
/// buffer and `attrs` the dump request's attribute bytes.
pub(crate) struct Dump<'a> {
    cb: *mut bindings::netlink_callback,
    family: *const bindings::genl_family,
    msg: Msg,
    attrs: &'a [u8],
}

impl<'a> Dump<'a> {
    /// # Safety
    ///
    /// `cb` is the live callback of a dump of a registered family, `msg` wraps the part's
    /// buffer, and `attrs` is the request's attribute bytes; all stay valid for `'a`.
    pub(super) unsafe fn new(
        cb: *mut bindings::netlink_callback,
        msg: Msg,
        attrs: &'a [u8],
    ) -> Self {
        // SAFETY: `cb` is live (caller contract).
        let family = unsafe { raw::ofg_cb_family(cb) };
        // INVARIANT: as the caller guarantees; `family` is the one the dump runs for.
        Dump {
            cb,
            family,
            msg,
            attrs,
        }
    }

    /// The dump request's attribute bytes.
    pub(crate) fn attr_bytes(&self) -> &'a [u8] {
        self.attrs
    }

    /// The network namespace the dump was requested from: the one it reads.
    /// (`None` cannot happen: the genetlink core always sets it.)
    pub(crate) fn net(&self) -> Option<Net<'a>> {
        // SAFETY: `cb` is the live callback of this dump (type invariant).
        let net = unsafe { raw::ofg_cb_net(self.cb) };
        // SAFETY: the requester's socket, which holds a reference to its namespace, is in use
        // for the whole of this part's call, which `'a` spans (type invariant).
        unsafe { Net::from_raw(net) }
    }

    /// Give up the part's buffer (it belongs to the netlink core) and return its length.
    pub(super) fn finish(mut self) -> u32 {
        let len = self.msg.len();
        self.msg.take();
        len
    }

    /// The resume cursor (0 at the start).
    pub(crate) fn cursor(&self) -> u64 {
        // SAFETY: `cb` is the live callback of this dump; `args` is the union member genetlink
        // leaves to the dump callback.
        unsafe { (*self.cb).__bindgen_anon_1.args[0] as u64 }
    }

    /// Remember where to resume.
    pub(crate) fn set_cursor(&mut self, c: u64) {
        // SAFETY: as above; args[0] is ours.
        unsafe { (*self.cb).__bindgen_anon_1.args[0] = c as isize };
    }

    /// Where to resume inside the item at the cursor (an object split over several messages):
    /// the item's key and the position reached in it; (0, 0) at the start.
    pub(crate) fn inner(&self) -> (u64, u64) {
        // SAFETY: as for `cursor`; args[1] and args[2] are ours too.
        unsafe {
            let a = &(*self.cb).__bindgen_anon_1.args;
            (a[1] as u64, a[2] as u64)
        }
    }

    /// Remember where to resume inside the item at the cursor.
    pub(crate) fn set_inner(&mut self, key: u64, at: u64) {
        // SAFETY: as above.
        unsafe {
            let a = &mut (*self.cb).__bindgen_anon_1.args;
            a[1] = key as isize;
            a[2] = at as isize;
        }
    }

    /// Append one message for command `cmd`. `Ok(false)`: the part is full (nothing appended),
    /// resume with the same item in the next part.
    pub(crate) fn add(&mut self, cmd: u8, fill: impl FnOnce(&mut Msg) -> Result) -> Result<bool> {
        // SAFETY: `msg.skb` is the part's buffer, `cb` the live callback, `family` the registered
        // family (type invariant).
        let hdr = unsafe { raw::ofg_genlmsg_put_dump(self.msg.skb, self.cb, self.family, cmd) };
        if hdr.is_null() {
            return Ok(false);
        }
        match fill(&mut self.msg) {
            Ok(()) => {
                // SAFETY: `hdr` belongs to this skb.
                unsafe { raw::ofg_genlmsg_end(self.msg.skb, hdr) };
                Ok(true)
            }
            Err(e) => {
                // SAFETY: as above.
                unsafe { raw::ofg_genlmsg_cancel(self.msg.skb, hdr) };
                if e == EMSGSIZE {
                    Ok(false)
                } else {
                    Err(e)
                }
            }
        }
    }

    /// Whether this part holds anything yet.
    pub(crate) fn is_empty(&self) -> bool {
        self.msg.len() == 0
    }
}
