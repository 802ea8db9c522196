// SPDX-License-Identifier: GPL-2.0

//! A flow's `match` nest, through the codec ofgroupctl uses too (`abi::match_nest`): parsed into
//! a validated match (refusals naming the attribute), and put back into replies (fields at
//! their full mask are sent without one).

use kernel::prelude::*;

use super::Res;
use crate::abi::flow_attr as fa;
use crate::abi::match_nest;
use crate::abi::wire::{Attr, AttrSink};
use crate::ffi::genl::{Msg, Reject};
use crate::logic::flow::{Match, MatchSpec};

/// A `match` nest into a validated match; no nest matches everything.
pub(super) fn parse_match(nest: Option<Attr<'_>>) -> Res<Match> {
    let Some(nest) = nest else {
        return Ok(Match::ANY);
    };
    let s = match_nest::parse(nest.nested())
        .map_err(|e| Reject::new(e.errno(), format_args!("{}", e), Some(e.offset())))?;
    s.to_match()
        .map_err(|e| Reject::new(e.errno(), format_args!("{}", e), Some(nest.offset)))
}

/// A message being built, as the codec's attribute sink.
struct Sink<'a>(&'a mut Msg);

impl AttrSink for Sink<'_> {
    type Error = Error;

    fn put(&mut self, kind: u16, payload: &[u8]) -> Result {
        self.0.put_bytes(kind, payload)
    }
}

/// Put `mt` as the reply's `match` nest.
pub(super) fn put_match(m: &mut Msg, mt: &Match) -> Result {
    m.nest(fa::MATCH, |m| {
        match_nest::put(&mut Sink(m), &MatchSpec::from_match(mt))
    })
}
