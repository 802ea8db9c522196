// SPDX-License-Identifier: GPL-2.0

//! In-kernel micro-benchmarks, run at load time when asked for with a module parameter
//! (`make bench-lookup` and `make bench-flows` on the perf kernel). They report measured times and ratios in the kernel
//! log. They check their answers (every lookup finds what it must, and loading fails with
//! EINVAL on a wrong one) but assert no time or ratio: the goals are judged from the log.

use core::hint::black_box;

use kernel::{prelude::*, sync::rcu};

use crate::ffi;
use crate::flow::FlowTable;
use crate::logic::flow::{IpMasked, Key, Match, MatchSpec};
use crate::logic::model::{Action, GroupSpec, GroupType};
use crate::logic::{hash::FieldSet, packet, select::mix64};
use crate::table::{AddMode, Limits, Table};

/// Average nanoseconds per lookup of a random existing group, over `lookups` lookups, in a table
/// of `n` empty groups with ids 0..n.
fn lookup_ns(n: u32, lookups: u32) -> Result<u64> {
    let t = KBox::pin_init(
        Table::new(Limits {
            max_groups: n,
            max_buckets: 1,
        }),
        GFP_KERNEL,
    )?;
    for id in 0..n {
        let spec = GroupSpec {
            id,
            group_type: GroupType::All,
            fields: FieldSet(0),
            basis: 0,
            buckets: &[],
        };
        t.add(&spec, AddMode::Add).map_err(|_| ENOMEM)?;
    }
    let mut found = 0u32;
    let start = ffi::boottime_ns();
    for i in 0..lookups {
        let id = (mix64(u64::from(i)) % u64::from(n)) as u32;
        let rcu = rcu::read_lock();
        if t.lookup(&rcu, id).is_some() {
            found += 1;
        }
    }
    let ns = ffi::boottime_ns().saturating_sub(start);
    if found != lookups {
        return Err(EINVAL);
    }
    Ok(ns / u64::from(lookups.max(1)))
}

