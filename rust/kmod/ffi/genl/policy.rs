// SPDX-License-Identifier: GPL-2.0

//! A generic netlink family's description in the netlink core's layout: attribute policies
//! ([`Policy`], from one [`Rule`] per attribute type) and operations ([`Op`]), gathered in a
//! [`FamilySpec`]. The layer above builds them at compile time from its ABI; nothing here knows
//! which attributes or commands exist.

use core::ptr::null;
use kernel::bindings;

/// How the netlink core validates one attribute type.
#[derive(Clone, Copy)]
pub(crate) enum Rule {
    /// Not accepted: strict validation refuses it (`NLA_UNSPEC`).
    Refuse,
    /// `NLA_U8`.
    U8,
    /// `NLA_U16`.
    U16,
    /// `NLA_U32`.
    U32,
    /// `NLA_UINT`: 4 or 8 bytes.
    Uint,
    /// `NLA_FLAG`.
    Flag,
    /// `NLA_BINARY` of at most this many bytes.
    Binary(u16),
    /// `NLA_NUL_STRING` of at most this many bytes.
    String(u16),
    /// `NLA_NESTED`, validated by another policy (from [`Policy::nest`]).
    Nest(Nested),
}

/// A policy for nested attributes, for [`Rule::Nest`].
///
/// # Invariants
///
/// `policy` points at the `maxtype + 1` entries of a `'static` (immutable) [`Policy`].
#[derive(Clone, Copy)]
pub(crate) struct Nested {
    policy: *const bindings::nla_policy,
    maxtype: u16,
}

const UNSPEC: bindings::nla_policy = bindings::nla_policy {
    type_: 0,
    validation_type: 0,
    len: 0,
    __bindgen_anon_1: bindings::nla_policy__bindgen_ty_1 {
        nested_policy: null(),
    },
};

/// A policy for attribute types `0..N`, shared read-only with the netlink core.
///
/// # Invariants
///
/// Every nested-policy pointer in `table` comes from a [`Nested`], so points at a `'static`
/// policy; `maxattr` is the highest type whose rule is not [`Rule::Refuse`].
#[derive(Clone, Copy)]
pub(crate) struct Policy<const N: usize> {
    table: [bindings::nla_policy; N],
    maxattr: u32,
}

// SAFETY: a policy is never changed after it is built; its pointers point at other immutable
// `'static` policies (type invariant).
unsafe impl<const N: usize> Sync for Policy<N> {}

impl<const N: usize> Policy<N> {
    /// The policy with `rules[t]` for attribute type `t`.
    pub(crate) const fn new(rules: &[Rule; N]) -> Self {
        let mut table = [UNSPEC; N];
        let mut maxattr = 0u32;
        let mut t = 0;
        while t < N {
            let mut e = UNSPEC;
            let ty = match rules[t] {
                Rule::Refuse => bindings::NLA_UNSPEC,
                Rule::U8 => bindings::NLA_U8,
                Rule::U16 => bindings::NLA_U16,
                Rule::U32 => bindings::NLA_U32,
                Rule::Uint => bindings::NLA_UINT,
                Rule::Flag => bindings::NLA_FLAG,
                Rule::Binary(n) => {
                    e.len = n;
                    bindings::NLA_BINARY
                }
                Rule::String(n) => {
                    e.len = n;
                    bindings::NLA_NUL_STRING
                }
                Rule::Nest(n) => {
                    e.__bindgen_anon_1.nested_policy = n.policy;
                    e.len = n.maxtype;
                    bindings::NLA_NESTED
                }
            };
            e.type_ = ty as u8;
            if !matches!(rules[t], Rule::Refuse) {
                maxattr = t as u32;
            }
            table[t] = e;
            t += 1;
        }
        // INVARIANT: nested pointers come from `Nested`s; `maxattr` as computed.
        Policy { table, maxattr }
    }

