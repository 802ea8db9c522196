//! Bounded work per frame: the install-time cost model against a brute-force evaluator and a
//! packet-path simulator, and the refusals (with their messages) on a model table.

use ofgroup_logic::chain::{self, ChainGraph, Memo};
use ofgroup_logic::error::{errno, ErrorKind};
use ofgroup_logic::liveness::{bucket_live, LiveEnv, Metered, Watch};
use ofgroup_logic::model::{Action, GroupType, OFPG_ANY, OFPP_ANY};
use ofgroup_logic::select::{self, Candidate};
use ofgroup_logic::work::{
    self, check_flow, check_group, BucketView, FlowSet, Frame, WorkGraph, MAX_FLOW_ACTIONS,
    WORK_BUDGET,
};
use proptest::prelude::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Clone, Debug)]
struct B {
    id: u32,
    weight: u16,
    watch: Watch,
    actions: Vec<Action>,
}

#[derive(Clone, Debug)]
struct G {
    t: GroupType,
    buckets: Vec<B>,
}

/// A model table: groups, flows, and a pending change the checks see in place of the group.
#[derive(Default)]
struct Model {
    groups: BTreeMap<u32, G>,
    flows: Vec<(u16, Vec<Action>)>,
    pending: Option<(u32, G)>,
    memo: RefCell<HashMap<(u32, usize), u32>>,
}

impl Model {
    fn view(&self, id: u32) -> Option<&G> {
        match &self.pending {
            Some((p, g)) if *p == id => Some(g),
            _ => self.groups.get(&id),
        }
    }

    fn refs(g: &G) -> impl Iterator<Item = u32> + '_ {
        g.buckets.iter().flat_map(|b| {
            b.actions
                .iter()
                .filter_map(|a| match a {
                    Action::Group(t) => Some(*t),
                    Action::Output(_) => None,
                })
                .chain((b.watch.group != OFPG_ANY).then_some(b.watch.group))
        })
    }

    /// Install like the table does: chain check, work check, and apply only if both pass.
    fn install(&mut self, id: u32, g: G) -> Result<(), ofgroup_logic::error::Error> {
        self.pending = Some((id, g.clone()));
        let r = self.check(id, &g);
        self.pending = None;
        if r.is_ok() {
            self.groups.insert(id, g);
        }
        r
    }

    fn check(&self, id: u32, g: &G) -> Result<(), ofgroup_logic::error::Error> {
        self.begin();
        chain::check(self, id, &mut Self::refs(g)).map_err(|e| e.to_error(id))?;
        check_group(self, id, &Flows(&self.flows)).map(|_| ())
    }

    fn add_flow(
        &mut self,
        priority: u16,
        actions: Vec<Action>,
    ) -> Result<u64, ofgroup_logic::error::Error> {
        self.begin();
        let w = check_flow(self, priority, &actions)?;
        self.flows.push((priority, actions));
        Ok(w)
    }

    /// Worst-case work of `group:id`, by the definition, without memos (exponential), except
    /// that a sum stops once it passes the budget (the answer is then only "over"), which keeps
    /// the brute force from walking a fan-out bomb path by path.
    fn bf_group(&self, id: u32) -> u64 {
        let Some(g) = self.view(id) else { return 1 };
        let cap = u64::from(WORK_BUDGET);
        let mut w = 1 + g.buckets.len().saturating_sub(1) as u64
            * u64::from(matches!(g.t, GroupType::All | GroupType::Indirect));
        let mut most = 0;
        for b in &g.buckets {
            if w > cap {
                return w;
            }
            match g.t {
                GroupType::All | GroupType::Indirect => w += self.bf_actions(&b.actions),
                _ => {
                    w += self.bf_live(b.watch);
                    most = most.max(self.bf_actions(&b.actions));
                }
            }
        }
        w + most
    }

    fn bf_actions(&self, a: &[Action]) -> u64 {
        let mut w = a.len().saturating_sub(1) as u64;
        for a in a {
            if w > u64::from(WORK_BUDGET) {
                return w;
            }
            w += match *a {
                Action::Output(_) => 1,
                Action::Group(t) => self.bf_group(t),
            };
        }
        w
    }

    fn bf_live(&self, w: Watch) -> u64 {
        if w.group == OFPG_ANY {
            return 1;
        }
        1 + match self.view(w.group) {
            None => 1,
            Some(g) => {
                let mut s = 1;
                for b in &g.buckets {
                    if s > u64::from(WORK_BUDGET) {
                        break;
                    }
                    s += self.bf_live(b.watch);
                }
                s
            }
        }
    }

    /// Whether anything in the table (pending change included) is over budget, by brute force.
    fn bf_over(&self) -> bool {
        let ids: HashSet<u32> = self
            .groups
            .keys()
            .copied()
            .chain(self.pending.as_ref().map(|p| p.0))
            .collect();
        ids.iter()
            .any(|&id| self.bf_group(id) > u64::from(WORK_BUDGET))
            || self
                .flows
                .iter()
                .any(|(_, a)| self.bf_actions(a) > u64::from(WORK_BUDGET))
    }
}

