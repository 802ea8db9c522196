//! Flows: flow commands (with the match nest from `ofgroup_abi::match_nest`) and flow dumps.

use ofgroup_abi::{cmd, flow_attr as fla, wire};

use crate::flow::{Flow, FlowCommand, FlowStats, MatchSpec};

use super::action::{decode_action, put_action};
use super::client::Client;
use super::enc::{w_u32, w_uint, Enc};
use super::{other, Failure, FlowEvent};

/// The kernel command a flow command is.
pub(super) fn flow_command(c: FlowCommand) -> u8 {
    match c {
        FlowCommand::Add => cmd::FLOW_NEW,
        FlowCommand::Modify | FlowCommand::ModifyStrict => cmd::FLOW_SET,
        FlowCommand::Delete | FlowCommand::DeleteStrict => cmd::FLOW_DEL,
    }
}

/// A flow command's attributes: add sends priority, match and actions; modify sends match and
/// actions; delete the match; strict ones add priority and the strict flag. An empty match is
/// left out (it matches every frame).
pub(super) fn put_flow(m: &mut Enc<'_>, c: FlowCommand, f: &Flow) {
    if c == FlowCommand::Add || c.strict() {
        m.u16(fla::PRIORITY, f.priority);
    }
    if f.matches != MatchSpec::default() {
        m.nest(fla::MATCH, |m| {
            ofgroup_abi::match_nest::put(m, &f.matches).unwrap_or_else(|never| match never {})
        });
    }
    if flow_command(c) != cmd::FLOW_DEL {
        for a in &f.actions {
            put_action(m, fla::ACTION, a);
        }
    }
    if c.strict() {
        m.flag(fla::STRICT);
    }
}

/// Append the request a flow command makes (an add-flows line) to `buf`, as message `seq` of
/// `family` with netlink `flags`.
pub fn encode_flow_request(
    buf: &mut Vec<u8>,
    family: u16,
    flags: u16,
    seq: u32,
    c: FlowCommand,
    f: &Flow,
) {
    let mut m = Enc::new(buf, family, flags, seq, flow_command(c));
    put_flow(&mut m, c, f);
    m.finish();
}

/// A flow notification's body.
pub(super) fn decode_flow_event(attrs: wire::Attrs<'_>) -> Result<FlowEvent, Failure> {
    let (flow, _) = decode_flow(attrs.clone())?;
    let mut e = FlowEvent {
        flow,
        strict: false,
        count: None,
    };
    for a in attrs {
        match a.kind {
            fla::STRICT => e.strict = true,
            fla::COUNT => e.count = Some(w_u32(&a)?),
            _ => {}
        }
    }
    Ok(e)
}

pub(super) fn decode_flow(attrs: wire::Attrs<'_>) -> Result<(Flow, FlowStats), Failure> {
    let mut f = Flow::default();
    let mut s = FlowStats::default();
    for a in attrs {
        match a.kind {
            fla::PRIORITY => {
                f.priority = a.u16().ok_or_else(|| other("short priority attribute"))?;
            }
            fla::MATCH => {
                f.matches = ofgroup_abi::match_nest::parse(a.nested()).map_err(other)?;
            }
            fla::ACTION => decode_action(&a, &mut f.actions)?,
            fla::DURATION => s.duration_ns = w_uint(&a)?,
            fla::PACKETS => s.packets = w_uint(&a)?,
            fla::BYTES => s.bytes = w_uint(&a)?,
            _ => {}
        }
    }
    Ok((f, s))
}

impl Client {
    /// Apply one flow command; for modify and delete, how many flows it changed (when the kernel
    /// says).
    pub fn flow(&self, c: FlowCommand, f: &Flow) -> Result<Option<u32>, Failure> {
        let mut count = None;
        self.request_each(
            flow_command(c),
            false,
            |m| put_flow(m, c, f),
            |attrs| {
                if let Some(a) = attrs.find(fla::COUNT) {
                    count = Some(w_u32(&a)?);
                }
                Ok(())
            },
        )?;
        Ok(count)
    }

    /// Every flow with its counters, highest priority first (the kernel's order).
    pub fn flows(&self) -> Result<Vec<(Flow, FlowStats)>, Failure> {
        let mut out = Vec::new();
        self.flows_each(|f, s| {
            out.push((f, s));
            Ok(())
        })?;
        Ok(out)
    }

    /// Like [`Client::flows`], handing each flow to `each` as its message arrives.
    pub fn flows_each(
        &self,
        mut each: impl FnMut(Flow, FlowStats) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        self.request_each(
            cmd::FLOW_GET,
            true,
            |_| {},
            |attrs| {
                let (f, s) = decode_flow(attrs)?;
                each(f, s)
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nl::client::{genl_of, parse_msg, raw_messages};
    use crate::nl::port::decode_port;
    use ofgroup_abi::port_attr as pa;

    /// A flow add request reads back as the same flow (requests and dump replies share the
    /// layout), and a string attribute is NUL-terminated and padded.
    #[test]
    fn encoded_flow_reads_back() {
        use crate::flow::parse_flow;
        let text = "priority=10,in_port=1,ip,nw_dst=10.0.0.0/24,dl_src=50:54:00:00:00:05,\
                    actions=output:2,group:1234";
        let f = parse_flow(text, FlowCommand::Add).unwrap();
        let mut buf = Vec::new();
        encode_flow_request(&mut buf, 0x1d, 0x5, 9, FlowCommand::Add, &f);
        let raw = raw_messages(&buf).next().unwrap();
        assert_eq!((raw.seq, raw.bytes.len()), (9, buf.len()));
        let (command, attrs) = genl_of(&raw);
        assert_eq!(command, cmd::FLOW_NEW);
        let (back, _) = decode_flow(attrs).unwrap();
        assert_eq!(back, f);
        assert!(parse_msg(raw.bytes).is_ok());

        let mut buf = Vec::new();
        let mut m = Enc::new(&mut buf, 0x1d, 0x5, 1, cmd::PORT_NEW);
        m.string(pa::IFNAME, "veth0");
        m.u32(pa::PORT_NO, 3);
        m.finish();
        assert_eq!(buf.len() % 4, 0);
        let raw = raw_messages(&buf).next().unwrap();
        let a = genl_of(&raw).1.find(pa::IFNAME).unwrap();
        assert_eq!(a.payload, b"veth0\0");
        let p = decode_port(genl_of(&raw).1).unwrap();
        assert_eq!((p.ifname.as_str(), p.port_no), ("veth0", 3));
    }
}
