//! The tuple-space-search classifier against a linear-scan oracle.

use ofgroup_logic::classifier::{build, capacity, lookup, Entry, Sizes, Subtable, EMPTY};
use ofgroup_logic::flow::{IpMasked, Key, Match, MatchSpec};

/// SplitMix64: a deterministic PRNG, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[derive(Clone, Copy, Debug)]
struct Flow {
    m: Match,
    priority: u16,
}

fn view(f: &Flow) -> (&Match, u16) {
    (&f.m, f.priority)
}

/// A built classifier with its storage.
struct Cls {
    subtables: Vec<Subtable>,
    entries: Vec<Entry>,
    slots: Vec<u32>,
    sizes: Sizes,
}

impl Cls {
    fn new(flows: &[Flow]) -> Cls {
        let cap = capacity(flows.len());
        let mut order = vec![0; flows.len()];
        let mut subtables = vec![Subtable::default(); cap.subtables];
        let mut entries = vec![Entry::default(); cap.entries];
        let mut slots = vec![0; cap.slots];
        let sizes = build(
            flows,
            view,
            &mut order,
            &mut subtables,
            &mut entries,
            &mut slots,
        )
        .expect("capacity suffices");
        Cls {
            subtables,
            entries,
            slots,
            sizes,
        }
    }

    fn lookup(&self, k: &Key) -> Option<u32> {
        lookup(
            k,
            &self.subtables[..self.sizes.subtables],
            &self.entries[..self.sizes.entries],
            &self.slots[..self.sizes.slots],
        )
    }
}

/// Highest priority, then lowest index.
fn oracle(flows: &[Flow], k: &Key) -> Option<u32> {
    let mut best: Option<(u16, u32)> = None;
    for (i, f) in flows.iter().enumerate() {
        if f.m.matches(k) && best.is_none_or(|(p, _)| f.priority > p) {
            best = Some((f.priority, i as u32));
        }
    }
    best.map(|(_, i)| i)
}

/// A few masks, as flow tables have: exact 5-tuple, dst /24 + port, dst /16, in_port, eth_type.
fn masks() -> Vec<Key> {
    let spec = |s: MatchSpec| s.to_match().unwrap().mask;
    let all = [0xff; 4];
    vec![
        spec(MatchSpec {
            eth_type: Some(0x0800),
            ip_proto: Some(6),
            ip_src: Some(IpMasked::V4(all, all)),
            ip_dst: Some(IpMasked::V4(all, all)),
            l4_src: Some(0),
            l4_dst: Some(0),
            ..Default::default()
        }),
        spec(MatchSpec {
            eth_type: Some(0x0800),
            ip_proto: Some(6),
            ip_dst: Some(IpMasked::V4([0; 4], [255, 255, 255, 0])),
            l4_dst: Some(0),
            ..Default::default()
        }),
        spec(MatchSpec {
            eth_type: Some(0x0800),
            ip_dst: Some(IpMasked::V4([0; 4], [255, 255, 0, 0])),
            ..Default::default()
        }),
        spec(MatchSpec {
            in_port: Some(1),
            ..Default::default()
        }),
        spec(MatchSpec {
            eth_type: Some(0),
            ..Default::default()
        }),
        Key::default(),
    ]
}

/// A packet key from a small universe, so that flows and packets collide often.
fn packet(rng: &mut Rng) -> Key {
    let mut k = Key::default();
    k.set_in_port(1 + rng.below(3) as u32);
    k.set_eth_type(if rng.below(5) == 0 { 0x86dd } else { 0x0800 });
    k.set_ip_proto([6, 17][rng.below(2) as usize]);
    let ip = |rng: &mut Rng| {
        let mut a = [0u8; 16];
        a[10] = 0xff;
        a[11] = 0xff;
        a[12] = 10;
        a[13] = rng.below(2) as u8;
        a[14] = rng.below(3) as u8;
        a[15] = rng.below(4) as u8;
        a
    };
    k.set_ip_src(ip(rng));
    k.set_ip_dst(ip(rng));
    k.set_l4_src(rng.below(3) as u16);
    k.set_l4_dst([22, 80, 443][rng.below(3) as usize]);
    k
}

fn random_flows(rng: &mut Rng, n: usize, masks: &[Key], prios: u64) -> Vec<Flow> {
    (0..n)
        .map(|_| {
            let mask = masks[rng.below(masks.len() as u64) as usize];
            Flow {
                m: Match::new(packet(rng), mask),
                priority: rng.below(prios) as u16,
            }
        })
        .collect()
}

