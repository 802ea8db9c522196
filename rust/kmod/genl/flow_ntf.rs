// SPDX-License-Identifier: GPL-2.0

//! Flow notifications to the monitor group (of the requester's namespace only): a flow added,
//! flows modified or deleted by a request. A lost notification (memory) does not fail the
//! request that already changed the flows.

use kernel::prelude::*;

use super::attr::put_action;
use super::flow_match::put_match;
use crate::abi::{cmd, flow_attr as fa};
use crate::ffi::genl::{Msg, Request};
use crate::logic::{flow::Match, model::Action};

/// What a flow request changed, for its notification.
pub(super) struct FlowChange<'a> {
    /// The request's priority (the added flow's, or the selector's).
    pub(super) priority: Option<u16>,
    /// The request's match (`None`: every flow, for a non-strict selector).
    pub(super) m: Option<&'a Match>,
    /// The actions set (add, modify); none for a delete.
    pub(super) actions: &'a [Action],
    /// A strict selector.
    pub(super) strict: bool,
    /// How many flows a modify or delete changed (`None`: an add, one flow).
    pub(super) count: Option<u32>,
}

/// Room for one notification.
fn size(c: &FlowChange<'_>) -> usize {
    256 + c.actions.len() * 16
}

fn put(m: &mut Msg, c: &FlowChange<'_>) -> Result {
    if let Some(p) = c.priority {
        m.put_u16(fa::PRIORITY, p)?;
    }
    if let Some(mt) = c.m {
        put_match(m, mt)?;
    }
    for a in c.actions {
        put_action(m, fa::ACTION, a)?;
    }
    if c.strict {
        m.put_flag(fa::STRICT)?;
    }
    if let Some(n) = c.count {
        m.put_u32(fa::COUNT, n)?;
    }
    Ok(())
}

/// A flow was added (`count: None`) or flows were modified.
pub(super) fn notify_change(req: &Request<'_>, c: &FlowChange<'_>) {
    let _ = req.notify(cmd::FLOW_CHANGE_NTF, size(c), |m| put(m, c));
}

/// Flows were deleted.
pub(super) fn notify_del(req: &Request<'_>, c: &FlowChange<'_>) {
    let _ = req.notify(cmd::FLOW_DEL_NTF, size(c), |m| put(m, c));
}
