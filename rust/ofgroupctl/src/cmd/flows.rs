//! Flows: add-flow, mod-flows, del-flows, add-flows, dump-flows.

use ofgroupctl::flow::{format_flow, format_flow_stats, parse_flow, parse_flow_line, FlowCommand};
use ofgroupctl::json::{count_json, flow_json};
use ofgroupctl::nl::{Client, Failure};
use serde_json::Value;

use super::{read_batch, Fail, Out};

/// `add-flow`, `mod-flows [--strict]`, `del-flows [--strict]`: one flow command. The modify
/// and delete replies (how many flows changed) are printed with `--json` only.
pub(crate) fn apply(json: bool, c: FlowCommand, flow: &str) -> Result<(), Fail> {
    let f = parse_flow(flow, c)?;
    let n = Client::connect()?.flow(c, &f)?;
    if json && c != FlowCommand::Add {
        println!("{}", count_json(n));
    }
    Ok(())
}

/// `add-flows FILE`: batched as add-groups is, many requests per datagram; the first refusal
/// stops the batch and is reported with its line.
pub(crate) fn add_batch(file: &str) -> Result<(), Fail> {
    let cmds = read_batch(file, parse_flow_line)?;
    Client::connect()?
        .flow_batch(cmds.iter().map(|(_, (c, f))| (*c, f)), 256)
        .map_err(|(i, e)| match cmds.get(i) {
            Some((n, (c, f))) => Fail::Kernel(Failure::Other(format!(
                "{file}:{n}: {} {}: {e}",
                c.keyword(),
                format_flow(f)
            ))),
            None => Fail::Kernel(e),
        })?;
    Ok(())
}

/// `dump-flows [--no-stats]`.
pub(crate) fn dump(json: bool, no_stats: bool) -> Result<(), Fail> {
    let c = Client::connect()?;
    if json {
        let flows = c.flows()?;
        let v: Vec<Value> = flows.iter().map(|(f, s)| flow_json(f, s)).collect();
        println!("{}", Value::Array(v));
    } else {
        let mut out = Out::new();
        c.flows_each(|f, s| {
            if no_stats {
                out.line(format_args!(" {}", format_flow(&f)))
            } else {
                out.line(format_args!(" {}", format_flow_stats(&f, &s)))
            }
        })?;
        out.finish()?;
    }
    Ok(())
}
