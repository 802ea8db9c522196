//! ovs-ofctl group syntax: every reference example parses, formatting is stable, bad input gets a
//! message naming the token and its position.

use ofgroup_logic::hash::HashField;
use ofgroup_logic::model::{Action, BucketPos, GroupType};
use ofgroupctl::format::{format_features, format_group, format_stats, Features, GroupStats};
use ofgroupctl::parse::{parse_batch_line, parse_group, Expect};
use ofgroupctl::spec::{BatchCommand, Bucket, Group, GroupId};
use proptest::prelude::*;

const EXAMPLES: &[(&str, Expect)] = &[
    ("group_id=1234,type=select,selection_method=hash,fields(eth_dst,ip_dst,tcp_dst),bucket=bucket_id:0,weight:5,watch_port:10,watch_group:2,actions=output:10,bucket=bucket_id:1,weight:3,actions=output:11", Expect::Add),
    ("group_id=1234,type=select,selection_method=hash,fields(eth_dst),bucket=bucket_id:0,weight:5,watch_port:10,actions=output:10,bucket=bucket_id:1,weight=5,actions=output:11", Expect::Add),
    (" group_id=1234,type=select,bucket=bucket_id:0,actions=output:10,bucket=bucket_id:1,actions=output:11", Expect::Add),
    ("group_id=1234,type=select,bucket=output:10", Expect::Add),
    ("group_id=1,type=all,bucket=output:1,bucket=output:2", Expect::Add),
    ("group_id=1,type=ff,bucket=watch_port:1,output:1,bucket=watch_port:2,output:2", Expect::Add),
    ("group_id=1,type=fast_failover,bucket=watch_group:7,actions=output:1", Expect::Add),
    ("group_id=2,type=indirect,bucket=actions=group:123", Expect::Add),
    ("group_id=3,type=select,selection_method=hash,selection_method_param=7,fields(ip_src,udp_dst),bucket=weight=2000,output:1,bucket=weight=0,output:2", Expect::Add),
    ("group_id=4,type=all,bucket=actions=drop", Expect::Add),
    ("group_id=1234,command_bucket_id=first,bucket=bucket_id:5,actions=output:5", Expect::Insert),
    ("group_id=1234,command_bucket_id=last,bucket=output:6", Expect::Insert),
    ("group_id=1234,command_bucket_id=1,bucket=bucket_id:9,output:9", Expect::Insert),
    ("group_id=1234,command_bucket_id=all", Expect::Remove),
    ("group_id=1234,command_bucket_id=7", Expect::Remove),
    ("group_id=1234", Expect::Remove),
    ("group_id=1234", Expect::Delete),
    ("group_id=all", Expect::Delete),
    ("", Expect::Delete),
    ("group_id=0x10,type=select,bucket=output:0x20", Expect::Add),
];

#[test]
fn every_example_parses_and_formats_stably() {
    for &(text, expect) in EXAMPLES {
        let g = parse_group(text, expect).unwrap_or_else(|e| panic!("{text}: {e}"));
        let once = format_group(&g);
        let again = parse_group(&once, expect).unwrap_or_else(|e| panic!("{once}: {e}"));
        assert_eq!(again, g, "{text}");
        assert_eq!(format_group(&again), once, "{text}");
    }
}

#[test]
fn parses_the_reference_example_exactly() {
    let g = parse_group(EXAMPLES[0].0, Expect::Add).unwrap();
    assert_eq!(g.group_id, Some(GroupId::Id(1234)));
    assert_eq!(g.group_type, Some(GroupType::Select));
    assert!(g.selection_method);
    assert_eq!(
        g.fields,
        [HashField::EthDst, HashField::IpDst, HashField::L4Dst]
    );
    assert_eq!(
        g.buckets[0],
        Bucket {
            bucket_id: Some(0),
            weight: Some(5),
            watch_port: Some(10),
            watch_group: Some(2),
            actions: vec![Action::Output(10)]
        }
    );
    assert_eq!(g.buckets[1].weight, Some(3));
    // weight:5 and weight=5 mean the same; ff and fast_failover too.
    let b = parse_group(EXAMPLES[1].0, Expect::Add).unwrap();
    assert_eq!(b.buckets[0].weight, b.buckets[1].weight);
    let ff = parse_group(
        "group_id=1,type=ff,bucket=watch_port:1,output:1",
        Expect::Add,
    )
    .unwrap();
    let ff2 = parse_group(
        "group_id=1,type=fast_failover,bucket=watch_port:1,output:1",
        Expect::Add,
    )
    .unwrap();
    assert_eq!(ff, ff2);
    // actions= omitted: the bucket's non-field tokens are its actions, in order.
    let g = parse_group(
        "group_id=1,type=select,bucket=output:1,group:2,output:4",
        Expect::Add,
    )
    .unwrap();
    assert_eq!(
        g.buckets[0].actions,
        [Action::Output(1), Action::Group(2), Action::Output(4)]
    );
    let ins = parse_group(EXAMPLES[12].0, Expect::Insert).unwrap();
    assert_eq!(ins.command_bucket_id, Some(BucketPos::Id(1)));
    let rem = parse_group("group_id=1234", Expect::Remove).unwrap();
    assert_eq!(rem.command_bucket_id, Some(BucketPos::All));
    let ins = parse_group("group_id=5,bucket=output:1", Expect::Insert).unwrap();
    assert_eq!(ins.command_bucket_id, Some(BucketPos::Last));
    assert_eq!(
        parse_group("group_id=all", Expect::Delete)
            .unwrap()
            .group_id,
        Some(GroupId::All)
    );
}

