//! ovs-ofctl flow syntax: every example parses, formatting is canonical and stable, bad input gets
//! a message naming the token and its position, and the match nest round-trips.

use ofgroup_abi::match_nest::{self, MATCH_NEST_MAX};
use ofgroup_abi::wire::{AttrBuf, AttrSink, Attrs};
use ofgroup_abi::{cmd, flow_attr, match_attr as ma, wire};
use ofgroup_logic::model::Action;
use ofgroupctl::flow::{
    format_flow, format_flow_stats, format_match, parse_flow, parse_flow_line, Flow, FlowCommand,
    FlowStats, IpMasked, MatchSpec, DEFAULT_PRIORITY,
};
use ofgroupctl::nl::encode_flow_request;
use ofgroupctl::port::{format_dp, format_port, DpStats, Port};
use proptest::prelude::*;

/// The match nest ofgroupctl sends (the shared codec's encoder).
fn match_nest_of(m: &MatchSpec) -> AttrBuf<MATCH_NEST_MAX> {
    let mut b = AttrBuf::new();
    match_nest::put(&mut b, m).unwrap();
    b
}

/// The match nest's attributes, (number, payload).
fn match_attrs(m: &MatchSpec) -> Vec<(u16, Vec<u8>)> {
    let b = match_nest_of(m);
    Attrs::new(b.as_bytes())
        .map(|a| (a.kind, a.payload.to_vec()))
        .collect()
}

/// Through the encoder and the decoder the kernel uses (`match_nest::parse`), and back.
fn through_the_kernels_decoder(m: &MatchSpec) -> MatchSpec {
    match_nest::parse(Attrs::new(match_nest_of(m).as_bytes())).unwrap()
}

/// (input, canonical `format_flow` output).
const EXAMPLES: &[(&str, &str)] = &[
    (
        "priority=10,in_port=1,ip,nw_dst=10.0.0.0/24,actions=group:1234",
        "priority=10,ip,in_port=1,nw_dst=10.0.0.0/24 actions=group:1234",
    ),
    ("actions=drop", "actions=drop"),
    ("actions=", "actions=drop"),
    ("priority=32768,actions=output:1", "actions=output:1"),
    ("priority=0 actions=1,2", "priority=0 actions=output:1,output:2"),
    (
        "in_port=1,actions=output:2,group:7",
        "in_port=1 actions=output:2,group:7",
    ),
    // Values are masked, prefixes print as /N, non-prefix masks in full.
    (
        "ip,nw_dst=10.0.0.1/24,actions=output:2",
        "ip,nw_dst=10.0.0.0/24 actions=output:2",
    ),
    (
        "ip,nw_src=10.1.2.3/255.255.255.0,nw_dst=10.0.0.2/32,actions=drop",
        "ip,nw_src=10.1.2.0/24,nw_dst=10.0.0.2 actions=drop",
    ),
    (
        "ip,nw_src=10.1.2.3/255.0.255.0,actions=drop",
        "ip,nw_src=10.0.2.0/255.0.255.0 actions=drop",
    ),
    (
        "ip_src=192.168.0.1,ip,actions=drop",
        "ip,nw_src=192.168.0.1 actions=drop",
    ),
    // Explicit types become shorthands.
    (
        "dl_type=0x0800,nw_proto=6,tp_dst=80,actions=1",
        "tcp,tp_dst=80 actions=output:1",
    ),
    (
        "eth_type=2048,ip_proto=17,udp_src=53,actions=1",
        "udp,tp_src=53 actions=output:1",
    ),
    ("ip,nw_proto=47,actions=drop", "ip,nw_proto=47 actions=drop"),
    ("dl_type=0x88cc,actions=drop", "dl_type=0x88cc actions=drop"),
    ("arp,actions=output:1", "arp actions=output:1"),
    (
        "tcp,tcp_src=1000,tcp_dst=2000,actions=drop",
        "tcp,tp_src=1000,tp_dst=2000 actions=drop",
    ),
    (
        "sctp,sctp_dst=9,actions=drop",
        "sctp,tp_dst=9 actions=drop",
    ),
    (
        "icmp,icmp_type=8,icmp_code=0,actions=drop",
        "icmp,icmp_type=8,icmp_code=0 actions=drop",
    ),
    // Ethernet, with and without masks; eth_ and dl_ spellings.
    (
        "dl_src=50:54:00:00:00:05,eth_dst=50:54:00:00:00:00,actions=drop",
        "dl_src=50:54:00:00:00:05,dl_dst=50:54:00:00:00:00 actions=drop",
    ),
    (
        "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,actions=drop",
        "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=drop",
    ),
    (
        "dl_src=AA:BB:CC:DD:EE:FF/ff:ff:ff:00:00:00,actions=drop",
        "dl_src=aa:bb:cc:00:00:00/ff:ff:ff:00:00:00 actions=drop",
    ),
    (
        "dl_vlan=10,ip,actions=drop",
        "ip,dl_vlan=10 actions=drop",
    ),
    ("vlan_vid=4095,actions=drop", "dl_vlan=4095 actions=drop"),
    // IPv6.
    (
        "ipv6,ipv6_src=fd00::1/64,ipv6_dst=fd00::2,actions=group:1",
        "ipv6,ipv6_src=fd00::/64,ipv6_dst=fd00::2 actions=group:1",
    ),
    (
        "icmp6,icmpv6_type=128,icmpv6_code=0,actions=drop",
        "icmp6,icmpv6_type=128,icmpv6_code=0 actions=drop",
    ),
    (
        "tcp6,tp_dst=443,actions=drop",
        "tcp6,tp_dst=443 actions=drop",
    ),
    ("udp6,udp_dst=53,actions=drop", "udp6,tp_dst=53 actions=drop"),
    ("sctp6,actions=drop", "sctp6 actions=drop"),
    (
        "dl_type=0x86dd,nw_proto=58,actions=drop",
        "icmp6 actions=drop",
    ),
    // Zero masks are wildcards, as in OVS.
    ("ip,nw_src=10.0.0.0/0,actions=drop", "ip actions=drop"),
    // White space separates fields too, so dump-flows lines read back (counters ignored).
    (
        " duration=1.234s, n_packets=3, n_bytes=180, priority=10,ip,in_port=1,nw_dst=10.0.0.0/24 actions=group:1234",
        "priority=10,ip,in_port=1,nw_dst=10.0.0.0/24 actions=group:1234",
    ),
    (
        "priority=5 udp nw_src=10.0.0.1 tp_src=1000 actions=output:3",
        "priority=5,udp,nw_src=10.0.0.1,tp_src=1000 actions=output:3",
    ),
];

