//! Ports: attach, detach, get and dump.

use ofgroup_abi::{cmd, port_attr as pa, wire};

use crate::port::Port;

use super::client::Client;
use super::enc::{w_u32, w_uint, Enc};
use super::Failure;

pub(super) fn decode_port(attrs: wire::Attrs<'_>) -> Result<Port, Failure> {
    let mut p = Port::default();
    for a in attrs {
        match a.kind {
            pa::PORT_NO => p.port_no = w_u32(&a)?,
            pa::IFINDEX => p.ifindex = w_u32(&a)?,
            pa::IFNAME => {
                let b = a.payload;
                let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
                p.ifname = String::from_utf8_lossy(&b[..end]).into_owned();
            }
            pa::LIVE => p.live = true,
            pa::RX_PACKETS => p.rx_packets = w_uint(&a)?,
            pa::RX_BYTES => p.rx_bytes = w_uint(&a)?,
            pa::RX_MISSED => p.rx_missed = w_uint(&a)?,
            pa::TX_PACKETS => p.tx_packets = w_uint(&a)?,
            pa::TX_BYTES => p.tx_bytes = w_uint(&a)?,
            pa::TX_DROPPED => p.tx_dropped = w_uint(&a)?,
            _ => {}
        }
    }
    Ok(p)
}

impl Client {
    /// Attach `ifname` as a port (numbered `port_no`, or the lowest free number); the port the
    /// kernel made.
    pub fn port_new(&self, ifname: &str, port_no: Option<u32>) -> Result<Port, Failure> {
        let fill = |m: &mut Enc<'_>| {
            if let Some(p) = port_no {
                m.u32(pa::PORT_NO, p);
            }
            m.string(pa::IFNAME, ifname);
        };
        let mut port = None;
        self.request_each(cmd::PORT_NEW, false, fill, |attrs| {
            port = Some(decode_port(attrs)?);
            Ok(())
        })?;
        port.ok_or_else(|| Failure::Other("no port-new reply".into()))
    }

    /// Detach a port.
    pub fn port_del(&self, port_no: u32) -> Result<(), Failure> {
        self.request_each(
            cmd::PORT_DEL,
            false,
            |m| m.u32(pa::PORT_NO, port_no),
            |_| Ok(()),
        )
    }

    /// Ports (one, or all) with their counters.
    pub fn ports(&self, port_no: Option<u32>) -> Result<Vec<Port>, Failure> {
        let fill = |m: &mut Enc<'_>| {
            if let Some(p) = port_no {
                m.u32(pa::PORT_NO, p);
            }
        };
        let mut out = Vec::new();
        self.request_each(cmd::PORT_GET, port_no.is_none(), fill, |attrs| {
            out.push(decode_port(attrs)?);
            Ok(())
        })?;
        Ok(out)
    }
}
