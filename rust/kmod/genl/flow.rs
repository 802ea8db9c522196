// SPDX-License-Identifier: GPL-2.0

//! Flow operations: add, modify, delete and dump flows (the match nest is in `flow_match`).

use kernel::{prelude::*, sync::ArcBorrow};

use super::attr::{nomem, parse_action, put_action, u16_of};
use super::flow_match::{parse_match, put_match};
use super::flow_ntf::{self, FlowChange};
use super::{dump, Do, Res};
use crate::abi::wire::{Attr, Attrs};
use crate::abi::{cmd, flow_attr as fa};
use crate::datapath::Datapath;
use crate::ffi::genl::{Dump, DumpStatus, Msg, Reject};
use crate::flow::{FlowError, FlowInfo, Selector};
use crate::logic::{
    error::errno,
    flow::{Match, DEFAULT_PRIORITY},
    model::Action,
    validate::check_flow_action,
    work::{too_many_flow_actions, MAX_FLOW_ACTIONS},
};

/// A flow request's parts.
struct ReqFlow<'a> {
    priority: Option<u16>,
    m: Option<Match>,
    actions: KVec<Action>,
    action_attrs: KVec<Attr<'a>>,
    strict: bool,
}

fn parse_flow<'a>(attrs: &Attrs<'a>) -> Res<ReqFlow<'a>> {
    // The action list is bounded before it is collected.
    let n_actions = match super::group::over_cap(attrs, fa::ACTION, MAX_FLOW_ACTIONS) {
        None => attrs.clone().filter(|a| a.kind == fa::ACTION).count(),
        Some((n, first_over)) => {
            let prio = attrs
                .find(fa::PRIORITY)
                .and_then(|a| a.u16())
                .unwrap_or(DEFAULT_PRIORITY);
            let e = too_many_flow_actions(n).about_flow(prio);
            return Err(Reject::new(
                e.errno(),
                format_args!("{}", e),
                Some(first_over.offset),
            ));
        }
    };
    let mut f = ReqFlow {
        priority: None,
        m: None,
        actions: KVec::with_capacity(n_actions, GFP_KERNEL).map_err(|_| nomem())?,
        action_attrs: KVec::with_capacity(n_actions, GFP_KERNEL).map_err(|_| nomem())?,
        strict: false,
    };
    for a in attrs.clone() {
        match a.kind {
            fa::PRIORITY => f.priority = Some(u16_of(&a, "priority")?),
            fa::MATCH => f.m = Some(parse_match(Some(a))?),
            fa::ACTION => {
                let act = parse_action(&a)?;
                check_flow_action(&act)
                    .map_err(|e| Reject::new(e.errno(), format_args!("{}", e), Some(a.offset)))?;
                f.actions.push(act, GFP_KERNEL).map_err(|_| nomem())?;
                f.action_attrs.push(a, GFP_KERNEL).map_err(|_| nomem())?;
            }
            fa::STRICT => f.strict = true,
            _ => {}
        }
    }
    Ok(f)
}

impl ReqFlow<'_> {
    fn reject(&self, e: FlowError) -> Reject {
        match e {
            FlowError::BadOutGroup(g) => {
                let at = self
                    .actions
                    .iter()
                    .position(|a| *a == Action::Group(g))
                    .and_then(|i| self.action_attrs.get(i))
                    .map(|a| a.offset);
                Reject::new(
                    errno::ENOENT,
                    format_args!("BAD_OUT_GROUP: flow: group {} does not exist", g),
                    at,
                )
            }
            FlowError::TableFull(max) => Reject::new(
                errno::ENOSPC,
                format_args!("TABLE_FULL: the flow table holds {} flows", max),
                None,
            ),
            FlowError::Refused(e) => {
                // Too many actions: the first one past the cap; too much work: the action
                // leading to the group named.
                let at = match e.via {
                    Some(g) => self.actions.iter().position(|a| *a == Action::Group(g)),
                    None => Some(MAX_FLOW_ACTIONS),
                }
                .and_then(|i| self.action_attrs.get(i))
                .map(|a| a.offset);
                Reject::new(e.errno(), format_args!("{}", e), at)
            }
            FlowError::NoMem => nomem(),
        }
    }

    /// What this request changed, for its notification.
    fn change<'b>(
        &'b self,
        priority: Option<u16>,
        m: Option<&'b Match>,
        count: Option<u32>,
    ) -> FlowChange<'b> {
        FlowChange {
            priority,
            m,
            actions: &self.actions,
            strict: self.strict,
            count,
        }
    }

    fn selector(&self) -> Option<Selector<'_>> {
        match (&self.m, self.strict) {
            (m, true) => Some(Selector::Strict(
                m.as_ref().unwrap_or(&Match::ANY),
                self.priority.unwrap_or(DEFAULT_PRIORITY),
            )),
            (Some(m), false) => Some(Selector::Covered(m)),
            (None, false) => None,
        }
    }
}