fn err(text: &str, expect: Expect) -> (String, String, usize) {
    let e = parse_group(text, expect).expect_err(text);
    (e.message, e.token, e.position)
}

#[test]
fn bad_strings_get_precise_messages() {
    let (m, t, p) = err("group_id=1,type=selct,bucket=output:1", Expect::Add);
    assert!(m.contains("unknown group type 'selct'"), "{m}");
    assert_eq!((t.as_str(), p), ("type=selct", 12));
    let (m, t, p) = err(
        "group_id=1,type=select,bucket=weight:x,output:1",
        Expect::Add,
    );
    assert!(m.contains("weight must be a number"), "{m}");
    assert_eq!((t.as_str(), p), ("weight:x", 31));
    let (m, _, _) = err(
        "group_id=1,type=select,bucket=weight:70000,output:1",
        Expect::Add,
    );
    assert!(m.contains("weight out of range"), "{m}");
    let (m, t, _) = err(
        "group_id=1,type=all,bucket=output:1,set_field:1->reg0",
        Expect::Add,
    );
    assert!(m.contains("unknown action"), "{m}");
    assert_eq!(t, "set_field:1->reg0");
    let (m, _, _) = err("group_id=1,type=all,bucket=output:0", Expect::Add);
    assert!(m.contains("output port must be 1 or more"), "{m}");
    let (m, _, _) = err("group_id=4294967041,type=all", Expect::Add);
    assert!(m.contains("group_id out of range"), "{m}");
    let (m, t, p) = err(
        "group_id=1,type=select,fields(eth_dst,bogus),bucket=output:1",
        Expect::Add,
    );
    assert!(m.contains("unknown hash field 'bogus'"), "{m}");
    assert_eq!((t.as_str(), p), ("fields(eth_dst,bogus)", 24));
    let (m, _, _) = err(
        "group_id=1,type=select,selection_method=dp_hash",
        Expect::Add,
    );
    assert!(
        m.contains("selection_method 'dp_hash' is not supported"),
        "{m}"
    );
    let (m, _, _) = err("type=all,bucket=output:1", Expect::Add);
    assert!(m.contains("missing group_id"), "{m}");
    let (m, _, _) = err("group_id=1,bucket=output:1", Expect::Add);
    assert!(m.contains("missing type"), "{m}");
    let (m, _, _) = err("group_id=1,type=all,fields(ip_dst)", Expect::Add);
    assert!(m.contains("type=select"), "{m}");
    let (m, t, _) = err(
        "group_id=1,type=all,bucket=output:1,type=select",
        Expect::Add,
    );
    assert!(m.contains("must come before the first bucket"), "{m}");
    assert_eq!(t, "type=select");
    let (m, _, _) = err(
        "group_id=1,type=all,bucket=bucket_id:1,bucket_id:2,output:1",
        Expect::Add,
    );
    assert!(m.contains("given twice"), "{m}");
    let (m, _, _) = err("group_id=1,bucket=output:1", Expect::Remove);
    assert!(m.contains("takes no buckets"), "{m}");
    let (m, _, _) = err(
        "group_id=1,command_bucket_id=all,bucket=output:1",
        Expect::Insert,
    );
    assert!(m.contains("other than 'all'"), "{m}");
    let (m, _, _) = err("group_id=1,type=all", Expect::Delete);
    assert!(m.contains("'type' is not allowed"), "{m}");
    let (m, _, _) = err("group_id=all,type=all", Expect::Add);
    assert!(m.contains("not allowed"), "{m}");
    let (m, t, _) = err("group_id=1,color=red", Expect::Delete);
    assert!(m.contains("unknown group field 'color'"), "{m}");
    assert_eq!(t, "color=red");
    // Display puts it together.
    let e = parse_group("group_id=1,type=selct", Expect::Add).unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown group type 'selct' (all, select, indirect, ff, fast_failover) (at position 12: 'type=selct')"
    );
}

