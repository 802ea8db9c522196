//! watch-group-stats: rates from two dumps, shares next to weight shares, and every way counters
//! can fail to grow between two dumps (modify, bucket removed and added again, reset, delete and
//! add again) shown as such, never as a negative rate.

use ofgroupctl::format::GroupStats;
use ofgroupctl::parse::{parse_group, Expect};
use ofgroupctl::watch::{bar, compute, human, json_lines, lines, table, BucketChange, GroupChange};
use ofgroupctl::watch::{Rate, Sample};

const SELECT_1_3: &str = "group_id=1,type=select,bucket=bucket_id:0,weight:1,actions=output:2,bucket=bucket_id:1,weight:3,actions=output:3";

/// A group as the kernel dumps it: definition, duration (s), group counters, bucket counters.
fn group(text: &str, duration_s: u64, total: (u64, u64), buckets: &[(u64, u64)]) -> Sample {
    let mut s = Sample::default();
    push(&mut s, text, duration_s, total, buckets);
    s
}

fn push(s: &mut Sample, text: &str, duration_s: u64, total: (u64, u64), buckets: &[(u64, u64)]) {
    let g = parse_group(text, Expect::Add).unwrap();
    let stats = GroupStats {
        group_id: match g.group_id {
            Some(ofgroupctl::spec::GroupId::Id(id)) => id,
            _ => 0,
        },
        duration_ns: duration_s * 1_000_000_000,
        ref_count: 1,
        packets: total.0,
        bytes: total.1,
        buckets: buckets.to_vec(),
    };
    s.groups.push((g, stats));
}

fn at(mut s: Sample, time: f64) -> Sample {
    s.time = time;
    s
}

