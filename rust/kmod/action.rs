// SPDX-License-Identifier: GPL-2.0

//! The packet path: a received frame is parsed, looked up in the flow table, and its flow's
//! actions run — output to a port, or a group, whose chosen buckets run their own actions
//! (chaining, bounded). Every step is counted: the port's rx, the flow, the group and each
//! executed bucket, the output port's tx, all in wire terms (`logic::gso`: a GSO super-frame
//! counts as the segments it stands for, L2 headers included); misses and dangling references
//! are dropped with a drop reason and counted, frames a `drop` action ends are consumed.
//!
//! Softirq (or packet-execute with BH off) inside an RCU read section: no locks; the only
//! allocations are the clones an `all` group or a multi-output action list needs (GFP_ATOMIC).
//!
//! Work per frame is bounded: install refuses anything whose worst case exceeds the budget
//! (`logic::work`), and each frame also carries a meter (`Ctx::frame`: one unit per action,
//! clone and liveness check, plus a memo of watched groups' liveness); a frame that runs out,
//! which only a racing update can cause, stops and counts as lost.

use kernel::sync::rcu;

use crate::bucket::Bucket;
use crate::datapath::Datapath;
use crate::ffi::net::{DropReason, Skb};
use crate::logic::{
    flow::Key,
    gso::{self, Wire},
    hash::{flow_hash, FlowFields},
    liveness::Metered,
    model::{Action, GroupType, MAX_CHAIN_DEPTH},
    packet,
    work::Frame,
};
use crate::port::Port;

/// Bytes of headers the parser may need: Ethernet + 2 VLAN tags + IPv6 + extension headers + L4.
const HEADERS: usize = 14 + 8 + 40 + 64 + 8;

/// What every action of one packet shares.
struct Ctx<'a> {
    dp: &'a Datapath,
    rcu: &'a rcu::Guard,
    /// What select groups hash (L3 only for IP fragments).
    fields: &'a FlowFields,
    /// What the frame stands for on the wire, as received.
    wire: Wire,
    /// Work done so far and watched groups' liveness, for this frame.
    frame: Frame,
}

/// A frame arrived on `port` (or was injected as if it had).
pub(crate) fn receive(port: &Port, skb: Skb, rcu: &rcu::Guard) {
    let dp = &*port.dp;
    let len = skb.len();
    let (gso_size, gso_segs) = skb.gso();
    let mut buf = [0u8; HEADERS];
    let Some(headers) = skb.headers(&mut buf) else {
        port.rx.credit(gso::wire(len, gso_size, gso_segs, 0));
        dp.count_lost();
        skb.drop_for(DropReason::NoMem);
        return;
    };
    let parsed = packet::parse(headers);
    let wire = gso::wire(len, gso_size, gso_segs, parsed.l4_end);
    port.rx.credit(wire);
    let key = Key::from_packet(port.no, &parsed);
    if cfg!(ofgroup_ablate = "parseonly") {
        // Benchmark-only variant (scripts/module.sh OFGROUP_ABLATE=parseonly): parse, build the key, drop.
        core::hint::black_box(&key);
        skb.consume();
        return;
    }
    let Some(flow) = dp.flows.lookup(rcu, &key) else {
        port.count_missed();
        dp.count_missed();
        skb.drop_for(DropReason::NoTarget);
        return;
    };
    if !cfg!(ofgroup_ablate = "nocount") {
        dp.count_hit();
    }
    flow.stats.credit(wire);
    let fields = parsed.hash_fields();
    let ctx = Ctx {
        dp,
        rcu,
        fields: &fields,
        wire,
        frame: Frame::new(),
    };
    run_actions(&ctx, &flow.actions, skb, 0);
}

/// Run `actions` on `skb`: every action but the last gets a clone, the last the frame itself.
/// No actions: the frame is dropped on purpose (a `drop` flow or bucket).
fn run_actions(ctx: &Ctx<'_>, actions: &[Action], skb: Skb, depth: u32) {
    let Some((last, rest)) = actions.split_last() else {
        skb.consume();
        return;
    };
    for a in rest {
        if !ctx.frame.charge(1) {
            break;
        }
        match skb.clone_atomic() {
            Some(c) => run_action(ctx, a, c, depth),
            None => ctx.dp.count_lost(),
        }
    }
    run_action(ctx, last, skb, depth);
}

fn run_action(ctx: &Ctx<'_>, a: &Action, skb: Skb, depth: u32) {
    if !ctx.frame.charge(1) {
        // Over the per-frame work budget: only a racing update can get here.
        ctx.dp.count_lost();
        skb.drop_for(DropReason::Limit);
        return;
    }
    match *a {
        Action::Output(p) => match ctx.dp.port(ctx.rcu, p) {
            Some(port) => port.send(skb, ctx.wire),
            None => {
                ctx.dp.count_lost();
                skb.drop_for(DropReason::NoTarget);
            }
        },
        Action::Group(g) => run_group(ctx, g, skb, depth),
    }
}

/// Run group `id`: per its type, each chosen bucket runs its actions; `all` gives each bucket
/// but the last a clone. Nothing chosen (no live bucket), a missing group or a chain deeper
/// than the install-time limit drops the frame and counts it lost.
fn run_group(ctx: &Ctx<'_>, id: u32, skb: Skb, depth: u32) {
    if depth >= MAX_CHAIN_DEPTH {
        ctx.dp.count_lost();
        skb.drop_for(DropReason::Limit);
        return;
    }
    let Some(g) = ctx.dp.table.lookup(ctx.rcu, id) else {
        ctx.dp.count_lost();
        skb.drop_for(DropReason::NoTarget);
        return;
    };
    let live = ctx.dp.ports_live();
    let table_env = ctx.dp.table.env(ctx.rcu, &live);
    let env = Metered {
        env: &table_env,
        frame: &ctx.frame,
    };
    let hash = if g.group_type == GroupType::Select {
        flow_hash(ctx.fields, g.fields, g.basis)
    } else {
        0
    };
    // The bucket chosen last runs on the frame itself; each one before it on a clone.
    let mut pending: Option<&Bucket> = None;
    let ran = g.credit_packet(&env, hash, ctx.wire, |b| {
        if let Some(prev) = pending.replace(b) {
            if !ctx.frame.charge(1) {
                return;
            }
            match skb.clone_atomic() {
                Some(c) => run_actions(ctx, &prev.actions, c, depth + 1),
                None => ctx.dp.count_lost(),
            }
        }
    });
    match pending {
        Some(b) if ran > 0 => run_actions(ctx, &b.actions, skb, depth + 1),
        _ => {
            // No live bucket: dropped, nothing credited (as OVS).
            ctx.dp.count_lost();
            skb.drop_for(DropReason::NoTarget);
        }
    }
}
