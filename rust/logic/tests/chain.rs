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
    fn any_bucket(&self, id: u32, any: &mut dyn FnMut(Watch) -> bool) -> bool {
        self.groups
            .get(&id)
            .is_some_and(|b| b.iter().any(|&w| any(w)))
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
