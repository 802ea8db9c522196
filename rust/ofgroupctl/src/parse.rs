//! Parsing ovs-ofctl group syntax, verbatim:
//!
//! `group_id=1234,type=select,selection_method=hash,fields(eth_dst,ip_dst,tcp_dst),bucket=bucket_id:0,weight:5,watch_port:10,actions=output:10,bucket=…`
//!
//! Group fields come first; each `bucket=` starts a bucket whose fields (`bucket_id`, `weight`,
//! `watch_port`, `watch_group`, written with `:` or `=`) precede its actions; `actions=` may be
//! omitted (a token that is not a bucket field is an action). Errors name the bad token and its
//! position (1-based, in characters).

use core::fmt;

use ofgroup_logic::hash::HashField;
use ofgroup_logic::model::{Action, BucketPos, GroupType, BUCKET_MAX, OFPG_MAX, OFPP_MAX};

use crate::spec::{BatchCommand, Bucket, Group, GroupId};

/// A parse error: what is wrong, the token, and where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong.
    pub message: String,
    /// The offending token (may be empty for "missing" errors).
    pub token: String,
    /// 1-based character position of the token in the input.
    pub position: usize,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.token.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(
                f,
                "{} (at position {}: '{}')",
                self.message, self.position, self.token
            )
        }
    }
}

impl std::error::Error for ParseError {}

/// Which command the group string is for: decides which fields are required or allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// add-group / mod-group: group_id and type required.
    Add,
    /// del-groups: optional group_id (or `all`), nothing else.
    Delete,
    /// insert-buckets: group_id and at least one bucket; command_bucket_id defaults to last.
    Insert,
    /// remove-buckets: group_id; command_bucket_id defaults to all.
    Remove,
    /// dump-groups / dump-group-stats: optional group_id.
    Select,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Tok<'a> {
    pub(crate) text: &'a str,
    pub(crate) pos: usize,
}

impl Tok<'_> {
    pub(crate) fn err(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            message: message.into(),
            token: self.text.to_string(),
            position: self.pos,
        }
    }
}

/// Split at commas outside parentheses; trim; remember 1-based character positions.
fn tokens<'a>(input: &'a str) -> Vec<Tok<'a>> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0usize;
    // Positions count characters; in ASCII input (the usual case) that is the byte offset, and
    // counting for every token made parsing big batch files quadratic in the line length.
    let ascii = input.is_ascii();
    let push = |out: &mut Vec<Tok<'a>>, s: usize, e: usize| {
        let raw = &input[s..e];
        let lead = raw.len() - raw.trim_start().len();
        let text = raw.trim();
        if !text.is_empty() {
            let at = s + lead;
            out.push(Tok {
                text,
                pos: if ascii {
                    at
                } else {
                    input[..at].chars().count()
                } + 1,
            });
        }
    };
    for (i, c) in input.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth <= 0 => {
                push(&mut out, start, i);
                start = i + 1;
            }
            _ => {}
        }
    }
    push(&mut out, start, input.len());
    out
}

/// Parse a number: decimal or 0x-hex.
pub(crate) fn number(tok: &Tok<'_>, text: &str, what: &str, max: u64) -> Result<u64, ParseError> {
    let v = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => text.parse::<u64>(),
    };
    match v {
        Ok(v) if v <= max => Ok(v),
        Ok(_) => Err(tok.err(format!("{what} out of range (at most {max})"))),
        Err(_) => Err(tok.err(format!("{what} must be a number, got '{text}'"))),
    }
}

/// `key=value` or `key:value` (bucket fields accept both).
pub(crate) fn key_value<'a>(text: &'a str, seps: &[char]) -> Option<(&'a str, &'a str)> {
    let i = text.find(seps)?;
    Some((text[..i].trim(), text[i + 1..].trim()))
}

pub(crate) fn parse_action(tok: &Tok<'_>, text: &str) -> Result<Action, ParseError> {
    if let Some((k, v)) = key_value(text, &[':', '=']) {
        match k {
            "output" => {
                let p = number(tok, v, "output port", u64::from(OFPP_MAX))?;
                if p == 0 {
                    return Err(tok.err("output port must be 1 or more"));
                }
                return Ok(Action::Output(p as u32));
            }
            "group" => {
                return Ok(Action::Group(
                    number(tok, v, "group", u64::from(OFPG_MAX))? as u32
                ))
            }
            _ => {}
        }
    } else if text.bytes().all(|b| b.is_ascii_digit()) {
        let p = number(tok, text, "output port", u64::from(OFPP_MAX))?;
        if p == 0 {
            return Err(tok.err("output port must be 1 or more"));
        }
        return Ok(Action::Output(p as u32));
    }
    Err(tok.err(format!(
        "unknown action '{text}' (ofgroup supports output:PORT, group:ID and drop)"
    )))
}