#[test]
fn every_example_parses_to_its_canonical_form_stably() {
    for &(text, canonical) in EXAMPLES {
        let f = parse_flow(text, FlowCommand::Add).unwrap_or_else(|e| panic!("{text}: {e}"));
        let once = format_flow(&f);
        assert_eq!(once, canonical, "{text}");
        let again = parse_flow(&once, FlowCommand::Add).unwrap_or_else(|e| panic!("{once}: {e}"));
        assert_eq!(again, f, "{text}");
        assert_eq!(format_flow(&again), once, "{text}");
        // What the kernel sends back decodes to the same match.
        assert_eq!(through_the_kernels_decoder(&f.matches), f.matches, "{text}");
    }
}

#[test]
fn parses_the_reference_example_exactly() {
    let f = parse_flow(EXAMPLES[0].0, FlowCommand::Add).unwrap();
    assert_eq!(f.priority, 10);
    assert_eq!(
        f.matches,
        MatchSpec {
            in_port: Some(1),
            eth_type: Some(0x0800),
            ip_dst: Some(IpMasked::V4([10, 0, 0, 0], [255, 255, 255, 0])),
            ..MatchSpec::default()
        }
    );
    assert_eq!(f.actions, [Action::Group(1234)]);
    let d = parse_flow("actions=drop", FlowCommand::Add).unwrap();
    assert_eq!(d.priority, DEFAULT_PRIORITY);
    assert!(d.matches == MatchSpec::default() && d.actions.is_empty());
    for (short, eth, proto) in [
        ("tcp", 0x0800, Some(6)),
        ("udp6", 0x86dd, Some(17)),
        ("icmp", 0x0800, Some(1)),
        ("icmp6", 0x86dd, Some(58)),
        ("sctp6", 0x86dd, Some(132)),
        ("arp", 0x0806, None),
        ("ipv6", 0x86dd, None),
    ] {
        let f = parse_flow(&format!("{short},actions=drop"), FlowCommand::Add).unwrap();
        assert_eq!(
            (f.matches.eth_type, f.matches.ip_proto),
            (Some(eth), proto),
            "{short}"
        );
    }
}