#[test]
fn batch_lines() {
    assert_eq!(parse_batch_line("  # comment").unwrap(), None);
    assert_eq!(parse_batch_line("").unwrap(), None);
    let (c, g) = parse_batch_line("group_id=1,type=all,bucket=output:1")
        .unwrap()
        .unwrap();
    assert_eq!((c, g.group_id), (BatchCommand::Add, Some(GroupId::Id(1))));
    for (kw, cmd) in BatchCommand::ALL.iter().map(|(c, k)| (*k, *c)) {
        let rest = match cmd {
            BatchCommand::Add | BatchCommand::Modify | BatchCommand::AddOrMod => {
                "group_id=1,type=all,bucket=output:1"
            }
            BatchCommand::Delete | BatchCommand::RemoveBucket => "group_id=1",
            BatchCommand::InsertBucket => "group_id=1,bucket=output:2",
        };
        let (c, _) = parse_batch_line(&format!("{kw} {rest}")).unwrap().unwrap();
        assert_eq!(c, cmd);
        assert_eq!(c.keyword(), kw);
    }
    let e = parse_batch_line("frobnicate group_id=1").unwrap_err();
    assert!(e.message.contains("unknown command 'frobnicate'"));
    assert_eq!(e.position, 1);
    // Positions count from the start of the line, past the command word.
    let e = parse_batch_line("modify group_id=1,type=nope").unwrap_err();
    assert_eq!((e.token.as_str(), e.position), ("type=nope", 19));
}

#[test]
fn stats_and_features_shapes() {
    let s = GroupStats {
        group_id: 1234,
        duration_ns: 1_234_567_890,
        ref_count: 1,
        packets: 3,
        bytes: 180,
        buckets: vec![(3, 180), (0, 0)],
    };
    assert_eq!(
        format_stats(&s),
        "group_id=1234,duration=1.234s,ref_count=1,packet_count=3,byte_count=180,bucket0:packet_count=3,byte_count=180,bucket1:packet_count=0,byte_count=0"
    );
    let f = Features {
        types: 0xf,
        capabilities: 0xf,
        max_groups: vec![0x100000; 4],
        max_buckets: 1024,
        actions: 3,
        max_actions: 32,
        work_budget: 4096,
    };
    let text = format_features(&f);
    assert!(text.contains("       max_actions=32\n"), "{text}");
    assert!(
        text.ends_with("    Work budget:  4096 units per frame\n"),
        "{text}"
    );
    assert!(
        text.starts_with("Group table:\n    Types:  0xf\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "Capabilities:  0xf          (select_weight|select_liveness|chaining|chaining_checks)"
        ),
        "{text}"
    );
    assert!(
        text.contains("    select group:\n       max_groups=0x100000\n"),
        "{text}"
    );
    assert!(text.contains("actions: output group"), "{text}");
}

fn arb_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        (1u32..=0xffff_ff00).prop_map(Action::Output),
        (0u32..=0xffff_ff00).prop_map(Action::Group)
    ]
}

fn arb_bucket() -> impl Strategy<Value = Bucket> {
    (
        proptest::option::of(0u32..=0xffff_ff00),
        proptest::option::of(any::<u16>()),
        proptest::option::of(0u32..=0xffff_ff00),
        proptest::option::of(0u32..=0xffff_ff00),
        prop::collection::vec(arb_action(), 0..4),
    )
        .prop_map(
            |(bucket_id, weight, watch_port, watch_group, actions)| Bucket {
                bucket_id,
                weight,
                watch_port,
                watch_group,
                actions,
            },
        )
}

proptest! {
    #[test]
    fn parse_inverts_format(
        id in 0u32..=0xffff_ff00,
        t in 0usize..4,
        select_extras in (any::<bool>(), proptest::option::of(any::<u32>()), prop::sample::subsequence(HashField::ALL.to_vec(), 0..4)),
        buckets in prop::collection::vec(arb_bucket(), 0..5),
    ) {
        let group_type = GroupType::ALL[t];
        let (sm, basis, fields) = if group_type == GroupType::Select { select_extras } else { (false, None, vec![]) };
        let g = Group { group_id: Some(GroupId::Id(id)), group_type: Some(group_type), selection_method: sm, fields, basis, command_bucket_id: None, buckets };
        let text = format_group(&g);
        let back = parse_group(&text, Expect::Add).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&back, &g);
        prop_assert_eq!(format_group(&back), text);
    }
}