/// Lookup cost at 16 groups and at `big` groups; prints both and their ratio.
fn lookup(big: u32) -> Result {
    const LOOKUPS: u32 = 2_000_000;
    let small = lookup_ns(16, LOOKUPS)?;
    let large = lookup_ns(big, LOOKUPS)?;
    pr_info!(
        "bench lookup: 16 groups {} ns, {} groups {} ns, ratio {}.{:02}\n",
        small,
        big,
        large,
        large / small.max(1),
        (large * 100 / small.max(1)) % 100
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Flow lookup (`make bench-flows`, module parameter `bench_flows=N`): the packet path's flow
// table lookup at 10 flows and at N flows, under the RCU read lock as in softirq.

/// Distinct keys (and frames) each measurement cycles through, in a fixed pseudo-random order.
const KEYS: usize = 1024;

/// Subtable visits one measurement may cost at most: the number of lookups is this divided by
/// the number of masks, so that the distinct-mask case at N flows still ends in seconds under TCG.
const VISITS: u64 = 4_000_000;

/// Fewest lookups in one measurement.
const MIN_LOOKUPS: u64 = 4096;

/// Rounds per measurement, small and big table alternating; the fastest round of each counts
/// (the VM shares its host: a round slowed by a neighbour's burst is not the datapath's cost).
const ROUNDS: u64 = 25;

/// Source port of every benchmark frame; destination port of the frames no ACL flow matches.
const SPORT: u16 = 40000;
const DPORT: u16 = 80;

/// An untagged Ethernet + IPv4 + TCP frame (no payload) to `dst`:`dport`.
fn tcp_frame(dst: u32, dport: u16) -> [u8; 54] {
    let mut f = [0u8; 54];
    f[..6].copy_from_slice(&[2, 0, 0, 0, 0, 2]);
    f[6..12].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
    f[12..14].copy_from_slice(&crate::logic::packet::ETH_TYPE_IP.to_be_bytes());
    f[14] = 0x45; // IPv4, 20-byte header.
    f[16..18].copy_from_slice(&40u16.to_be_bytes());
    f[22] = 64; // TTL
    f[23] = crate::logic::packet::IPPROTO_TCP;
    f[26..30].copy_from_slice(&[192, 0, 2, 1]);
    f[30..34].copy_from_slice(&dst.to_be_bytes());
    f[34..36].copy_from_slice(&SPORT.to_be_bytes());
    f[36..38].copy_from_slice(&dport.to_be_bytes());
    f[46] = 0x50; // TCP, 20-byte header.
    f
}

/// One benchmark packet: the port it arrives on and its frame.
#[derive(Clone, Copy)]
struct Pkt {
    in_port: u32,
    frame: [u8; 54],
}

impl Pkt {
    fn key(&self) -> Key {
        Key::from_packet(self.in_port, &packet::parse(&self.frame))
    }
}

/// The flow sets measured.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// OVS-style, 4 masks whatever the flow count: flow `i` is of class `i % 4`, number
    /// `j = i / 4` in its class, priority by class (a lookup stops at the first hit, since no
    /// later subtable can beat it):
    ///   0: prio 400, `ip,tcp,tp_dst=1000+j` (ACL)
    ///   1: prio 300, `in_port=1+j%4,ip,nw_dst=10.0.0.0+j/32` (host route)
    ///   2: prio 200, `in_port=1+j%4,ip,nw_dst=11.0.0.0+(j<<8)/24` (subnet route)
    ///   3: prio 100, `ip,nw_dst=12.0.0.0+(j<<16)/16` (aggregate)
    /// A hit on class c visits c+1 subtables, a miss all 4.
    Realistic,
    /// Every flow its own mask (the classifier's worst case): flow `i` is
    /// `ip,nw_dst=((0x0a00+i)<<16|i)/(0xffff0000|i)` at priority `1000+i`; hits visit half the
    /// subtables on average, misses all of them.
    DistinctMasks,
}

impl Shape {
    fn name(self) -> &'static str {
        match self {
            Shape::Realistic => "realistic (4 masks)",
            Shape::DistinctMasks => "worst (a mask per flow)",
        }
    }

    /// Priority and match of flow `i`.
    fn flow(self, i: u32) -> Result<(u16, Match)> {
        let ip = Some(crate::logic::packet::ETH_TYPE_IP);
        let (prio, spec) = match self {
            Shape::Realistic => {
                let j = i / 4;
                let port = 1 + j % 4;
                let dst = |addr: u32, len: u32| {
                    Some(IpMasked::V4(
                        addr.to_be_bytes(),
                        (u32::MAX << (32 - len)).to_be_bytes(),
                    ))
                };
                match i % 4 {
                    0 => (
                        400,
                        MatchSpec {
                            eth_type: ip,
                            ip_proto: Some(crate::logic::packet::IPPROTO_TCP),
                            l4_dst: Some((1000 + j) as u16),
                            ..MatchSpec::default()
                        },
                    ),
                    1 => (
                        300,
                        MatchSpec {
                            in_port: Some(port),
                            eth_type: ip,
                            ip_dst: dst(0x0a00_0000 | j, 32),
                            ..MatchSpec::default()
                        },
                    ),
                    2 => (
                        200,
                        MatchSpec {
                            in_port: Some(port),
                            eth_type: ip,
                            ip_dst: dst(0x0b00_0000 | j << 8, 24),
                            ..MatchSpec::default()
                        },
                    ),
                    _ => (
                        100,
                        MatchSpec {
                            eth_type: ip,
                            ip_dst: dst((0x0c00 + j) << 16, 16),
                            ..MatchSpec::default()
                        },
                    ),
                }
            }
            Shape::DistinctMasks => (
                (1000 + i) as u16,
                MatchSpec {
                    eth_type: ip,
                    ip_dst: Some(IpMasked::V4(
                        ((0x0a00 + i) << 16 | i).to_be_bytes(),
                        (0xffff_0000 | i).to_be_bytes(),
                    )),
                    ..MatchSpec::default()
                },
            ),
        };
        Ok((prio, spec.to_match().map_err(|_| EINVAL)?))
    }

    /// A packet that flow `i` (and no flow of higher priority) matches; `salt` varies the bits
    /// the flow does not look at.
    fn hit(self, i: u32, salt: u32) -> Pkt {
        match self {
            Shape::Realistic => {
                let j = i / 4;
                let port = 1 + j % 4;
                match i % 4 {
                    0 => Pkt {
                        in_port: 1 + salt % 4,
                        frame: tcp_frame(0xc0a8_0000 | (salt & 0xffff), (1000 + j) as u16),
                    },
                    1 => Pkt {
                        in_port: port,
                        frame: tcp_frame(0x0a00_0000 | j, DPORT),
                    },
                    2 => Pkt {
                        in_port: port,
                        frame: tcp_frame(0x0b00_0000 | j << 8 | (salt & 0xff), DPORT),
                    },
                    _ => Pkt {
                        in_port: 1 + salt % 4,
                        frame: tcp_frame((0x0c00 + j) << 16 | (salt & 0xffff), DPORT),
                    },
                }
            }
            Shape::DistinctMasks => Pkt {
                in_port: 1,
                // Bits outside the mask (the low 16 it leaves out) are free.
                frame: tcp_frame((0x0a00 + i) << 16 | i | (salt & !i & 0xffff), DPORT),
            },
        }
    }

    /// A packet no flow matches (192.168/16 is no flow's, port 80 no ACL's).
    fn miss(self, salt: u32) -> Pkt {
        Pkt {
            in_port: 1 + salt % 4,
            frame: tcp_frame(0xc0a8_0000 | (salt & 0xffff), DPORT),
        }
    }

    /// Distinct masks among `n` flows.
    fn masks(self, n: u32) -> u32 {
        match self {
            Shape::Realistic => n.min(4),
            Shape::DistinctMasks => n,
        }
    }
}

