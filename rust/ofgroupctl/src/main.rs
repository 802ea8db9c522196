//! ofgroupctl: manage ofgroup's group table, ports and flows with ovs-ofctl syntax and output.
//!
//! Exit status: 0 ok, 1 usage or parse error, 2 the kernel (or the system) refused.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ofgroupctl::flow::{format_flow, format_flow_stats, parse_flow, parse_flow_line, FlowCommand};
use ofgroupctl::format::{format_features, format_group, format_stats};
use ofgroupctl::frame::{frame_from_arg, to_hex, DEFAULTS_HELP};
use ofgroupctl::json::{
    count_json, dp_json, features_json, flow_json, frame_json, group_json, notification_json,
    port_json,
};
use ofgroupctl::nl::{Client, Failure, Notification};
use ofgroupctl::parse::{parse_batch_line, parse_group, Expect, ParseError};
use ofgroupctl::port::{format_dp, format_port};
use ofgroupctl::spec::{BatchCommand, Group, GroupId};
use serde_json::Value;

#[derive(Parser)]
#[command(
    name = "ofgroupctl",
    version,
    about = "Manage the ofgroup datapath: groups, ports and flows (ovs-ofctl syntax)"
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
    /// Show, every interval, each group's and bucket's packet and byte rates and each bucket's
    /// share of its group next to its weight share (select groups), with a bar per bucket.
    ///
    /// On a terminal the view is redrawn in place (Ctrl-C quits); otherwise it prints plain
    /// lines (JSON lines with -j), one per group and bucket. Rates come from two dumps and their
    /// times; a group modified, reset or deleted and added again between two dumps is shown as
    /// such, and counters that restarted have no rate (never a negative one).
    #[command(
        after_help = "In the bar, '#' is the bucket's share of the group's packets in the interval and '|' marks\n\
where its weight share ends: in a balanced select group the '#'s reach the '|'.\n\n\
Example:\n  ofgroupctl watch-group-stats 1\n  ofgroupctl -j watch-group-stats --interval 5 --count 12 > rates.jsonl"
    )]
    WatchGroupStats {
        /// One group (N or group_id=N); all groups without it.
        group: Option<String>,
        /// Seconds between two dumps.
        #[arg(short, long, default_value_t = 1.0, value_parser = interval_arg)]
        interval: f64,
        /// Stop after this many intervals.
        #[arg(short, long)]
        count: Option<u64>,
    },
    /// Print what the group table supports.
    #[command(after_help = "Example:\n  ofgroupctl dump-group-features")]
    DumpGroupFeatures,
    /// Apply a file of group commands, one per line (add, modify, add_or_mod, delete,
    /// insert_bucket, remove_bucket; default add). FILE '-' reads standard input.
    #[command(
        after_help = "Example:\n  printf 'add group_id=1,type=all,bucket=output:1\\ndelete group_id=1\\n' | ofgroupctl add-groups -"
    )]
    AddGroups { file: String },
    /// Attach a net device as a datapath port; prints the port number.
    #[command(
        after_help = "Example:\n  ofgroupctl add-port veth0\n  ofgroupctl add-port veth1 --port 7"
    )]
    AddPort {
        /// Net device name.
        ifname: String,
        /// Port number (default: the lowest free one).
        #[arg(long)]
        port: Option<u32>,
    },
    /// Detach a port.
    #[command(after_help = "Example:\n  ofgroupctl del-port 1")]
    DelPort { port: u32 },
    /// Print ports with their counters (one, or all).
    #[command(after_help = "Example:\n  ofgroupctl dump-ports\n  ofgroupctl -j dump-ports 1")]
    DumpPorts { port: Option<u32> },
    /// Print the datapath counters (hit, missed, lost, flows, ports).
    #[command(after_help = "Example:\n  ofgroupctl dump-dp")]
    DumpDp,
    /// Add a flow (replaces one with the same match and priority; priority defaults to 32768).
    #[command(
        after_help = "Fields: priority, in_port, dl_src/eth_src and dl_dst/eth_dst [/MASK], dl_type/eth_type,\n\
dl_vlan/vlan_vid, nw_proto/ip_proto, nw_src/ip_src and nw_dst/ip_dst [/N or /MASK], ipv6_src and\n\
ipv6_dst [/N], tp_src/tp_dst (also tcp_, udp_, sctp_), icmp_type/icmp_code, icmpv6_type/icmpv6_code;\n\
shorthands ip, ipv6, icmp, icmp6, tcp, tcp6, udp, udp6, sctp, sctp6, arp. actions= comes last:\n\
output:N (or N), group:N, drop; none is drop.\n\n\
Example:\n  ofgroupctl add-flow 'priority=10,in_port=1,ip,nw_dst=10.0.0.0/24,actions=group:1234'"
    )]
    AddFlow { flow: String },
    /// Apply a file of flows, one per line, optionally after a keyword (add, modify,
    /// modify_strict, delete, delete_strict; default add). FILE '-' reads standard input.
    #[command(
        after_help = "Example:\n  printf 'priority=10,ip,actions=output:2\\n# a comment\\ndelete_strict priority=10,ip\\n' | ofgroupctl add-flows -"
    )]
    AddFlows { file: String },
    /// Replace the actions of the flows the match covers (with --strict: only the flow with
    /// exactly this match and priority). Counters are kept.
    #[command(
        after_help = "Example:\n  ofgroupctl mod-flows 'ip,nw_dst=10.0.0.0/24,actions=output:3'\n  ofgroupctl mod-flows --strict 'priority=10,ip,actions=drop'"
    )]
    ModFlows {
        /// Only the flow whose match and priority are exactly these.
        #[arg(long)]
        strict: bool,
        flow: String,
    },
    /// Delete the flows the match covers (every flow without one); with --strict only the flow
    /// with exactly this match and priority. Prints nothing (-j: the count).
    #[command(
        after_help = "Example:\n  ofgroupctl del-flows 'ip,nw_dst=10.0.0.0/24'\n  ofgroupctl del-flows --strict 'priority=10,ip'\n  ofgroupctl del-flows"
    )]
    DelFlows {
        /// Only the flow whose match and priority are exactly these.
        #[arg(long)]
        strict: bool,
        flow: Option<String>,
    },
    /// Print every flow, highest priority first.
    #[command(after_help = "Example:\n  ofgroupctl dump-flows\n  ofgroupctl -j dump-flows")]
    DumpFlows {
        /// Leave out duration, n_packets and n_bytes (lines feed add-flows).
        #[arg(long)]
        no_stats: bool,
    },
    /// Run a frame through the datapath as if it arrived on a port. FRAME is hex (spaces and
    /// colons allowed) or a description in flow match syntax with exact values.
    #[command(after_help = frame_help(
        "ofgroupctl packet-out in_port=1 icmp,dl_src=50:54:00:00:00:05,dl_dst=50:54:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.2\n  \
ofgroupctl packet-out in_port=1 --len 100 udp,nw_src=10.0.0.1,nw_dst=10.0.0.2,tp_src=1000,tp_dst=2000\n  \
ofgroupctl packet-out 1 505400000002505400000001 88b5 0000"
    ))]
    PacketOut {
        /// The ingress port: in_port=N or N.
        in_port: String,
        /// The frame (several words are joined with spaces).
        #[arg(required = true, num_args = 1..)]
        frame: Vec<String>,
        /// Total frame length in bytes (the payload grows; default at least 60).
        #[arg(long)]
        len: Option<usize>,
    },
    /// Print the frame a description builds, as hex (for scripts).
    #[command(after_help = frame_help(
        "ofgroupctl frame udp6,ipv6_src=fd00::1,ipv6_dst=fd00::2,tp_dst=53 --len 100"
    ))]
    Frame {
        /// Frame description (or hex; several words are joined with spaces).
        #[arg(required = true, num_args = 1..)]
        description: Vec<String>,
        /// Total frame length in bytes (the payload grows; default at least 60).
        #[arg(long)]
        len: Option<usize>,
    },
    /// Print every change to the group table as it happens.
    #[command(after_help = "Example:\n  ofgroupctl monitor\n  ofgroupctl -j monitor --count 1")]
    Monitor {
        /// Exit after this many notifications.
        #[arg(long)]
        count: Option<u64>,
    },
}