fn parse_fields(tok: &Tok<'_>, list: &str, out: &mut Vec<HashField>) -> Result<(), ParseError> {
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if name.contains('=') {
            return Err(tok.err(format!("masked hash field '{name}' is not supported")));
        }
        let f = HashField::from_name(name).ok_or_else(|| {
            tok.err(format!(
                "unknown hash field '{name}' (known: eth_src, eth_dst, eth_type, vlan_vid, ip_src, ip_dst, ip_proto, tcp_src, tcp_dst, udp_src, udp_dst, …)"
            ))
        })?;
        if out.contains(&f) {
            return Err(tok.err(format!("hash field '{name}' given twice")));
        }
        out.push(f);
    }
    Ok(())
}

const GROUP_KEYS: [&str; 6] = [
    "group_id",
    "type",
    "selection_method",
    "selection_method_param",
    "fields",
    "command_bucket_id",
];

/// Parse a group string for the command `expect`.
pub fn parse_group(input: &str, expect: Expect) -> Result<Group, ParseError> {
    let mut g = Group::default();
    let mut in_actions = false;
    let toks = tokens(input);
    for tok in &toks {
        let text = tok.text;
        // A new bucket.
        if let Some(rest) = text.strip_prefix("bucket=") {
            if matches!(expect, Expect::Delete | Expect::Remove | Expect::Select) {
                return Err(tok.err("this command takes no buckets"));
            }
            g.buckets.push(Bucket::default());
            in_actions = false;
            let rest = rest.trim();
            if rest.is_empty() {
                continue;
            }
            let inner = Tok {
                text: rest,
                pos: tok.pos + "bucket=".len(),
            };
            in_actions = bucket_token(&inner, g.buckets.last_mut().expect("just pushed"), false)?;
            continue;
        }
        if let Some(b) = g.buckets.last_mut() {
            // Group fields are never actions: a clear error rather than "unknown action".
            let key = text.split(['=', '(']).next().unwrap_or("").trim();
            if key.len() < text.len() && GROUP_KEYS.contains(&key) {
                return Err(tok.err(format!(
                    "group field '{key}' must come before the first bucket"
                )));
            }
            in_actions = bucket_token(tok, b, in_actions)?;
            continue;
        }
        group_token(tok, &mut g, expect)?;
    }
    finish(g, expect, input)
}

/// One token inside a bucket. Returns whether the bucket is now in its action list.
fn bucket_token(tok: &Tok<'_>, b: &mut Bucket, in_actions: bool) -> Result<bool, ParseError> {
    let text = tok.text;
    if let Some(first) = text.strip_prefix("actions=") {
        let first = first.trim();
        if first == "drop" || first.is_empty() {
            return Ok(true);
        }
        b.actions.push(parse_action(tok, first)?);
        return Ok(true);
    }
    if !in_actions {
        if let Some((k, v)) = key_value(text, &[':', '=']) {
            let dup = |set: bool| {
                if set {
                    Err(tok.err(format!("bucket field '{k}' given twice")))
                } else {
                    Ok(())
                }
            };
            match k {
                "bucket_id" => {
                    dup(b.bucket_id.is_some())?;
                    b.bucket_id = Some(number(tok, v, "bucket_id", u64::from(BUCKET_MAX))? as u32);
                    return Ok(false);
                }
                "weight" => {
                    dup(b.weight.is_some())?;
                    b.weight = Some(number(tok, v, "weight", u64::from(u16::MAX))? as u16);
                    return Ok(false);
                }
                "watch_port" => {
                    dup(b.watch_port.is_some())?;
                    b.watch_port = Some(number(tok, v, "watch_port", u64::from(OFPP_MAX))? as u32);
                    return Ok(false);
                }
                "watch_group" => {
                    dup(b.watch_group.is_some())?;
                    b.watch_group =
                        Some(number(tok, v, "watch_group", u64::from(OFPG_MAX))? as u32);
                    return Ok(false);
                }
                _ => {}
            }
        }
    }
    if text == "drop" {
        return Ok(true);
    }
    b.actions.push(parse_action(tok, text)?);
    Ok(true)
}

