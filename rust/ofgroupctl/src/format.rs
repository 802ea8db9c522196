//! ovs-ofctl output shapes: `dump-groups` lines, `dump-group-stats` lines and the
//! `dump-group-features` block. `format_group` is the inverse of `parse::parse_group`.

use std::fmt::Write;

use ofgroup_logic::model::{Action, BucketPos};

use crate::spec::{Group, GroupId};

/// A group as `dump-groups` / `add-group` write it, e.g.
/// `group_id=1234,type=select,bucket=bucket_id:0,weight:5,actions=output:10`.
pub fn format_group(g: &Group) -> String {
    let mut s = String::new();
    let mut sep = "";
    let mut field = |s: &mut String, text: &str| {
        s.push_str(sep);
        s.push_str(text);
        sep = ",";
    };
    match g.group_id {
        Some(GroupId::Id(id)) => field(&mut s, &format!("group_id={id}")),
        Some(GroupId::All) => field(&mut s, "group_id=all"),
        None => {}
    }
    if let Some(t) = g.group_type {
        field(&mut s, &format!("type={}", t.name()));
    }
    if g.selection_method {
        field(&mut s, "selection_method=hash");
    }
    if let Some(b) = g.basis {
        field(&mut s, &format!("selection_method_param={b}"));
    }
    if !g.fields.is_empty() {
        let names: Vec<&str> = g.fields.iter().map(|f| f.names()[0]).collect();
        field(&mut s, &format!("fields({})", names.join(",")));
    }
    if let Some(p) = g.command_bucket_id {
        let v = match p {
            BucketPos::First => "first".to_string(),
            BucketPos::Last => "last".to_string(),
            BucketPos::All => "all".to_string(),
            BucketPos::Id(id) => id.to_string(),
        };
        field(&mut s, &format!("command_bucket_id={v}"));
    }
    for b in &g.buckets {
        let mut t = String::from("bucket=");
        if let Some(id) = b.bucket_id {
            let _ = write!(t, "bucket_id:{id},");
        }
        if let Some(w) = b.weight {
            let _ = write!(t, "weight:{w},");
        }
        if let Some(p) = b.watch_port {
            let _ = write!(t, "watch_port:{p},");
        }
        if let Some(w) = b.watch_group {
            let _ = write!(t, "watch_group:{w},");
        }
        t.push_str("actions=");
        t.push_str(&format_actions(&b.actions));
        field(&mut s, &t);
    }
    s
}

/// Actions as ovs-ofctl writes them: `output:10,group:5`, or `drop` for none.
pub fn format_actions(actions: &[Action]) -> String {
    if actions.is_empty() {
        return "drop".to_string();
    }
    let parts: Vec<String> = actions
        .iter()
        .map(|a| match a {
            Action::Output(p) => format!("output:{p}"),
            Action::Group(g) => format!("group:{g}"),
        })
        .collect();
    parts.join(",")
}

/// Counters of one group, as the kernel reports them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupStats {
    /// Group id.
    pub group_id: u32,
    /// Nanoseconds since creation.
    pub duration_ns: u64,
    /// Flows referencing the group.
    pub ref_count: u32,
    /// Group packets.
    pub packets: u64,
    /// Group bytes.
    pub bytes: u64,
    /// Per bucket, in order: (packets, bytes).
    pub buckets: Vec<(u64, u64)>,
}

/// A `dump-group-stats` line:
/// `group_id=1234,duration=1.234s,ref_count=1,packet_count=3,byte_count=180,bucket0:packet_count=3,byte_count=180`.
pub fn format_stats(s: &GroupStats) -> String {
    let mut out = format!(
        "group_id={},duration={}.{:03}s,ref_count={},packet_count={},byte_count={}",
        s.group_id,
        s.duration_ns / 1_000_000_000,
        s.duration_ns / 1_000_000 % 1000,
        s.ref_count,
        s.packets,
        s.bytes
    );
    for (i, (p, b)) in s.buckets.iter().enumerate() {
        let _ = write!(out, ",bucket{i}:packet_count={p},byte_count={b}");
    }
    out
}

/// Table features, as the kernel reports them (JSON: bit sets as lists of the spec's names).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Features {
    /// Bit per group type (all, select, indirect, ff).
    #[serde(serialize_with = "group_types")]
    pub types: u32,
    /// Capability bits (select_weight, select_liveness, chaining, chaining_checks).
    #[serde(serialize_with = "capabilities")]
    pub capabilities: u32,
    /// Most groups per type.
    pub max_groups: Vec<u32>,
    /// Most buckets per group.
    pub max_buckets: u32,
    /// Bit per action (output, group).
    #[serde(serialize_with = "action_types")]
    pub actions: u32,
    /// Most actions per bucket (0: not reported).
    pub max_actions: u32,
    /// Most work units per frame (0: not reported).
    pub work_budget: u32,
}

/// A bit set as the names of the spec enum `name`'s entries.
fn spec_bits<S: serde::Serializer>(bits: u32, name: &str, s: S) -> Result<S::Ok, S::Error> {
    use crate::json::{bit_names, spec_enum};
    s.collect_seq(bit_names(bits, spec_enum(name)))
}

fn group_types<S: serde::Serializer>(bits: &u32, s: S) -> Result<S::Ok, S::Error> {
    spec_bits(*bits, "group-type", s)
}

fn capabilities<S: serde::Serializer>(bits: &u32, s: S) -> Result<S::Ok, S::Error> {
    spec_bits(*bits, "capability", s)
}

fn action_types<S: serde::Serializer>(bits: &u32, s: S) -> Result<S::Ok, S::Error> {
    spec_bits(*bits, "action-type", s)
}

/// The `dump-group-features` block.
pub fn format_features(f: &Features) -> String {
    const CAPS: [&str; 4] = [
        "select_weight",
        "select_liveness",
        "chaining",
        "chaining_checks",
    ];
    const TYPES: [&str; 4] = ["all", "select", "indirect", "fast failover"];
    const ACTIONS: [&str; 2] = ["output", "group"];
    let names = |bits: u32, table: &[&str]| -> Vec<String> {
        table
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, n)| n.to_string())
            .collect()
    };
    let mut s = String::from("Group table:\n");
    let _ = writeln!(s, "    Types:  {:#x}", f.types);
    let caps = format!("{:#x}", f.capabilities);
    let _ = writeln!(
        s,
        "    Capabilities:  {caps:<13}({})",
        names(f.capabilities, &CAPS).join("|")
    );
    for (i, t) in TYPES.iter().enumerate() {
        if f.types & (1 << i) == 0 {
            continue;
        }
        let _ = writeln!(s, "    {t} group:");
        let _ = writeln!(
            s,
            "       max_groups={:#x}",
            f.max_groups.get(i).copied().unwrap_or(0)
        );
        let _ = writeln!(s, "       max_buckets={}", f.max_buckets);
        if f.max_actions != 0 {
            let _ = writeln!(s, "       max_actions={}", f.max_actions);
        }
        let _ = writeln!(
            s,
            "       actions: {}",
            names(f.actions, &ACTIONS).join(" ")
        );
    }
    if f.work_budget != 0 {
        let _ = writeln!(s, "    Work budget:  {} units per frame", f.work_budget);
    }
    s
}
