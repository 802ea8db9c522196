//! Every public constant of the ABI keeps its name and value (the kernel module and the tools
//! use them by name; the attribute table that generates them must not renumber anything).

use ofgroup_abi::*;

#[test]
#[rustfmt::skip]
fn constants_keep_their_names_and_values() {
    assert_eq!(cmd::GROUP_NEW, 1);
    assert_eq!(cmd::GROUP_SET, 2);
    assert_eq!(cmd::GROUP_DEL, 3);
    assert_eq!(cmd::BUCKET_INSERT, 4);
    assert_eq!(cmd::BUCKET_REMOVE, 5);
    assert_eq!(cmd::GROUP_GET, 6);
    assert_eq!(cmd::STATS_RESET, 7);
    assert_eq!(cmd::FEATURES_GET, 8);
    assert_eq!(cmd::GROUP_CHANGE_NTF, 9);
    assert_eq!(cmd::GROUP_DEL_NTF, 10);
    assert_eq!(cmd::PORT_NEW, 11);
    assert_eq!(cmd::PORT_DEL, 12);
    assert_eq!(cmd::PORT_GET, 13);
    assert_eq!(cmd::FLOW_NEW, 14);
    assert_eq!(cmd::FLOW_SET, 15);
    assert_eq!(cmd::FLOW_DEL, 16);
    assert_eq!(cmd::FLOW_GET, 17);
    assert_eq!(cmd::PACKET_EXECUTE, 18);
    assert_eq!(cmd::DP_GET, 19);
    assert_eq!(action_attr::OUTPUT, 1);
    assert_eq!(action_attr::GROUP, 2);
    assert_eq!(action_attr::MAX, 2);
    assert_eq!(bucket_attr::ID, 1);
    assert_eq!(bucket_attr::WEIGHT, 2);
    assert_eq!(bucket_attr::WATCH_PORT, 3);
    assert_eq!(bucket_attr::WATCH_GROUP, 4);
    assert_eq!(bucket_attr::ACTION, 5);
    assert_eq!(bucket_attr::PACKETS, 6);
    assert_eq!(bucket_attr::BYTES, 7);
    assert_eq!(bucket_attr::MAX, 7);
    assert_eq!(group_attr::ID, 1);
    assert_eq!(group_attr::TYPE, 2);
    assert_eq!(group_attr::HASH_FIELD, 3);
    assert_eq!(group_attr::BASIS, 4);
    assert_eq!(group_attr::BUCKET, 5);
    assert_eq!(group_attr::MAY_CREATE, 6);
    assert_eq!(group_attr::COMMAND_BUCKET_ID, 7);
    assert_eq!(group_attr::STATS, 8);
    assert_eq!(group_attr::DURATION, 9);
    assert_eq!(group_attr::REF_COUNT, 10);
    assert_eq!(group_attr::PACKETS, 11);
    assert_eq!(group_attr::BYTES, 12);
    assert_eq!(group_attr::PARTIAL, 13);
    assert_eq!(group_attr::MAX, 13);
    assert_eq!(features_attr::TYPES, 1);
    assert_eq!(features_attr::CAPABILITIES, 2);
    assert_eq!(features_attr::MAX_GROUPS, 3);
    assert_eq!(features_attr::MAX_BUCKETS, 4);
    assert_eq!(features_attr::ACTIONS, 5);
    assert_eq!(features_attr::MAX_ACTIONS, 6);
    assert_eq!(features_attr::WORK_BUDGET, 7);
    assert_eq!(features_attr::MAX, 7);
    assert_eq!(port_attr::PORT_NO, 1);
    assert_eq!(port_attr::IFINDEX, 2);
    assert_eq!(port_attr::IFNAME, 3);
    assert_eq!(port_attr::LIVE, 4);
    assert_eq!(port_attr::RX_PACKETS, 5);
    assert_eq!(port_attr::RX_BYTES, 6);
    assert_eq!(port_attr::RX_MISSED, 7);
    assert_eq!(port_attr::TX_PACKETS, 8);
    assert_eq!(port_attr::TX_BYTES, 9);
    assert_eq!(port_attr::TX_DROPPED, 10);
    assert_eq!(port_attr::MAX, 10);
    assert_eq!(match_attr::IN_PORT, 1);
    assert_eq!(match_attr::ETH_SRC, 2);
    assert_eq!(match_attr::ETH_SRC_MASK, 3);
    assert_eq!(match_attr::ETH_DST, 4);
    assert_eq!(match_attr::ETH_DST_MASK, 5);
    assert_eq!(match_attr::ETH_TYPE, 6);
    assert_eq!(match_attr::VLAN_VID, 7);
    assert_eq!(match_attr::IP_PROTO, 8);
    assert_eq!(match_attr::IP_SRC, 9);
    assert_eq!(match_attr::IP_SRC_MASK, 10);
    assert_eq!(match_attr::IP_DST, 11);
    assert_eq!(match_attr::IP_DST_MASK, 12);
    assert_eq!(match_attr::L4_SRC, 13);
    assert_eq!(match_attr::L4_DST, 14);
    assert_eq!(match_attr::MAX, 14);
    assert_eq!(flow_attr::PRIORITY, 1);
    assert_eq!(flow_attr::MATCH, 2);
    assert_eq!(flow_attr::ACTION, 3);
    assert_eq!(flow_attr::STRICT, 4);
    assert_eq!(flow_attr::DURATION, 5);
    assert_eq!(flow_attr::PACKETS, 6);
    assert_eq!(flow_attr::BYTES, 7);
    assert_eq!(flow_attr::COUNT, 8);
    assert_eq!(flow_attr::MAX, 8);
    assert_eq!(packet_attr::IN_PORT, 1);
    assert_eq!(packet_attr::DATA, 2);
    assert_eq!(packet_attr::MAX, 2);
    assert_eq!(dp_attr::HIT, 1);
    assert_eq!(dp_attr::MISSED, 2);
    assert_eq!(dp_attr::LOST, 3);
    assert_eq!(dp_attr::FLOWS, 4);
    assert_eq!(dp_attr::PORTS, 5);
    assert_eq!(dp_attr::MAX_FLOW_ACTIONS, 6);
    assert_eq!(dp_attr::WORK_BUDGET, 7);
    assert_eq!(dp_attr::MAX, 7);
    assert_eq!(capability::SELECT_WEIGHT, 1 << 0);
    assert_eq!(capability::SELECT_LIVENESS, 1 << 1);
    assert_eq!(capability::CHAINING, 1 << 2);
    assert_eq!(capability::CHAINING_CHECKS, 1 << 3);
    assert_eq!(action_bit::OUTPUT, 1 << 0);
    assert_eq!(action_bit::GROUP, 1 << 1);
    assert_eq!(MAX_ATTR, 13);
    assert_eq!(PACKET_MAX, 9216);
}

#[test]
fn each_sets_max_is_its_largest_attribute() {
    for (set, max) in [
        ("action", action_attr::MAX),
        ("bucket", bucket_attr::MAX),
        ("group", group_attr::MAX),
        ("features", features_attr::MAX),
        ("port", port_attr::MAX),
        ("match", match_attr::MAX),
        ("flow", flow_attr::MAX),
        ("packet", packet_attr::MAX),
        ("dp", dp_attr::MAX),
    ] {
        let attrs = attribute_set(set).unwrap();
        assert_eq!(attrs.iter().map(|a| a.id).max(), Some(max), "{set}");
    }
}
