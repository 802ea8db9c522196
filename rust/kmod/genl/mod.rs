// SPDX-License-Identifier: GPL-2.0

//! The `ofgroup` generic netlink operations, one file per object (as net/openvswitch splits
//! datapath and flow_netlink): requests parsed into datapath operations, replies and
//! notifications built from its objects. Every refusal carries an errno and an extack message
//! naming the problem and, where there is one, the offending attribute; a refused request changes
//! nothing.
//!
//! Netns: every network namespace has its own datapath (`crate::netns`), and the family is
//! `netnsok`: a request acts on the datapath of the namespace it was sent from, changes need
//! CAP_NET_ADMIN in the user namespace owning that namespace, and notifications go to the
//! listeners of that namespace only.

mod attr;
mod bucket;
mod dp;
mod dump;
mod flow;
mod flow_match;
mod flow_ntf;
mod group;
mod packet;
mod port;
mod spec;

use kernel::{prelude::*, sync::ArcBorrow};

use crate::abi::{self, cmd, wire::Attrs};
use crate::datapath::Datapath;
use crate::ffi::genl::{Dump, DumpStatus, FamilySpec, GenlHandler, Reject, Request};
use crate::ffi::netns::{Net, Pernet};
use crate::logic::error::errno;

/// A handler's result: done, or refused.
type Res<T = ()> = core::result::Result<T, Reject>;

/// A `do` request being served.
struct Do<'a> {
    /// Its command (operations sharing a handler differ by it).
    cmd: u8,
    /// The request, for the reply and notifications.
    req: &'a Request<'a>,
    /// Its attributes.
    attrs: Attrs<'a>,
}

/// Serves a `do` request.
type DoFn = fn(ArcBorrow<'_, Datapath>, &Do<'_>) -> Res;
/// Serves one part of a dump.
type DumpFn = fn(&Datapath, &mut Dump<'_>) -> Res<DumpStatus>;

/// How one operation of the ABI is served.
struct Handlers {
    cmd: u8,
    doit: Option<DoFn>,
    dumpit: Option<DumpFn>,
}

const fn op(cmd: u8, doit: Option<DoFn>, dumpit: Option<DumpFn>) -> Handlers {
    Handlers { cmd, doit, dumpit }
}

/// The handlers of every operation with a `do` or a `dump`; `matches_abi` checks at compile time
/// that they are exactly those of the ABI's operation table (which `spec` registers).
const HANDLERS: &[Handlers] = &[
    op(cmd::GROUP_NEW, Some(group::set), None),
    op(cmd::GROUP_SET, Some(group::set), None),
    op(cmd::GROUP_DEL, Some(group::del), None),
    op(cmd::BUCKET_INSERT, Some(bucket::insert_remove), None),
    op(cmd::BUCKET_REMOVE, Some(bucket::insert_remove), None),
    op(cmd::GROUP_GET, Some(group::get), Some(group::dump)),
    op(cmd::STATS_RESET, Some(group::stats_reset), None),
    op(cmd::FEATURES_GET, Some(group::features), None),
    op(cmd::PORT_NEW, Some(port::new), None),
    op(cmd::PORT_DEL, Some(port::del), None),
    op(cmd::PORT_GET, Some(port::get), Some(port::dump)),
    op(cmd::FLOW_NEW, Some(flow::new), None),
    op(cmd::FLOW_SET, Some(flow::set_del), None),
    op(cmd::FLOW_DEL, Some(flow::set_del), None),
    op(cmd::FLOW_GET, None, Some(flow::dump)),
    op(cmd::PACKET_EXECUTE, Some(packet::execute), None),
    op(cmd::DP_GET, Some(dp::get), None),
];

/// Whether `HANDLERS` has a `do` and a `dump` exactly where the ABI's operations do.
const fn matches_abi() -> bool {
    let mut i = 0;
    while i < abi::OPERATIONS.len() {
        let o = &abi::OPERATIONS[i];
        let (mut has_do, mut has_dump) = (false, false);
        let mut j = 0;
        while j < HANDLERS.len() {
            if HANDLERS[j].cmd == o.cmd {
                has_do = HANDLERS[j].doit.is_some();
                has_dump = HANDLERS[j].dumpit.is_some();
            }
            j += 1;
        }
        if has_do != o.do_request.is_some() || has_dump != o.dump_request.is_some() {
            return false;
        }
        i += 1;
    }
    let mut j = 0;
    while j < HANDLERS.len() {
        let mut found = false;
        let mut i = 0;
        while i < abi::OPERATIONS.len() {
            found |= abi::OPERATIONS[i].cmd == HANDLERS[j].cmd;
            i += 1;
        }
        if !found {
            return false;
        }
        j += 1;
    }
    true
}

const _: () = assert!(matches_abi(), "genl::HANDLERS and abi::OPERATIONS disagree");

fn handlers(cmd: u8) -> Option<&'static Handlers> {
    HANDLERS.iter().find(|h| h.cmd == cmd)
}

/// The family's handler: serves the operations on the datapath of the requester's namespace.
/// It owns the per-namespace registration, so the datapaths live as long as operations can run
/// (the family is unregistered, waiting for running operations, before its handler is dropped).
pub(crate) struct Ops {
    dps: Pernet<Datapath>,
}

impl Ops {
    /// A handler serving the datapaths `dps` keeps, one per namespace.
    pub(crate) fn new(dps: Pernet<Datapath>) -> Self {
        Ops { dps }
    }

    /// The datapath of namespace `net`.
    fn dp<'a>(&'a self, net: Option<&Net<'a>>) -> Res<ArcBorrow<'a, Datapath>> {
        net.and_then(|n| self.dps.state(n)).ok_or_else(|| {
            Reject::new(
                ENODEV.to_errno(),
                format_args!("no datapath in this network namespace"),
                None,
            )
        })
    }
}

impl GenlHandler for Ops {
    const SPEC: &'static FamilySpec = &spec::SPEC;

    fn doit(&self, cmd: u8, req: &Request<'_>) -> Res {
        let Some(f) = handlers(cmd).and_then(|h| h.doit) else {
            return Err(Reject::new(
                errno::EOPNOTSUPP,
                format_args!("unknown command {}", cmd),
                None,
            ));
        };
        let r = Do {
            cmd,
            req,
            attrs: Attrs::new(req.attr_bytes()),
        };
        let net = req.net();
        f(self.dp(net.as_ref())?, &r)
    }

    fn dumpit(&self, cmd: u8, dump: &mut Dump<'_>) -> Res<DumpStatus> {
        let Some(f) = handlers(cmd).and_then(|h| h.dumpit) else {
            return Err(Reject::new(
                errno::EOPNOTSUPP,
                format_args!("no dump for command {}", cmd),
                None,
            ));
        };
        let net = dump.net();
        let dp = self.dp(net.as_ref())?;
        f(&dp, dump)
    }
}
