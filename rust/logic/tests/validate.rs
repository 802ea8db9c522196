//! Every validation error, with its errno and a message naming group, bucket and field.

use ofgroup_logic::error::{errno, ErrorKind as K};
use ofgroup_logic::hash::{FieldSet, HashField};
use ofgroup_logic::model::*;
use ofgroup_logic::validate::*;

const OUT1: &[Action] = &[Action::Output(1)];

fn spec<'a>(id: u32, t: GroupType, b: &'a [BucketSpec<'a>]) -> GroupSpec<'a> {
    GroupSpec {
        id,
        group_type: t,
        fields: FieldSet(0),
        basis: 0,
        buckets: b,
    }
}

fn kind(s: &GroupSpec<'_>) -> Option<K> {
    validate_group(s, 64).err().map(|e| e.kind)
}

#[test]
fn good_groups_pass() {
    let b = [
        BucketSpec::new(OUT1),
        BucketSpec {
            weight: Some(5),
            ..BucketSpec::new(OUT1)
        },
    ];
    assert_eq!(kind(&spec(1, GroupType::Select, &b)), None);
    assert_eq!(kind(&spec(OFPG_MAX, GroupType::All, &b[..1])), None);
    assert_eq!(
        kind(&spec(2, GroupType::All, &[])),
        None,
        "empty all group is fine"
    );
    let ff = [
        BucketSpec {
            watch_port: Some(3),
            ..BucketSpec::new(OUT1)
        },
        BucketSpec {
            watch_group: Some(9),
            ..BucketSpec::new(OUT1)
        },
    ];
    assert_eq!(kind(&spec(3, GroupType::FastFailover, &ff)), None);
    let zero_w = [BucketSpec {
        weight: Some(0),
        ..BucketSpec::new(OUT1)
    }];
    assert_eq!(
        kind(&spec(4, GroupType::All, &zero_w)),
        None,
        "weight 0 is no weight"
    );
}

#[test]
fn each_error_is_detected_with_errno_and_message() {
    let one = [BucketSpec::new(OUT1)];
    let e = validate_group(&spec(OFPG_MAX + 1, GroupType::All, &one), 64).unwrap_err();
    assert_eq!((e.kind, e.errno()), (K::InvalidGroup, errno::EINVAL));
    assert!(
        e.to_string()
            .starts_with("INVALID_GROUP: group 4294967041: group_id:"),
        "{e}"
    );

    let two = [BucketSpec::new(OUT1), BucketSpec::new(OUT1)];
    assert_eq!(
        kind(&spec(1, GroupType::Indirect, &two)),
        Some(K::InvalidGroup)
    );
    assert_eq!(
        kind(&spec(1, GroupType::Indirect, &[])),
        Some(K::InvalidGroup)
    );

    let w = [BucketSpec {
        bucket_id: Some(7),
        weight: Some(5),
        ..BucketSpec::new(OUT1)
    }];
    let e = validate_group(&spec(10, GroupType::All, &w), 64).unwrap_err();
    assert_eq!(e.kind, K::InvalidGroup);
    assert_eq!(
        e.to_string(),
        "INVALID_GROUP: group 10 bucket 7: weight: only select groups have weights"
    );

    let watch = [BucketSpec {
        watch_port: Some(2),
        ..BucketSpec::new(OUT1)
    }];
    let e = validate_group(&spec(1, GroupType::All, &watch), 64).unwrap_err();
    assert_eq!(
        (e.kind, e.errno()),
        (K::WatchUnsupported, errno::EOPNOTSUPP)
    );
    assert_eq!(
        kind(&spec(1, GroupType::Indirect, &watch)),
        Some(K::WatchUnsupported)
    );
    assert_eq!(
        kind(&spec(1, GroupType::Select, &watch)),
        None,
        "select buckets may watch"
    );

    let nowatch = [BucketSpec::new(OUT1)];
    let e = validate_group(&spec(5, GroupType::FastFailover, &nowatch), 64).unwrap_err();
    assert_eq!(e.kind, K::BadWatch);
    assert!(e.to_string().contains("bucket #0"), "{e}");

    let dup = [
        BucketSpec {
            bucket_id: Some(3),
            ..BucketSpec::new(OUT1)
        },
        BucketSpec {
            bucket_id: Some(3),
            ..BucketSpec::new(OUT1)
        },
    ];
    let e = validate_group(&spec(1, GroupType::All, &dup), 64).unwrap_err();
    assert_eq!(e.kind, K::BadBucket);
    assert!(e.to_string().contains("duplicate bucket_id"));

    let big = [BucketSpec {
        bucket_id: Some(BUCKET_MAX + 1),
        ..BucketSpec::new(OUT1)
    }];
    assert_eq!(kind(&spec(1, GroupType::All, &big)), Some(K::BadBucket));

    let many = [BucketSpec::new(OUT1); 65];
    let e = validate_group(&spec(1, GroupType::All, &many), 64).unwrap_err();
    assert_eq!((e.kind, e.errno()), (K::OutOfBuckets, errno::ENOSPC));

    for bad in [
        &[Action::Output(0)][..],
        &[Action::Output(OFPP_MAX + 1)],
        &[Action::Group(OFPG_MAX + 1)],
    ] {
        let b = [BucketSpec::new(bad)];
        assert_eq!(
            kind(&spec(1, GroupType::All, &b)),
            Some(K::BadBucket),
            "{bad:?}"
        );
    }
    let acts = [Action::Output(1); MAX_ACTIONS + 1];
    let e = validate_group(&spec(1, GroupType::All, &[BucketSpec::new(&acts)]), 64).unwrap_err();
    assert_eq!((e.kind, e.errno()), (K::TooMany, errno::E2BIG));
    assert_eq!(
        e.to_string(),
        "TOO_MANY: group 1 bucket #0: actions: too many actions (max 32)"
    );

    let selfref = [BucketSpec::new(&[Action::Group(8)])];
    let e = validate_group(&spec(8, GroupType::All, &selfref), 64).unwrap_err();
    assert_eq!((e.kind, e.errno()), (K::Loop, errno::ELOOP));
    let selfwatch = [BucketSpec {
        watch_group: Some(8),
        ..BucketSpec::new(OUT1)
    }];
    assert_eq!(
        kind(&spec(8, GroupType::FastFailover, &selfwatch)),
        Some(K::Loop)
    );

    let badport = [BucketSpec {
        watch_port: Some(0),
        ..BucketSpec::new(OUT1)
    }];
    assert_eq!(
        kind(&spec(1, GroupType::FastFailover, &badport)),
        Some(K::BadWatch)
    );
    let badgroup = [BucketSpec {
        watch_group: Some(OFPG_ALL),
        ..BucketSpec::new(OUT1)
    }];
    assert_eq!(
        kind(&spec(1, GroupType::FastFailover, &badgroup)),
        Some(K::BadWatch)
    );

    let mut s = spec(1, GroupType::All, &one);
    s.fields = FieldSet(HashField::IpDst.bit());
    assert_eq!(kind(&s), Some(K::InvalidGroup), "fields outside select");
    s.group_type = GroupType::Select;
    assert_eq!(kind(&s), None);
    s.fields = FieldSet(1 << 20);
    assert_eq!(kind(&s), Some(K::InvalidGroup), "unknown field bit");
}

#[test]
fn bucket_ids_are_assigned_in_order() {
    let b = [BucketSpec::new(OUT1); 3];
    let mut out = [0; 3];
    assign_bucket_ids(1, &[], &b, &mut out).unwrap();
    assert_eq!(out, [0, 1, 2]);
    let mixed = [
        BucketSpec::new(OUT1),
        BucketSpec {
            bucket_id: Some(10),
            ..BucketSpec::new(OUT1)
        },
        BucketSpec::new(OUT1),
    ];
    assign_bucket_ids(1, &[], &mixed, &mut out).unwrap();
    assert_eq!(out, [0, 10, 11]);
    assign_bucket_ids(1, &[4, 2], &b, &mut out).unwrap();
    assert_eq!(out, [5, 6, 7]);
    let e = assign_bucket_ids(1, &[4, 10], &mixed, &mut out).unwrap_err();
    assert_eq!((e.kind, e.errno()), (K::BucketExists, errno::EEXIST));
    let e = assign_bucket_ids(1, &[BUCKET_MAX], &b, &mut out).unwrap_err();
    assert_eq!(e.kind, K::OutOfBuckets);
}

#[test]
fn bucket_commands() {
    let ids = [0, 1, 2];
    assert_eq!(insert_index(1, &ids, BucketPos::First), Ok(0));
    assert_eq!(insert_index(1, &ids, BucketPos::Last), Ok(3));
    assert_eq!(insert_index(1, &ids, BucketPos::Id(2)), Ok(2));
    assert_eq!(
        insert_index(1, &ids, BucketPos::Id(9)).unwrap_err().kind,
        K::UnknownBucket
    );
    assert_eq!(
        insert_index(1, &ids, BucketPos::All).unwrap_err().kind,
        K::BadCommand
    );
    assert_eq!(remove_range(1, &ids, BucketPos::First), Ok(0..1));
    assert_eq!(remove_range(1, &ids, BucketPos::Last), Ok(2..3));
    assert_eq!(remove_range(1, &ids, BucketPos::All), Ok(0..3));
    assert_eq!(remove_range(1, &ids, BucketPos::Id(1)), Ok(1..2));
    assert_eq!(
        remove_range(1, &ids, BucketPos::Id(7)).unwrap_err().kind,
        K::UnknownBucket
    );
    for p in [BucketPos::First, BucketPos::Last, BucketPos::All] {
        assert_eq!(
            remove_range(1, &[], p),
            Ok(0..0),
            "{p:?} on an empty group succeeds"
        );
    }
    for v in [BUCKET_FIRST, BUCKET_LAST, BUCKET_ALL, 0, 77, BUCKET_MAX] {
        assert_eq!(BucketPos::from_u32(v).unwrap().to_u32(), v);
    }
    assert_eq!(BucketPos::from_u32(BUCKET_MAX + 1), None);
}

#[test]
fn weights_default_by_type() {
    let b = BucketSpec::new(OUT1);
    assert_eq!(effective_weight(GroupType::Select, &b), 1);
    assert_eq!(effective_weight(GroupType::All, &b), 0);
    let w = BucketSpec {
        weight: Some(0),
        ..b
    };
    assert_eq!(effective_weight(GroupType::Select, &w), 0);
}

#[test]
fn type_names() {
    for t in GroupType::ALL {
        assert_eq!(GroupType::from_name(t.name()), Some(t));
        assert_eq!(GroupType::from_u32(t as u32), Some(t));
    }
    assert_eq!(
        GroupType::from_name("fast_failover"),
        Some(GroupType::FastFailover)
    );
    assert_eq!(GroupType::from_name("bogus"), None);
}

#[test]
fn flow_output_ports() {
    for ok in [1, 2, OFPP_MAX] {
        assert_eq!(check_flow_action(&Action::Output(ok)), Ok(()));
    }
    for bad in [0, OFPP_MAX + 1, OFPP_ANY] {
        let e = check_flow_action(&Action::Output(bad)).unwrap_err();
        assert_eq!(e, BadOutPort(bad));
        assert_eq!(e.errno(), errno::EINVAL);
        assert_eq!(
            e.to_string(),
            format!("BAD_OUT_PORT: flow: output:{bad} is not a port number (1..4294967040)")
        );
    }
    // Group actions are checked against the table, not here.
    assert_eq!(check_flow_action(&Action::Group(0)), Ok(()));
    assert_eq!(check_flow_action(&Action::Group(OFPG_ANY)), Ok(()));
}

#[test]
fn module_limits_are_range_checked() {
    assert_eq!(check_limits(1, 1, 1), Ok(()));
    assert_eq!(check_limits(1_048_576, 1024, 1_048_576), Ok(()));
    assert_eq!(
        check_limits(OFPG_MAX + 1, MAX_BUCKETS_LIMIT, MAX_FLOWS_LIMIT),
        Ok(())
    );
    assert!(check_limits(0, 1024, 16)
        .unwrap_err()
        .contains("max_groups"));
    assert!(check_limits(OFPG_MAX + 2, 1024, 16)
        .unwrap_err()
        .contains("max_groups"));
    assert!(check_limits(u32::MAX, 1024, 16)
        .unwrap_err()
        .contains("max_groups"));
    assert!(check_limits(16, 0, 16).unwrap_err().contains("max_buckets"));
    assert!(check_limits(16, MAX_BUCKETS_LIMIT + 1, 16)
        .unwrap_err()
        .contains("max_buckets"));
    assert!(check_limits(16, 16, 0).unwrap_err().contains("max_flows"));
    assert!(check_limits(16, 16, MAX_FLOWS_LIMIT + 1)
        .unwrap_err()
        .contains("max_flows"));
}
