// SPDX-License-Identifier: GPL-2.0

//! The `ofgroup` generic netlink family, at the C boundary: policies and split ops built at
//! compile time from the ABI description (`rust/abi`), registration, the C entry points, and safe
//! views of requests, replies, dumps and notifications for the handlers in `genl.rs`.

use core::{ffi::c_int, ptr::null};
use kernel::ffi::c_char;
use kernel::{
    bindings,
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
    types::Opaque,
};

use super::raw;
use crate::abi::{self, wire::Attrs, Attr, AttrType};
use crate::datapath::Datapath;
use crate::genl::{handle_do, handle_dump};
use kernel::sync::{Arc, ArcBorrow};

// ---------------------------------------------------------------------------------------------
// Policies, from the ABI tables.

/// Top-level policy length (every operation's set fits).
const TOP_N: usize = abi::MAX_ATTR as usize + 1;
const BUCKET_N: usize = abi::bucket_attr::MAX as usize + 1;
const ACTION_N: usize = abi::action_attr::MAX as usize + 1;
const MATCH_N: usize = abi::match_attr::MAX as usize + 1;
const N_OPS: usize = abi::OPERATIONS.len();

/// A policy array; statics of it are shared read-only with the netlink core.
struct Policy<const N: usize>([bindings::nla_policy; N]);

// SAFETY: the arrays are immutable after compile time; their raw pointers point at other
// immutable policy statics.
unsafe impl<const N: usize> Sync for Policy<N> {}

const fn nla_type(t: AttrType) -> u8 {
    (match t {
        AttrType::U16 => bindings::NLA_U16,
        AttrType::U32 => bindings::NLA_U32,
        AttrType::Uint => bindings::NLA_UINT,
        AttrType::Flag => bindings::NLA_FLAG,
        AttrType::Nest(_) => bindings::NLA_NESTED,
        AttrType::U8 => bindings::NLA_U8,
        AttrType::Binary(_) => bindings::NLA_BINARY,
        AttrType::String(_) => bindings::NLA_NUL_STRING,
    }) as u8
}

const UNSPEC: bindings::nla_policy = bindings::nla_policy {
    type_: 0,
    validation_type: 0,
    len: 0,
    __bindgen_anon_1: bindings::nla_policy__bindgen_ty_1 {
        nested_policy: null(),
    },
};

