//! Flows in ovs-ofctl syntax over logic's `MatchSpec`: the flow types here, the lexer in `lex`,
//! the parser (with ovs-ofctl's prerequisite checks and messages) in `parse`, canonical
//! formatting in `format`. The match nest's wire form is `ofgroup_abi::match_nest`'s.
//!
//! `priority=10,in_port=1,ip,nw_dst=10.0.0.0/24,actions=group:1234`
//!
//! Fields are separated by commas or white space (so `dump-flows` lines read back); `actions=`
//! comes last and takes the rest of the string. Errors name the bad token and its position
//! (1-based, in characters), as group errors do. `format_flow(parse_flow(x))` is canonical: the
//! protocol shorthand (`ip`, `tcp6`, …) when eth_type/ip_proto allow it, masks as `/N` when they
//! are prefixes, values already masked, and it parses back to the same flow.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

pub use ofgroup_logic::flow::{IpMasked, MatchSpec, DEFAULT_PRIORITY};
use ofgroup_logic::model::Action;
pub use ofgroup_logic::packet::{
    ETH_TYPE_IP as ETH_TYPE_IPV4, ETH_TYPE_IPV6, ETH_TYPE_VLAN, IPPROTO_ICMP, IPPROTO_ICMPV6,
    IPPROTO_SCTP, IPPROTO_TCP, IPPROTO_UDP,
};

mod format;
mod lex;
mod parse;

pub use format::{format_flow, format_flow_stats, format_mac, format_match};
pub use parse::{parse_flow, parse_flow_line, parse_frame_match, parse_mac};

/// Ethernet type ARP (only the CLI names it: a shorthand and a frame it builds).
pub const ETH_TYPE_ARP: u16 = 0x0806;

/// The protocol shorthands: name, eth_type, ip_proto.
pub const SHORTHANDS: [(&str, u16, Option<u8>); 11] = [
    ("ip", ETH_TYPE_IPV4, None),
    ("icmp", ETH_TYPE_IPV4, Some(IPPROTO_ICMP)),
    ("tcp", ETH_TYPE_IPV4, Some(IPPROTO_TCP)),
    ("udp", ETH_TYPE_IPV4, Some(IPPROTO_UDP)),
    ("sctp", ETH_TYPE_IPV4, Some(IPPROTO_SCTP)),
    ("ipv6", ETH_TYPE_IPV6, None),
    ("icmp6", ETH_TYPE_IPV6, Some(IPPROTO_ICMPV6)),
    ("tcp6", ETH_TYPE_IPV6, Some(IPPROTO_TCP)),
    ("udp6", ETH_TYPE_IPV6, Some(IPPROTO_UDP)),
    ("sctp6", ETH_TYPE_IPV6, Some(IPPROTO_SCTP)),
    ("arp", ETH_TYPE_ARP, None),
];

/// The address of an IP match.
pub fn ip_addr(ip: &IpMasked) -> IpAddr {
    match *ip {
        IpMasked::V4(a, _) => IpAddr::V4(Ipv4Addr::from(a)),
        IpMasked::V6(a, _) => IpAddr::V6(Ipv6Addr::from(a)),
    }
}

/// The mask of an IP match.
pub fn ip_mask(ip: &IpMasked) -> IpAddr {
    match *ip {
        IpMasked::V4(_, m) => IpAddr::V4(Ipv4Addr::from(m)),
        IpMasked::V6(_, m) => IpAddr::V6(Ipv6Addr::from(m)),
    }
}

/// The mask bytes of an IP match (4 or 16).
pub(super) fn ip_mask_bytes(ip: &IpMasked) -> &[u8] {
    match ip {
        IpMasked::V4(_, m) => m,
        IpMasked::V6(_, m) => m,
    }
}

/// The IP match's mask is all ones.
pub fn ip_is_exact(ip: &IpMasked) -> bool {
    ip_mask_bytes(ip).iter().all(|&b| b == 0xff)
}

/// An Ethernet mask is all ones.
pub fn mac_is_exact(mask: &[u8; 6]) -> bool {
    *mask == [0xff; 6]
}

/// Leading ones of a contiguous mask, or `None` when it is not contiguous.
pub(super) fn prefix_len(mask: &[u8]) -> Option<u32> {
    let ones: u32 = mask.iter().map(|b| b.count_ones()).sum();
    let full = ones as usize / 8;
    let ok = mask.iter().enumerate().all(|(i, &b)| match i.cmp(&full) {
        std::cmp::Ordering::Less => b == 0xff,
        std::cmp::Ordering::Equal => b == (0xff00u16 >> (ones % 8)) as u8,
        std::cmp::Ordering::Greater => b == 0,
    });
    ok.then_some(ones)
}

/// A flow as written: priority, match, actions (empty is drop).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flow {
    /// `priority` (default 32768).
    pub priority: u16,
    /// The match (`None` fields are wildcards).
    pub matches: MatchSpec,
    /// Actions in order; empty is `drop`.
    pub actions: Vec<Action>,
}

impl Default for Flow {
    fn default() -> Self {
        Flow {
            priority: DEFAULT_PRIORITY,
            matches: MatchSpec::default(),
            actions: Vec::new(),
        }
    }
}

/// Counters of one flow, as the kernel reports them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowStats {
    /// Nanoseconds since the flow was added.
    pub duration_ns: u64,
    /// Frames that matched.
    pub packets: u64,
    /// Bytes that matched.
    pub bytes: u64,
}

/// What a flow string is for (the commands of `ovs-ofctl` and the keywords of an `add-flows` file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowCommand {
    /// `add-flow` / `add`: actions required.
    Add,
    /// `mod-flows` / `modify`: actions required; priority ignored by the kernel.
    Modify,
    /// `mod-flows --strict` / `modify_strict`.
    ModifyStrict,
    /// `del-flows` / `delete`: no actions, no priority.
    Delete,
    /// `del-flows --strict` / `delete_strict`: no actions.
    DeleteStrict,
}

impl FlowCommand {
    /// All commands with their `add-flows` keywords.
    pub const ALL: [(FlowCommand, &'static str); 5] = [
        (FlowCommand::Add, "add"),
        (FlowCommand::Modify, "modify"),
        (FlowCommand::ModifyStrict, "modify_strict"),
        (FlowCommand::Delete, "delete"),
        (FlowCommand::DeleteStrict, "delete_strict"),
    ];

    /// The keyword.
    pub fn keyword(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(c, _)| *c == self)
            .map_or("add", |(_, k)| k)
    }

    /// Only the flow with exactly this match and priority.
    pub fn strict(self) -> bool {
        matches!(self, FlowCommand::ModifyStrict | FlowCommand::DeleteStrict)
    }

    pub(super) fn takes_actions(self) -> bool {
        matches!(
            self,
            FlowCommand::Add | FlowCommand::Modify | FlowCommand::ModifyStrict
        )
    }
}