/// A flow table holding the `n` flows of `shape`, flow `i` with action `output:i+1`.
fn flow_table(shape: Shape, n: u32) -> Result<Pin<KBox<FlowTable>>> {
    // No flow names a group: an empty group table does for the add's group checks.
    let groups = KBox::pin_init(
        Table::new(Limits {
            max_groups: 1,
            max_buckets: 1,
        }),
        GFP_KERNEL,
    )?;
    let flows = KBox::pin_init(FlowTable::with_max(crate::max_flows()), GFP_KERNEL)?;
    for i in 0..n {
        let (prio, m) = shape.flow(i)?;
        flows
            .add(&groups, prio, m, &[Action::Output(i + 1)])
            .map_err(|_| ENOMEM)?;
        // Every add publishes a new snapshot and frees the old one after a grace period: wait
        // now and then, so that at most a few dozen are pending.
        if i % 32 == 31 {
            ffi::synchronize_rcu();
        }
    }
    Ok(flows)
}

/// What one measurement looks up.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Probe {
    /// Keys that hit, pre-built: the classifier lookup alone.
    Hit,
    /// Keys that miss, pre-built.
    Miss,
    /// Frames that hit: parse, key build and lookup, the packet path's per-frame work.
    HitFrame,
}

/// One measurement's inputs: a flow table and what to look up in it.
struct Run<'a> {
    flows: &'a FlowTable,
    probe: Probe,
    pkts: KVec<Pkt>,
    keys: KVec<Key>,
    /// Lookups per round.
    lookups: u64,
}

