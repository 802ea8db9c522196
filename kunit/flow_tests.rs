// SPDX-License-Identifier: GPL-2.0

//! KUnit suite for the flow table and the datapath's flow/group rules, run inside the kernel at
//! `insmod`. `assert!` here is KUnit's.

use kernel::{
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        rcu, Arc,
    },
};

use crate::datapath::Datapath;
use crate::ffi;
use crate::flow::{FlowError, FlowTable, Selector, LIVE_FLOWS};
use crate::group::LIVE_GROUPS;
use crate::logic::gso::Wire;
use crate::logic::{
    error::ErrorKind,
    flow::{IpMasked, Key, Match, MatchSpec},
    model::{Action, BucketPos, BucketSpec, GroupSpec, GroupType},
    validate::MAX_FLOWS_LIMIT,
};
use crate::table::{AddMode, Limits, OpError, Table};

const IP: u16 = 0x0800;

fn dp() -> Result<Arc<Datapath>> {
    let t = Arc::pin_init(
        Table::new(Limits {
            max_groups: 64,
            max_buckets: 8,
        }),
        GFP_KERNEL,
    )?;
    Arc::pin_init(Datapath::new(t, MAX_FLOWS_LIMIT as usize), GFP_KERNEL)
}

/// `ip,nw_dst=a.b.c.d/plen` (plen 0: `ip` alone).
fn ip_dst(addr: [u8; 4], plen: u32) -> Match {
    let mask = u32::MAX.checked_shl(32 - plen).unwrap_or(0).to_be_bytes();
    let mut s = MatchSpec {
        eth_type: Some(IP),
        ..MatchSpec::default()
    };
    if plen > 0 {
        let v = u32::from_be_bytes(addr) & u32::from_be_bytes(mask);
        s.ip_dst = Some(IpMasked::V4(v.to_be_bytes(), mask));
    }
    s.to_match().unwrap_or(Match::ANY)
}

/// The key of an IPv4 packet to `addr` arriving on port 1.
fn key_to(addr: [u8; 4]) -> Key {
    let mut k = Key::default();
    k.set_in_port(1);
    k.set_eth_type(IP);
    let mut ip = [0u8; 16];
    ip[10] = 0xff;
    ip[11] = 0xff;
    ip[12..].copy_from_slice(&addr);
    k.set_ip_dst(ip);
    k
}

/// The actions of the flow `key` finds.
fn found(d: &Datapath, key: &Key) -> Option<Action> {
    let rcu = rcu::read_lock();
    let f = d.flows.lookup(&rcu, key)?;
    Some(f.actions.first().copied().unwrap_or(Action::Output(0)))
}

fn group(d: &Datapath, id: u32, out: &[Action]) -> bool {
    let b = [BucketSpec::new(out)];
    let s = GroupSpec {
        id,
        group_type: GroupType::Indirect,
        fields: Default::default(),
        basis: 0,
        buckets: &b,
    };
    d.table.add(&s, AddMode::Add).is_ok()
}

#[kunit_tests(ofgroup_flows)]
mod flows {
    use super::*;

