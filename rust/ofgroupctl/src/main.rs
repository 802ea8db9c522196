//! ofgroupctl: manage ofgroup's group table, ports and flows with ovs-ofctl syntax and output.
//!
//! Exit status: 0 ok, 1 usage or parse error, 2 the kernel (or the system) refused.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ofgroupctl::flow::FlowCommand;
use ofgroupctl::frame::DEFAULTS_HELP;
use ofgroupctl::parse::Expect;

mod cmd;

use cmd::{buckets, flows, groups, monitor, packet, ports, watch, Fail};

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

fn run(cli: Cli) -> Result<(), Fail> {
    let json = cli.json;
    match cli.cmd {
        Cmd::AddGroup { group } => groups::add(&group),
        Cmd::ModGroup { may_create, group } => groups::modify(may_create, &group),
        Cmd::DelGroups { group } => groups::delete(group.as_deref()),
        Cmd::InsertBuckets { group } => buckets::insert(&group),
        Cmd::RemoveBuckets { group } => buckets::remove(&group),
        Cmd::DumpGroups { group } => groups::dump(json, group.as_deref(), false),
        Cmd::DumpGroupStats { group } => groups::dump(json, group.as_deref(), true),
        Cmd::WatchGroupStats {
            group,
            interval,
            count,
        } => {
            let id = groups::selector(group.as_deref(), Expect::Select)?;
            watch::watch(json, id, interval, count)
        }
        Cmd::DumpGroupFeatures => groups::features(json),
        Cmd::AddGroups { file } => groups::add_batch(&file),
        Cmd::AddPort { ifname, port } => ports::add(json, &ifname, port),
        Cmd::DelPort { port } => ports::delete(port),
        Cmd::DumpPorts { port } => ports::dump(json, port),
        Cmd::DumpDp => ports::dp(json),
        Cmd::AddFlow { flow } => flows::apply(json, FlowCommand::Add, &flow),
        Cmd::ModFlows { strict, flow } => {
            let c = if strict {
                FlowCommand::ModifyStrict
            } else {
                FlowCommand::Modify
            };
            flows::apply(json, c, &flow)
        }
        Cmd::DelFlows { strict, flow } => {
            let c = if strict {
                FlowCommand::DeleteStrict
            } else {
                FlowCommand::Delete
            };
            flows::apply(json, c, flow.as_deref().unwrap_or(""))
        }
        Cmd::AddFlows { file } => flows::add_batch(&file),
        Cmd::DumpFlows { no_stats } => flows::dump(json, no_stats),
        Cmd::PacketOut {
            in_port,
            frame,
            len,
        } => packet::packet_out(&in_port, &frame, len),
        Cmd::Frame { description, len } => packet::frame(json, &description, len),
        Cmd::Monitor { count } => monitor::monitor(json, count),
    }
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