impl<'a> Run<'a> {
    /// The packets (and their keys) for `probe` in `flows` (`n` flows of `shape`). Checks
    /// every answer once, untimed (which also warms the caches).
    fn new(flows: &'a FlowTable, shape: Shape, n: u32, probe: Probe) -> Result<Self> {
        let mut pkts = KVec::with_capacity(KEYS, GFP_KERNEL)?;
        let mut keys = KVec::with_capacity(KEYS, GFP_KERNEL)?;
        for k in 0..KEYS as u64 {
            let r = mix64(k ^ 0x5eed);
            let (target, salt) = ((r % u64::from(n)) as u32, (r >> 32) as u32);
            let (p, want) = match probe {
                Probe::Miss => (shape.miss(salt), None),
                Probe::Hit | Probe::HitFrame => {
                    (shape.hit(target, salt), Some(Action::Output(target + 1)))
                }
            };
            let key = p.key();
            let rcu = rcu::read_lock();
            let got = flows.lookup(&rcu, &key).map(|f| f.actions.first().copied());
            if got != want.map(Some) {
                pr_err!(
                    "bench flows: {} at {} flows: wrong lookup answer\n",
                    shape.name(),
                    n
                );
                return Err(EINVAL);
            }
            pkts.push(p, GFP_KERNEL)?;
            keys.push(key, GFP_KERNEL)?;
        }
        let lookups = (VISITS / u64::from(shape.masks(n).max(1))).max(MIN_LOOKUPS) / ROUNDS;
        Ok(Run {
            flows,
            probe,
            pkts,
            keys,
            lookups,
        })
    }

    /// Average nanoseconds per lookup over one round.
    fn time(&self) -> Result<u64> {
        let (flows, n) = (self.flows, self.lookups as usize);
        let mut found = 0u64;
        let start = ffi::boottime_ns();
        match self.probe {
            Probe::Hit | Probe::Miss => {
                for key in self.keys.iter().cycle().take(n) {
                    let rcu = rcu::read_lock();
                    found += u64::from(flows.lookup(&rcu, black_box(key)).is_some());
                }
            }
            Probe::HitFrame => {
                for p in self.pkts.iter().cycle().take(n) {
                    let key = black_box(p).key();
                    let rcu = rcu::read_lock();
                    found += u64::from(flows.lookup(&rcu, &key).is_some());
                }
            }
        }
        let ns = ffi::boottime_ns().saturating_sub(start);
        let expect = if self.probe == Probe::Miss {
            0
        } else {
            self.lookups
        };
        if found != expect {
            return Err(EINVAL);
        }
        Ok(ns / self.lookups.max(1))
    }
}

/// `a / b` in hundredths.
fn hundredths(a: u64, b: u64) -> u64 {
    a * 100 / b.max(1)
}

/// Flow lookup cost at 10 flows and at `big` flows, for each shape and probe; prints the times
/// and the ratios big/10.
fn flows(big: u32) -> Result {
    const SMALL: u32 = 10;
    // The shapes' addresses, ports and priorities are distinct up to here.
    const MOST: u32 = 16384;
    let big = big.clamp(SMALL, MOST);
    for shape in [Shape::Realistic, Shape::DistinctMasks] {
        let small_t = flow_table(shape, SMALL)?;
        let big_t = flow_table(shape, big)?;
        for (probe, what) in [
            (Probe::Hit, "hit"),
            (Probe::Miss, "miss"),
            (Probe::HitFrame, "hit, parse+key+lookup"),
        ] {
            if probe == Probe::HitFrame && shape != Shape::Realistic {
                continue;
            }
            let small_r = Run::new(&small_t, shape, SMALL, probe)?;
            let big_r = Run::new(&big_t, shape, big, probe)?;
            let (mut s, mut b) = (u64::MAX, u64::MAX);
            for round in 0..ROUNDS {
                if round % 2 == 0 {
                    s = s.min(small_r.time()?);
                    b = b.min(big_r.time()?);
                } else {
                    b = b.min(big_r.time()?);
                    s = s.min(small_r.time()?);
                }
            }
            pr_info!(
                "bench flows: {} {}: {} flows {} ns, {} flows {} ns, ratio {}.{:02}\n",
                shape.name(),
                what,
                SMALL,
                s,
                big,
                b,
                hundredths(b, s) / 100,
                hundredths(b, s) % 100
            );
        }
    }
    Ok(())
}

/// Run the benchmarks asked for: group lookup at `groups` groups and flow lookup at `flows` flows
/// (0: not asked for).
pub(crate) fn run(groups: u32, flows_n: u32) -> Result {
    if groups != 0 {
        lookup(groups)?;
    }
    if flows_n != 0 {
        flows(flows_n)?;
    }
    Ok(())
}