/// A nested set's request policy: (set name, policy, maxtype).
type Nest = (&'static str, *const bindings::nla_policy, u16);

const fn contains(list: &[&str], name: &str) -> bool {
    let mut i = 0;
    while i < list.len() {
        if abi::str_eq(list[i], name) {
            return true;
        }
        i += 1;
    }
    false
}

/// The request policy for `set`: the attributes named in `allow` (all but counters when `None`),
/// nested sets resolved through `nests`. Every other attribute is NLA_UNSPEC, which strict
/// validation rejects.
const fn policy<const N: usize>(
    set: &str,
    allow: Option<&[&str]>,
    nests: &[Nest],
) -> ([bindings::nla_policy; N], u32) {
    let mut p = [UNSPEC; N];
    let mut max = 0u32;
    let attrs: &[Attr] = match abi::attribute_set(set) {
        Some(a) => a,
        None => &[],
    };
    let mut i = 0;
    while i < attrs.len() {
        let a = attrs[i];
        let allowed = match allow {
            Some(list) => contains(list, a.name),
            // Counters are reply-only.
            None => !matches!(a.ty, AttrType::Uint),
        };
        if allowed && (a.id as usize) < N {
            let mut e = UNSPEC;
            e.type_ = nla_type(a.ty);
            if let AttrType::Binary(n) | AttrType::String(n) = a.ty {
                // Maximum length (the handlers check exact lengths, naming the attribute).
                e.len = n;
            }
            if let AttrType::Nest(name) = a.ty {
                let mut j = 0;
                while j < nests.len() {
                    if abi::str_eq(nests[j].0, name) {
                        e.__bindgen_anon_1.nested_policy = nests[j].1;
                        e.len = nests[j].2;
                    }
                    j += 1;
                }
            }
            p[a.id as usize] = e;
            if a.id as u32 > max {
                max = a.id as u32;
            }
        }
        i += 1;
    }
    (p, max)
}

static ACTION_POLICY: Policy<ACTION_N> = Policy(policy::<ACTION_N>("action", None, &[]).0);
static BUCKET_POLICY: Policy<BUCKET_N> = Policy(
    policy::<BUCKET_N>(
        "bucket",
        None,
        &[("action", ACTION_POLICY.0.as_ptr(), abi::action_attr::MAX)],
    )
    .0,
);
static MATCH_POLICY: Policy<MATCH_N> = Policy(policy::<MATCH_N>("match", None, &[]).0);
const NESTS: &[Nest] = &[
    ("bucket", BUCKET_POLICY.0.as_ptr(), abi::bucket_attr::MAX),
    ("action", ACTION_POLICY.0.as_ptr(), abi::action_attr::MAX),
    ("match", MATCH_POLICY.0.as_ptr(), abi::match_attr::MAX),
];

/// Per-operation request policies (index: command - 1), and their maxattr.
struct OpPolicies([[bindings::nla_policy; TOP_N]; N_OPS], [u32; N_OPS]);
// SAFETY: immutable after compile time, like `Policy`.
unsafe impl Sync for OpPolicies {}

const fn op_policies(dump: bool) -> OpPolicies {
    let mut out = OpPolicies([[UNSPEC; TOP_N]; N_OPS], [0; N_OPS]);
    let mut i = 0;
    while i < N_OPS {
        let op = abi::OPERATIONS[i];
        let req = if dump { op.dump_request } else { op.do_request };
        if let Some(list) = req {
            let (p, max) = policy::<TOP_N>(op.set, Some(list), NESTS);
            out.0[i] = p;
            out.1[i] = max;
        }
        i += 1;
    }
    out
}

static DO_POLICIES: OpPolicies = op_policies(false);
static DUMP_POLICIES: OpPolicies = op_policies(true);

// ---------------------------------------------------------------------------------------------
// Family and ops.

/// The datapath the family serves while registered: one `Arc` reference, owned by the
/// registration (taken in `Family::register`, given back after unregistering).
static DP: Atomic<*mut Datapath> = Atomic::new(core::ptr::null_mut());

/// Split ops: one per `do` and one per `dump` an operation has.
const N_SPLIT: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < N_OPS {
        n += abi::OPERATIONS[i].do_request.is_some() as usize;
        n += abi::OPERATIONS[i].dump_request.is_some() as usize;
        i += 1;
    }
    n
};

struct SplitOps([bindings::genl_split_ops; N_SPLIT]);
// SAFETY: immutable after compile time; only function pointers and pointers to policy statics.
unsafe impl Sync for SplitOps {}

const fn split_ops() -> SplitOps {
    // SAFETY: `genl_split_ops` is plain data for which all-zero is a valid (empty) value.
    let mut ops: [bindings::genl_split_ops; N_SPLIT] = unsafe { core::mem::zeroed() };
    let mut n = 0;
    let mut i = 0;
    while i < abi::OPERATIONS.len() {
        let op = abi::OPERATIONS[i];
        let perm = if op.admin {
            bindings::GENL_ADMIN_PERM as u8
        } else {
            0
        };
        if op.do_request.is_some() && n < N_SPLIT {
            ops[n].cmd = op.cmd;
            ops[n].flags = perm | bindings::GENL_CMD_CAP_DO as u8;
            ops[n].policy = DO_POLICIES.0[i].as_ptr();
            ops[n].maxattr = DO_POLICIES.1[i];
            ops[n].__bindgen_anon_1.__bindgen_anon_1.doit = Some(doit);
            n += 1;
        }
        if op.dump_request.is_some() && n < N_SPLIT {
            ops[n].cmd = op.cmd;
            ops[n].flags = perm | bindings::GENL_CMD_CAP_DUMP as u8;
            ops[n].policy = DUMP_POLICIES.0[i].as_ptr();
            ops[n].maxattr = DUMP_POLICIES.1[i];
            ops[n].__bindgen_anon_1.__bindgen_anon_2.dumpit = Some(dumpit);
            n += 1;
        }
        i += 1;
    }
    SplitOps(ops)
}

