//! Frames: packet-out, frame.

use ofgroupctl::frame::{frame_from_arg, to_hex};
use ofgroupctl::json::frame_json;
use ofgroupctl::nl::Client;

use super::Fail;

/// `in_port=N` or `N` (packet-out's first argument).
fn in_port_arg(arg: &str) -> Result<u32, Fail> {
    let v = arg.strip_prefix("in_port=").unwrap_or(arg);
    match v.parse::<u32>() {
        Ok(p) if (1..=ofgroup_logic::model::OFPP_MAX).contains(&p) => Ok(p),
        _ => Err(Fail::Usage(format!(
            "in_port must be a port number from 1 to {} (in_port=N or N), got '{arg}' (at position 1: '{arg}')",
            ofgroup_logic::model::OFPP_MAX
        ))),
    }
}

/// `packet-out IN_PORT FRAME...`.
pub(crate) fn packet_out(in_port: &str, frame: &[String], len: Option<usize>) -> Result<(), Fail> {
    let port = in_port_arg(in_port)?;
    let data = frame_from_arg(&frame.join(" "), len)?;
    Client::connect()?.packet_execute(port, &data)?;
    Ok(())
}

/// `frame DESCRIPTION...`: the frame's bytes in hex.
pub(crate) fn frame(json: bool, description: &[String], len: Option<usize>) -> Result<(), Fail> {
    let data = frame_from_arg(&description.join(" "), len)?;
    if json {
        println!("{}", frame_json(&to_hex(&data)));
    } else {
        println!("{}", to_hex(&data));
    }
    Ok(())
}