#[test]
fn matches_oracle() {
    let masks = masks();
    let mut rng = Rng(1);
    let (mut checked, mut hits) = (0, 0);
    for round in 0..300 {
        let n = rng.below(60) as usize;
        let n_masks = 1 + rng.below(masks.len() as u64) as usize;
        // Few priorities make ties common; many make them rare.
        let prios = if round % 2 == 0 { 3 } else { 65536 };
        let flows = random_flows(&mut rng, n, &masks[..n_masks], prios);
        let cls = Cls::new(&flows);
        assert!(cls.sizes.subtables <= n_masks);
        for _ in 0..50 {
            let k = packet(&mut rng);
            assert_eq!(
                cls.lookup(&k),
                oracle(&flows, &k),
                "round {round} key {k:?}"
            );
            checked += 1;
            hits += usize::from(cls.lookup(&k).is_some());
        }
        // Every flow's own key finds a flow at least as good.
        for f in &flows {
            let got = cls.lookup(&f.m.key).expect("its own key matches");
            assert!(flows[got as usize].priority >= f.priority);
            assert_eq!(Some(got), oracle(&flows, &f.m.key));
        }
    }
    assert!(checked >= 10_000);
    assert!(
        hits > checked / 3,
        "the packets must mostly hit: {hits}/{checked}"
    );
}

#[test]
fn empty_classifier() {
    let cls = Cls::new(&[]);
    assert_eq!(cls.sizes, Sizes::default());
    assert_eq!(cls.lookup(&Key::default()), None);
    assert_eq!(lookup(&Key::default(), &[], &[], &[]), None);
    assert_eq!(capacity(0), Sizes::default());
}

#[test]
fn many_entries_in_one_subtable() {
    let mask = masks()[0];
    let n = 5000;
    let flows: Vec<Flow> = (0..n)
        .map(|i| {
            let mut k = Key::default();
            k.set_eth_type(0x0800);
            k.set_ip_proto(6);
            k.set_ip_dst([
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                0xff,
                0xff,
                10,
                0,
                (i >> 8) as u8,
                i as u8,
            ]);
            k.set_l4_dst(80);
            Flow {
                m: Match::new(k, mask),
                priority: 100,
            }
        })
        .collect();
    let cls = Cls::new(&flows);
    assert_eq!(cls.sizes.subtables, 1);
    assert_eq!(cls.sizes.entries, n);
    assert_eq!(cls.sizes.slots, 32768, "next power of two >= 4n");
    assert!(cls.sizes.slots <= capacity(n).slots);
    for (i, f) in flows.iter().enumerate() {
        assert_eq!(cls.lookup(&f.m.key), Some(i as u32));
    }
    let mut miss = flows[0].m.key;
    miss.set_l4_dst(81);
    assert_eq!(cls.lookup(&miss), None);
}

#[test]
fn duplicates_collapse_to_the_best() {
    let mask = masks()[3];
    let mut k = Key::default();
    k.set_in_port(1);
    let m = Match::new(k, mask);
    let flows = [
        Flow { m, priority: 5 },
        Flow { m, priority: 9 },
        Flow { m, priority: 9 },
        Flow { m, priority: 1 },
    ];
    let cls = Cls::new(&flows);
    assert_eq!(cls.sizes.entries, 1);
    assert_eq!(cls.subtables[0].max_priority, 9);
    assert_eq!(cls.lookup(&k), Some(1));
}

#[test]
fn ties_across_subtables() {
    let ms = masks();
    let mut k = Key::default();
    k.set_in_port(1);
    k.set_eth_type(0x0800);
    let flows = [
        Flow {
            m: Match::new(k, ms[4]),
            priority: 7,
        },
        Flow {
            m: Match::ANY,
            priority: 7,
        },
        Flow {
            m: Match::new(k, ms[3]),
            priority: 7,
        },
    ];
    let cls = Cls::new(&flows);
    assert_eq!(cls.sizes.subtables, 3);
    assert_eq!(cls.lookup(&k), Some(0), "equal priorities: lowest index");
    let mut other = k;
    other.set_eth_type(0x86dd);
    assert_eq!(cls.lookup(&other), Some(1));
    // A higher priority in a later-built subtable wins.
    let mut flows = flows.to_vec();
    flows[2].priority = 8;
    assert_eq!(Cls::new(&flows).lookup(&k), Some(2));
    // Subtables are ordered by max_priority, highest first.
    let cls = Cls::new(&flows);
    let prios: Vec<u16> = cls.subtables[..3].iter().map(|s| s.max_priority).collect();
    assert_eq!(prios, [8, 7, 7]);
}