    /// Every limit reachable without a splat, and memory back at its baseline (issue 12): the
    /// most groups (a small max_groups, for time), one with the most buckets (1024) and its
    /// counters, a full flow table of 65536 flows (past the ~52k where the old classifier's
    /// vectors hit kmalloc's limit) and a flow with the most actions; one more of each refused; all of it
    /// walked as a dump walks it, deleted, and every group and flow object freed, with no
    /// deferred release left.
    #[test]
    fn limits_reachable_and_memory_back() -> Result {
        ffi::wait_deferred();
        let (groups0, flows0) = (LIVE_GROUPS.load(Relaxed), LIVE_FLOWS.load(Relaxed));
        let t = Arc::pin_init(
            Table::new(Limits {
                max_groups: 16,
                max_buckets: 1024,
            }),
            GFP_KERNEL,
        )?;
        let d = Arc::pin_init(Datapath::new(t, MAX_FLOWS_LIMIT as usize), GFP_KERNEL)?;
        let out = [Action::Output(1)];
        let mut b = KVec::new();
        for _ in 0..1024 {
            b.push(BucketSpec::new(&out), GFP_KERNEL)?;
        }
        let big = |n: usize| GroupSpec {
            id: 1,
            group_type: GroupType::Select,
            fields: Default::default(),
            basis: 0,
            buckets: &b[..n],
        };
        assert!(d.group_add(&big(1024), AddMode::Add).is_ok());
        for id in 2..=16 {
            assert!(group(&d, id, &out));
        }
        assert!(!group(&d, 17, &out));
        let more = [BucketSpec::new(&out)];
        assert!(d.group_insert_buckets(1, BucketPos::Last, &more).is_err());
        let g1 = d.table.get(1).ok_or(EINVAL)?;
        assert_eq!(g1.stats()?.buckets.len(), 1024);
        drop(g1);

        // A flow table of 2048 flows (a module's holds up to MAX_FLOWS_LIMIT, more than a KUnit
        // case has time to fill under TCG on the debug kernel: `make bench-flow-install` installs
        // 100k)
        // filled over 4 masks (/32, /24, /16 and another /32), growing each subtable's hash
        // table several times, the last flow with 256 actions; one more is refused
        // (TABLE_FULL), as is a 257-action flow.
        const N: usize = 2048;
        let ft = KBox::pin_init(FlowTable::with_max(N), GFP_KERNEL)?;
        let mut n = 0usize;
        let mut ok = true;
        while n < N - 1 && ok {
            let i = n as u32;
            // Distinct matches: j numbers the flows of each shape.
            let j = i / 4;
            let (hi, lo) = ((j >> 8) as u8, j as u8);
            let (m, p) = match i % 4 {
                0 => (ip_dst([10, 0, hi, lo], 32), 400),
                1 => (ip_dst([11, hi, lo, 0], 24), 300),
                2 => (ip_dst([12 + hi, lo, 0, 0], 16), 200),
                _ => (ip_dst([13, 0, hi, lo], 32), 100),
            };
            ok = ft.add(&d.table, p, m, &[Action::Output(i % 8 + 1)]).is_ok();
            n += 1;
        }
        assert!(ok);
        let mut acts = KVec::new();
        for i in 0..257u32 {
            acts.push(Action::Output(i % 8 + 1), GFP_KERNEL)?;
        }
        let last = ip_dst([14, 0, 0, 0], 8);
        assert!(ft.add(&d.table, 1, last, &acts[..257]).is_err());
        assert!(ft.add(&d.table, 1, last, &acts[..256]).is_ok());
        assert_eq!(ft.len(), N);
        let full = ft.add(&d.table, 1, ip_dst([15, 0, 0, 0], 8), &out);
        assert!(matches!(full, Err(FlowError::TableFull(N))));
        // Lookups at full size find the right flows.
        let k = |a: [u8; 4]| {
            let rcu = rcu::read_lock();
            ft.lookup(&rcu, &key_to(a))
                .map(|f| f.actions.first().copied().unwrap_or(Action::Output(0)))
        };
        // Flow 1040 (j = 260): 10.0.1.4/32, output 1040 % 8 + 1; flow 1041: 11.1.4.0/24.
        assert_eq!(k([10, 0, 1, 4]), Some(Action::Output(1)));
        assert_eq!(k([11, 1, 4, 9]), Some(Action::Output(2)));
        assert_eq!(k([12, 7, 1, 1]), Some(Action::Output(7))); // flow 30 (j = 7): 12.7/16
        assert_eq!(k([14, 1, 2, 3]), Some(Action::Output(1)));
        assert_eq!(k([15, 1, 2, 3]), None);
        // Walked as dumps walk them: every group and flow once.
        let (mut c, mut seen) = (0u64, 0u32);
        while d.table.next(&mut c).is_some() {
            seen += 1;
        }
        assert_eq!(seen, 16);
        let (mut c, mut seen) = (0u64, 0usize);
        while ft.next(&mut c).is_some() {
            seen += 1;
        }
        assert_eq!(seen, N);
        assert!(matches!(ft.delete(None), Ok(x) if x as usize == N));
        drop(ft);

        assert!(matches!(d.group_delete(None), Ok(16)));
        drop(d);
        ffi::wait_deferred();
        assert_eq!(LIVE_GROUPS.load(Relaxed), groups0);
        assert_eq!(LIVE_FLOWS.load(Relaxed), flows0);
        assert_eq!(ffi::deferred_pending(), 0);
        Ok(())
    }