struct Flows<'a>(&'a [(u16, Vec<Action>)]);

impl FlowSet for Flows<'_> {
    fn for_each(&self, f: &mut dyn FnMut(u16, &[Action]) -> bool) {
        for (p, a) in self.0 {
            if !f(*p, a) {
                return;
            }
        }
    }
}

impl ChainGraph for Model {
    fn children(&self, id: u32, f: &mut dyn FnMut(u32)) {
        if let Some(g) = self.view(id) {
            Self::refs(g).for_each(f)
        }
    }
    fn parents(&self, id: u32, f: &mut dyn FnMut(u32)) {
        // The reverse index of the installed groups (the pending group's old refs included).
        for (&p, g) in &self.groups {
            if Self::refs(g).any(|r| r == id) {
                f(p)
            }
        }
    }
    fn begin(&self) {
        self.memo.borrow_mut().clear();
    }
    fn memo(&self, id: u32, which: Memo) -> Option<u32> {
        self.memo.borrow().get(&(id, which.index())).copied()
    }
    fn set_memo(&self, id: u32, which: Memo, v: u32) {
        if self.view(id).is_some() {
            self.memo.borrow_mut().insert((id, which.index()), v);
        }
    }
}

impl WorkGraph for Model {
    fn group(&self, id: u32) -> Option<(GroupType, usize)> {
        self.view(id).map(|g| (g.t, g.buckets.len()))
    }
    fn bucket(&self, id: u32, i: usize) -> Option<BucketView<'_>> {
        let b = self.view(id)?.buckets.get(i)?;
        Some(BucketView {
            id: b.id,
            watch: b.watch,
            actions: &b.actions,
        })
    }
    fn has_flows(&self, id: u32) -> bool {
        self.flows
            .iter()
            .any(|(_, a)| a.contains(&Action::Group(id)))
    }
}

/// Runs frames through a model table the way `rust/kmod/action.rs` does, metering each step.
struct Sim<'a> {
    m: &'a Model,
    live_ports: &'a HashSet<u32>,
    hash: u32,
    frame: Frame,
}

impl LiveEnv for Sim<'_> {
    fn port_live(&self, port: u32) -> bool {
        self.live_ports.contains(&port)
    }
    fn bucket_watch(&self, id: u32, i: usize) -> Option<Watch> {
        Some(self.m.groups.get(&id)?.buckets.get(i)?.watch)
    }
}

