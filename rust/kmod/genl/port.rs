// SPDX-License-Identifier: GPL-2.0

//! Port operations: attach a net device as a port, detach it, get one port or dump them all.

use kernel::{
    prelude::*,
    sync::{Arc, ArcBorrow},
};

use super::attr::{invalid, missing, nomem, u32_of};
use super::{dump, Do, Res};
use crate::abi::wire::Attrs;
use crate::abi::{cmd, port_attr as po};
use crate::datapath::{Datapath, PortError, PORT_MAX};
use crate::ffi::genl::{Dump, DumpStatus, Msg, Reject};
use crate::logic::error::errno;
use crate::port::PortInfo;

/// The port-no attribute, in range.
fn port_no_of(attrs: &Attrs<'_>, op: &str) -> Res<u32> {
    let a = attrs
        .find(po::PORT_NO)
        .ok_or_else(|| missing(op, "port-no"))?;
    let no = u32_of(&a, "port-no")?;
    if no == 0 || no > PORT_MAX {
        return Err(invalid(
            format_args!("port-no {} out of range (1..{})", no, PORT_MAX),
            Some(&a),
        ));
    }
    Ok(no)
}

/// port-new: attach a device (by ifindex or name) as a port.
pub(super) fn new(dp: ArcBorrow<'_, Datapath>, r: &Do<'_>) -> Res {
    let no = match r.attrs.find(po::PORT_NO) {
        Some(_) => Some(port_no_of(&r.attrs, "port-new")?),
        None => None,
    };
    let ifindex = match r.attrs.find(po::IFINDEX) {
        Some(a) => u32_of(&a, "ifindex")?,
        None => 0,
    };
    let name_attr = r.attrs.find(po::IFNAME);
    let name = name_attr.map_or(&[][..], |a| {
        let end = a
            .payload
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(a.payload.len());
        a.payload.get(..end).unwrap_or(&[])
    });
    if ifindex == 0 && name.is_empty() {
        return Err(missing("port-new", "ifindex' or 'ifname"));
    }
    let shown = core::str::from_utf8(name).unwrap_or("?");
    let reply = r
        .req
        .prepare_reply(cmd::PORT_NEW, 256)
        .map_err(|_| nomem())?;
    let dpa: Arc<Datapath> = dp.into();
    let net = r.req.net().ok_or_else(nomem)?;
    let info = Datapath::attach(&dpa, &net, no, ifindex, name).map_err(|e| match e {
        PortError::NoDevice => Reject::new(
            ENODEV.to_errno(),
            format_args!(
                "no device '{}' (ifindex {}) in this network namespace",
                shown, ifindex
            ),
            name_attr.map(|a| a.offset),
        ),
        PortError::NotEthernet => Reject::new(
            errno::EINVAL,
            format_args!(
                "device '{}' is not an Ethernet device (or is loopback)",
                shown
            ),
            name_attr.map(|a| a.offset),
        ),
        PortError::Exists(n) => Reject::new(
            errno::EEXIST,
            format_args!("port {} is already attached", n),
            r.attrs.find(po::PORT_NO).map(|a| a.offset),
        ),
        PortError::Full => Reject::new(errno::ENOSPC, format_args!("no free port number"), None),
        PortError::Busy => Reject::new(
            EBUSY.to_errno(),
            format_args!(
                "device '{}' is busy: a bridge, bond, OVS or another port owns it",
                shown
            ),
            name_attr.map(|a| a.offset),
        ),
        PortError::Kernel(e) => Reject::new(
            -e.to_errno(),
            format_args!("attaching '{}' failed", shown),
            None,
        ),
    })?;
    reply.send(|m| put_port(m, &info));
    // A lost notification (memory) does not fail the attach.
    let _ = r.req.notify(cmd::PORT_NEW_NTF, 256, |m| put_port(m, &info));
    Ok(())
}

/// port-del: detach a port.
pub(super) fn del(dp: ArcBorrow<'_, Datapath>, r: &Do<'_>) -> Res {
    let no = port_no_of(&r.attrs, "port-del")?;
    // Read before detaching, for the notification (requests are serialized: it is the one
    // detached, unless its device goes meanwhile, and then this request fails).
    let info = dp.port_info(no);
    if !dp.detach(no) {
        return Err(Reject::new(
            errno::ENOENT,
            format_args!("no port {}", no),
            r.attrs.find(po::PORT_NO).map(|a| a.offset),
        ));
    }
    if let Some(p) = info {
        let _ = r.req.notify(cmd::PORT_DEL_NTF, 128, |m| {
            m.put_u32(po::PORT_NO, p.no)?;
            m.put_u32(po::IFINDEX, p.ifindex)?;
            let n = p.name.iter().position(|&b| b == 0).unwrap_or(15);
            m.put_bytes(po::IFNAME, p.name.get(..=n).unwrap_or(&[0]))
        });
    }
    Ok(())
}

/// port-get: one port.
pub(super) fn get(dp: ArcBorrow<'_, Datapath>, r: &Do<'_>) -> Res {
    let no = port_no_of(&r.attrs, "port-get")?;
    let info = dp.port_info(no).ok_or_else(|| {
        Reject::new(
            errno::ENOENT,
            format_args!("no port {}", no),
            r.attrs.find(po::PORT_NO).map(|a| a.offset),
        )
    })?;
    r.req
        .reply(cmd::PORT_GET, 256, |m| put_port(m, &info))
        .map_err(|_| nomem())
}

/// port-get dump: every port.
pub(super) fn dump(dp: &Datapath, d: &mut Dump<'_>) -> Res<DumpStatus> {
    dump::items(
        d,
        cmd::PORT_GET,
        |c| dp.next_port(c),
        put_port,
        |_| dump::entry_too_big(),
    )
}

fn put_port(m: &mut Msg, p: &PortInfo) -> Result {
    m.put_u32(po::PORT_NO, p.no)?;
    m.put_u32(po::IFINDEX, p.ifindex)?;
    let n = p.name.iter().position(|&b| b == 0).unwrap_or(15);
    m.put_bytes(po::IFNAME, p.name.get(..=n).unwrap_or(&[0]))?;
    if p.live {
        m.put_flag(po::LIVE)?;
    }
    m.put_uint(po::RX_PACKETS, p.rx.packets)?;
    m.put_uint(po::RX_BYTES, p.rx.bytes)?;
    m.put_uint(po::RX_MISSED, p.missed)?;
    m.put_uint(po::TX_PACKETS, p.tx.packets)?;
    m.put_uint(po::TX_BYTES, p.tx.bytes)?;
    m.put_uint(po::TX_DROPPED, p.tx_dropped)
}