#[test]
fn short_slices_are_refused() {
    let masks = masks();
    let mut rng = Rng(7);
    let flows = random_flows(&mut rng, 40, &masks, 10);
    let cap = capacity(flows.len());
    let full = Cls::new(&flows).sizes;
    let mut order = vec![0; flows.len()];
    let mut st = vec![Subtable::default(); cap.subtables];
    let mut en = vec![Entry::default(); cap.entries];
    let mut sl = vec![0; cap.slots];
    // Exactly the used sizes suffice.
    assert_eq!(
        build(
            &flows,
            view,
            &mut order,
            &mut st[..full.subtables],
            &mut en[..full.entries],
            &mut sl[..full.slots]
        ),
        Some(full)
    );
    assert_eq!(
        build(&flows, view, &mut order[..39], &mut st, &mut en, &mut sl),
        None
    );
    if full.subtables > 0 {
        assert_eq!(
            build(
                &flows,
                view,
                &mut order,
                &mut st[..full.subtables - 1],
                &mut en,
                &mut sl
            ),
            None
        );
    }
    assert_eq!(
        build(
            &flows,
            view,
            &mut order,
            &mut st,
            &mut en[..full.entries - 1],
            &mut sl
        ),
        None
    );
    assert_eq!(
        build(
            &flows,
            view,
            &mut order,
            &mut st,
            &mut en,
            &mut sl[..full.slots - 1]
        ),
        None
    );
}

#[test]
fn capacity_bounds_hold() {
    // Worst cases for slots: every entry alone in its subtable, or sizes just above a power of 2.
    for n in [1usize, 2, 3, 5, 9, 17, 33, 100] {
        let cap = capacity(n);
        assert!(cap.slots >= 2 * n);
        let mut rng = Rng(n as u64);
        let flows: Vec<Flow> = (0..n)
            .map(|i| {
                let mut mask = Key::default();
                mask.set_in_port(i as u32 + 1);
                Flow {
                    m: Match::new(packet(&mut rng), mask),
                    priority: 0,
                }
            })
            .collect();
        let cls = Cls::new(&flows);
        assert!(cls.sizes.slots <= cap.slots);
    }
    assert_eq!(capacity(usize::MAX).slots, usize::MAX);
}

/// Corrupt subtables, entries and slots (offsets and lengths out of range, wrong lengths, slots
/// naming missing entries) never panic, and whatever `lookup` returns is still an entry that
/// matches the key under one of the masks: never a flow it made up. Entries are keyed by one of
/// the subtable masks half of the time, so hits happen and are checked too.
#[test]
fn corrupt_tables_do_not_panic() {
    let mut rng = Rng(99);
    let k = packet(&mut rng);
    let masks = [Key([rng.next(); 8]), Key([rng.next(); 8]), Key::default()];
    let mut hits = 0;
    for _ in 0..2000 {
        let st: Vec<Subtable> = (0..rng.below(4))
            .map(|_| Subtable {
                mask: masks[rng.below(3) as usize],
                max_priority: rng.next() as u16,
                slot_start: [0, 1, u32::MAX, rng.next() as u32][rng.below(4) as usize],
                slot_len: [0, 1, 3, 8, u32::MAX, rng.next() as u32][rng.below(6) as usize],
            })
            .collect();
        let en: Vec<Entry> = (0..rng.below(4))
            .map(|_| Entry {
                key: k.masked(&if rng.below(2) == 0 {
                    masks[rng.below(3) as usize]
                } else {
                    Key([rng.next(); 8])
                }),
                flow: rng.next() as u32,
                priority: rng.next() as u16,
            })
            .collect();
        let sl: Vec<u32> = (0..rng.below(16))
            .map(|_| [EMPTY, 0, 1, 2, 3, rng.next() as u32][rng.below(6) as usize])
            .collect();
        if let Some(f) = lookup(&k, &st, &en, &sl) {
            hits += 1;
            assert!(
                en.iter()
                    .any(|e| e.flow == f && st.iter().any(|s| e.key == k.masked(&s.mask))),
                "flow {f} is no entry matching the key: {st:?} {en:?} {sl:?}"
            );
        }
    }
    assert!(hits >= 20, "only {hits} lookups found anything");
}
