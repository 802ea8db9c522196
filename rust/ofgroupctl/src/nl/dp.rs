//! The datapath: its counters and packet-execute.

use ofgroup_abi::{cmd, dp_attr as da, packet_attr as pka, wire};

use crate::port::DpStats;

use super::client::Client;
use super::enc::{w_u32, w_uint, Enc};
use super::Failure;

pub(super) fn decode_dp(attrs: wire::Attrs<'_>) -> Result<DpStats, Failure> {
    let mut d = DpStats::default();
    for a in attrs {
        match a.kind {
            da::HIT => d.hit = w_uint(&a)?,
            da::MISSED => d.missed = w_uint(&a)?,
            da::LOST => d.lost = w_uint(&a)?,
            da::FLOWS => d.flows = w_u32(&a)?,
            da::PORTS => d.ports = w_u32(&a)?,
            da::MAX_FLOW_ACTIONS => d.max_flow_actions = w_u32(&a)?,
            da::WORK_BUDGET => d.work_budget = w_u32(&a)?,
            _ => {}
        }
    }
    Ok(d)
}

impl Client {
    /// Datapath counters.
    pub fn dp(&self) -> Result<DpStats, Failure> {
        let mut d = None;
        self.request_each(
            cmd::DP_GET,
            false,
            |_| {},
            |attrs| {
                d = Some(decode_dp(attrs)?);
                Ok(())
            },
        )?;
        d.ok_or_else(|| Failure::Other("no dp-get reply".into()))
    }

    /// Run `data` through the datapath as if it arrived on `in_port`.
    pub fn packet_execute(&self, in_port: u32, data: &[u8]) -> Result<(), Failure> {
        let fill = |m: &mut Enc<'_>| {
            m.u32(pka::IN_PORT, in_port);
            m.bytes(pka::DATA, data);
        };
        self.request_each(cmd::PACKET_EXECUTE, false, fill, |_| Ok(()))
    }
}