fn group_token(tok: &Tok<'_>, g: &mut Group, expect: Expect) -> Result<(), ParseError> {
    let text = tok.text;
    if let Some(list) = text.strip_prefix("fields(") {
        let list = list
            .strip_suffix(')')
            .ok_or_else(|| tok.err("missing ')' after fields("))?;
        return parse_fields(tok, list, &mut g.fields);
    }
    let (k, v) = key_value(text, &['='])
        .ok_or_else(|| tok.err(format!("expected key=value, got '{text}'")))?;
    let only_for = |ok: bool, what: &str| {
        if ok {
            Ok(())
        } else {
            Err(tok.err(format!("'{k}' is not allowed {what}")))
        }
    };
    match k {
        "group_id" => {
            if g.group_id.is_some() {
                return Err(tok.err("group_id given twice"));
            }
            g.group_id = Some(if v == "all" {
                only_for(
                    matches!(expect, Expect::Delete | Expect::Select),
                    "as 'all' here",
                )?;
                GroupId::All
            } else {
                GroupId::Id(number(tok, v, "group_id", u64::from(OFPG_MAX))? as u32)
            });
        }
        "type" => {
            only_for(
                expect == Expect::Add,
                "here (only when adding or modifying a group)",
            )?;
            g.group_type = Some(GroupType::from_name(v).ok_or_else(|| {
                tok.err(format!(
                    "unknown group type '{v}' (all, select, indirect, ff, fast_failover)"
                ))
            })?);
        }
        "selection_method" => {
            only_for(expect == Expect::Add, "here")?;
            if v != "hash" {
                return Err(tok.err(format!(
                    "selection_method '{v}' is not supported (ofgroup implements hash)"
                )));
            }
            g.selection_method = true;
        }
        "selection_method_param" => {
            only_for(expect == Expect::Add, "here")?;
            g.basis = Some(number(tok, v, "selection_method_param", u64::from(u32::MAX))? as u32);
        }
        "fields" => {
            only_for(expect == Expect::Add, "here")?;
            parse_fields(tok, v, &mut g.fields)?;
        }
        "command_bucket_id" => {
            only_for(
                matches!(expect, Expect::Insert | Expect::Remove),
                "here (insert/remove buckets only)",
            )?;
            g.command_bucket_id = Some(match v {
                "first" => BucketPos::First,
                "last" => BucketPos::Last,
                "all" => BucketPos::All,
                _ => {
                    BucketPos::Id(number(tok, v, "command_bucket_id", u64::from(BUCKET_MAX))? as u32)
                }
            });
        }
        _ => return Err(tok.err(format!("unknown group field '{k}'"))),
    }
    Ok(())
}

fn finish(mut g: Group, expect: Expect, input: &str) -> Result<Group, ParseError> {
    let missing = |what: &str| ParseError {
        message: format!("missing {what} in '{input}'"),
        token: String::new(),
        position: 0,
    };
    match expect {
        Expect::Add => {
            if g.group_id.is_none() {
                return Err(missing("group_id"));
            }
            if g.group_type.is_none() {
                return Err(missing("type"));
            }
            if (g.selection_method || !g.fields.is_empty() || g.basis.is_some())
                && g.group_type != Some(GroupType::Select)
            {
                return Err(missing("type=select (selection_method, fields and selection_method_param are for select groups)"));
            }
        }
        Expect::Insert => {
            if g.group_id.is_none() {
                return Err(missing("group_id"));
            }
            if g.buckets.is_empty() {
                return Err(missing("bucket"));
            }
            if g.command_bucket_id == Some(BucketPos::All) {
                return Err(missing(
                    "command_bucket_id other than 'all' (insert takes first, last or a bucket id)",
                ));
            }
            g.command_bucket_id.get_or_insert(BucketPos::Last);
        }
        Expect::Remove => {
            if g.group_id.is_none() {
                return Err(missing("group_id"));
            }
            g.command_bucket_id.get_or_insert(BucketPos::All);
        }
        Expect::Delete | Expect::Select => {}
    }
    Ok(g)
}

/// Parse one line of an `add-groups` file: an optional command keyword (add, modify,
/// add_or_mod, delete, insert_bucket, remove_bucket; default add) and a group string.
/// Blank lines and `#` comments give `None`.
pub fn parse_batch_line(line: &str) -> Result<Option<(BatchCommand, Group)>, ParseError> {
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    let lead = line.len() - line.trim_start().len();
    let (cmd, rest, skip) = match trimmed.split_once(char::is_whitespace) {
        Some((word, rest)) if !word.contains('=') => {
            let cmd = BatchCommand::ALL.iter().find(|(_, k)| *k == word).map(|(c, _)| *c).ok_or_else(|| {
                ParseError {
                    message: format!("unknown command '{word}' (add, modify, add_or_mod, delete, insert_bucket, remove_bucket)"),
                    token: word.to_string(),
                    position: lead + 1,
                }
            })?;
            (
                cmd,
                rest.trim_start(),
                trimmed.len() - rest.trim_start().len(),
            )
        }
        _ => (BatchCommand::Add, trimmed, 0),
    };
    let expect = match cmd {
        BatchCommand::Add | BatchCommand::Modify | BatchCommand::AddOrMod => Expect::Add,
        BatchCommand::Delete => Expect::Delete,
        BatchCommand::InsertBucket => Expect::Insert,
        BatchCommand::RemoveBucket => Expect::Remove,
    };
    parse_group(rest, expect)
        .map(|g| Some((cmd, g)))
        .map_err(|mut e| {
            if e.position > 0 {
                e.position += lead + skip;
            }
            e
        })
}