static SPLIT_OPS: SplitOps = split_ops();

struct McGroups([bindings::genl_multicast_group; 1]);
// SAFETY: immutable plain data.
unsafe impl Sync for McGroups {}

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

static MCGROUPS: McGroups = McGroups([bindings::genl_multicast_group {
    name: name16(abi::MCGRP_MONITOR),
    flags: 0,
}]);

/// Index of the monitor group in `MCGROUPS`.
const MONITOR: u32 = 0;

/// The registered family. Unregisters on drop (which waits for in-flight operations).
///
/// # Invariants
///
/// `family` is registered with the genetlink core while this object exists, and `TABLE` holds
/// the table reference it was registered with.
#[pin_data(PinnedDrop)]
pub(crate) struct Family {
    #[pin]
    family: Opaque<bindings::genl_family>,
}

// SAFETY: the genetlink core synchronizes its own use of the family; we only read it.
unsafe impl Sync for Family {}
// SAFETY: as above.
unsafe impl Send for Family {}

/// The family pointer for the C entry points (set while registered).
static FAMILY: Atomic<usize> = Atomic::new(0);

impl Family {
    /// Register the family; its operations serve `dp` until the family is dropped.
    pub(crate) fn register(
        module: &'static ThisModule,
        dp: Arc<Datapath>,
    ) -> impl PinInit<Self, Error> {
        DP.store(Arc::into_raw(dp).cast_mut(), Relaxed);
        try_pin_init!(Self {
            family <- Opaque::try_ffi_init(move |f: *mut bindings::genl_family| {
                // SAFETY: `f` is valid for writes; all-zero is a valid starting value.
                unsafe { f.write(core::mem::zeroed()) };
                // SAFETY: `f` was just initialized and is not shared yet.
                let fam = unsafe { &mut *f };
                fam.name = name16(abi::FAMILY_NAME);
                fam.version = u32::from(abi::FAMILY_VERSION);
                fam.maxattr = u32::from(abi::MAX_ATTR);
                fam.split_ops = SPLIT_OPS.0.as_ptr();
                fam.n_split_ops = N_SPLIT as u8;
                fam.mcgrps = MCGROUPS.0.as_ptr();
                fam.n_mcgrps = 1;
                fam.resv_start_op = 0;
                fam.module = module.as_ptr();
                // One datapath for the system, visible from the initial netns only (netnsok = 0).
                fam.set_netnsok(0);
                fam.set_parallel_ops(0);
                FAMILY.store(f as usize, Relaxed);
                // SAFETY: `f` is a fully initialized family whose ops and policies are statics;
                // it stays pinned and alive until `PinnedDrop` unregisters it.
                let rc = unsafe { bindings::genl_register_family(f) };
                if rc < 0 {
                    FAMILY.store(0, Relaxed);
                    release_table();
                    return Err(Error::from_errno(rc));
                }
                Ok(())
            }),
        })
    }
}

#[pinned_drop]
impl PinnedDrop for Family {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: registered (type invariant); unregistering waits for running operations.
        unsafe { bindings::genl_unregister_family(self.family.get()) };
        FAMILY.store(0, Relaxed);
        release_table();
    }
}