#[test]
fn match_attributes_are_what_the_kernel_takes() {
    let f = parse_flow(
        "tcp,in_port=3,dl_src=50:54:00:00:00:05,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,nw_src=10.0.0.1,nw_dst=10.0.0.0/8,tp_dst=80,dl_vlan=7,actions=drop",
        FlowCommand::Add,
    )
    .unwrap();
    let attrs = match_attrs(&f.matches);
    let get = |k: u16| attrs.iter().find(|(x, _)| *x == k).map(|(_, b)| b.clone());
    assert_eq!(get(ma::IN_PORT), Some(3u32.to_ne_bytes().to_vec()));
    assert_eq!(get(ma::ETH_SRC), Some(vec![0x50, 0x54, 0, 0, 0, 5]));
    assert_eq!(get(ma::ETH_SRC_MASK), None, "all-ones masks are left out");
    assert_eq!(get(ma::ETH_DST), Some(vec![1, 0, 0, 0, 0, 0]));
    assert_eq!(get(ma::ETH_DST_MASK), Some(vec![1, 0, 0, 0, 0, 0]));
    assert_eq!(get(ma::ETH_TYPE), Some(0x0800u16.to_ne_bytes().to_vec()));
    assert_eq!(get(ma::VLAN_VID), Some(7u16.to_ne_bytes().to_vec()));
    assert_eq!(get(ma::IP_PROTO), Some(vec![6]));
    assert_eq!(get(ma::IP_SRC), Some(vec![10, 0, 0, 1]));
    assert_eq!(get(ma::IP_SRC_MASK), None);
    assert_eq!(get(ma::IP_DST), Some(vec![10, 0, 0, 0]));
    assert_eq!(get(ma::IP_DST_MASK), Some(vec![255, 0, 0, 0]));
    assert_eq!(get(ma::L4_SRC), None);
    assert_eq!(get(ma::L4_DST), Some(80u16.to_ne_bytes().to_vec()));
    let f = parse_flow("ipv6,ipv6_dst=fd00::/16,actions=drop", FlowCommand::Add).unwrap();
    let attrs = match_attrs(&f.matches);
    let dst = attrs.iter().find(|(k, _)| *k == ma::IP_DST).unwrap();
    assert_eq!(dst.1.len(), 16);
    let mask = attrs.iter().find(|(k, _)| *k == ma::IP_DST_MASK).unwrap();
    assert_eq!(&mask.1[..3], &[0xff, 0xff, 0]);
    // A mask of the wrong family is refused when decoding.
    let mut bad = AttrBuf::<64>::new();
    bad.put(ma::IP_SRC, &[10, 0, 0, 1]).unwrap();
    bad.put(ma::IP_SRC_MASK, &[0xff; 16]).unwrap();
    assert!(match_nest::parse(Attrs::new(bad.as_bytes())).is_err());
}

/// The command and top-level attribute types of the request a flow command makes.
fn flow_request(c: FlowCommand, f: &Flow) -> (u8, Vec<u16>) {
    let mut buf = Vec::new();
    encode_flow_request(&mut buf, 0x1d, 0x5, 7, c, f);
    assert_eq!(buf.len() % 4, 0);
    assert_eq!(
        u32::from_ne_bytes(buf[..4].try_into().unwrap()) as usize,
        buf.len()
    );
    let kinds = wire::Attrs::new(&buf[20..]).map(|a| a.kind).collect();
    (buf[16], kinds)
}