impl Sim<'_> {
    fn actions(&self, actions: &[Action]) {
        let Some((last, rest)) = actions.split_last() else {
            return;
        };
        for a in rest {
            if self.frame.charge(1) {
                self.action(a);
            }
        }
        self.action(last);
    }

    fn action(&self, a: &Action) {
        if !self.frame.charge(1) {
            return;
        }
        if let Action::Group(id) = *a {
            self.group(id);
        }
    }

    fn group(&self, id: u32) {
        let Some(g) = self.m.groups.get(&id) else {
            return;
        };
        let env = Metered {
            env: self,
            frame: &self.frame,
        };
        match g.t {
            GroupType::All | GroupType::Indirect => {
                for (i, b) in g.buckets.iter().enumerate() {
                    if i + 1 < g.buckets.len() && !self.frame.charge(1) {
                        continue;
                    }
                    self.actions(&b.actions);
                }
            }
            GroupType::Select => {
                let cands = g.buckets.iter().map(|b| Candidate {
                    bucket_id: b.id,
                    weight: b.weight,
                    live: b.weight != 0 && bucket_live(&env, b.watch, 0),
                });
                if let Some(b) = select::select(self.hash, cands).and_then(|i| g.buckets.get(i)) {
                    self.actions(&b.actions);
                }
            }
            GroupType::FastFailover => {
                if let Some(b) = g.buckets.iter().find(|b| bucket_live(&env, b.watch, 0)) {
                    self.actions(&b.actions);
                }
            }
        }
    }
}

fn out(p: u32) -> Action {
    Action::Output(p)
}

fn all(buckets: Vec<Vec<Action>>) -> G {
    G {
        t: GroupType::All,
        buckets: buckets
            .into_iter()
            .enumerate()
            .map(|(i, actions)| B {
                id: i as u32,
                weight: 0,
                watch: Watch::NONE,
                actions,
            })
            .collect(),
    }
}

fn watching(t: GroupType, buckets: Vec<(u32, u32, Vec<Action>)>) -> G {
    G {
        t,
        buckets: buckets
            .into_iter()
            .enumerate()
            .map(|(i, (port, group, actions))| B {
                id: i as u32,
                weight: 1,
                watch: Watch { port, group },
                actions,
            })
            .collect(),
    }
}

#[test]
fn unit_model_by_hand() {
    let mut m = Model::default();
    // all: 3 buckets of 2 outputs = 3 * (2 + 1 clone) + 2 clones + 1 visit = 12.
    m.install(1, all(vec![vec![out(1), out(2)]; 3])).unwrap();
    m.begin();
    assert_eq!(work::group_work(&m, 1), 12);
    // A dangling reference costs the visit only.
    m.begin();
    assert_eq!(work::group_work(&m, 99), 1);
    // ff over 2 buckets watching port / group 1: liveness (1) + (1 + 1 lookup + 3 buckets) +
    // the dearest bucket (group:1 = 12) + visit = 1 + 5 + 12 + 1 = 19.
    m.install(
        2,
        watching(
            GroupType::FastFailover,
            vec![
                (5, OFPG_ANY, vec![out(5)]),
                (OFPP_ANY, 1, vec![Action::Group(1)]),
            ],
        ),
    )
    .unwrap();
    m.begin();
    assert_eq!(work::group_work(&m, 2), 19);
    assert_eq!(m.bf_group(2), 19);
    // A flow: group:2 + output:3 + one clone.
    assert_eq!(m.add_flow(10, vec![Action::Group(2), out(3)]).unwrap(), 21);
}

#[test]
fn fan_out_bomb_is_refused_with_the_path() {
    let mut m = Model::default();
    // Group 7: all, 64 buckets x output = 64 + 63 + 1 = 128.
    m.install(7, all(vec![vec![out(1)]; 64])).unwrap();
    // Group 1: all, 32 buckets x 32 group:7 = way over.
    let e = m
        .install(1, all(vec![vec![Action::Group(7); 32]; 32]))
        .unwrap_err();
    assert_eq!((e.kind, e.errno()), (ErrorKind::TooMany, errno::E2BIG));
    let w = 32 * (32 * 128 + 31) + 31 + 1;
    assert_eq!(
        e.to_string(),
        format!("TOO_MANY: group 1 bucket 0 -> group 7: per-frame work {w} > budget 4096")
    );
    assert!(e.to_string().len() < 80, "fits an extack message");
    assert!(!m.groups.contains_key(&1));
    // The bigger bomb, 1024 x 32 into 1024 x 32, is refused at its first level already.
    let e = m.install(3, all(vec![vec![out(1); 32]; 1024])).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooMany);
    assert_eq!(e.value, Some(1024 * (32 + 31) + 1023 + 1));
}