    /// The highest-priority match wins, whatever the masks and insertion order; a miss is None.
    #[test]
    fn priority_and_masks() -> Result {
        let d = dp()?;
        let net = ip_dst([10, 0, 0, 0], 24);
        let host = ip_dst([10, 0, 0, 5], 32);
        assert!(d.flow_add(10, net, &[Action::Output(1)]).is_ok());
        assert!(d.flow_add(20, host, &[Action::Output(2)]).is_ok());
        assert!(d
            .flow_add(5, ip_dst([0; 4], 0), &[Action::Output(3)])
            .is_ok());
        assert_eq!(found(&d, &key_to([10, 0, 0, 5])), Some(Action::Output(2)));
        assert_eq!(found(&d, &key_to([10, 0, 0, 6])), Some(Action::Output(1)));
        assert_eq!(found(&d, &key_to([10, 0, 1, 6])), Some(Action::Output(3)));
        let mut arp = key_to([10, 0, 0, 5]);
        arp.set_eth_type(0x0806);
        arp.set_ip_dst([0; 16]);
        assert_eq!(found(&d, &arp), None);
        // A higher-priority copy of the /24 now shadows the /32.
        assert!(d.flow_add(30, net, &[Action::Output(4)]).is_ok());
        assert_eq!(found(&d, &key_to([10, 0, 0, 5])), Some(Action::Output(4)));
        assert_eq!(d.stats().flows, 4);
        Ok(())
    }

    /// Modify keeps counters and age; re-adding the same (match, priority) replaces the flow and
    /// restarts them; strict delete takes exactly one flow, non-strict every covered one.
    #[test]
    fn modify_add_and_delete_semantics() -> Result {
        let d = dp()?;
        let net = ip_dst([10, 0, 0, 0], 24);
        let host = ip_dst([10, 0, 0, 5], 32);
        assert!(d.flow_add(10, net, &[Action::Output(1)]).is_ok());
        assert!(d.flow_add(20, host, &[Action::Output(2)]).is_ok());
        {
            let rcu = rcu::read_lock();
            if let Some(f) = d.flows.lookup(&rcu, &key_to([10, 0, 0, 6])) {
                f.stats.credit(Wire::frame(100));
            }
        }
        let n = d.flow_modify(Selector::Covered(&net), &[Action::Output(7)]);
        assert!(matches!(n, Ok(2))); // the /32 is covered by the /24
        let packets = |k: &Key| {
            let rcu = rcu::read_lock();
            d.flows.lookup(&rcu, k).map(|f| f.stats.read().packets)
        };
        assert_eq!(found(&d, &key_to([10, 0, 0, 6])), Some(Action::Output(7)));
        assert_eq!(packets(&key_to([10, 0, 0, 6])), Some(1));
        assert!(d.flow_add(10, net, &[Action::Output(1)]).is_ok());
        assert_eq!(packets(&key_to([10, 0, 0, 6])), Some(0));
        assert_eq!(d.stats().flows, 2);
        // Strict with the wrong priority deletes nothing; with the right one, exactly one.
        assert!(matches!(
            d.flow_delete(Some(Selector::Strict(&net, 11))),
            Ok(0)
        ));
        assert!(matches!(
            d.flow_delete(Some(Selector::Strict(&net, 10))),
            Ok(1)
        ));
        assert!(d.flow_add(10, net, &[Action::Output(1)]).is_ok());
        // Non-strict by the /24 takes both; the narrower /32 covers only itself.
        assert!(matches!(
            d.flow_delete(Some(Selector::Covered(&host))),
            Ok(1)
        ));
        assert!(matches!(
            d.flow_delete(Some(Selector::Covered(&net))),
            Ok(1)
        ));
        assert_eq!(d.stats().flows, 0);
        assert_eq!(found(&d, &key_to([10, 0, 0, 6])), None);
        Ok(())
    }