#[test]
fn flow_requests_carry_the_right_attributes() {
    let f = parse_flow("priority=5,ip,actions=output:1,group:2", FlowCommand::Add).unwrap();
    let (c, a) = flow_request(FlowCommand::Add, &f);
    assert_eq!(c, cmd::FLOW_NEW);
    assert_eq!(
        a,
        [
            flow_attr::PRIORITY,
            flow_attr::MATCH,
            flow_attr::ACTION,
            flow_attr::ACTION
        ]
    );
    let (c, a) = flow_request(FlowCommand::Modify, &f);
    assert_eq!(c, cmd::FLOW_SET);
    assert_eq!(a, [flow_attr::MATCH, flow_attr::ACTION, flow_attr::ACTION]);
    let (c, a) = flow_request(FlowCommand::ModifyStrict, &f);
    assert_eq!(c, cmd::FLOW_SET);
    assert_eq!(a[0], flow_attr::PRIORITY);
    assert_eq!(*a.last().unwrap(), flow_attr::STRICT);
    let all = parse_flow("", FlowCommand::Delete).unwrap();
    let (c, a) = flow_request(FlowCommand::Delete, &all);
    assert_eq!((c, a.len()), (cmd::FLOW_DEL, 0), "no match: every flow");
    let d = parse_flow("priority=5,ip", FlowCommand::DeleteStrict).unwrap();
    let (_, a) = flow_request(FlowCommand::DeleteStrict, &d);
    assert_eq!(
        a,
        [flow_attr::PRIORITY, flow_attr::MATCH, flow_attr::STRICT]
    );
    // A drop flow has no action attributes.
    let f = parse_flow("actions=drop", FlowCommand::Add).unwrap();
    let (_, a) = flow_request(FlowCommand::Add, &f);
    assert_eq!(a, [flow_attr::PRIORITY]);
}

fn err(text: &str, c: FlowCommand) -> (String, String, usize) {
    let e = parse_flow(text, c).expect_err(text);
    (e.message, e.token, e.position)
}