fn interval_arg(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.05..=86400.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "the interval is a number of seconds from 0.05 to 86400, got '{s}'"
        )),
    }
}

fn frame_help(example: &str) -> String {
    format!(
        "A description is a protocol shorthand (ip, icmp, tcp, udp, sctp, ipv6, icmp6, tcp6, udp6,\n\
sctp6, arp) or dl_type, plus exact fields: dl_src, dl_dst, dl_vlan (adds an 802.1Q tag), nw_src,\n\
nw_dst, ipv6_src, ipv6_dst, nw_proto, tp_src, tp_dst, icmp_type, icmp_code.\n{DEFAULTS_HELP}\n\n\
Example:\n  {example}"
    )
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

/// `in_port=N` or `N` (packet-out's first argument).
fn in_port_arg(arg: &str) -> Result<u32, Fail> {
    let v = arg.strip_prefix("in_port=").unwrap_or(arg);
    match v.parse::<u32>() {
        Ok(p) if (1..=ofgroup_logic::model::OFPP_MAX).contains(&p) => Ok(p),
        _ => Err(Fail::Usage(format!(
            "in_port must be a port number from 1 to {} (in_port=N or N), got '{arg}' (at position 1: '{arg}')",
            ofgroup_logic::model::OFPP_MAX
        ))),
    }
}

/// Every command of a batch file (`-`: standard input) with its line number, parsed before
/// anything is sent: a bad line changes nothing.
fn read_batch<T, E: std::fmt::Display>(
    file: &str,
    parse: impl Fn(&str) -> Result<Option<T>, E>,
) -> Result<Vec<(usize, T)>, Fail> {
    let mut cmds = Vec::new();
    for (n, line) in open_lines(file)?.lines().enumerate() {
        let line = line.map_err(|e| Fail::Usage(format!("{file}: {e}")))?;
        match parse(&line) {
            Ok(Some(c)) => cmds.push((n + 1, c)),
            Ok(None) => {}
            Err(e) => return Err(Fail::Usage(format!("{file}:{}: {e}", n + 1))),
        }
    }
    Ok(cmds)
}

fn open_lines(file: &str) -> Result<Box<dyn BufRead>, Fail> {
    Ok(if file == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(file).map_err(|e| Fail::Usage(format!("{file}: {e}")))?;
        Box::new(std::io::BufReader::new(f))
    })
}

