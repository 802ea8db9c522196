//! Chaining checks and liveness on a model table.

use ofgroup_logic::chain::{check, ChainError, ChainGraph, Memo};
use ofgroup_logic::liveness::{bucket_live, group_live, LiveEnv, Watch};
use ofgroup_logic::model::{MAX_CHAIN_DEPTH, OFPG_ANY, OFPP_ANY};
use proptest::prelude::*;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};

/// group id -> referenced ids; counts how many nodes the check visits.
#[derive(Default)]
struct Model {
    refs: BTreeMap<u32, Vec<u32>>,
    memo: RefCell<HashMap<(u32, bool), u32>>,
    visits: Cell<usize>,
}

impl ChainGraph for Model {
    fn children(&self, id: u32, f: &mut dyn FnMut(u32)) {
        self.visits.set(self.visits.get() + 1);
        for &c in self.refs.get(&id).into_iter().flatten() {
            f(c)
        }
    }
    fn parents(&self, id: u32, f: &mut dyn FnMut(u32)) {
        self.visits.set(self.visits.get() + 1);
        for (&p, r) in &self.refs {
            if r.contains(&id) {
                f(p)
            }
        }
    }
    fn begin(&self) {
        self.memo.borrow_mut().clear();
    }
    fn memo(&self, id: u32, w: Memo) -> Option<u32> {
        self.memo.borrow().get(&(id, w == Memo::Height)).copied()
    }
    fn set_memo(&self, id: u32, w: Memo, v: u32) {
        if self.refs.contains_key(&id) {
            self.memo.borrow_mut().insert((id, w == Memo::Height), v);
        }
    }
}

impl Model {
    /// Install like the table does: check, then apply.
    fn install(&mut self, id: u32, refs: &[u32]) -> Result<u32, ChainError> {
        let d = check(self, id, &mut refs.iter().copied())?;
        self.refs.insert(id, refs.to_vec());
        Ok(d)
    }
    fn has_cycle(&self) -> bool {
        fn visit(m: &Model, v: u32, stack: &mut HashSet<u32>, done: &mut HashSet<u32>) -> bool {
            if stack.contains(&v) {
                return true;
            }
            if !done.insert(v) {
                return false;
            }
            stack.insert(v);
            let r = m
                .refs
                .get(&v)
                .into_iter()
                .flatten()
                .any(|&c| visit(m, c, stack, done));
            stack.remove(&v);
            r
        }
        let mut done = HashSet::new();
        self.refs
            .keys()
            .any(|&k| visit(self, k, &mut HashSet::new(), &mut done))
    }
    fn longest(&self) -> u32 {
        fn h(m: &Model, v: u32) -> u32 {
            m.refs
                .get(&v)
                .into_iter()
                .flatten()
                .map(|&c| h(m, c) + 1)
                .max()
                .unwrap_or(0)
        }
        self.refs.keys().map(|&k| h(self, k)).max().unwrap_or(0)
    }
}

#[test]
fn dangling_references_are_fine_and_order_does_not_matter() {
    let mut m = Model::default();
    assert_eq!(m.install(1, &[2]), Ok(1), "2 does not exist yet");
    assert_eq!(m.install(2, &[3]), Ok(2));
    assert_eq!(m.install(3, &[]), Ok(2));
}

#[test]
fn loops_are_rejected_at_any_length() {
    let mut m = Model::default();
    m.install(1, &[2]).unwrap();
    m.install(2, &[3]).unwrap();
    assert_eq!(m.install(3, &[1]), Err(ChainError::Loop(3, 1)));
    assert_eq!(m.install(3, &[4, 2]), Err(ChainError::Loop(3, 2)));
    assert_eq!(m.install(2, &[2]), Err(ChainError::Loop(2, 2)));
    // Modifying 1 to point elsewhere breaks the old chain; now 3 -> 1 is fine.
    m.install(1, &[]).unwrap();
    assert!(m.install(3, &[1]).is_ok());
    assert!(!m.has_cycle());
}

