//! The ABI file and the YNL spec say the same thing: names, numbers, types, enums, constants.

use ofgroup_abi::*;
use ofgroup_logic::{hash::HashField, model::GroupType, model::*};
use serde_yaml::Value;

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/spec/ofgroup.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.starts_with(
            "# SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)"
        ),
        "license line"
    );
    serde_yaml::from_str(&text).unwrap()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v:?}"))
}

fn list<'a>(v: &'a Value, key: &str) -> &'a Vec<Value> {
    v.get(key)
        .and_then(Value::as_sequence)
        .unwrap_or_else(|| panic!("no list {key}"))
}

#[test]
fn family() {
    let y = spec();
    assert_eq!(s(&y["name"]), FAMILY_NAME);
    assert_eq!(s(&y["protocol"]), "genetlink");
    let groups: Vec<&str> = list(&y["mcast-groups"], "list")
        .iter()
        .map(|g| s(&g["name"]))
        .collect();
    assert_eq!(groups, [MCGRP_MONITOR]);
}

#[test]
fn operations_match() {
    let y = spec();
    let ops = list(&y["operations"], "list");
    assert_eq!(ops.len(), OPERATIONS.len());
    for (i, (op, o)) in ops.iter().zip(OPERATIONS).enumerate() {
        let (name, num, admin) = (o.name, o.cmd, o.admin);
        assert_eq!(s(&op["name"]), name);
        if op.get("notify").is_none() {
            assert_eq!(s(&op["attribute-set"]), o.set, "{name}: attribute-set");
        }
        for (kind, mine) in [("do", o.do_request), ("dump", o.dump_request)] {
            let theirs: Option<Vec<&str>> = op.get(kind).map(|k| {
                k.get("request")
                    .map(|r| list(r, "attributes").iter().map(s).collect())
                    .unwrap_or_default()
            });
            assert_eq!(
                theirs,
                mine.map(|m| m.to_vec()),
                "{name} {kind} request attributes"
            );
        }
        assert_eq!(
            usize::from(num),
            i + 1,
            "{name}: genetlink numbers operations from 1"
        );
        let flags = op
            .get("flags")
            .and_then(Value::as_sequence)
            .cloned()
            .unwrap_or_default();
        // Changes need CAP_NET_ADMIN over the requester's network namespace (the family is
        // netnsok): uns-admin-perm, never the initial namespace's admin-perm.
        assert!(
            !flags.iter().any(|f| s(f) == "admin-perm"),
            "{name}: admin-perm (want uns-admin-perm)"
        );
        let spec_admin = flags.iter().any(|f| s(f) == "uns-admin-perm");
        assert_eq!(spec_admin, admin, "{name}: uns-admin-perm");
        if let Some(n) = op.get("notify") {
            assert!(OPERATIONS.iter().any(|o| o.name == s(n)));
            assert_eq!(s(&op["mcgrp"]), MCGRP_MONITOR);
        }
    }
}

#[test]
fn attribute_sets_match() {
    let y = spec();
    let sets = list(&y, "attribute-sets");
    assert_eq!(sets.len(), ATTRIBUTE_SETS.len());
    for (set, &(name, attrs)) in sets.iter().zip(ATTRIBUTE_SETS) {
        assert_eq!(s(&set["name"]), name);
        let spec_attrs = list(set, "attributes");
        assert_eq!(spec_attrs.len(), attrs.len(), "set {name}");
        for (i, (sa, a)) in spec_attrs.iter().zip(attrs.iter()).enumerate() {
            let what = format!("{name}.{}", a.name);
            assert_eq!(s(&sa["name"]), a.name, "{what}");
            assert_eq!(
                usize::from(a.id),
                i + 1,
                "{what}: attributes are numbered from 1"
            );
            assert_eq!(s(&sa["type"]), a.ty.spec_name(), "{what}");
            let multi = sa
                .get("multi-attr")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            assert_eq!(multi, a.multi, "{what}: multi-attr");
            if let AttrType::Nest(n) = a.ty {
                assert_eq!(s(&sa["nested-attributes"]), n, "{what}");
            }
            if let AttrType::Binary(n) | AttrType::String(n) = a.ty {
                assert_eq!(
                    sa["checks"]["max-len"].as_u64(),
                    Some(u64::from(n)),
                    "{what}"
                );
            }
        }
    }
    // Every operation's request/reply attribute lists name attributes of its set.
    for op in list(&y["operations"], "list") {
        let Some(set) = op.get("attribute-set") else {
            continue;
        };
        let attrs = ATTRIBUTE_SETS.iter().find(|x| x.0 == s(set)).unwrap().1;
        for kind in ["do", "dump"] {
            for dir in ["request", "reply"] {
                let Some(l) = op.get(kind).and_then(|k| k.get(dir)) else {
                    continue;
                };
                for n in list(l, "attributes") {
                    assert!(
                        attrs.iter().any(|a| a.name == s(n)),
                        "{} {kind} {dir}: {n:?}",
                        s(&op["name"])
                    );
                }
            }
        }
    }
}