#[test]
fn bad_strings_get_precise_messages() {
    use FlowCommand::*;
    let cases: &[(&str, FlowCommand, &str, &str, usize)] = &[
        (
            "ip,nw_dts=10.0.0.1,actions=drop",
            Add,
            "unknown field 'nw_dts'",
            "nw_dts=10.0.0.1",
            4,
        ),
        ("ipx,actions=drop", Add, "unknown field 'ipx'", "ipx", 1),
        (
            "in_port=1,in_port=2,actions=drop",
            Add,
            "in_port given twice",
            "in_port=2",
            11,
        ),
        (
            "ip,nw_src=10.0.0.1,ip_src=10.0.0.2,actions=drop",
            Add,
            "ip_src sets the same field as 'nw_src=10.0.0.1' (at position 4)",
            "ip_src=10.0.0.2",
            20,
        ),
        (
            "tcp,udp,actions=drop",
            Add,
            "'udp' conflicts with 'tcp' (at position 1)",
            "udp",
            5,
        ),
        (
            "ipv6,dl_type=0x0800,actions=drop",
            Add,
            "conflicts with 'ipv6'",
            "dl_type=0x0800",
            6,
        ),
        (
            "nw_dst=10.0.0.1,actions=drop",
            Add,
            "nw_dst needs ip (dl_type=0x0800)",
            "nw_dst=10.0.0.1",
            1,
        ),
        (
            "ipv6,nw_dst=10.0.0.1,actions=drop",
            Add,
            "nw_dst needs ip",
            "nw_dst=10.0.0.1",
            6,
        ),
        (
            "ip,ipv6_dst=fd00::1,actions=drop",
            Add,
            "ipv6_dst needs ipv6 (dl_type=0x86dd)",
            "ipv6_dst=fd00::1",
            4,
        ),
        (
            "ip,tp_dst=80,actions=drop",
            Add,
            "tp_dst needs tcp, udp or sctp",
            "tp_dst=80",
            4,
        ),
        (
            "tcp,udp_dst=53,actions=drop",
            Add,
            "udp_dst needs udp or udp6 (nw_proto=17)",
            "udp_dst=53",
            5,
        ),
        (
            "udp,icmp_type=8,actions=drop",
            Add,
            "icmp_type needs icmp",
            "icmp_type=8",
            5,
        ),
        (
            "icmp6,icmp_type=8,actions=drop",
            Add,
            "icmp_type needs icmp",
            "icmp_type=8",
            7,
        ),
        (
            "icmp,icmpv6_type=128,actions=drop",
            Add,
            "icmpv6_type needs icmp6",
            "icmpv6_type=128",
            6,
        ),
        (
            "nw_proto=6,actions=drop",
            Add,
            "nw_proto needs ip or ipv6",
            "nw_proto=6",
            1,
        ),
        (
            "ip,nw_dst=10.0.0.256,actions=drop",
            Add,
            "nw_dst must be an IPv4 address",
            "nw_dst=10.0.0.256",
            4,
        ),
        (
            "ip,nw_dst=10.0.0.0/33,actions=drop",
            Add,
            "nw_dst prefix must be 0 to 32, got '33'",
            "nw_dst=10.0.0.0/33",
            4,
        ),
        (
            "ip,nw_dst=10.0.0.0/255.0.x.0,actions=drop",
            Add,
            "nw_dst mask must be a prefix length or an IPv4 mask",
            "nw_dst=10.0.0.0/255.0.x.0",
            4,
        ),
        (
            "ipv6,ipv6_src=fd00::1/129,actions=drop",
            Add,
            "prefix must be 0 to 128",
            "ipv6_src=fd00::1/129",
            6,
        ),
        (
            "dl_src=50:54:00:00:00,actions=drop",
            Add,
            "dl_src must be an Ethernet address",
            "dl_src=50:54:00:00:00",
            1,
        ),
        (
            "dl_dst=50:54:00:00:00:01/ff:ff,actions=drop",
            Add,
            "dl_dst mask must be an Ethernet address",
            "dl_dst=50:54:00:00:00:01/ff:ff",
            1,
        ),
        (
            "dl_type=0x10000,actions=drop",
            Add,
            "dl_type out of range (at most 65535)",
            "dl_type=0x10000",
            1,
        ),
        (
            "dl_type=0x8100,actions=drop",
            Add,
            "use dl_vlan",
            "dl_type=0x8100",
            1,
        ),
        (
            "dl_vlan=4096,actions=drop",
            Add,
            "dl_vlan out of range (at most 4095)",
            "dl_vlan=4096",
            1,
        ),
        (
            "tcp,tp_dst=65536,actions=drop",
            Add,
            "tp_dst out of range",
            "tp_dst=65536",
            5,
        ),
        (
            "tcp,tp_dst=80/0xff,actions=drop",
            Add,
            "tp_dst takes no mask",
            "tp_dst=80/0xff",
            5,
        ),
        (
            "icmp,icmp_type=256,actions=drop",
            Add,
            "icmp_type out of range (at most 255)",
            "icmp_type=256",
            6,
        ),
        (
            "priority=65536,actions=drop",
            Add,
            "priority out of range",
            "priority=65536",
            1,
        ),
        (
            "priority=x,actions=drop",
            Add,
            "priority must be a number, got 'x'",
            "priority=x",
            1,
        ),
        (
            "in_port=0,actions=drop",
            Add,
            "in_port must be 1 or more",
            "in_port=0",
            1,
        ),
        (
            "in_port=,actions=drop",
            Add,
            "in_port needs a value",
            "in_port=",
            1,
        ),
        (
            "ip,actions=output:1,set_field:1->reg0",
            Add,
            "unknown action 'set_field:1->reg0'",
            "set_field:1->reg0",
            21,
        ),
        (
            "ip,actions=output:0",
            Add,
            "output port must be 1 or more",
            "output:0",
            12,
        ),
        (
            "ip,actions=drop,output:1",
            Add,
            "drop must be the only action",
            "drop",
            12,
        ),
        (
            "ip,actions=group:x",
            Add,
            "group must be a number",
            "group:x",
            12,
        ),
        (
            "ip,actions=drop",
            Delete,
            "del-flows takes no actions",
            "actions=drop",
            4,
        ),
        (
            "priority=5,ip",
            Delete,
            "priority needs --strict",
            "priority=5",
            1,
        ),
        ("priority=5,ip", DeleteStrict, "", "", 0),
    ];
    for &(text, c, msg, tok, pos) in cases {
        if msg.is_empty() {
            parse_flow(text, c).unwrap_or_else(|e| panic!("{text}: {e}"));
            continue;
        }
        let (m, t, p) = err(text, c);
        assert!(m.contains(msg), "{text}: {m}");
        assert_eq!((t.as_str(), p), (tok, pos), "{text}: {m}");
    }
    // Actions are required where the command sets them.
    for c in [Add, Modify, ModifyStrict] {
        let (m, _, _) = err("ip,nw_dst=10.0.0.1", c);
        assert!(m.contains("missing actions="), "{m}");
    }
    // Display puts it together, as for groups.
    let e = parse_flow("ip,nw_dts=10.0.0.1,actions=drop", Add).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("(at position 4: 'nw_dts=10.0.0.1')"),
        "{e}"
    );
}

