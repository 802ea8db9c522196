//! The flow parser: ovs-ofctl field names and shorthands into a `Flow`, with ovs-ofctl's
//! "given twice", conflict and prerequisite checks (messages keyed by the spelling the user wrote).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ofgroup_logic::model::{Action, OFPP_MAX};

use crate::parse::{number, parse_action, ParseError, Tok};

use super::lex::{action_tokens, tokens};
use super::{
    ip_is_exact, ip_mask_bytes, Flow, FlowCommand, IpMasked, MatchSpec, ETH_TYPE_IPV4,
    ETH_TYPE_IPV6, ETH_TYPE_VLAN, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_SCTP, IPPROTO_TCP,
    IPPROTO_UDP, SHORTHANDS,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flow(FlowCommand),
    /// A frame description for packet-out / frame: exact values, no priority/in_port/actions.
    Frame,
}

/// Parse `aa:bb:cc:dd:ee:ff`.
pub fn parse_mac(text: &str) -> Option<[u8; 6]> {
    let mut out = [0u8; 6];
    let mut parts = text.split(':');
    for b in &mut out {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 2 {
            return None;
        }
        *b = u8::from_str_radix(p, 16).ok()?;
    }
    parts.next().is_none().then_some(out)
}

// Which field slot a token filled: for "given twice" and prerequisite checks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    Priority,
    InPort,
    EthSrc,
    EthDst,
    EthType,
    Vlan,
    IpProto,
    IpSrc,
    IpDst,
    L4Src,
    L4Dst,
}

struct Seen<'a> {
    slot: Slot,
    key: &'a str,
    tok: Tok<'a>,
}

struct Parser<'a> {
    mode: Mode,
    flow: Flow,
    seen: Vec<Seen<'a>>,
    // Who set eth_type / ip_proto first (for conflict messages).
    eth_type_by: Option<Tok<'a>>,
    ip_proto_by: Option<Tok<'a>>,
}

impl<'a> Parser<'a> {
    fn claim(&mut self, slot: Slot, key: &'a str, tok: Tok<'a>) -> Result<(), ParseError> {
        if let Some(prev) = self.seen.iter().find(|s| s.slot == slot) {
            return Err(if prev.key == key {
                tok.err(format!("{key} given twice"))
            } else {
                tok.err(format!(
                    "{key} sets the same field as '{}' (at position {})",
                    prev.tok.text, prev.tok.pos
                ))
            });
        }
        self.seen.push(Seen { slot, key, tok });
        Ok(())
    }

    fn set_eth_type(&mut self, v: u16, tok: Tok<'a>) -> Result<(), ParseError> {
        let m = &mut self.flow.matches;
        match (m.eth_type, self.eth_type_by) {
            (Some(old), Some(by)) if old != v => Err(tok.err(format!(
                "'{}' conflicts with '{}' (at position {})",
                tok.text, by.text, by.pos
            ))),
            _ => {
                m.eth_type = Some(v);
                self.eth_type_by.get_or_insert(tok);
                Ok(())
            }
        }
    }

    fn set_ip_proto(&mut self, v: u8, tok: Tok<'a>) -> Result<(), ParseError> {
        let m = &mut self.flow.matches;
        match (m.ip_proto, self.ip_proto_by) {
            (Some(old), Some(by)) if old != v => Err(tok.err(format!(
                "'{}' conflicts with '{}' (at position {})",
                tok.text, by.text, by.pos
            ))),
            _ => {
                m.ip_proto = Some(v);
                self.ip_proto_by.get_or_insert(tok);
                Ok(())
            }
        }
    }

    fn no_mask(&self, tok: &Tok<'_>, key: &str, v: &str) -> Result<(), ParseError> {
        if v.contains('/') {
            return Err(tok.err(format!("{key} takes no mask")));
        }
        Ok(())
    }

    fn exact_only(&self, tok: &Tok<'_>, key: &str, exact: bool) -> Result<(), ParseError> {
        if self.mode == Mode::Frame && !exact {
            return Err(tok.err(format!("a frame needs an exact {key}, not a mask")));
        }
        Ok(())
    }