#[test]
fn depth_limit_counts_links_above_and_below() {
    let mut m = Model::default();
    let n = MAX_CHAIN_DEPTH;
    // 0 -> 1 -> ... -> n: n links, the limit.
    for i in 0..n {
        m.install(i, &[i + 1]).unwrap();
    }
    assert_eq!(m.install(n, &[]), Ok(n));
    assert_eq!(m.install(n, &[n + 1]), Err(ChainError::TooDeep(n, n + 1)));
    assert_eq!(m.install(1000, &[0]), Err(ChainError::TooDeep(1000, n + 1)));
    // In the middle: replacing group 5's reference with a two-link detour is one too many.
    assert!(m.install(5, &[7000]).is_ok());
    m.install(7000, &[]).unwrap();
    assert!(matches!(
        m.install(7000, &[6]),
        Err(ChainError::TooDeep(..))
    ));
}

#[test]
fn shared_subchains_are_visited_once() {
    // A ladder of diamonds 16 levels deep: 2^16 paths, but ~2 * 32 nodes.
    let mut m = Model::default();
    for l in 0..MAX_CHAIN_DEPTH - 1 {
        let (a, b) = (2 * l + 10, 2 * l + 11);
        m.refs.insert(a, vec![2 * l + 12, 2 * l + 13]);
        m.refs.insert(b, vec![2 * l + 12, 2 * l + 13]);
    }
    m.visits.set(0);
    assert!(m.install(1, &[10, 11]).is_ok());
    assert!(m.visits.get() < 200, "visited {}", m.visits.get());
}

proptest! {
    /// Random install sequences: whatever is accepted leaves the table loop-free and within the
    /// depth limit; what is refused would have broken one of the two.
    #[test]
    fn table_stays_acyclic_and_bounded(ops in prop::collection::vec((0u32..24, prop::collection::vec(0u32..24, 0..3)), 1..80)) {
        let mut m = Model::default();
        for (id, refs) in ops {
            let before = m.refs.get(&id).cloned();
            match m.install(id, &refs) {
                Ok(_) => {
                    prop_assert!(!m.has_cycle());
                    prop_assert!(m.longest() <= MAX_CHAIN_DEPTH);
                }
                Err(_) => {
                    let mut t = Model { refs: m.refs.clone(), ..Default::default() };
                    t.refs.insert(id, refs.clone());
                    prop_assert!(t.has_cycle() || t.longest() > MAX_CHAIN_DEPTH);
                    prop_assert_eq!(m.refs.get(&id).cloned(), before);
                }
            }
        }
    }
}

struct Env {
    up: HashSet<u32>,
    groups: HashMap<u32, Vec<Watch>>,
}

impl LiveEnv for Env {
    fn port_live(&self, p: u32) -> bool {
        self.up.contains(&p)
    }
    fn bucket_watch(&self, id: u32, i: usize) -> Option<Watch> {
        self.groups.get(&id)?.get(i).copied()
    }
}

#[test]
fn liveness_follows_ports_and_watched_groups() {
    let port = |p| Watch {
        port: p,
        group: OFPG_ANY,
    };
    let group = |g| Watch {
        port: OFPP_ANY,
        group: g,
    };
    let mut env = Env {
        up: HashSet::from([1]),
        groups: HashMap::new(),
    };
    env.groups.insert(10, vec![port(1), port(2)]);
    env.groups.insert(11, vec![port(2)]);
    env.groups.insert(12, vec![group(11)]);
    assert!(bucket_live(&env, Watch::NONE, 0));
    assert!(bucket_live(&env, port(1), 0));
    assert!(!bucket_live(&env, port(2), 0));
    assert!(bucket_live(&env, group(10), 0));
    assert!(
        !bucket_live(&env, group(12), 0),
        "12 watches 11, whose only port is down"
    );
    assert!(
        !bucket_live(&env, group(99), 0),
        "a missing group is not live"
    );
    assert!(
        bucket_live(&env, Watch { port: 2, group: 10 }, 0),
        "either watch suffices"
    );
    env.up.insert(2);
    assert!(group_live(&env, 12, 0));
    // Recursion is bounded even if a (corrupt) table had a cycle.
    env.groups.insert(20, vec![group(21)]);
    env.groups.insert(21, vec![group(20)]);
    assert!(!group_live(&env, 20, 0));
}