/// No '-' directly before a digit.
fn no_negative_number(text: &str) -> bool {
    !text
        .as_bytes()
        .windows(2)
        .any(|w| w[0] == b'-' && w[1].is_ascii_digit())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn rates_and_shares_of_a_weighted_select_group() {
    let prev = at(
        group(SELECT_1_3, 10, (100, 6000), &[(25, 1500), (75, 4500)]),
        1.0,
    );
    let cur = at(
        group(SELECT_1_3, 12, (500, 30000), &[(125, 7500), (375, 22500)]),
        3.0,
    );
    let r = compute(&prev, &cur);
    assert_eq!(r.len(), 1);
    let g = &r[0];
    assert_eq!(g.change, GroupChange::Same);
    assert_eq!(
        g.rate,
        Some(Rate {
            packets: 200.0,
            bytes: 12000.0
        })
    );
    let b0 = &g.buckets[0];
    let b1 = &g.buckets[1];
    assert_eq!((b0.bucket_id, b0.weight), (Some(0), Some(1)));
    assert!(close(b0.weight_share.unwrap(), 0.25));
    assert!(close(b1.weight_share.unwrap(), 0.75));
    assert!(close(b0.rate.unwrap().packets, 50.0));
    assert!(close(b1.rate.unwrap().bytes, 9000.0));
    assert!(close(b0.share.unwrap(), 0.25));
    assert!(close(b1.share.unwrap(), 0.75));
    assert_eq!(b0.change, BucketChange::Same);
    let t = table(&r);
    assert!(t.contains("group 1 type=select"), "{t}");
    assert!(t.contains("25.0%"), "{t}");
    assert!(no_negative_number(&t), "{t}");
}

#[test]
fn idle_group_has_zero_rates_and_no_share() {
    let prev = at(
        group(SELECT_1_3, 10, (100, 6000), &[(25, 1500), (75, 4500)]),
        0.0,
    );
    let cur = at(
        group(SELECT_1_3, 11, (100, 6000), &[(25, 1500), (75, 4500)]),
        1.0,
    );
    let g = &compute(&prev, &cur)[0];
    assert_eq!(g.change, GroupChange::Same);
    assert!(close(g.rate.unwrap().packets, 0.0));
    assert_eq!(g.buckets[0].share, None);
    assert!(close(g.buckets[0].weight_share.unwrap(), 0.25));
}

#[test]
fn modify_keeps_surviving_buckets_rates_and_marks_the_group() {
    // Bucket 1 reweighted, bucket 2 added: the kernel keeps the group totals and bucket 0 and 1
    // counters; bucket 2 starts at zero.
    let modified = "group_id=1,type=select,bucket=bucket_id:0,weight:1,actions=output:2,bucket=bucket_id:1,weight:1,actions=output:3,bucket=bucket_id:2,weight:2,actions=output:4";
    let prev = at(
        group(SELECT_1_3, 10, (100, 6000), &[(25, 1500), (75, 4500)]),
        0.0,
    );
    let cur = at(
        group(
            modified,
            11,
            (140, 8400),
            &[(35, 2100), (95, 5700), (10, 600)],
        ),
        1.0,
    );
    let g = &compute(&prev, &cur)[0];
    assert_eq!(g.change, GroupChange::Modified);
    assert!(close(g.rate.unwrap().packets, 40.0));
    assert_eq!(g.buckets[0].change, BucketChange::Same);
    assert!(close(g.buckets[1].rate.unwrap().packets, 20.0));
    assert_eq!(g.buckets[2].change, BucketChange::New);
    assert_eq!(g.buckets[2].rate, None);
    assert!(close(g.buckets[2].weight_share.unwrap(), 0.5));
    let t = table(std::slice::from_ref(g));
    assert!(t.contains("(modified between dumps)"), "{t}");
}

#[test]
fn counters_that_restart_after_a_modify_have_no_rate() {
    // Bucket 1 removed and inserted again within the interval: same definition as before, its
    // counters restarted at zero (lower than before). The group totals survive.
    let prev = at(
        group(SELECT_1_3, 10, (1000, 60000), &[(250, 15000), (750, 45000)]),
        0.0,
    );
    let cur = at(
        group(SELECT_1_3, 11, (1010, 60600), &[(255, 15300), (5, 300)]),
        1.0,
    );
    let g = &compute(&prev, &cur)[0];
    assert_eq!(g.change, GroupChange::Reset);
    assert!(close(g.rate.unwrap().packets, 10.0));
    assert_eq!(g.buckets[0].change, BucketChange::Same);
    assert!(close(g.buckets[0].rate.unwrap().packets, 5.0));
    assert_eq!(g.buckets[1].change, BucketChange::Restarted);
    assert_eq!(g.buckets[1].rate, None);
    assert_eq!(g.buckets[1].share, None);
    for text in [
        table(std::slice::from_ref(g)),
        lines("00:00:01", std::slice::from_ref(g)),
    ] {
        assert!(text.contains("restarted"), "{text}");
        assert!(no_negative_number(&text), "{text}");
    }
}

#[test]
fn a_modify_that_restarts_counters_is_modified_and_has_no_negative_rate() {
    // A modify that renumbers buckets: bucket ids 0 and 1 now name other buckets whose
    // counters are lower than those ids had.
    let modified = "group_id=1,type=select,bucket=bucket_id:0,weight:2,actions=output:5,bucket=bucket_id:1,weight:2,actions=output:6";
    let prev = at(
        group(SELECT_1_3, 10, (1000, 60000), &[(250, 15000), (750, 45000)]),
        0.0,
    );
    let cur = at(
        group(modified, 11, (1004, 60240), &[(300, 18000), (2, 120)]),
        1.0,
    );
    let g = &compute(&prev, &cur)[0];
    assert_eq!(g.change, GroupChange::Modified);
    assert_eq!(g.buckets[1].change, BucketChange::Restarted);
    assert!(g
        .buckets
        .iter()
        .filter_map(|b| b.rate)
        .all(|r| r.packets >= 0.0 && r.bytes >= 0.0));
}

#[test]
fn stats_reset_and_recreated_groups() {
    // An explicit reset: every counter lower, same definition, duration goes on.
    let prev = at(
        group(SELECT_1_3, 10, (1000, 60000), &[(250, 15000), (750, 45000)]),
        0.0,
    );
    let reset = at(group(SELECT_1_3, 11, (4, 240), &[(1, 60), (3, 180)]), 1.0);
    let g = &compute(&prev, &reset)[0];
    assert_eq!(g.change, GroupChange::Reset);
    assert_eq!(g.rate, None);
    assert!(g
        .buckets
        .iter()
        .all(|b| b.change == BucketChange::Restarted && b.rate.is_none()));

    // Deleted and added again: the duration went back. Counters may even be higher than
    // before; they are still not a rate.
    let again = at(
        group(
            SELECT_1_3,
            0,
            (2000, 120000),
            &[(500, 30000), (1500, 90000)],
        ),
        1.0,
    );
    let g = &compute(&prev, &again)[0];
    assert_eq!(g.change, GroupChange::Recreated);
    assert_eq!(g.rate, None);
    assert!(g.buckets.iter().all(|b| b.rate.is_none()));
    let t = table(std::slice::from_ref(g));
    assert!(
        t.contains("no rate this interval  total 2000 packets"),
        "{t}"
    );
    assert!(t.contains("(recreated between dumps)"), "{t}");
    let j = json_lines(0.0, std::slice::from_ref(g));
    assert_eq!(j[0]["change"], "recreated");
    assert!(j[0]["packets-per-s"].is_null());
}

#[test]
fn new_groups_and_other_types() {
    let prev = at(group(SELECT_1_3, 10, (0, 0), &[(0, 0), (0, 0)]), 0.0);
    let mut cur = group(SELECT_1_3, 11, (10, 600), &[(2, 120), (8, 480)]);
    push(
        &mut cur,
        "group_id=7,type=all,bucket=bucket_id:0,actions=output:1,bucket=bucket_id:1,actions=output:2",
        1,
        (3, 180),
        &[(3, 180), (3, 180)],
    );
    let r = compute(&prev, &at(cur, 0.5));
    assert_eq!(r.len(), 2);
    assert!(close(r[0].rate.unwrap().packets, 20.0));
    assert_eq!(r[1].change, GroupChange::New);
    assert_eq!(r[1].rate, None);
    // An `all` group has no weights: no weight share.
    assert_eq!(r[1].buckets[0].weight, None);
    assert_eq!(r[1].buckets[0].weight_share, None);
    assert_eq!(r[1].buckets[0].change, BucketChange::New);
    let l = lines("12:00:00", &r);
    assert_eq!(l.lines().count(), 2 + 4, "{l}");
    assert!(
        l.contains("12:00:00 group_id=7 type=all change=new packets_per_s=-"),
        "{l}"
    );
}

#[test]
fn a_deleted_group_disappears() {
    let prev = at(group(SELECT_1_3, 10, (0, 0), &[(0, 0), (0, 0)]), 0.0);
    let r = compute(&prev, &at(Sample::default(), 1.0));
    assert!(r.is_empty());
    assert!(table(&r).contains("no groups"));
}

#[test]
fn bars_and_numbers() {
    assert_eq!(bar(Some(0.25), Some(0.25), 20), "[####|               ]");
    assert_eq!(bar(Some(0.5), Some(0.25), 8), "[#|##    ]");
    assert_eq!(bar(None, Some(0.75), 4), "[  | ]");
    assert_eq!(bar(Some(1.0), None, 4), "[####]");
    assert_eq!(bar(Some(0.0), Some(0.01), 4), "[|   ]");
    assert_eq!(human(0.0), "0");
    assert_eq!(human(12.34), "12.3");
    assert_eq!(human(999.0), "999");
    assert_eq!(human(1234.0), "1.23k");
    assert_eq!(human(45_600_000.0), "45.6M");
}