    /// This policy, for an attribute nesting attributes of types `0..N`.
    pub(crate) const fn nest(&'static self) -> Rule {
        // INVARIANT: `self` is `'static` and has `N` entries.
        Rule::Nest(Nested {
            policy: self.table.as_ptr(),
            maxtype: (N - 1) as u16,
        })
    }

    /// This policy, for an operation's requests.
    pub(crate) const fn request(&'static self) -> RequestPolicy {
        // INVARIANT: `self` is `'static`; `maxattr < N`.
        RequestPolicy {
            policy: self.table.as_ptr(),
            maxattr: self.maxattr,
        }
    }
}

/// The top-level policy of an operation's requests.
///
/// # Invariants
///
/// `policy` points at a `'static` [`Policy`] with more than `maxattr` entries.
#[derive(Clone, Copy)]
pub(crate) struct RequestPolicy {
    policy: *const bindings::nla_policy,
    maxattr: u32,
}

// SAFETY: points at an immutable `'static` policy (type invariant).
unsafe impl Sync for RequestPolicy {}

/// One operation of a family.
#[derive(Clone, Copy)]
pub(crate) struct Op {
    /// Command number.
    pub(crate) cmd: u8,
    /// Needs CAP_NET_ADMIN in the user namespace owning the requester's network namespace.
    pub(crate) admin: bool,
    /// The `do` request's policy (`None`: no `do`).
    pub(crate) doit: Option<RequestPolicy>,
    /// The `dump` request's policy (`None`: no `dump`).
    pub(crate) dumpit: Option<RequestPolicy>,
}

/// What a family registers: name, version, top-level attribute range, its one multicast group
/// (for notifications) and its operations.
pub(crate) struct FamilySpec {
    /// Family name (at most 15 bytes).
    pub(crate) name: &'static str,
    /// Version.
    pub(crate) version: u8,
    /// Highest top-level attribute type.
    pub(crate) maxattr: u16,
    /// Name of the multicast group notifications go to (at most 15 bytes).
    pub(crate) mcgrp: &'static str,
    /// Operations.
    pub(crate) ops: &'static [Op],
}

/// Most split ops a family has (one per `do` and one per `dump`).
pub(super) const MAX_SPLIT: usize = 64;

/// A `do` entry point.
pub(super) type DoIt =
    unsafe extern "C" fn(*mut bindings::sk_buff, *mut bindings::genl_info) -> core::ffi::c_int;
/// A `dump` entry point.
pub(super) type DumpIt = unsafe extern "C" fn(
    *mut bindings::sk_buff,
    *mut bindings::netlink_callback,
) -> core::ffi::c_int;

/// Fill `out` with the split ops of `spec`'s operations, served by `doit` and `dumpit`. Returns
/// how many there are; `None` if more than `out` holds.
pub(super) fn split_ops(
    spec: &FamilySpec,
    doit: DoIt,
    dumpit: DumpIt,
    out: &mut [bindings::genl_split_ops; MAX_SPLIT],
) -> Option<usize> {
    let mut n = 0;
    for op in spec.ops {
        // GENL_UNS_ADMIN_PERM: CAP_NET_ADMIN over the requester's network namespace (a
        // container's root manages its own datapath, and nothing else).
        let perm = if op.admin {
            bindings::GENL_UNS_ADMIN_PERM as u8
        } else {
            0
        };
        if let Some(p) = op.doit {
            let o = out.get_mut(n)?;
            o.cmd = op.cmd;
            o.flags = perm | bindings::GENL_CMD_CAP_DO as u8;
            o.policy = p.policy;
            o.maxattr = p.maxattr;
            o.__bindgen_anon_1.__bindgen_anon_1.doit = Some(doit);
            n += 1;
        }
        if let Some(p) = op.dumpit {
            let o = out.get_mut(n)?;
            o.cmd = op.cmd;
            o.flags = perm | bindings::GENL_CMD_CAP_DUMP as u8;
            o.policy = p.policy;
            o.maxattr = p.maxattr;
            o.__bindgen_anon_1.__bindgen_anon_2.dumpit = Some(dumpit);
            n += 1;
        }
    }
    Some(n)
}
