//! monitor: print the notifications of this network namespace's datapath as they come, in
//! ovs-ofctl monitor's manner: groups (`group-change`, `group-del`), flows (`flow-change
//! event=ADDED|MODIFIED`, `flow-del event=DELETED`, as NXST_FLOW_MONITOR's updates) and ports
//! (`port-status ADD|DELETE`, as OFPT_PORT_STATUS).

use std::io::Write;

use ofgroupctl::flow::{format_flow, format_match};
use ofgroupctl::format::format_group;
use ofgroupctl::json::notification_json;
use ofgroupctl::nl::{Client, FlowEvent, Notification};
use ofgroupctl::port::Port;

use super::Fail;

/// `monitor [--count N]`.
pub(crate) fn monitor(json: bool, count: Option<u64>) -> Result<(), Fail> {
    let mut left = count;
    Client::connect()?.monitor(|n| {
        let line = match (&n, json) {
            (Notification::Changed(g), false) => format!("group-change {}", format_group(g)),
            (Notification::Deleted(Some(id)), false) => format!("group-del group_id={id}"),
            (Notification::Deleted(None), false) => "group-del group_id=all".to_string(),
            (Notification::FlowChanged(e), false) => {
                format!("flow-change {}", flow_event(e, false))
            }
            (Notification::FlowDeleted(e), false) => format!("flow-del {}", flow_event(e, true)),
            (Notification::PortAdded(p), false) => format!("port-status ADD: {}", port(p)),
            (Notification::PortDeleted(p), false) => format!("port-status DELETE: {}", port(p)),
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
    Ok(())
}

/// `event=ADDED priority=10,in_port=1 actions=group:1` (an added flow),
/// `event=MODIFIED flows=2 in_port=1 actions=output:3` (a modify: its selector, new actions and
/// how many flows changed), `event=DELETED flows=1 strict priority=10,in_port=1` (a delete).
/// A delete of every flow prints no selector.
fn flow_event(e: &FlowEvent, deleted: bool) -> String {
    let (event, body) = match (deleted, e.count) {
        (true, _) => ("DELETED", format_match(e.flow.priority, &e.flow.matches)),
        (false, None) => ("ADDED", format_flow(&e.flow)),
        (false, Some(_)) => ("MODIFIED", format_flow(&e.flow)),
    };
    let mut s = format!("event={event}");
    if let Some(n) = e.count {
        s.push_str(&format!(" flows={n}"));
    }
    if e.strict {
        s.push_str(" strict");
    }
    if !body.is_empty() {
        s.push(' ');
        s.push_str(&body);
    }
    s
}

/// `1(p1): ifindex=5 up`.
fn port(p: &Port) -> String {
    let state = if p.live { " up" } else { "" };
    format!("{}({}): ifindex={}{state}", p.port_no, p.ifname, p.ifindex)
}
