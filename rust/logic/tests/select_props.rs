//! Properties of weighted bucket selection, on the same code the kernel module runs.

use ofgroup_logic::hash::{flow_hash, FieldSet, FlowFields, HashField};
use ofgroup_logic::select::{first_live, select, Candidate};
use proptest::prelude::*;

fn cands(weights: &[u16]) -> Vec<Candidate> {
    weights
        .iter()
        .enumerate()
        .map(|(i, &w)| Candidate {
            bucket_id: i as u32,
            weight: w,
            live: true,
        })
        .collect()
}

/// Distinct, realistic flow hashes: UDP flows with varying source ports and addresses.
fn flow_hashes(n: usize, basis: u32) -> impl Iterator<Item = u32> {
    (0..n).map(move |i| {
        let mut f = FlowFields {
            eth_type: 0x0800,
            ip_proto: 17,
            ..Default::default()
        };
        f.ip_src[10..12].copy_from_slice(&[0xff, 0xff]);
        f.ip_src[12..].copy_from_slice(&[10, 0, (i >> 16) as u8, (i >> 8) as u8]);
        f.ip_dst[10..12].copy_from_slice(&[0xff, 0xff]);
        f.ip_dst[12..].copy_from_slice(&[10, 1, 0, 1]);
        f.l4_src = 1024 + (i & 0xff) as u16;
        f.l4_dst = 53;
        flow_hash(&f, FieldSet(0), basis)
    })
}

fn shares(weights: &[u16], n: usize) -> Vec<f64> {
    let c = cands(weights);
    let mut count = vec![0usize; weights.len()];
    for h in flow_hashes(n, 0) {
        count[select(h, c.iter().copied()).unwrap()] += 1;
    }
    count.iter().map(|&k| k as f64 / n as f64).collect()
}

#[test]
fn shares_are_proportional_to_weight_1_2_5_10() {
    let w = [1u16, 2, 5, 10];
    let total: f64 = w.iter().map(|&x| f64::from(x)).sum();
    // 1M flows: the weight-1 bucket's sampling error is 0.4% (1 sigma), so ±2% is ~5 sigma.
    let got = shares(&w, 1_000_000);
    for (i, &s) in got.iter().enumerate() {
        let want = f64::from(w[i]) / total;
        // Within ±2% of the weight share, relative.
        assert!(
            (s / want - 1.0).abs() < 0.02,
            "bucket {i}: share {s:.4}, want {want:.4}"
        );
    }
}

#[test]
fn ovs_pathological_weights_5_100_100_are_proportional() {
    // OVS's hash*weight gives the weight-5 bucket ~10x less than its share (ovs-issues #180).
    let got = shares(&[5, 100, 100], 200_000);
    let want = 5.0 / 205.0;
    assert!(
        (got[0] / want - 1.0).abs() < 0.05,
        "small bucket share {:.4}, want {want:.4}",
        got[0]
    );
}

#[test]
fn weight_zero_and_dead_are_never_chosen() {
    let mut c = cands(&[3, 0, 3, 7]);
    c[2].live = false;
    for h in flow_hashes(50_000, 7) {
        let i = select(h, c.iter().copied()).unwrap();
        assert!(i == 0 || i == 3, "chose {i}");
    }
    let none = cands(&[0, 0]);
    assert_eq!(select(1234, none), None);
    assert_eq!(select(1234, Vec::<Candidate>::new()), None);
}

#[test]
fn removing_a_bucket_moves_only_its_flows() {
    let before = cands(&[1, 1, 1, 1, 1]);
    let after: Vec<_> = before
        .iter()
        .copied()
        .filter(|c| c.bucket_id != 2)
        .collect();
    let (mut moved, mut had) = (0, 0);
    for h in flow_hashes(100_000, 0) {
        let b = before[select(h, before.iter().copied()).unwrap()].bucket_id;
        let a = after[select(h, after.iter().copied()).unwrap()].bucket_id;
        if b == 2 {
            had += 1;
        } else if a != b {
            moved += 1;
        }
    }
    assert_eq!(moved, 0, "flows not on the removed bucket must stay");
    assert!(had > 15_000, "bucket 2 held {had}");
}

