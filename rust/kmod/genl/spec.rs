// SPDX-License-Identifier: GPL-2.0

//! The `ofgroup` family as the netlink core registers it: request policies and operations, built
//! at compile time from the ABI description (`rust/abi`).

use crate::abi::{self, Attr, AttrType};
use crate::ffi::genl::{FamilySpec, Op, Policy, Rule};

/// Top-level policy length (every operation's set fits).
const TOP_N: usize = abi::MAX_ATTR as usize + 1;
const BUCKET_N: usize = abi::bucket_attr::MAX as usize + 1;
const ACTION_N: usize = abi::action_attr::MAX as usize + 1;
const MATCH_N: usize = abi::match_attr::MAX as usize + 1;
const N_OPS: usize = abi::OPERATIONS.len();

/// A nested set's request policy: (set name, rule).
type Nest = (&'static str, Rule);

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

/// The rule for an attribute of type `ty`, nested sets resolved through `nests` (a set without a
/// policy there is refused; every nest of the ABI has one).
const fn rule(ty: AttrType, nests: &[Nest]) -> Rule {
    match ty {
        AttrType::U8 => Rule::U8,
        AttrType::U16 => Rule::U16,
        AttrType::U32 => Rule::U32,
        AttrType::Uint => Rule::Uint,
        AttrType::Flag => Rule::Flag,
        // Maximum lengths (the handlers check exact lengths, naming the attribute).
        AttrType::Binary(n) => Rule::Binary(n),
        AttrType::String(n) => Rule::String(n),
        AttrType::Nest(name) => {
            let mut j = 0;
            while j < nests.len() {
                if abi::str_eq(nests[j].0, name) {
                    return nests[j].1;
                }
                j += 1;
            }
            Rule::Refuse
        }
    }
}

/// The request rules for `set`: the attributes named in `allow` (all but counters when `None`).
/// Every other attribute is refused by strict validation.
const fn rules<const N: usize>(set: &str, allow: Option<&[&str]>, nests: &[Nest]) -> [Rule; N] {
    let mut r = [Rule::Refuse; N];
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
            r[a.id as usize] = rule(a.ty, nests);
        }
        i += 1;
    }
    r
}

static ACTION_POLICY: Policy<ACTION_N> = Policy::new(&rules("action", None, &[]));
static BUCKET_POLICY: Policy<BUCKET_N> =
    Policy::new(&rules("bucket", None, &[("action", ACTION_POLICY.nest())]));
static MATCH_POLICY: Policy<MATCH_N> = Policy::new(&rules("match", None, &[]));
const NESTS: &[Nest] = &[
    ("bucket", BUCKET_POLICY.nest()),
    ("action", ACTION_POLICY.nest()),
    ("match", MATCH_POLICY.nest()),
];

/// Per-operation request policies (index: position in `abi::OPERATIONS`), `do` or `dump`.
const fn op_policies(dump: bool) -> [Policy<TOP_N>; N_OPS] {
    let mut out = [Policy::new(&[Rule::Refuse; TOP_N]); N_OPS];
    let mut i = 0;
    while i < N_OPS {
        let op = abi::OPERATIONS[i];
        let req = if dump { op.dump_request } else { op.do_request };
        if let Some(list) = req {
            out[i] = Policy::new(&rules(op.set, Some(list), NESTS));
        }
        i += 1;
    }
    out
}

static DO_POLICIES: [Policy<TOP_N>; N_OPS] = op_policies(false);
static DUMP_POLICIES: [Policy<TOP_N>; N_OPS] = op_policies(true);

const fn ops(
    do_policies: &'static [Policy<TOP_N>; N_OPS],
    dump_policies: &'static [Policy<TOP_N>; N_OPS],
) -> [Op; N_OPS] {
    let none = Op {
        cmd: 0,
        admin: false,
        doit: None,
        dumpit: None,
    };
    let mut out = [none; N_OPS];
    let mut i = 0;
    while i < N_OPS {
        let op = abi::OPERATIONS[i];
        out[i] = Op {
            cmd: op.cmd,
            admin: op.admin,
            doit: match op.do_request {
                Some(_) => Some(do_policies[i].request()),
                None => None,
            },
            dumpit: match op.dump_request {
                Some(_) => Some(dump_policies[i].request()),
                None => None,
            },
        };
        i += 1;
    }
    out
}

static OPS: [Op; N_OPS] = ops(&DO_POLICIES, &DUMP_POLICIES);

/// The family: name, version, attributes, monitor group and operations of the ABI.
pub(super) static SPEC: FamilySpec = FamilySpec {
    name: abi::FAMILY_NAME,
    version: abi::FAMILY_VERSION,
    maxattr: abi::MAX_ATTR,
    mcgrp: abi::MCGRP_MONITOR,
    ops: &OPS,
};