    /// A flow naming a missing group is refused and changes nothing; ref_count counts the flows
    /// naming a group; deleting the group deletes exactly those flows (the seed's semantics).
    #[test]
    fn groups_count_and_take_their_flows() -> Result {
        let d = dp()?;
        assert!(group(&d, 1, &[Action::Output(1)]));
        assert!(group(&d, 2, &[Action::Output(2)]));
        let refused = d.flow_add(10, ip_dst([10, 0, 0, 0], 24), &[Action::Group(3)]);
        assert!(matches!(refused, Err(FlowError::BadOutGroup(3))));
        assert_eq!(d.stats().flows, 0);
        assert!(d
            .flow_add(10, ip_dst([10, 0, 0, 0], 24), &[Action::Group(1)])
            .is_ok());
        let two = [Action::Output(5), Action::Group(1)];
        assert!(d.flow_add(20, ip_dst([10, 0, 0, 5], 32), &two).is_ok());
        assert!(d
            .flow_add(30, ip_dst([10, 0, 1, 0], 24), &[Action::Group(2)])
            .is_ok());
        let refs = |id| d.table.get(id).map_or(u32::MAX, |g| g.shared.flow_refs());
        assert_eq!(refs(1), 2);
        assert_eq!(refs(2), 1);
        // Re-pointing a flow moves its reference.
        let n = d.flow_modify(
            Selector::Strict(&ip_dst([10, 0, 1, 0], 24), 30),
            &[Action::Group(1)],
        );
        assert!(matches!(n, Ok(1)));
        assert_eq!((refs(1), refs(2)), (3, 0));
        assert!(matches!(d.group_delete(Some(1)), Ok(1)));
        assert_eq!(d.stats().flows, 0);
        assert!(d
            .flow_add(30, ip_dst([10, 0, 1, 0], 24), &[Action::Group(2)])
            .is_ok());
        assert!(matches!(d.group_delete(Some(1)), Ok(0))); // again: a no-op
        assert_eq!(d.stats().flows, 1);
        assert_eq!(refs(2), 1);
        assert!(matches!(d.flow_delete(None), Ok(1)));
        assert_eq!(refs(2), 0);
        Ok(())
    }

    /// Flows are held to the per-frame work budget: at add and modify, and when a group they
    /// reach grows (modify, insert-buckets). A refusal changes nothing.
    #[test]
    fn work_budget_covers_flows() -> Result {
        let d = dp()?;
        let all = |id: u32, b: &[BucketSpec<'_>], mode: AddMode| {
            let s = GroupSpec {
                id,
                group_type: GroupType::All,
                fields: Default::default(),
                basis: 0,
                buckets: b,
            };
            d.group_add(&s, mode)
        };
        let out1 = [Action::Output(1)];
        let to7 = [Action::Group(7); 8];
        // 7: 6 x output = 12 units; 5: 8 buckets x 8 group:7 = 8 * (8 * 12 + 7) + 8 = 832.
        assert!(all(7, &[BucketSpec::new(&out1); 6], AddMode::Add).is_ok());
        assert!(all(5, &[BucketSpec::new(&to7); 8], AddMode::Add).is_ok());
        let m = ip_dst([10, 0, 0, 0], 24);
        let three = [Action::Group(5); 3]; // 3 * 832 + 2 = 2498
        assert!(d.flow_add(10, m, &three).is_ok());
        // Four references: 3330 fits; and at 7 = 16 units, four would not (4 * 1088 + 3).
        let refused = |r: core::result::Result<(), OpError>, flow: Option<u16>, via: u32| {
            matches!(r, Err(OpError::Of(e))
                if e.kind == ErrorKind::TooMany && e.flow == flow && e.via == Some(via))
        };
        // Insert-buckets raising 7 to 24 units: 5 = 1600, the flow 4802: refused.
        let out3 = [Action::Output(1), Action::Output(2), Action::Output(1)];
        let r = d.group_insert_buckets(7, BucketPos::Last, &[BucketSpec::new(&out3); 2]);
        assert!(refused(r, Some(10), 5));
        assert_eq!(d.table.get(7).map_or(0, |g| g.buckets.len()), 6);
        // Two more plain buckets: 7 = 16, 5 = 1088, the flow 3266: fine.
        assert!(d
            .group_insert_buckets(7, BucketPos::Last, &[BucketSpec::new(&out1); 2])
            .is_ok());
        // Modify 7 to two outputs per bucket: 32, 5 = 2112, the flow 6338: refused.
        let out2 = [Action::Output(1), Action::Output(2)];
        let r = all(7, &[BucketSpec::new(&out2); 8], AddMode::Modify);
        assert!(refused(r, Some(10), 5));
        assert!(d
            .table
            .get(7)
            .is_some_and(|g| g.buckets.iter().all(|b| b.actions.len() == 1)));
        // A flow over budget is refused at add and at modify, and changes nothing.
        let four = [Action::Group(5); 4]; // 4 * 1088 + 3 = 4355
        let r = d.flow_add(20, ip_dst([10, 0, 1, 0], 24), &four);
        assert!(matches!(r, Err(FlowError::Refused(e))
            if e.kind == ErrorKind::TooMany && e.flow == Some(20) && e.via == Some(5)));
        let r = d.flow_modify(Selector::Strict(&m, 10), &four);
        assert!(matches!(r, Err(FlowError::Refused(_))));
        assert_eq!(d.stats().flows, 1);
        assert_eq!(found(&d, &key_to([10, 0, 0, 1])), Some(Action::Group(5)));
        // Too many actions.
        let mut many = KVec::new();
        for _ in 0..257 {
            many.push(Action::Output(1), GFP_KERNEL)?;
        }
        let r = d.flow_add(30, ip_dst([10, 0, 2, 0], 24), &many);
        assert!(matches!(r, Err(FlowError::Refused(e)) if e.kind == ErrorKind::TooMany));
        many.truncate(256);
        assert!(d.flow_add(30, ip_dst([10, 0, 2, 0], 24), &many).is_ok());
        assert!(matches!(d.flow_delete(None), Ok(2)));
        Ok(())
    }