/// Give back the registration's datapath reference.
fn release_table() {
    let p = DP.xchg(core::ptr::null_mut(), Relaxed);
    if !p.is_null() {
        // SAFETY: `p` came from `Arc::into_raw` in `register` and is released exactly once (the
        // exchange cleared it); no operation can run any more.
        drop(unsafe { Arc::from_raw(p.cast_const()) });
    }
}

/// The served datapath, for the duration of one operation.
fn with_table<R>(f: impl FnOnce(ArcBorrow<'_, Datapath>) -> R) -> Option<R> {
    let p = DP.load(Relaxed);
    if p.is_null() {
        return None;
    }
    // SAFETY: the registration holds a reference until after `genl_unregister_family`, which
    // waits for every running operation, so the datapath is alive for this call.
    let t = unsafe { ArcBorrow::from_raw(p.cast_const()) };
    Some(f(t))
}

fn family() -> *const bindings::genl_family {
    FAMILY.load(Relaxed) as *const bindings::genl_family
}

// ---------------------------------------------------------------------------------------------
// Requests, replies, dumps, notifications.

/// Why a request was refused: errno, message (copied into extack) and the offending attribute.
pub(crate) struct Reject {
    /// Negative errno.
    pub(crate) errno: i32,
    /// Message, NUL-terminated within the buffer.
    pub(crate) msg: [u8; 80],
    /// Offset of the bad attribute in the request's attribute buffer.
    pub(crate) bad_attr: Option<usize>,
}

impl Reject {
    /// A refusal with errno `errno` (either sign: `logic::error::errno` values or
    /// `Error::to_errno()`) and a formatted message.
    pub(crate) fn new(errno: i32, msg: core::fmt::Arguments<'_>, bad_attr: Option<usize>) -> Self {
        let mut r = Reject {
            errno: -errno.abs(),
            msg: [0; 80],
            bad_attr,
        };
        let mut w = BufWriter {
            buf: &mut r.msg,
            len: 0,
        };
        let _ = core::fmt::write(&mut w, msg);
        r
    }
}

struct BufWriter<'a> {
    buf: &'a mut [u8; 80],
    len: usize,
}

impl core::fmt::Write for BufWriter<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &b in s.as_bytes() {
            // Keep the last byte for the NUL.
            if self.len + 1 < self.buf.len() {
                self.buf[self.len] = b;
                self.len += 1;
            }
        }
        Ok(())
    }
}

/// A `do` request.
pub(crate) struct Request<'a> {
    info: *mut bindings::genl_info,
    attrs: &'a [u8],
}

impl<'a> Request<'a> {
    /// The request's attributes.
    pub(crate) fn attrs(&self) -> Attrs<'a> {
        Attrs::new(self.attrs)
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
            // SAFETY: `skb` is a fresh message, `self.info` the live request, `family()` registered.
            |skb| unsafe { raw::ofg_genlmsg_put_reply(skb, self.info, family(), cmd) },
            fill,
        )?;
        // SAFETY: `skb` is a complete message; genlmsg_reply consumes it.
        let rc = unsafe { raw::ofg_genlmsg_reply(skb, self.info) };
        if rc < 0 {
            return Err(Error::from_errno(rc));
        }
        Ok(())
    }
}

/// A message being built.
pub(crate) struct Msg {
    skb: *mut bindings::sk_buff,
}

