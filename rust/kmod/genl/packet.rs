// SPDX-License-Identifier: GPL-2.0

//! packet-execute: run a raw frame through the datapath as if a port received it.

use kernel::sync::ArcBorrow;

use super::attr::{invalid, missing, nomem, u32_of};
use super::{Do, Res};
use crate::abi::{packet_attr as pa, PACKET_MAX};
use crate::datapath::Datapath;
use crate::ffi::genl::Reject;
use crate::logic::error::errno;

/// packet-execute.
pub(super) fn execute(dp: ArcBorrow<'_, Datapath>, r: &Do<'_>) -> Res {
    let a = r
        .attrs
        .find(pa::IN_PORT)
        .ok_or_else(|| missing("packet-execute", "in-port"))?;
    let in_port = u32_of(&a, "in-port")?;
    let d = r
        .attrs
        .find(pa::DATA)
        .ok_or_else(|| missing("packet-execute", "data"))?;
    if d.payload.len() < 14 || d.payload.len() > usize::from(PACKET_MAX) {
        return Err(invalid(
            format_args!(
                "'data' must be an Ethernet frame of 14..{} bytes, not {}",
                PACKET_MAX,
                d.payload.len()
            ),
            Some(&d),
        ));
    }
    match dp.execute(in_port, d.payload) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Reject::new(
            errno::ENOENT,
            format_args!("no port {}", in_port),
            Some(a.offset),
        )),
        Err(_) => Err(nomem()),
    }
}