#[test]
fn killing_a_bucket_moves_only_its_flows() {
    let before = cands(&[2, 1, 4]);
    let mut after = before.clone();
    after[0].live = false;
    for h in flow_hashes(50_000, 1) {
        let b = select(h, before.iter().copied()).unwrap();
        let a = select(h, after.iter().copied()).unwrap();
        assert!(b == 0 || a == b);
    }
}

#[test]
fn adding_a_bucket_moves_about_one_in_n_plus_one() {
    let before = cands(&[1; 4]);
    let after = cands(&[1; 5]);
    let n = 100_000;
    let mut moved = 0;
    for h in flow_hashes(n, 0) {
        let b = select(h, before.iter().copied()).unwrap();
        let a = select(h, after.iter().copied()).unwrap();
        if a != b {
            assert_eq!(a, 4, "a flow may only move to the new bucket");
            moved += 1;
        }
    }
    let frac = f64::from(moved) / n as f64;
    assert!((frac - 0.2).abs() < 0.01, "moved {frac:.4}, want 0.2");
}

#[test]
fn fast_failover_takes_first_live() {
    assert_eq!(first_live([false, true, true]), Some(1));
    assert_eq!(first_live([true, true]), Some(0));
    assert_eq!(first_live([false, false]), None);
}

#[test]
fn symmetric_hash_is_direction_independent() {
    let mut f = FlowFields {
        eth_type: 0x86dd,
        ip_proto: 6,
        l4_src: 40000,
        l4_dst: 443,
        ..Default::default()
    };
    f.eth_src = [2, 0, 0, 0, 0, 1];
    f.eth_dst = [2, 0, 0, 0, 0, 2];
    f.ip_src[15] = 1;
    f.ip_dst[15] = 2;
    let mut r = f;
    core::mem::swap(&mut r.eth_src, &mut r.eth_dst);
    core::mem::swap(&mut r.ip_src, &mut r.ip_dst);
    core::mem::swap(&mut r.l4_src, &mut r.l4_dst);
    assert_eq!(flow_hash(&f, FieldSet(0), 9), flow_hash(&r, FieldSet(0), 9));
    // A named subset is not symmetric, and only the named fields matter.
    let dst = FieldSet(HashField::IpDst.bit() | HashField::L4Dst.bit());
    assert_ne!(flow_hash(&f, dst, 9), flow_hash(&r, dst, 9));
    let mut g = f;
    g.l4_src = 1;
    g.eth_src = [9; 6];
    assert_eq!(flow_hash(&f, dst, 9), flow_hash(&g, dst, 9));
    assert_ne!(
        flow_hash(&f, dst, 9),
        flow_hash(&f, dst, 10),
        "basis changes the hash"
    );
}

#[test]
fn field_names_round_trip() {
    for f in HashField::ALL {
        for n in f.names() {
            assert_eq!(HashField::from_name(n), Some(f));
        }
        assert_eq!(HashField::from_u32(f as u32), Some(f));
    }
    assert_eq!(HashField::from_name("nope"), None);
}

proptest! {
    #[test]
    fn choice_is_stable_and_respects_liveness(
        hash in any::<u32>(),
        spec in prop::collection::vec((0u32..1000, 0u16..100, any::<bool>()), 1..12),
    ) {
        let mut seen = std::collections::HashSet::new();
        let c: Vec<_> = spec.iter().filter(|s| seen.insert(s.0))
            .map(|&(id, w, live)| Candidate { bucket_id: id, weight: w, live }).collect();
        let a = select(hash, c.iter().copied());
        prop_assert_eq!(a, select(hash, c.iter().copied()));
        match a {
            Some(i) => prop_assert!(c[i].live && c[i].weight > 0),
            None => prop_assert!(c.iter().all(|x| !x.live || x.weight == 0)),
        }
        // Reordering the buckets does not change which bucket id is chosen.
        let mut r = c.clone();
        r.reverse();
        let b = select(hash, r.iter().copied());
        prop_assert_eq!(a.map(|i| c[i].bucket_id), b.map(|i| r[i].bucket_id));
    }
}