#[test]
fn flow_file_lines() {
    assert_eq!(parse_flow_line("  # comment").unwrap(), None);
    assert_eq!(parse_flow_line("").unwrap(), None);
    let (c, f) = parse_flow_line("priority=10,ip,actions=output:2")
        .unwrap()
        .unwrap();
    assert_eq!((c, f.priority), (FlowCommand::Add, 10));
    for (cmd, kw) in FlowCommand::ALL {
        let rest = match cmd {
            FlowCommand::Delete => "ip",
            FlowCommand::DeleteStrict => "priority=3,ip",
            _ => "ip,actions=drop",
        };
        let (c, _) = parse_flow_line(&format!("{kw} {rest}")).unwrap().unwrap();
        assert_eq!(c, cmd);
        assert_eq!(c.keyword(), kw);
    }
    // Positions count from the start of the line, past the keyword.
    let e = parse_flow_line("  modify ip,nw_dts=1,actions=drop").unwrap_err();
    assert_eq!((e.token.as_str(), e.position), ("nw_dts=1", 13));
    let e = parse_flow_line("ip,nw_dts=1,actions=drop").unwrap_err();
    assert_eq!(e.position, 4);
}

#[test]
fn dump_shapes() {
    let f = parse_flow(EXAMPLES[0].0, FlowCommand::Add).unwrap();
    let s = FlowStats {
        duration_ns: 1_234_567_890,
        packets: 3,
        bytes: 180,
    };
    assert_eq!(
        format_flow_stats(&f, &s),
        "duration=1.234s, n_packets=3, n_bytes=180, priority=10,ip,in_port=1,nw_dst=10.0.0.0/24 actions=group:1234"
    );
    let all = Flow::default();
    assert_eq!(
        format_flow_stats(&all, &FlowStats::default()),
        "duration=0.000s, n_packets=0, n_bytes=0, actions=drop"
    );
    assert_eq!(format_match(DEFAULT_PRIORITY, &MatchSpec::default()), "");
    let p = Port {
        port_no: 1,
        ifindex: 5,
        ifname: "veth0".into(),
        live: true,
        rx_packets: 3,
        rx_bytes: 180,
        rx_missed: 0,
        tx_packets: 3,
        tx_bytes: 180,
        tx_dropped: 0,
    };
    assert_eq!(
        format_port(&p),
        "  port 1: veth0 (ifindex 5) up\n           rx pkts=3, bytes=180, missed=0\n           tx pkts=3, bytes=180, drop=0\n"
    );
    let down = Port { live: false, ..p };
    assert!(format_port(&down).starts_with("  port 1: veth0 (ifindex 5) down\n"));
    let d = DpStats {
        hit: 3,
        missed: 1,
        lost: 0,
        flows: 2,
        ports: 2,
        max_flow_actions: 0,
        work_budget: 0,
    };
    assert_eq!(
        format_dp(&d),
        "  lookups: hit:3 missed:1 lost:0\n  flows: 2\n  ports: 2\n"
    );
    let d = DpStats {
        max_flow_actions: 256,
        work_budget: 4096,
        ..d
    };
    assert_eq!(
        format_dp(&d),
        "  lookups: hit:3 missed:1 lost:0\n  flows: 2\n  ports: 2\n  limits: max_flow_actions:256 work_budget:4096\n"
    );
}