#[test]
fn max_attr_is_the_largest_top_level_attribute() {
    let top: Vec<&str> = OPERATIONS.iter().map(|o| o.set).collect();
    let max = ATTRIBUTE_SETS
        .iter()
        .filter(|(n, _)| top.contains(n))
        .flat_map(|(_, a)| a.iter().map(|a| a.id))
        .max();
    assert_eq!(max, Some(MAX_ATTR));
}

#[test]
fn enums_and_consts_match() {
    let y = spec();
    let defs = list(&y, "definitions");
    let enums: Vec<_> = defs.iter().filter(|d| s(&d["type"]) != "const").collect();
    assert_eq!(enums.len(), ENUMS.len());
    for (d, &(name, entries)) in enums.iter().zip(ENUMS) {
        assert_eq!(s(&d["name"]), name);
        let got: Vec<&str> = list(d, "entries")
            .iter()
            .map(|e| e.as_str().unwrap_or_else(|| s(&e["name"])))
            .collect();
        assert_eq!(got, entries, "enum {name}");
    }
    let consts: Vec<_> = defs.iter().filter(|d| s(&d["type"]) == "const").collect();
    assert_eq!(consts.len(), CONSTS.len());
    for (d, &(name, value)) in consts.iter().zip(CONSTS) {
        assert_eq!(s(&d["name"]), name);
        assert_eq!(d["value"].as_u64(), Some(u64::from(value)), "const {name}");
    }
}

#[test]
fn abi_values_are_the_logic_crates() {
    let types = ENUMS.iter().find(|e| e.0 == "group-type").unwrap().1;
    for t in GroupType::ALL {
        assert_eq!(types[t as usize], t.name(), "group-type value {}", t as u32);
    }
    let fields = ENUMS.iter().find(|e| e.0 == "hash-field").unwrap().1;
    assert_eq!(fields.len(), HashField::ALL.len());
    for (i, f) in HashField::ALL.iter().enumerate() {
        assert_eq!(*f as usize, i);
        // The spec's name is the logic's canonical name with '-', or its L4 alias.
        let names: Vec<String> = f.names().iter().map(|n| n.replace('_', "-")).collect();
        assert!(
            names.iter().any(|n| n == fields[i]) || fields[i].starts_with("l4-"),
            "{f:?} vs {}",
            fields[i]
        );
    }
    let c = |n: &str| CONSTS.iter().find(|x| x.0 == n).unwrap().1;
    assert_eq!(c("group-max"), OFPG_MAX);
    assert_eq!(c("bucket-max"), BUCKET_MAX);
    assert_eq!(c("bucket-first"), BUCKET_FIRST);
    assert_eq!(c("bucket-last"), BUCKET_LAST);
    assert_eq!(c("bucket-all"), BUCKET_ALL);
    assert_eq!(c("max-actions") as usize, MAX_ACTIONS);
    assert_eq!(
        c("max-flow-actions") as usize,
        ofgroup_logic::work::MAX_FLOW_ACTIONS
    );
    assert_eq!(c("work-budget"), ofgroup_logic::work::WORK_BUDGET);
    let caps = ENUMS.iter().find(|e| e.0 == "capability").unwrap().1;
    let bits = [
        capability::SELECT_WEIGHT,
        capability::SELECT_LIVENESS,
        capability::CHAINING,
        capability::CHAINING_CHECKS,
    ];
    assert_eq!(caps.len(), bits.len());
    for (i, b) in bits.iter().enumerate() {
        assert_eq!(*b, 1 << i);
    }
    assert_eq!((action_bit::OUTPUT, action_bit::GROUP), (1, 2));
}
