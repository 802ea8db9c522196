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
use crate::group::Group;
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
    run_actions(&ctx, &flow.actions, skb);
}

/// Most entries the walk's stack can hold: per chain level at most a continuation of an action
/// list and an `all` group's bucket cursor, plus the entry being run.
const WALK_STACK: usize = 2 * (MAX_CHAIN_DEPTH as usize + 1) + 1;

/// Work left in one frame's walk of its actions and groups, in an explicit stack rather than by
/// recursion: a chain of [`MAX_CHAIN_DEPTH`] groups costs this one function's frame, not a frame
/// per group (`make stack` measures it).
enum Work<'a> {
    /// Run `actions[next..]` on `skb`, `depth` groups deep: every action but the last on a clone.
    Actions {
        actions: &'a [Action],
        next: u32,
        skb: Skb,
        depth: u32,
    },
    /// Run the buckets of `all`/`indirect` group `g` from `next` on (already credited): each
    /// but the last on a clone of `skb`, the last on `skb`.
    Buckets {
        g: &'a Group,
        next: u32,
        skb: Skb,
        depth: u32,
    },
}

/// The walk's stack: a fixed array (no allocation on the packet path).
struct Walk<'a, 's> {
    items: &'s mut [Option<Work<'a>>; WALK_STACK],
    len: usize,
}

impl<'a> Walk<'a, '_> {
    fn push(&mut self, ctx: &Ctx<'_>, w: Work<'a>) {
        match self.items.get_mut(self.len) {
            Some(slot) => {
                *slot = Some(w);
                self.len += 1;
            }
            None => {
                // Cannot happen (see WALK_STACK); if it did, the frame is dropped, not the kernel.
                ctx.dp.count_lost();
                match w {
                    Work::Actions { skb, .. } | Work::Buckets { skb, .. } => {
                        skb.drop_for(DropReason::Limit)
                    }
                }
            }
        }
    }

    fn pop(&mut self) -> Option<Work<'a>> {
        self.len = self.len.checked_sub(1)?;
        self.items.get_mut(self.len).and_then(Option::take)
    }
}

/// Run `actions` on `skb` and everything they lead to, in order: every action but the last on a
/// clone, the last on the frame itself; a group's chosen buckets' actions one level deeper. No
/// actions: the frame is dropped on purpose (a `drop` flow or bucket).
#[inline(never)]
fn run_actions<'a>(ctx: &Ctx<'a>, actions: &'a [Action], skb: Skb) {
    // The array stays where it is declared (a struct holding it by value cost a second copy
    // of it in this frame).
    let mut items = [const { None }; WALK_STACK];
    let mut walk = Walk {
        items: &mut items,
        len: 0,
    };
    walk.push(
        ctx,
        Work::Actions {
            actions,
            next: 0,
            skb,
            depth: 0,
        },
    );
    while let Some(w) = walk.pop() {
        match w {
            Work::Actions {
                actions,
                next,
                skb,
                depth,
            } => run_list(ctx, &mut walk, actions, next, skb, depth),
            Work::Buckets {
                g,
                next,
                skb,
                depth,
            } => run_buckets(ctx, &mut walk, g, next, skb, depth),
        }
    }
}

/// Run `actions[next..]` until a group needs the walk: outputs go at once; a group pushes what
/// is left of the list (with the frame), then its own work (on a clone, or on the frame itself
/// when the group is the last action).
#[inline(never)]
fn run_list<'a>(
    ctx: &Ctx<'a>,
    walk: &mut Walk<'a, '_>,
    actions: &'a [Action],
    next: u32,
    skb: Skb,
    depth: u32,
) {
    let Some(last) = actions.len().checked_sub(1) else {
        skb.consume();
        return;
    };
    let mut i = next as usize;
    while i < last {
        let a = &actions[i];
        i += 1;
        if !ctx.frame.charge(1) {
            break; // over budget: no more clones; the last action still meets the meter
        }
        let Some(c) = skb.clone_atomic() else {
            ctx.dp.count_lost();
            continue;
        };
        if let Some((id, c)) = run_action(ctx, a, c) {
            walk.push(
                ctx,
                Work::Actions {
                    actions,
                    next: i as u32, // < actions.len(), which install bounds far below u32::MAX
                    skb,
                    depth,
                },
            );
            run_group(ctx, walk, id, c, depth);
            return;
        }
    }
    if let Some((id, skb)) = run_action(ctx, &actions[last], skb) {
        run_group(ctx, walk, id, skb, depth);
    }
}

