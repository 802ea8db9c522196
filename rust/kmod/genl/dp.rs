// SPDX-License-Identifier: GPL-2.0

//! dp-get: the datapath's counters and caps.

use kernel::sync::ArcBorrow;

use super::attr::nomem;
use super::{Do, Res};
use crate::abi::{cmd, dp_attr as da};
use crate::datapath::Datapath;
use crate::logic::work::{MAX_FLOW_ACTIONS, WORK_BUDGET};

/// dp-get.
pub(super) fn get(dp: ArcBorrow<'_, Datapath>, r: &Do<'_>) -> Res {
    let s = dp.stats();
    r.req
        .reply(cmd::DP_GET, 128, |m| {
            m.put_uint(da::HIT, s.hit)?;
            m.put_uint(da::MISSED, s.missed)?;
            m.put_uint(da::LOST, s.lost)?;
            m.put_u32(da::FLOWS, s.flows)?;
            m.put_u32(da::PORTS, s.ports)?;
            m.put_u32(da::MAX_FLOW_ACTIONS, MAX_FLOW_ACTIONS as u32)?;
            m.put_u32(da::WORK_BUDGET, WORK_BUDGET)
        })
        .map_err(|_| nomem())
}