fn print_count(json: bool, count: Option<u32>) {
    if json {
        println!("{}", count_json(count));
    }
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
        Cmd::WatchGroupStats {
            group,
            interval,
            count,
        } => {
            let id = selector(group.as_deref(), Expect::Select)?;
            watch(cli.json, id, interval, count)?;
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
            let cmds = read_batch(&file, parse_batch_line)?;
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
        Cmd::AddPort { ifname, port } => {
            if ifname.is_empty() || ifname.len() > 15 {
                return Err(Fail::Usage(format!(
                    "a device name is 1 to 15 bytes, got '{ifname}' (at position 1: '{ifname}')"
                )));
            }
            let p = Client::connect()?.port_new(&ifname, port)?;
            if cli.json {
                println!("{}", port_json(&p));
            } else {
                println!("{}", p.port_no);
            }
        }
        Cmd::DelPort { port } => Client::connect()?.port_del(port)?,
        Cmd::DumpPorts { port } => {
            let ports = Client::connect()?.ports(port)?;
            if cli.json {
                let v: Vec<Value> = ports.iter().map(port_json).collect();
                println!("{}", Value::Array(v));
            } else {
                for p in &ports {
                    print!("{}", format_port(p));
                }
            }
        }
        Cmd::DumpDp => {
            let d = Client::connect()?.dp()?;
            if cli.json {
                println!("{}", dp_json(&d));
            } else {
                print!("{}", format_dp(&d));
            }
        }
        Cmd::AddFlow { flow } => {
            let f = parse_flow(&flow, FlowCommand::Add)?;
            Client::connect()?.flow(FlowCommand::Add, &f)?;
        }
        Cmd::ModFlows { strict, flow } => {
            let c = if strict {
                FlowCommand::ModifyStrict
            } else {
                FlowCommand::Modify
            };
            let f = parse_flow(&flow, c)?;
            let n = Client::connect()?.flow(c, &f)?;
            print_count(cli.json, n);
        }
        Cmd::DelFlows { strict, flow } => {
            let c = if strict {
                FlowCommand::DeleteStrict
            } else {
                FlowCommand::Delete
            };
            let f = parse_flow(flow.as_deref().unwrap_or(""), c)?;
            let n = Client::connect()?.flow(c, &f)?;
            print_count(cli.json, n);
        }
        Cmd::AddFlows { file } => {
            let cmds = read_batch(&file, parse_flow_line)?;
            // Batched as add-groups is: many requests per datagram, the first refusal stops
            // the batch and is reported with its line.
            Client::connect()?
                .flow_batch(cmds.iter().map(|(_, (c, f))| (*c, f)), 256)
                .map_err(|(i, e)| match cmds.get(i) {
                    Some((n, (c, f))) => Fail::Kernel(Failure::Other(format!(
                        "{file}:{n}: {} {}: {e}",
                        c.keyword(),
                        format_flow(f)
                    ))),
                    None => Fail::Kernel(e),
                })?;
        }
        Cmd::DumpFlows { no_stats } => {
            let c = Client::connect()?;
            if cli.json {
                let flows = c.flows()?;
                let v: Vec<Value> = flows.iter().map(|(f, s)| flow_json(f, s)).collect();
                println!("{}", Value::Array(v));
            } else {
                let mut out = Out::new();
                c.flows_each(|f, s| {
                    if no_stats {
                        out.line(format_args!(" {}", format_flow(&f)))
                    } else {
                        out.line(format_args!(" {}", format_flow_stats(&f, &s)))
                    }
                })?;
                out.finish()?;
            }
        }
        Cmd::PacketOut {
            in_port,
            frame,
            len,
        } => {
            let port = in_port_arg(&in_port)?;
            let data = frame_from_arg(&frame.join(" "), len)?;
            Client::connect()?.packet_execute(port, &data)?;
        }
        Cmd::Frame { description, len } => {
            let data = frame_from_arg(&description.join(" "), len)?;
            if cli.json {
                println!("{}", frame_json(&to_hex(&data)));
            } else {
                println!("{}", to_hex(&data));
            }
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
                    (n, true) => notification_json(n).to_string(),
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

/// `HH:MM:SS` of the current time, UTC (the plain lines' time stamp).
fn utc_hms(now: std::time::SystemTime) -> String {
    let secs = now
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600 % 24,
        secs / 60 % 60,
        secs % 60
    )
}

/// `watch-group-stats`: dump, wait, dump, show the rates; until `count` intervals or Ctrl-C.
fn watch(json: bool, id: Option<u32>, interval: f64, count: Option<u64>) -> Result<(), Fail> {
    use ofgroupctl::watch::{compute, json_lines, lines, table, Sample};
    use std::io::{IsTerminal, Write};
    use std::time::{Duration, Instant, SystemTime};

    let c = Client::connect()?;
    let start = Instant::now();
    let take = |first: bool| -> Result<Sample, Failure> {
        let t0 = start.elapsed().as_secs_f64();
        let groups = match c.groups(id, true) {
            Ok(g) => g,
            // The watched group went away: shown as no group until it comes back.
            Err(Failure::Kernel { .. }) if !first && id.is_some() => Vec::new(),
            Err(e) => return Err(e),
        };
        let t1 = start.elapsed().as_secs_f64();
        Ok(Sample {
            time: (t0 + t1) / 2.0,
            groups,
        })
    };
    let tty = !json && std::io::stdout().is_terminal();
    let mut prev = take(true)?;
    let mut out = std::io::stdout().lock();
    let header = |out: &mut std::io::StdoutLock<'_>, what: &str| {
        // Home, clear: the view is redrawn in place.
        write!(
            out,
            "\x1b[H\x1b[2Jofgroupctl watch-group-stats: every {interval}s, {} UTC; Ctrl-C quits\n{what}\n",
            utc_hms(SystemTime::now())
        )
    };
    if tty {
        let _ = header(&mut out, "(the first rates come after one interval)");
        let _ = out.flush();
    }
    let mut n = 0u64;
    while count.is_none_or(|c| n < c) {
        n += 1;
        // Ticks on a fixed schedule from the start, so time spent dumping does not add up.
        let due = Duration::from_secs_f64(interval * n as f64);
        if let Some(wait) = due.checked_sub(start.elapsed()) {
            std::thread::sleep(wait);
        }
        let cur = take(false)?;
        let rates = compute(&prev, &cur);
        let written = if tty {
            header(&mut out, "").and_then(|()| write!(out, "{}", table(&rates)))
        } else if json {
            let t = SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            json_lines(t, &rates)
                .iter()
                .try_for_each(|v| writeln!(out, "{v}"))
        } else {
            write!(out, "{}", lines(&utc_hms(SystemTime::now()), &rates))
        };
        // A closed pipe (e.g. `| head`) ends the watch quietly.
        if written.and_then(|()| out.flush()).is_err() {
            break;
        }
        prev = cur;
    }
    Ok(())
}

/// Man pages (one per command) into `DIR/man1`, completions into `DIR/completions`: all from
/// the clap definition of the command line, so they cannot drift from it.
fn generate_docs(dir: &std::path::Path) -> std::io::Result<()> {
    use clap::CommandFactory;
    use clap_complete::Shell;
    let man = dir.join("man1");
    let completions = dir.join("completions");
    std::fs::create_dir_all(&man)?;
    std::fs::create_dir_all(&completions)?;
    clap_mangen::generate_to(Cli::command(), &man)?;
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        clap_complete::generate_to(shell, &mut Cli::command(), "ofgroupctl", &completions)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    // `ofgroupctl generate-docs DIR` (what `make install` runs) is kept out of the clap definition
    // so the pages and completions it writes do not list it.
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "generate-docs") {
        let Some(dir) = args.get(2).filter(|_| args.len() == 3) else {
            eprintln!("Usage: ofgroupctl generate-docs DIR");
            return ExitCode::from(1);
        };
        let dir = std::path::Path::new(dir);
        return match generate_docs(dir) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("Error: {}: {e}.", dir.display());
                ExitCode::from(2)
            }
        };
    }
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