/// Run one action on `skb`; a group action hands the frame back with the group's id, for the walk.
fn run_action(ctx: &Ctx<'_>, a: &Action, skb: Skb) -> Option<(u32, Skb)> {
    if !ctx.frame.charge(1) {
        // Over the per-frame work budget: only a racing update can get here.
        ctx.dp.count_lost();
        skb.drop_for(DropReason::Limit);
        return None;
    }
    match *a {
        Action::Output(p) => {
            match ctx.dp.port(ctx.rcu, p) {
                Some(port) => port.send(skb, ctx.wire),
                None => {
                    ctx.dp.count_lost();
                    skb.drop_for(DropReason::NoTarget);
                }
            }
            None
        }
        Action::Group(g) => Some((g, skb)),
    }
}

/// Group `id` at `depth`: per its type, each chosen bucket is credited and its actions pushed to
/// run one level deeper (`all` gives each bucket but the last a clone). Nothing chosen (no live
/// bucket), a missing group or a chain deeper than the install-time limit drops the frame and
/// counts it lost; a dropped frame credits nothing (as OVS).
fn run_group<'a>(ctx: &Ctx<'a>, walk: &mut Walk<'a, '_>, id: u32, skb: Skb, depth: u32) {
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
    match g.group_type {
        GroupType::All | GroupType::Indirect if !g.buckets.is_empty() => {
            g.credit_all(ctx.wire);
            walk.push(
                ctx,
                Work::Buckets {
                    g,
                    next: 0,
                    skb,
                    depth,
                },
            );
        }
        GroupType::All | GroupType::Indirect => {
            ctx.dp.count_lost();
            skb.drop_for(DropReason::NoTarget);
        }
        GroupType::Select | GroupType::FastFailover => match choose(ctx, g) {
            Some(b) => walk.push(
                ctx,
                Work::Actions {
                    actions: &b.actions,
                    next: 0,
                    skb,
                    depth: depth + 1,
                },
            ),
            None => {
                ctx.dp.count_lost();
                skb.drop_for(DropReason::NoTarget);
            }
        },
    }
}

/// The one bucket a `select` or `fast_failover` group runs for this frame, credited with the
/// group; `None` when no bucket is live (nothing credited).
fn choose<'a>(ctx: &Ctx<'_>, g: &'a Group) -> Option<&'a Bucket> {
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
    let mut chosen = None;
    g.credit_packet(&env, hash, ctx.wire, |b| chosen = Some(b));
    chosen
}

/// Bucket `next` of `all`/`indirect` group `g`: its actions pushed one level deeper, on a clone
/// with the rest of the buckets pushed below it, or on the frame itself if it is the last.
#[inline(never)]
fn run_buckets<'a>(
    ctx: &Ctx<'a>,
    walk: &mut Walk<'a, '_>,
    g: &'a Group,
    next: u32,
    skb: Skb,
    depth: u32,
) {
    let Some(b) = g.buckets.get(next as usize) else {
        skb.consume(); // cannot happen: the cursor stops at the last bucket
        return;
    };
    if next as usize + 1 == g.buckets.len() {
        walk.push(
            ctx,
            Work::Actions {
                actions: &b.actions,
                next: 0,
                skb,
                depth: depth + 1,
            },
        );
        return;
    }
    let clone = if ctx.frame.charge(1) {
        let c = skb.clone_atomic();
        if c.is_none() {
            ctx.dp.count_lost();
        }
        c
    } else {
        None
    };
    walk.push(
        ctx,
        Work::Buckets {
            g,
            next: next + 1,
            skb,
            depth,
        },
    );
    if let Some(c) = clone {
        walk.push(
            ctx,
            Work::Actions {
                actions: &b.actions,
                next: 0,
                skb: c,
                depth: depth + 1,
            },
        );
    }
}
