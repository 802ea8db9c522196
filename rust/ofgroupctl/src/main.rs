//! ofgroupctl: manage ofgroup's group table with ovs-ofctl syntax and output.
//!
//! Exit status: 0 ok, 1 usage or parse error, 2 the kernel (or the system) refused.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ofgroupctl::format::{format_features, format_group, format_stats, Features, GroupStats};
use ofgroupctl::nl::{Client, Failure, Notification};
use ofgroupctl::parse::{parse_batch_line, parse_group, Expect, ParseError};
use ofgroupctl::spec::{BatchCommand, Group, GroupId};
use serde_json::{json, Value};

#[derive(Parser)]
#[command(
    name = "ofgroupctl",
    version,
    about = "Manage the ofgroup group table (ovs-ofctl group syntax)"
)]
struct Cli {
    /// Print machine-readable JSON (keys are the YNL spec's attribute names).
    #[arg(short, long, global = true)]
    json: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Add a group.
    #[command(
        after_help = "Example:\n  ofgroupctl add-group 'group_id=1234,type=select,bucket=weight:1,actions=output:2,bucket=weight:3,actions=output:3'"
    )]
    AddGroup { group: String },
    /// Modify a group (replace its type and buckets; counters of surviving bucket ids are kept).
    #[command(
        after_help = "Example:\n  ofgroupctl mod-group --may-create 'group_id=1234,type=all,bucket=output:2'"
    )]
    ModGroup {
        /// Create the group if it does not exist.
        #[arg(long)]
        may_create: bool,
        group: String,
    },
    /// Delete one group (group_id=N) or all groups.
    #[command(
        after_help = "Example:\n  ofgroupctl del-groups group_id=1234\n  ofgroupctl del-groups"
    )]
    DelGroups { group: Option<String> },
    /// Insert buckets (command_bucket_id=first|last|ID; default last).
    #[command(
        after_help = "Example:\n  ofgroupctl insert-buckets 'group_id=1234,command_bucket_id=first,bucket=bucket_id:9,actions=output:9'"
    )]
    InsertBuckets { group: String },
    /// Remove buckets (command_bucket_id=first|last|all|ID; default all).
    #[command(
        after_help = "Example:\n  ofgroupctl remove-buckets 'group_id=1234,command_bucket_id=9'"
    )]
    RemoveBuckets { group: String },
    /// Print groups (one, or all).
    #[command(after_help = "Example:\n  ofgroupctl dump-groups\n  ofgroupctl -j dump-groups 1234")]
    DumpGroups { group: Option<String> },
    /// Print group counters (one group, or all).
    #[command(after_help = "Example:\n  ofgroupctl dump-group-stats group_id=1234")]
    DumpGroupStats { group: Option<String> },
    /// Print what the group table supports.
    #[command(after_help = "Example:\n  ofgroupctl dump-group-features")]
    DumpGroupFeatures,
    /// Apply a file of group commands, one per line (add, modify, add_or_mod, delete,
    /// insert_bucket, remove_bucket; default add). FILE '-' reads standard input.
    #[command(
        after_help = "Example:\n  printf 'add group_id=1,type=all,bucket=output:1\\ndelete group_id=1\\n' | ofgroupctl add-groups -"
    )]
    AddGroups { file: String },
    /// Print every change to the group table as it happens.
    #[command(after_help = "Example:\n  ofgroupctl monitor\n  ofgroupctl -j monitor --count 1")]
    Monitor {
        /// Exit after this many notifications.
        #[arg(long)]
        count: Option<u64>,
    },
}

enum Fail {
    Usage(String),
    Kernel(Failure),
}

impl From<ParseError> for Fail {
    fn from(e: ParseError) -> Self {
        Fail::Usage(e.to_string())
    }
}

impl From<Failure> for Fail {
    fn from(e: Failure) -> Self {
        Fail::Kernel(e)
    }
}

/// A group selector for dump/del: `N`, `group_id=N`, `group_id=all` or nothing.
fn selector(arg: Option<&str>, expect: Expect) -> Result<Option<u32>, Fail> {
    let Some(a) = arg else { return Ok(None) };
    let text = if a.bytes().all(|b| b.is_ascii_digit()) {
        format!("group_id={a}")
    } else {
        a.to_string()
    };
    let g = parse_group(&text, expect)?;
    Ok(match g.group_id {
        Some(GroupId::Id(id)) => Some(id),
        _ => None,
    })
}

