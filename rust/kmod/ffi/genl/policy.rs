// SPDX-License-Identifier: GPL-2.0

//! The request policies and split ops of the `ofgroup` family, built at compile time from the ABI
//! description (`rust/abi`, the wire format shared with userspace: the one module above the C
//! boundary this directory reads, as data).

use core::{ffi::c_int, ptr::null};
use kernel::bindings;

use crate::abi::{self, Attr, AttrType};

/// Top-level policy length (every operation's set fits).
const TOP_N: usize = abi::MAX_ATTR as usize + 1;
const BUCKET_N: usize = abi::bucket_attr::MAX as usize + 1;
const ACTION_N: usize = abi::action_attr::MAX as usize + 1;
const MATCH_N: usize = abi::match_attr::MAX as usize + 1;
pub(super) const N_OPS: usize = abi::OPERATIONS.len();

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

/// Split ops: one per `do` and one per `dump` an operation has.
pub(super) const N_SPLIT: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < N_OPS {
        n += abi::OPERATIONS[i].do_request.is_some() as usize;
        n += abi::OPERATIONS[i].dump_request.is_some() as usize;
        i += 1;
    }
    n
};

/// A `do` entry point.
pub(super) type DoIt =
    unsafe extern "C" fn(*mut bindings::sk_buff, *mut bindings::genl_info) -> c_int;
/// A `dump` entry point.
pub(super) type DumpIt =
    unsafe extern "C" fn(*mut bindings::sk_buff, *mut bindings::netlink_callback) -> c_int;

/// The split ops for every operation of the ABI, with their policies, served by `doit` and
/// `dumpit`.
pub(super) fn split_ops(doit: DoIt, dumpit: DumpIt) -> [bindings::genl_split_ops; N_SPLIT] {
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
    ops
}