    fn field(&mut self, tok: Tok<'a>) -> Result<(), ParseError> {
        let text = tok.text;
        if let Some(&(_, eth, proto)) = SHORTHANDS.iter().find(|(n, _, _)| *n == text) {
            self.set_eth_type(eth, tok)?;
            if let Some(p) = proto {
                self.set_ip_proto(p, tok)?;
            }
            return Ok(());
        }
        let Some((key, v)) = text.split_once('=') else {
            return Err(tok.err(format!(
                "unknown field '{text}' (a shorthand is one of ip, ipv6, icmp, icmp6, tcp, tcp6, udp, udp6, sctp, sctp6, arp; fields are key=value)"
            )));
        };
        if v.is_empty() {
            return Err(tok.err(format!("{key} needs a value")));
        }
        let frame = self.mode == Mode::Frame;
        match key {
            "duration" | "n_packets" | "n_bytes" if !frame => {
                // dump-flows output reads back: its counters are ignored, as ovs-ofctl does.
            }
            "priority" => {
                match self.mode {
                    Mode::Frame => return Err(tok.err("priority is not part of a frame")),
                    Mode::Flow(FlowCommand::Delete) => {
                        return Err(tok.err(
                            "priority needs --strict (delete_strict in a file): a non-strict delete matches every priority",
                        ))
                    }
                    Mode::Flow(_) => {}
                }
                self.claim(Slot::Priority, key, tok)?;
                self.flow.priority = number(&tok, v, "priority", u64::from(u16::MAX))? as u16;
            }
            "in_port" => {
                if frame {
                    return Err(tok.err(
                        "in_port is not part of a frame (packet-out takes it as its own argument)",
                    ));
                }
                self.claim(Slot::InPort, key, tok)?;
                self.no_mask(&tok, key, v)?;
                let p = number(&tok, v, "in_port", u64::from(OFPP_MAX))?;
                if p == 0 {
                    return Err(tok.err("in_port must be 1 or more"));
                }
                self.flow.matches.in_port = Some(p as u32);
            }
            "dl_src" | "eth_src" | "dl_dst" | "eth_dst" => {
                let src = key.ends_with("src");
                self.claim(if src { Slot::EthSrc } else { Slot::EthDst }, key, tok)?;
                let (a, m) = match v.split_once('/') {
                    Some((a, m)) => (a, Some(m)),
                    None => (v, None),
                };
                let addr = parse_mac(a).ok_or_else(|| {
                    tok.err(format!(
                        "{key} must be an Ethernet address like 50:54:00:00:00:01, got '{a}'"
                    ))
                })?;
                let mask = match m {
                    Some(m) => parse_mac(m).ok_or_else(|| {
                        tok.err(format!(
                            "{key} mask must be an Ethernet address like ff:ff:ff:00:00:00, got '{m}'"
                        ))
                    })?,
                    None => [0xff; 6],
                };
                self.exact_only(&tok, key, mask == [0xff; 6])?;
                let mut addr = addr;
                for (a, m) in addr.iter_mut().zip(mask) {
                    *a &= m;
                }
                let val = (mask != [0; 6]).then_some((addr, mask));
                if src {
                    self.flow.matches.eth_src = val;
                } else {
                    self.flow.matches.eth_dst = val;
                }
            }
            "dl_type" | "eth_type" => {
                self.claim(Slot::EthType, key, tok)?;
                self.no_mask(&tok, key, v)?;
                let t = number(&tok, v, key, u64::from(u16::MAX))? as u16;
                if t == ETH_TYPE_VLAN {
                    return Err(tok.err(format!(
                        "{key} is the type after an 802.1Q tag; use dl_vlan to match tagged frames"
                    )));
                }
                self.set_eth_type(t, tok)?;
            }
            "dl_vlan" | "vlan_vid" => {
                self.claim(Slot::Vlan, key, tok)?;
                self.no_mask(&tok, key, v)?;
                self.flow.matches.vlan_vid = Some(number(&tok, v, key, 4095)? as u16);
            }
            "nw_proto" | "ip_proto" => {
                self.claim(Slot::IpProto, key, tok)?;
                self.no_mask(&tok, key, v)?;
                let p = number(&tok, v, key, u64::from(u8::MAX))? as u8;
                self.set_ip_proto(p, tok)?;
            }
            "nw_src" | "ip_src" | "nw_dst" | "ip_dst" | "ipv6_src" | "ipv6_dst" => {
                let src = key.ends_with("src");
                self.claim(if src { Slot::IpSrc } else { Slot::IpDst }, key, tok)?;
                let v6 = key.starts_with("ipv6");
                let ip = parse_ip_masked(&tok, key, v, v6)?;
                self.exact_only(&tok, key, ip_is_exact(&ip))?;
                let val = ip_mask_bytes(&ip).iter().any(|&b| b != 0).then_some(ip);
                if src {
                    self.flow.matches.ip_src = val;
                } else {
                    self.flow.matches.ip_dst = val;
                }
            }
            "tp_src" | "tcp_src" | "udp_src" | "sctp_src" | "tp_dst" | "tcp_dst" | "udp_dst"
            | "sctp_dst" => {
                let src = key.ends_with("src");
                self.claim(if src { Slot::L4Src } else { Slot::L4Dst }, key, tok)?;
                self.no_mask(&tok, key, v)?;
                let p = Some(number(&tok, v, key, u64::from(u16::MAX))? as u16);
                if src {
                    self.flow.matches.l4_src = p;
                } else {
                    self.flow.matches.l4_dst = p;
                }
            }
            "icmp_type" | "icmp_code" | "icmpv6_type" | "icmpv6_code" => {
                let src = key.ends_with("type");
                self.claim(if src { Slot::L4Src } else { Slot::L4Dst }, key, tok)?;
                self.no_mask(&tok, key, v)?;
                let p = Some(number(&tok, v, key, u64::from(u8::MAX))? as u16);
                if src {
                    self.flow.matches.l4_src = p;
                } else {
                    self.flow.matches.l4_dst = p;
                }
            }
            _ => {
                return Err(tok.err(format!(
                    "unknown field '{key}' (ofgroup matches in_port, dl_src, dl_dst, dl_type, dl_vlan, nw_proto, nw_src, nw_dst, ipv6_src, ipv6_dst, tp_src, tp_dst, icmp_type, icmp_code, icmpv6_type, icmpv6_code)"
                )))
            }
        }
        Ok(())
    }