impl Msg {
    fn new(size: usize) -> Result<Self> {
        // SAFETY: no preconditions (process context).
        let skb = unsafe { raw::ofg_genlmsg_new(size) };
        if skb.is_null() {
            return Err(ENOMEM);
        }
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

    fn take(&mut self) -> *mut bindings::sk_buff {
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

    /// Put a u8 attribute.
    pub(crate) fn put_u8(&mut self, kind: u16, v: u8) -> Result {
        self.put_bytes(kind, &[v])
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

    /// Bytes in the message so far.
    fn len(&self) -> u32 {
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

/// How a dump part ended.
pub(crate) enum DumpStatus {
    /// More to come: call again.
    More,
    /// Finished.
    Done,
}

/// One part of a dump: append messages to the part's buffer; a cursor survives between parts.
pub(crate) struct Dump<'a> {
    cb: *mut bindings::netlink_callback,
    msg: Msg,
    attrs: &'a [u8],
}

impl<'a> Dump<'a> {
    /// The dump request's attributes.
    pub(crate) fn attrs(&self) -> Attrs<'a> {
        Attrs::new(self.attrs)
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

    /// Append one message for command `cmd`. `Ok(false)`: the part is full (nothing appended),
    /// resume with the same item in the next part.
    pub(crate) fn add(&mut self, cmd: u8, fill: impl FnOnce(&mut Msg) -> Result) -> Result<bool> {
        // SAFETY: `msg.skb` is the part's buffer, `cb` the live callback, family registered.
        let hdr = unsafe { raw::ofg_genlmsg_put_dump(self.msg.skb, self.cb, family(), cmd) };
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

/// Send a notification for command `cmd` to the monitor group, if anyone listens.
pub(crate) fn notify(cmd: u8, size: usize, fill: impl FnOnce(&mut Msg) -> Result) -> Result {
    let f = family();
    if f.is_null() {
        return Ok(());
    }
    // SAFETY: `f` is the registered family.
    if unsafe { raw::ofg_genl_has_listeners(f, MONITOR) } == 0 {
        return Ok(());
    }
    // SAFETY: `skb` is a fresh message and `f` the registered family.
    let skb = Msg::build(
        size,
        |skb| unsafe { raw::ofg_genlmsg_put_ntf(skb, f, cmd) },
        fill,
    )?;
    // SAFETY: complete message; genlmsg_multicast consumes it. ESRCH (no listener) is not an error.
    let rc = unsafe { raw::ofg_genlmsg_multicast(f, skb, MONITOR) };
    if rc < 0 && rc != -(bindings::ESRCH as i32) {
        return Err(Error::from_errno(rc));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// C entry points.

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
/// Called by the genetlink core with a live request skb and info.
unsafe extern "C" fn doit(_skb: *mut bindings::sk_buff, info: *mut bindings::genl_info) -> c_int {
    let mut len: c_int = 0;
    // SAFETY: `info` is the live request (caller contract); the attributes it returns stay valid
    // for this call.
    let attrs = unsafe { attr_bytes(raw::ofg_genl_info_attrs(info, &mut len), len) };
    // SAFETY: `info` is live; genlhdr points into the request.
    let cmd = unsafe { (*(*info).genlhdr).cmd };
    let req = Request { info, attrs };
    let res = with_table(|t| handle_do(t, cmd, &req)).unwrap_or_else(|| {
        Err(Reject::new(
            bindings::ENODEV as i32,
            format_args!("ofgroup is unloading"),
            None,
        ))
    });
    match res {
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
/// Called by the netlink core with a live dump skb and callback.
unsafe extern "C" fn dumpit(
    skb: *mut bindings::sk_buff,
    cb: *mut bindings::netlink_callback,
) -> c_int {
    let mut len: c_int = 0;
    // SAFETY: `cb` is live (caller contract); its request stays valid for the whole dump.
    let attrs = unsafe { attr_bytes(raw::ofg_cb_attrs(cb, &mut len), len) };
    // SAFETY: `cb` is live.
    let cmd = unsafe { raw::ofg_cb_cmd(cb) };
    let mut d = Dump {
        cb,
        msg: Msg { skb },
        attrs,
    };
    let res = with_table(|t| handle_dump(t, cmd, &mut d)).unwrap_or_else(|| {
        Err(Reject::new(
            bindings::ENODEV as i32,
            format_args!("ofgroup is unloading"),
            None,
        ))
    });
    // The part's skb belongs to the netlink core: never free it.
    let len = d.msg.len();
    d.msg.take();
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