fn group_json(g: &Group, s: Option<&GroupStats>) -> Value {
    let mut o = serde_json::Map::new();
    if let Some(GroupId::Id(id)) = g.group_id {
        o.insert("id".into(), json!(id));
    }
    if let Some(t) = g.group_type {
        let name = if t.name() == "ff" { "ff" } else { t.name() };
        o.insert("type".into(), json!(name));
    }
    if !g.fields.is_empty() {
        let f: Vec<String> = g
            .fields
            .iter()
            .map(|f| ofgroup_abi::ENUMS[1].1[*f as usize].to_string())
            .collect();
        o.insert("hash-field".into(), json!(f));
    }
    if let Some(b) = g.basis {
        o.insert("basis".into(), json!(b));
    }
    let buckets: Vec<Value> = g
        .buckets
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut m = serde_json::Map::new();
            if let Some(id) = b.bucket_id {
                m.insert("id".into(), json!(id));
            }
            m.insert("weight".into(), json!(b.weight.unwrap_or(1)));
            if let Some(p) = b.watch_port {
                m.insert("watch-port".into(), json!(p));
            }
            if let Some(w) = b.watch_group {
                m.insert("watch-group".into(), json!(w));
            }
            let acts: Vec<Value> = b
                .actions
                .iter()
                .map(|a| match a {
                    ofgroup_logic::model::Action::Output(p) => json!({ "output": p }),
                    ofgroup_logic::model::Action::Group(x) => json!({ "group": x }),
                })
                .collect();
            m.insert("action".into(), json!(acts));
            if let Some((p, by)) = s.and_then(|s| s.buckets.get(i)) {
                m.insert("packets".into(), json!(p));
                m.insert("bytes".into(), json!(by));
            }
            Value::Object(m)
        })
        .collect();
    o.insert("bucket".into(), json!(buckets));
    if let Some(s) = s {
        o.insert("duration".into(), json!(s.duration_ns));
        o.insert("ref-count".into(), json!(s.ref_count));
        o.insert("packets".into(), json!(s.packets));
        o.insert("bytes".into(), json!(s.bytes));
    }
    Value::Object(o)
}

/// Buffered standard output for dumps: one `write` per buffer-full rather than per line (stdout
/// is line-buffered), and a write error (e.g. a closed pipe) ends the dump.
struct Out(std::io::BufWriter<std::io::StdoutLock<'static>>);

impl Out {
    fn new() -> Self {
        Out(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stdout().lock(),
        ))
    }

    fn line(&mut self, args: std::fmt::Arguments<'_>) -> Result<(), Failure> {
        use std::io::Write;
        writeln!(self.0, "{args}").map_err(|e| Failure::Other(format!("standard output: {e}")))
    }

    fn finish(mut self) -> Result<(), Failure> {
        use std::io::Write;
        self.0
            .flush()
            .map_err(|e| Failure::Other(format!("standard output: {e}")))
    }
}

fn features_json(f: &Features) -> Value {
    let names = |bits: u32, list: &[&str]| -> Vec<String> {
        list.iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, n)| n.to_string())
            .collect()
    };
    let e = |n: &str| {
        ofgroup_abi::ENUMS
            .iter()
            .find(|x| x.0 == n)
            .map_or(&[][..], |x| x.1)
    };
    json!({
        "types": names(f.types, e("group-type")),
        "capabilities": names(f.capabilities, e("capability")),
        "max-groups": f.max_groups,
        "max-buckets": f.max_buckets,
        "actions": names(f.actions, e("action-type")),
    })
}