    /// Prerequisites, as OVS checks them, once every field is known.
    fn prerequisites(&self) -> Result<(), ParseError> {
        let m = &self.flow.matches;
        let eth = m.eth_type;
        let proto = m.ip_proto;
        for s in &self.seen {
            let need = |ok: bool, what: &str| {
                if ok {
                    Ok(())
                } else {
                    Err(s.tok.err(format!("{} needs {what}", s.key)))
                }
            };
            match s.slot {
                Slot::IpProto => need(
                    matches!(eth, Some(ETH_TYPE_IPV4 | ETH_TYPE_IPV6)),
                    "ip or ipv6 (dl_type=0x0800 or 0x86dd)",
                )?,
                Slot::IpSrc | Slot::IpDst if s.key.starts_with("ipv6") => {
                    need(eth == Some(ETH_TYPE_IPV6), "ipv6 (dl_type=0x86dd)")?
                }
                Slot::IpSrc | Slot::IpDst => {
                    need(eth == Some(ETH_TYPE_IPV4), "ip (dl_type=0x0800)")?
                }
                Slot::L4Src | Slot::L4Dst => match s.key.split('_').next().unwrap_or("") {
                    "tp" => need(
                        matches!(proto, Some(IPPROTO_TCP | IPPROTO_UDP | IPPROTO_SCTP)),
                        "tcp, udp or sctp (nw_proto=6, 17 or 132)",
                    )?,
                    "tcp" => need(proto == Some(IPPROTO_TCP), "tcp or tcp6 (nw_proto=6)")?,
                    "udp" => need(proto == Some(IPPROTO_UDP), "udp or udp6 (nw_proto=17)")?,
                    "sctp" => need(proto == Some(IPPROTO_SCTP), "sctp or sctp6 (nw_proto=132)")?,
                    "icmp" => need(
                        proto == Some(IPPROTO_ICMP) && eth == Some(ETH_TYPE_IPV4),
                        "icmp (ip with nw_proto=1)",
                    )?,
                    _ => need(
                        proto == Some(IPPROTO_ICMPV6) && eth == Some(ETH_TYPE_IPV6),
                        "icmp6 (ipv6 with nw_proto=58)",
                    )?,
                },
                _ => {}
            }
        }
        Ok(())
    }
}