#[test]
fn a_dangling_reference_resolved_later_is_rechecked() {
    let mut m = Model::default();
    // Group 1 refers to group 2, which does not exist yet: 40 visits.
    m.install(1, all(vec![vec![Action::Group(2); 32]; 2]))
        .unwrap();
    // Group 2 arrives with 64 outputs: 1 now costs 2 * (32 * 128 + 31) + 1 + 1.
    let e = m.install(2, all(vec![vec![out(1)]; 64])).unwrap_err();
    assert_eq!(e.group, 1);
    assert_eq!(
        e.to_string(),
        format!(
            "TOO_MANY: group 1 bucket 0 -> group 2: per-frame work {} > budget 4096",
            2 * (32 * 128 + 31) + 2
        )
    );
    assert!(!m.groups.contains_key(&2));
    // A small group 2 fits.
    m.install(2, all(vec![vec![out(1)]; 4])).unwrap();
}

#[test]
fn modify_and_insert_buckets_recheck_ancestors_and_flows() {
    let mut m = Model::default();
    m.install(7, all(vec![vec![out(1)]; 4])).unwrap(); // 8
    m.install(5, all(vec![vec![Action::Group(7); 8]; 8]))
        .unwrap(); // 8*(8*8+7)+7+1 = 576
    m.install(1, all(vec![vec![Action::Group(5)]; 4])).unwrap(); // 4*576+3+1 = 2308
                                                                 // A flow reaching group 1 twice: 2 * 2308 + 1 > 4096 — refused at add.
    let e = m
        .add_flow(10, vec![Action::Group(1), Action::Group(1)])
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "TOO_MANY: flow priority 10 -> group 1: per-frame work 4617 > budget 4096"
    );
    // One reference fits.
    assert_eq!(m.add_flow(10, vec![Action::Group(1)]).unwrap(), 2308);
    // "insert-buckets" into 7: 4 -> 6 buckets raises 7 to 12, 5 to 8*(8*12+7)+8 = 832,
    // 1 to 4*832+4 = 3332: still fine.
    let mut g7 = m.groups[&7].clone();
    for i in 4..6 {
        g7.buckets.push(B {
            id: i,
            ..g7.buckets[0].clone()
        });
    }
    m.install(7, g7).unwrap();
    // 8 buckets: 7 = 16, 5 = 8*(8*16+7)+8 = 1088, 1 = 4*1088+4 = 4356: over, via the ancestors.
    let mut g7b = m.groups[&7].clone();
    for i in 6..8 {
        g7b.buckets.push(B {
            id: i,
            ..g7b.buckets[0].clone()
        });
    }
    let before = m.groups[&7].buckets.len();
    let e = m.install(7, g7b).unwrap_err();
    assert_eq!(
        e.to_string(),
        "TOO_MANY: group 1 bucket 0 -> group 5: per-frame work 4356 > budget 4096"
    );
    assert_eq!(m.groups[&7].buckets.len(), before, "unchanged on refusal");
    // A flow straight into an ancestor: with group 1 out of the way, the flow on 5 is what
    // refuses a change to 7.
    m.groups.remove(&1);
    m.flows.clear();
    m.add_flow(20, vec![Action::Group(5); 3]).unwrap(); // 3 * 832 + 2 = 2498
    let g7c = all(vec![vec![out(1)]; 8]); // 5 -> 1088, flow -> 3266: fine
    m.install(7, g7c).unwrap();
    let g7d = all(vec![vec![out(1)]; 10]); // 7 = 20, 5 = 8*(8*20+7)+8 = 1344, flow 4034: fine
    m.install(7, g7d).unwrap();
    let g7e = all(vec![vec![out(1)]; 11]); // 7 = 22, 5 = 8*(8*22+7)+8 = 1472, flow 4418
    let e = m.install(7, g7e).unwrap_err();
    assert_eq!(
        e.to_string(),
        "TOO_MANY: flow priority 20 -> group 5: per-frame work 4418 > budget 4096"
    );
    assert_eq!(e.group, 7, "the refused change is to group 7");
    assert_eq!(m.groups[&7].buckets.len(), 10);
}

