//! Ports and datapath counters as the kernel reports them, and their `dump-ports` / `dump-dp`
//! text.

use std::fmt::Write;

/// A datapath port with its counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Port {
    /// Port number.
    pub port_no: u32,
    /// Net device index.
    pub ifindex: u32,
    /// Net device name.
    pub ifname: String,
    /// Up with carrier.
    pub live: bool,
    /// Frames received.
    pub rx_packets: u64,
    /// Bytes received.
    pub rx_bytes: u64,
    /// Received frames that matched no flow.
    pub rx_missed: u64,
    /// Frames transmitted.
    pub tx_packets: u64,
    /// Bytes transmitted.
    pub tx_bytes: u64,
    /// Frames dropped on output.
    pub tx_dropped: u64,
}

/// Datapath counters.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct DpStats {
    /// Frames that matched a flow.
    pub hit: u64,
    /// Frames that matched no flow.
    pub missed: u64,
    /// Frames or copies dropped by actions.
    pub lost: u64,
    /// Installed flows.
    pub flows: u32,
    /// Attached ports.
    pub ports: u32,
    /// Most actions per flow (0: not reported).
    pub max_flow_actions: u32,
    /// Most work units per frame (0: not reported).
    pub work_budget: u32,
}

/// A port's three `dump-ports` lines (each ending in a newline):
///
/// ```text
///   port 1: veth0 (ifindex 5) up
///            rx pkts=3, bytes=180, missed=0
///            tx pkts=3, bytes=180, drop=0
/// ```
pub fn format_port(p: &Port) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "  port {}: {} (ifindex {}) {}",
        p.port_no,
        p.ifname,
        p.ifindex,
        if p.live { "up" } else { "down" }
    );
    let _ = writeln!(
        s,
        "           rx pkts={}, bytes={}, missed={}",
        p.rx_packets, p.rx_bytes, p.rx_missed
    );
    let _ = writeln!(
        s,
        "           tx pkts={}, bytes={}, drop={}",
        p.tx_packets, p.tx_bytes, p.tx_dropped
    );
    s
}

/// The `dump-dp` block, shaped like `ovs-dpctl show`:
///
/// ```text
///   lookups: hit:3 missed:1 lost:0
///   flows: 2
///   ports: 2
///   limits: max_flow_actions:256 work_budget:4096
/// ```
pub fn format_dp(d: &DpStats) -> String {
    let mut s = format!(
        "  lookups: hit:{} missed:{} lost:{}\n  flows: {}\n  ports: {}\n",
        d.hit, d.missed, d.lost, d.flows, d.ports
    );
    if d.max_flow_actions != 0 || d.work_budget != 0 {
        let _ = writeln!(
            s,
            "  limits: max_flow_actions:{} work_budget:{}",
            d.max_flow_actions, d.work_budget
        );
    }
    s
}
