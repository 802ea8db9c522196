//! Groups: add-group, mod-group, del-groups, dump-groups, dump-group-stats,
//! dump-group-features, add-groups.

use ofgroupctl::format::{format_features, format_group, format_stats};
use ofgroupctl::json::{features_json, group_json};
use ofgroupctl::nl::{Client, Failure};
use ofgroupctl::parse::{parse_batch_line, parse_group, Expect};
use ofgroupctl::spec::{BatchCommand, Group, GroupId};
use serde_json::Value;

use super::{read_batch, Fail, Out};

/// A group selector for dump/del: `N`, `group_id=N`, `group_id=all` or nothing.
pub(crate) fn selector(arg: Option<&str>, expect: Expect) -> Result<Option<u32>, Fail> {
    let Some(a) = arg else { return Ok(None) };
    let text = if a.bytes().all(|b| b.is_ascii_digit()) {
        format!("group_id={a}")
    } else {
        a.to_string()
    };
    let g = parse_group(&text, expect)?;
    Ok(match g.group_id {
        Some(GroupId::Id(id)) => Some(id),
        _ => None,
    })
}

/// `add-group`.
pub(crate) fn add(group: &str) -> Result<(), Fail> {
    let g = parse_group(group, Expect::Add)?;
    Client::connect()?.apply(BatchCommand::Add, &g)?;
    Ok(())
}

/// `mod-group [--may-create]`.
pub(crate) fn modify(may_create: bool, group: &str) -> Result<(), Fail> {
    let g = parse_group(group, Expect::Add)?;
    let c = if may_create {
        BatchCommand::AddOrMod
    } else {
        BatchCommand::Modify
    };
    Client::connect()?.apply(c, &g)?;
    Ok(())
}

/// `del-groups [GROUP]`.
pub(crate) fn delete(group: Option<&str>) -> Result<(), Fail> {
    let id = selector(group, Expect::Delete)?;
    let g = Group {
        group_id: id.map(GroupId::Id),
        ..Group::default()
    };
    Client::connect()?.apply(BatchCommand::Delete, &g)?;
    Ok(())
}

/// `dump-groups [GROUP]` and, with `stats`, `dump-group-stats [GROUP]`.
pub(crate) fn dump(json: bool, group: Option<&str>, stats: bool) -> Result<(), Fail> {
    let id = selector(group, Expect::Select)?;
    let c = Client::connect()?;
    if json {
        let groups = c.groups(id, stats)?;
        let v: Vec<Value> = groups
            .iter()
            .map(|(g, s)| group_json(g, stats.then_some(s)))
            .collect();
        println!("{}", Value::Array(v));
    } else {
        let mut out = Out::new();
        c.groups_each(id, stats, |g, s| {
            if stats {
                out.line(format_args!(" {}", format_stats(&s)))
            } else {
                out.line(format_args!(" {}", format_group(&g)))
            }
        })?;
        out.finish()?;
    }
    Ok(())
}

/// `dump-group-features`.
pub(crate) fn features(json: bool) -> Result<(), Fail> {
    let f = Client::connect()?.features()?;
    if json {
        println!("{}", features_json(&f));
    } else {
        print!("{}", format_features(&f));
    }
    Ok(())
}

/// `add-groups FILE`: many requests per datagram; the first refusal stops the batch and is
/// reported with its line (lines before it are applied; later lines sent in the same datagram,
/// at most 256 requests, may be too).
pub(crate) fn add_batch(file: &str) -> Result<(), Fail> {
    let cmds = read_batch(file, parse_batch_line)?;
    Client::connect()?
        .batch(cmds.iter().map(|(_, (c, g))| (*c, g)), 256)
        .map_err(|(i, e)| match cmds.get(i) {
            Some((n, (cmd, g))) => Fail::Kernel(Failure::Other(format!(
                "{file}:{n}: {} {}: {e}",
                cmd.keyword(),
                format_group(g)
            ))),
            None => Fail::Kernel(e),
        })?;
    Ok(())
}