    /// Readers looking a key up while a writer adds, replaces and deletes flows around it always
    /// find the catch-all or a more specific flow, never nothing and never a freed one. The
    /// writer must really have changed the table while the reader ran: `run_threads` runs a job
    /// inline when it cannot start a thread, and then the reader would finish before the writer
    /// began (and the writer would stop at once).
    #[test]
    fn lookups_during_churn() -> Result {
        const N: u32 = 200_000;
        let d = dp()?;
        assert!(d
            .flow_add(1, ip_dst([0; 4], 0), &[Action::Output(1)])
            .is_ok());
        let done = Atomic::<u32>::new(0);
        let misses = Atomic::<u32>::new(0);
        let specific = Atomic::<u32>::new(0);
        // Writer iterations, and how many of them happened while the reader was looking up.
        let writes = Atomic::<u32>::new(0);
        let overlap = Atomic::<u32>::new(0);
        let reader = || {
            let k = key_to([10, 0, 0, 5]);
            let first = writes.load(Relaxed);
            for _ in 0..N {
                match found(&d, &k) {
                    None => {
                        misses.add(1u32, Relaxed);
                    }
                    Some(Action::Output(1)) => {}
                    Some(_) => {
                        specific.add(1u32, Relaxed);
                    }
                }
            }
            overlap.store(writes.load(Relaxed) - first, Relaxed);
            done.add(1u32, Relaxed);
        };
        let writer = || {
            let mut i = 0u32;
            while done.load(Relaxed) < 1 {
                let plen = 8 + (i % 25);
                let m = ip_dst([10, 0, 0, 5], plen);
                let _ = d.flow_add(10 + (i % 7) as u16, m, &[Action::Output(2)]);
                if i % 3 == 2 {
                    let _ = d.flow_delete(Some(Selector::Covered(&ip_dst([10, 0, 0, 0], 8))));
                }
                i += 1;
                writes.store(i, Relaxed);
            }
        };
        ffi::run_threads(&[&reader, &writer])?;
        pr_info!(
            "flows: {} lookups during churn, {} found a specific flow, {} missed, {} writer rounds during the lookups\n",
            N,
            specific.load(Relaxed),
            misses.load(Relaxed),
            overlap.load(Relaxed)
        );
        assert_eq!(misses.load(Relaxed), 0);
        // The writer ran while the reader did (not after it, as when run inline), and the reader
        // saw some of its flows.
        assert!(overlap.load(Relaxed) > 0);
        assert!(specific.load(Relaxed) > 0);
        assert!(d.flow_delete(None).is_ok());
        Ok(())
    }
}