#[test]
fn watch_group_liveness_counts() {
    let mut m = Model::default();
    // W: ff with 32 buckets watching ports: liveness 1 + 32.
    m.install(
        9,
        watching(
            GroupType::FastFailover,
            (0..32).map(|p| (p + 1, OFPG_ANY, vec![out(1)])).collect(),
        ),
    )
    .unwrap();
    // A select whose 100 buckets all watch group 9: 100 * (1 + 33) + 1 + 1 = 3402: fits.
    let sel = |n: u32| {
        watching(
            GroupType::Select,
            (0..n).map(|_| (OFPP_ANY, 9, vec![out(2)])).collect(),
        )
    };
    m.install(2, sel(100)).unwrap();
    // 121 buckets: 121 * 34 + 2 = 4116: refused, naming the watched group.
    let e = m.install(3, sel(121)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "TOO_MANY: group 3 bucket 0 -> group 9: per-frame work 4116 > budget 4096"
    );
    // With the per-frame memo, the packet path evaluates group 9 once: far below the bound.
    let ports = HashSet::new();
    let sim = Sim {
        m: &m,
        live_ports: &ports,
        hash: 1,
        frame: Frame::new(),
    };
    sim.action(&Action::Group(2));
    assert!(
        sim.frame.used() <= 1 + 100 + 33,
        "used {}",
        sim.frame.used()
    );
}

#[test]
fn flow_action_cap() {
    let mut m = Model::default();
    let e = m
        .add_flow(1, vec![out(1); MAX_FLOW_ACTIONS + 1])
        .unwrap_err();
    assert_eq!((e.kind, e.errno()), (ErrorKind::TooMany, errno::E2BIG));
    assert_eq!(
        e.to_string(),
        "TOO_MANY: flow priority 1: actions: too many actions (max 256) (257)"
    );
    assert_eq!(
        m.add_flow(1, vec![out(1); MAX_FLOW_ACTIONS]).unwrap(),
        2 * MAX_FLOW_ACTIONS as u64 - 1
    );
}

#[test]
fn frame_meter() {
    let f = Frame::new();
    assert!(f.charge(WORK_BUDGET));
    assert!(!f.over());
    assert!(!f.charge(1));
    assert!(f.over());
    assert!(!f.charge(0), "stays over");
    for id in 0..20 {
        f.set_live_memo(id, id % 2 == 0);
    }
    assert_eq!(f.live_memo(4), Some(true));
    assert_eq!(f.live_memo(5), Some(false));
    assert_eq!(f.live_memo(19), None, "the memo holds 16");
}

/// An action of group `from` (or of a flow, `from` 0): groups only point to higher ids, so the
/// graph is a DAG (loops are the chaining check's business, tested in chain.rs); ids up to
/// `n + 1` may be missing (dangling references).
fn arb_action(from: u32, n: u32) -> impl Strategy<Value = Action> {
    prop_oneof![
        1 => (1u32..4).prop_map(Action::Output),
        3 => (from + 1..n + 2).prop_map(Action::Group),
    ]
}