/// flow-new: add a flow (replacing one with the same match and priority).
pub(super) fn new(dp: ArcBorrow<'_, Datapath>, r: &Do<'_>) -> Res {
    let f = parse_flow(&r.attrs)?;
    let m = f.m.unwrap_or(Match::ANY);
    let priority = f.priority.unwrap_or(DEFAULT_PRIORITY);
    dp.flow_add(priority, m, &f.actions)
        .map_err(|e| f.reject(e))?;
    flow_ntf::notify_change(r.req, &f.change(Some(priority), Some(&m), None));
    Ok(())
}

/// flow-set, flow-del: modify or delete the flows a selector picks; replies with their count.
pub(super) fn set_del(dp: ArcBorrow<'_, Datapath>, r: &Do<'_>) -> Res {
    let f = parse_flow(&r.attrs)?;
    let sel = f.selector();
    let reply = r.req.prepare_reply(r.cmd, 64).map_err(|_| nomem())?;
    let n = if r.cmd == cmd::FLOW_SET {
        let sel = sel.unwrap_or(Selector::Covered(&Match::ANY));
        dp.flow_modify(sel, &f.actions)
    } else {
        dp.flow_delete(sel)
    }
    .map_err(|e| f.reject(e))?;
    reply.send(|m| m.put_u32(fa::COUNT, n));
    if n > 0 {
        // A selector's priority counts only when strict.
        let prio = f.strict.then(|| f.priority.unwrap_or(DEFAULT_PRIORITY));
        let c = f.change(prio, f.m.as_ref(), Some(n));
        if r.cmd == cmd::FLOW_SET {
            flow_ntf::notify_change(r.req, &c);
        } else {
            flow_ntf::notify_del(r.req, &c);
        }
    }
    Ok(())
}

/// flow-get dump: every flow, with its counters.
pub(super) fn dump(dp: &Datapath, d: &mut Dump<'_>) -> Res<DumpStatus> {
    dump::items(
        d,
        cmd::FLOW_GET,
        |c| dp.flows.next(c),
        put_flow,
        |_| dump::entry_too_big(),
    )
}

/// Every flow fits one dump message, so flows are never split (groups are, see `group::dump`):
/// a dump part is at least NLMSG_GOODSIZE, about 3.7 KiB with 4 KiB pages (netlink_dump sizes
/// it so even for a reader with a small buffer); a flow's message is at most the headers, its
/// priority, the largest match nest, [`MAX_FLOW_ACTIONS`] action nests (12 bytes each) and three
/// 64-bit counters: 3316 bytes. The cap on actions is what bounds it (checked at parse time).
const FLOW_MSG_MAX: usize = 16 + 4 // nlmsghdr, genlmsghdr
    + 8 // priority
    + 4 + crate::abi::match_nest::MATCH_NEST_MAX
    + MAX_FLOW_ACTIONS * 12
    + 3 * 12; // duration, packets, bytes

/// The smallest dump part a reader can make the kernel use, rounded down (NLMSG_GOODSIZE).
const DUMP_PART_MIN: usize = 3584;

const _: () = assert!(FLOW_MSG_MAX <= DUMP_PART_MIN);

fn put_flow(m: &mut Msg, f: &FlowInfo) -> Result {
    m.put_u16(fa::PRIORITY, f.flow.priority)?;
    put_match(m, &f.flow.m)?;
    for a in &f.flow.actions {
        put_action(m, fa::ACTION, a)?;
    }
    let s = f.flow.stats.read();
    m.put_uint(fa::DURATION, f.duration_ns)?;
    m.put_uint(fa::PACKETS, s.packets)?;
    m.put_uint(fa::BYTES, s.bytes)
}