fn run(cli: Cli) -> Result<(), Fail> {
    match cli.cmd {
        Cmd::AddGroup { group } => {
            let g = parse_group(&group, Expect::Add)?;
            Client::connect()?.apply(BatchCommand::Add, &g)?;
        }
        Cmd::ModGroup { may_create, group } => {
            let g = parse_group(&group, Expect::Add)?;
            let c = if may_create {
                BatchCommand::AddOrMod
            } else {
                BatchCommand::Modify
            };
            Client::connect()?.apply(c, &g)?;
        }
        Cmd::DelGroups { group } => {
            let id = selector(group.as_deref(), Expect::Delete)?;
            let g = Group {
                group_id: id.map(GroupId::Id),
                ..Group::default()
            };
            Client::connect()?.apply(BatchCommand::Delete, &g)?;
        }
        Cmd::InsertBuckets { group } => {
            let g = parse_group(&group, Expect::Insert)?;
            Client::connect()?.apply(BatchCommand::InsertBucket, &g)?;
        }
        Cmd::RemoveBuckets { group } => {
            let g = parse_group(&group, Expect::Remove)?;
            Client::connect()?.apply(BatchCommand::RemoveBucket, &g)?;
        }
        Cmd::DumpGroups { group } => {
            let id = selector(group.as_deref(), Expect::Select)?;
            let c = Client::connect()?;
            if cli.json {
                let groups = c.groups(id, false)?;
                let v: Vec<Value> = groups.iter().map(|(g, _)| group_json(g, None)).collect();
                println!("{}", Value::Array(v));
            } else {
                let mut out = Out::new();
                c.groups_each(id, false, |g, _| {
                    out.line(format_args!(" {}", format_group(&g)))
                })?;
                out.finish()?;
            }
        }
        Cmd::DumpGroupStats { group } => {
            let id = selector(group.as_deref(), Expect::Select)?;
            let c = Client::connect()?;
            if cli.json {
                let groups = c.groups(id, true)?;
                let v: Vec<Value> = groups.iter().map(|(g, s)| group_json(g, Some(s))).collect();
                println!("{}", Value::Array(v));
            } else {
                let mut out = Out::new();
                c.groups_each(id, true, |_, s| {
                    out.line(format_args!(" {}", format_stats(&s)))
                })?;
                out.finish()?;
            }
        }
        Cmd::DumpGroupFeatures => {
            let f = Client::connect()?.features()?;
            if cli.json {
                println!("{}", features_json(&f));
            } else {
                print!("{}", format_features(&f));
            }
        }
        Cmd::AddGroups { file } => {
            let reader: Box<dyn BufRead> = if file == "-" {
                Box::new(std::io::stdin().lock())
            } else {
                let f =
                    std::fs::File::open(&file).map_err(|e| Fail::Usage(format!("{file}: {e}")))?;
                Box::new(std::io::BufReader::new(f))
            };
            // Parse everything first: a bad line changes nothing.
            let mut cmds = Vec::new();
            for (n, line) in reader.lines().enumerate() {
                let line = line.map_err(|e| Fail::Usage(format!("{file}: {e}")))?;
                match parse_batch_line(&line) {
                    Ok(Some(c)) => cmds.push((n + 1, c)),
                    Ok(None) => {}
                    Err(e) => return Err(Fail::Usage(format!("{file}:{}: {e}", n + 1))),
                }
            }
            // Many requests per datagram; the first refusal stops the batch and is reported
            // with its line (lines before it are applied; later lines sent in the same datagram,
            // at most 256 requests, may be too).
            Client::connect()?
                .batch(cmds.iter().map(|(_, (c, g))| (*c, g)), 256)
                .map_err(|(i, e)| match cmds.get(i) {
                    Some((n, (cmd, g))) => Fail::Kernel(Failure::Other(format!(
                        "{file}:{n}: {} {}: {e}",
                        cmd.keyword(),
                        format_group(g)
                    ))),
                    None => Fail::Kernel(e),
                })?;
        }
        Cmd::Monitor { count } => {
            use std::io::Write;
            let mut left = count;
            let json = cli.json;
            Client::connect()?.monitor(|n| {
                let line = match (&n, json) {
                    (Notification::Changed(g), false) => {
                        format!("group-change {}", format_group(g))
                    }
                    (Notification::Deleted(Some(id)), false) => format!("group-del group_id={id}"),
                    (Notification::Deleted(None), false) => "group-del group_id=all".to_string(),
                    (Notification::Changed(g), true) => {
                        json!({"name": "group-change-ntf", "msg": group_json(g, None)}).to_string()
                    }
                    (Notification::Deleted(id), true) => {
                        let msg = match id {
                            Some(id) => json!({ "id": id }),
                            None => json!({}),
                        };
                        json!({"name": "group-del-ntf", "msg": msg}).to_string()
                    }
                };
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{line}");
                let _ = out.flush();
                match left.as_mut() {
                    Some(c) => {
                        *c = c.saturating_sub(1);
                        *c > 0
                    }
                    None => true,
                }
            })?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // --help / --version succeed; every other usage error is exit status 1.
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Fail::Usage(m)) => {
            eprintln!("Error: {m}.");
            ExitCode::from(1)
        }
        Err(Fail::Kernel(e)) => {
            eprintln!("Error: {e}.");
            ExitCode::from(2)
        }
    }
}