/// A metered, memoizing environment that records what the walk charged and remembered.
struct Counting {
    env: Env,
    budget: u32,
    used: Cell<u32>,
    memo: RefCell<HashMap<u32, bool>>,
}

impl LiveEnv for Counting {
    fn port_live(&self, p: u32) -> bool {
        self.env.port_live(p)
    }
    fn bucket_watch(&self, id: u32, i: usize) -> Option<Watch> {
        self.env.bucket_watch(id, i)
    }
    fn charge(&self, units: u32) -> bool {
        self.used.set(self.used.get() + units);
        self.used.get() <= self.budget
    }
    fn memo(&self, id: u32) -> Option<bool> {
        self.memo.borrow().get(&id).copied()
    }
    fn set_memo(&self, id: u32, live: bool) {
        self.memo.borrow_mut().insert(id, live);
    }
}

/// The recursive definition the packet path's iterative walk must equal: a bucket is live when
/// unwatched, its port is up, or its watched group has a live bucket (memo first, then the depth
/// bound, one unit per group and per bucket).
fn reference_group_live(env: &Counting, id: u32, depth: u32) -> bool {
    if let Some(live) = env.memo(id) {
        return live;
    }
    if depth > MAX_CHAIN_DEPTH || !env.charge(1) {
        return false;
    }
    let mut live = false;
    let mut i = 0;
    while let Some(w) = env.bucket_watch(id, i) {
        i += 1;
        let b = env.charge(1)
            && ((w.port == OFPP_ANY && w.group == OFPG_ANY)
                || (w.port != OFPP_ANY && env.port_live(w.port))
                || (w.group != OFPG_ANY && reference_group_live(env, w.group, depth + 1)));
        if b {
            live = true;
            break;
        }
    }
    env.set_memo(id, live);
    live
}

proptest! {
    /// On random watch graphs (chains, sharing, loops a racing update could leave, dangling
    /// ids) and budgets, the iterative walk gives the recursive definition's answer, charges
    /// the same units and remembers the same groups.
    #[test]
    fn iterative_liveness_equals_the_recursive_definition(
        groups in proptest::collection::vec(
            proptest::collection::vec((0u32..6, 0u32..24), 0..4), 1..24),
        up in proptest::collection::hash_set(0u32..6, 0..4),
        budget in 0u32..200,
        start in 0u32..24,
        depth in 0u32..3,
    ) {
        let env = |groups: &Vec<Vec<(u32, u32)>>| Counting {
            env: Env {
                up: up.clone(),
                groups: groups
                    .iter()
                    .enumerate()
                    .map(|(g, bs)| {
                        let ws = bs.iter().map(|&(p, w)| Watch {
                            // port 0: no watched port; group >= 20: no watched group
                            port: if p == 0 { OFPP_ANY } else { p },
                            group: if w >= 20 { OFPG_ANY } else { w },
                        });
                        (g as u32, ws.collect())
                    })
                    .collect(),
            },
            budget,
            used: Cell::new(0),
            memo: RefCell::new(HashMap::new()),
        };
        let (a, b) = (env(&groups), env(&groups));
        let got = group_live(&a, start, depth);
        let want = reference_group_live(&b, start, depth);
        prop_assert_eq!(got, want);
        prop_assert_eq!(a.used.get(), b.used.get());
        prop_assert_eq!(a.memo.into_inner(), b.memo.into_inner());
    }
}