// Random valid matches: a protocol family, then fields its prerequisites allow.
fn arb_match() -> impl Strategy<Value = MatchSpec> {
    let mac = prop::array::uniform6(any::<u8>());
    (
        (
            proptest::option::of(1u32..=0xffff_ff00),
            proptest::option::of((mac, prop::array::uniform6(any::<u8>()))),
            proptest::option::of(mac),
            proptest::option::of(0u16..4096),
        ),
        0usize..13,
        (any::<u32>(), 0u32..=32, any::<u128>(), 0u32..=128),
        (
            proptest::option::of(any::<u16>()),
            proptest::option::of(any::<u16>()),
            any::<bool>(),
            any::<bool>(),
            any::<u8>(),
        ),
    )
        .prop_map(|((in_port, src, dst, vlan), fam, (a4, p4, a6, p6), l4)| {
            let (l4s, l4d, has_src, has_dst, proto_other) = l4;
            let mut m = MatchSpec {
                in_port,
                vlan_vid: vlan,
                eth_src: src.and_then(|(a, mask)| {
                    let mut a = a;
                    for (x, y) in a.iter_mut().zip(mask) {
                        *x &= y;
                    }
                    (mask != [0; 6]).then_some((a, mask))
                }),
                eth_dst: dst.map(|d| (d, [0xff; 6])),
                ..MatchSpec::default()
            };
            // fam: 0 none, 1 other ethertype, 2..=6 IPv4 (none, icmp, tcp, udp, sctp, other),
            // 8..=12 IPv6 likewise.
            let (eth, proto) = match fam {
                0 => (None, None),
                1 => (Some(0x88cc), None),
                2 => (Some(0x0800), None),
                3 => (Some(0x0800), Some(1)),
                4 => (Some(0x0800), Some(6)),
                5 => (Some(0x0800), Some(17)),
                6 => (Some(0x0800), Some(132)),
                7 => (Some(0x0800), Some(proto_other)),
                8 => (Some(0x86dd), None),
                9 => (Some(0x86dd), Some(58)),
                10 => (Some(0x86dd), Some(6)),
                11 => (Some(0x86dd), Some(17)),
                _ => (Some(0x0806), None),
            };
            m.eth_type = eth;
            m.ip_proto = proto;
            let v4 = |a: u32, p: u32| {
                let mask = u32::MAX.checked_shl(32 - p).unwrap_or(0);
                (p > 0).then_some(IpMasked::V4((a & mask).to_be_bytes(), mask.to_be_bytes()))
            };
            let v6 = |a: u128, p: u32| {
                let mask = u128::MAX.checked_shl(128 - p).unwrap_or(0);
                (p > 0).then_some(IpMasked::V6((a & mask).to_be_bytes(), mask.to_be_bytes()))
            };
            match eth {
                Some(0x0800) => {
                    m.ip_src = if has_src { v4(a4, p4) } else { None };
                    m.ip_dst = if has_dst { v4(!a4, 32) } else { None };
                }
                Some(0x86dd) => {
                    m.ip_src = if has_src { v6(a6, p6) } else { None };
                    m.ip_dst = if has_dst { v6(!a6, 128) } else { None };
                }
                _ => {}
            }
            let icmp = matches!(
                (eth, proto),
                (Some(0x0800), Some(1)) | (Some(0x86dd), Some(58))
            );
            if matches!(proto, Some(6 | 17 | 132)) || icmp {
                let lim = |v: Option<u16>| if icmp { v.map(|x| x & 0xff) } else { v };
                m.l4_src = lim(l4s);
                m.l4_dst = lim(l4d);
            }
            m
        })
}

proptest! {
    #[test]
    fn parse_inverts_format(m in arb_match(), priority in any::<u16>(), out in proptest::option::of(1u32..=0xffff_ff00)) {
        let f = Flow { priority, matches: m, actions: out.map(Action::Output).into_iter().collect() };
        let text = format_flow(&f);
        let back = parse_flow(&text, FlowCommand::Add).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&back, &f);
        prop_assert_eq!(format_flow(&back), text);
        prop_assert_eq!(through_the_kernels_decoder(&f.matches), f.matches);
    }

    /// What `parse_flow` makes goes through the CLI's encoder and the kernel's decoder unchanged,
    /// the kernel accepts it (the CLI's ovs-ofctl prerequisite checks are at least as strict as
    /// `MatchSpec::to_match`), and the kernel's dump of the installed match reads back the same.
    #[test]
    fn parsed_flows_cross_the_codec_and_the_kernels_checks(m in arb_match(), priority in any::<u16>()) {
        let text = format_flow(&Flow { priority, matches: m, actions: Vec::new() });
        let f = parse_flow(&text, FlowCommand::Add).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        let bytes = match_nest_of(&f.matches);
        let decoded = match_nest::parse(Attrs::new(bytes.as_bytes())).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&decoded, &f.matches);
        let installed = decoded.to_match().map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(MatchSpec::from_match(&installed), f.matches);
    }
}