fn arb_group(from: u32, n: u32) -> impl Strategy<Value = G> {
    let t = prop_oneof![
        Just(GroupType::All),
        Just(GroupType::Select),
        Just(GroupType::Indirect),
        Just(GroupType::FastFailover)
    ];
    let bucket = (
        0u16..3,
        prop_oneof![Just(OFPP_ANY), 1u32..4],
        prop_oneof![Just(OFPG_ANY), from + 1..n + 2],
        prop::collection::vec(arb_action(from, n), 0..12),
    );
    (t, prop::collection::vec(bucket, 0..12)).prop_map(|(t, bs)| {
        let watched = matches!(t, GroupType::Select | GroupType::FastFailover);
        G {
            t,
            buckets: bs
                .into_iter()
                .enumerate()
                .map(|(i, (weight, port, group, actions))| B {
                    id: i as u32,
                    weight: if t == GroupType::Select { weight } else { 0 },
                    watch: if watched {
                        Watch { port, group }
                    } else {
                        Watch::NONE
                    },
                    actions,
                })
                .collect(),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Random installs and flows: the memoized model equals the brute-force definition; a change
    /// is refused (TOO_MANY) exactly when the brute force finds something over budget, and a
    /// refusal changes nothing; simulated frames never do more work than the bound (exactly the
    /// bound when nothing has liveness to decide), and never run out of budget.
    #[test]
    fn cost_model_matches_brute_force(
        ops in prop::collection::vec(
            (1u32..7).prop_flat_map(|id| (
                Just(id),
                arb_group(id, 7),
                prop::collection::vec(arb_action(0, 7), 0..12),
                prop::bool::weighted(0.3),
            )),
            1..24,
        ),
        live in prop::collection::hash_set(1u32..4, 0..4),
        hash in any::<u32>(),
    ) {
        let mut m = Model::default();
        for (id, g, flow, is_flow) in ops {
            if is_flow {
                let flow: Vec<Action> = flow.into_iter().filter(|a| match a {
                    Action::Group(t) => m.groups.contains_key(t),
                    Action::Output(_) => true,
                }).collect();
                m.begin();
                let bf = m.bf_actions(&flow);
                match m.add_flow(7, flow) {
                    Ok(w) => prop_assert_eq!(w, bf),
                    Err(e) => {
                        prop_assert_eq!(e.kind, ErrorKind::TooMany);
                        prop_assert!(bf > u64::from(WORK_BUDGET));
                    }
                }
                continue;
            }
            let before = m.groups.clone();
            m.pending = Some((id, g.clone()));
            m.begin();
            let loops = chain::check(&m, id, &mut Model::refs(&g)).is_err();
            let over = !loops && m.bf_over();
            m.pending = None;
            match m.install(id, g) {
                Ok(()) => prop_assert!(!over && !loops),
                Err(e) => {
                    if !loops {
                        prop_assert_eq!(e.kind, ErrorKind::TooMany, "{}", e);
                        prop_assert!(over);
                    }
                    prop_assert_eq!(format!("{:?}", before), format!("{:?}", m.groups));
                }
            }
        }
        m.begin();
        for &id in m.groups.keys() {
            prop_assert_eq!(work::group_work(&m, id), m.bf_group(id));
        }
        let no_liveness = m.groups.values().all(|g| matches!(g.t, GroupType::All | GroupType::Indirect));
        let entries: Vec<Vec<Action>> = m.groups.keys().map(|&id| vec![Action::Group(id)])
            .chain(m.flows.iter().map(|f| f.1.clone())).collect();
        for actions in entries {
            let bound = m.bf_actions(&actions);
            prop_assert!(bound <= u64::from(WORK_BUDGET));
            let sim = Sim { m: &m, live_ports: &live, hash, frame: Frame::new() };
            sim.actions(&actions);
            prop_assert!(!sim.frame.over());
            prop_assert!(u64::from(sim.frame.used()) <= bound, "{} > {}", sim.frame.used(), bound);
            if no_liveness {
                prop_assert_eq!(u64::from(sim.frame.used()), bound);
            }
        }
    }
}