fn parse_ip_masked(tok: &Tok<'_>, key: &str, v: &str, v6: bool) -> Result<IpMasked, ParseError> {
    let (a, m) = match v.split_once('/') {
        Some((a, m)) => (a, Some(m)),
        None => (v, None),
    };
    let (family, example, bits) = if v6 {
        ("IPv6", "fd00::1/64", 128u32)
    } else {
        ("IPv4", "10.0.0.0/24", 32u32)
    };
    let addr: IpAddr = if v6 {
        a.parse::<Ipv6Addr>().map(IpAddr::V6)
    } else {
        a.parse::<Ipv4Addr>().map(IpAddr::V4)
    }
    .map_err(|_| {
        tok.err(format!(
            "{key} must be an {family} address (optionally /prefix), like {example}, got '{a}'"
        ))
    })?;
    let mask = match m {
        None => match addr {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(u32::MAX)),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(u128::MAX)),
        },
        Some(m) if !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()) => {
            let n: u32 =
                m.parse().ok().filter(|&n| n <= bits).ok_or_else(|| {
                    tok.err(format!("{key} prefix must be 0 to {bits}, got '{m}'"))
                })?;
            if v6 {
                IpAddr::V6(Ipv6Addr::from(u128::MAX.checked_shl(128 - n).unwrap_or(0)))
            } else {
                IpAddr::V4(Ipv4Addr::from(u32::MAX.checked_shl(32 - n).unwrap_or(0)))
            }
        }
        Some(m) => if v6 {
            m.parse::<Ipv6Addr>().map(IpAddr::V6)
        } else {
            m.parse::<Ipv4Addr>().map(IpAddr::V4)
        }
        .map_err(|_| {
            tok.err(format!(
                "{key} mask must be a prefix length or an {family} mask, got '{m}'"
            ))
        })?,
    };
    Ok(match (addr, mask) {
        (IpAddr::V4(a), IpAddr::V4(m)) => {
            IpMasked::V4((u32::from(a) & u32::from(m)).to_be_bytes(), m.octets())
        }
        (IpAddr::V6(a), IpAddr::V6(m)) => {
            IpMasked::V6((u128::from(a) & u128::from(m)).to_be_bytes(), m.octets())
        }
        _ => unreachable!("address and mask parsed as the same family"),
    })
}

fn parse_actions(list: &str, base: usize) -> Result<Vec<Action>, ParseError> {
    let toks = action_tokens(list, base);
    let mut out = Vec::new();
    for t in &toks {
        if t.text == "drop" {
            if toks.len() > 1 {
                return Err(t.err("drop must be the only action"));
            }
            continue;
        }
        out.push(parse_action(t, t.text)?);
    }
    Ok(out)
}

fn parse_inner(input: &str, mode: Mode) -> Result<Flow, ParseError> {
    let mut p = Parser {
        mode,
        flow: Flow::default(),
        seen: Vec::new(),
        eth_type_by: None,
        ip_proto_by: None,
    };
    let mut actions = None;
    for tok in tokens(input) {
        if tok.text.starts_with("actions=") {
            let cmd = match mode {
                Mode::Frame => return Err(tok.err("a frame has no actions")),
                Mode::Flow(c) => c,
            };
            if !cmd.takes_actions() {
                return Err(tok.err("del-flows takes no actions"));
            }
            // The rest of the input, from just after "actions=".
            let byte = input
                .char_indices()
                .nth(tok.pos - 1)
                .map_or(input.len(), |(i, _)| i)
                + "actions=".len();
            actions = Some(parse_actions(&input[byte..], tok.pos + "actions=".len())?);
            break;
        }
        p.field(tok)?;
    }
    p.prerequisites()?;
    if let Mode::Flow(c) = mode {
        if c.takes_actions() && actions.is_none() {
            return Err(ParseError {
                message: format!(
                    "missing actions= in '{}' (actions=drop for none)",
                    input.trim()
                ),
                token: String::new(),
                position: 0,
            });
        }
    }
    let mut flow = p.flow;
    flow.actions = actions.unwrap_or_default();
    Ok(flow)
}

/// Parse a flow string for the command `cmd`.
pub fn parse_flow(input: &str, cmd: FlowCommand) -> Result<Flow, ParseError> {
    parse_inner(input, Mode::Flow(cmd))
}

/// Parse a frame description (match syntax, exact values only, no priority/in_port/actions).
pub fn parse_frame_match(input: &str) -> Result<MatchSpec, ParseError> {
    parse_inner(input, Mode::Frame).map(|f| f.matches)
}

/// Parse one line of an `add-flows` file: an optional keyword (add, modify, modify_strict,
/// delete, delete_strict; default add) and a flow. Blank lines and `#` comments give `None`.
pub fn parse_flow_line(line: &str) -> Result<Option<(FlowCommand, Flow)>, ParseError> {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    let lead = line.chars().count() - line.trim_start().chars().count();
    let word_end = trimmed.find([' ', '\t', ',']).unwrap_or(trimmed.len());
    let word = &trimmed[..word_end];
    let (cmd, skip) = match FlowCommand::ALL.iter().find(|(_, k)| *k == word) {
        Some((c, _)) => (*c, word.chars().count()),
        None => (FlowCommand::Add, 0),
    };
    let rest = if skip > 0 {
        &trimmed[word.len()..]
    } else {
        trimmed
    };
    parse_flow(rest, cmd)
        .map(|f| Some((cmd, f)))
        .map_err(|mut e| {
            if e.position > 0 {
                e.position += lead + skip;
            }
            e
        })
}
