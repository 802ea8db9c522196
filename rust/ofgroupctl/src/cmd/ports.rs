//! Ports and the datapath: add-port, del-port, dump-ports, dump-dp.

use ofgroupctl::json::{dp_json, port_json};
use ofgroupctl::nl::Client;
use ofgroupctl::port::{format_dp, format_port};
use serde_json::Value;

use super::Fail;

/// `add-port IFNAME [PORT]`: prints the port number.
pub(crate) fn add(json: bool, ifname: &str, port: Option<u32>) -> Result<(), Fail> {
    if ifname.is_empty() || ifname.len() > 15 {
        return Err(Fail::Usage(format!(
            "a device name is 1 to 15 bytes, got '{ifname}' (at position 1: '{ifname}')"
        )));
    }
    let p = Client::connect()?.port_new(ifname, port)?;
    if json {
        println!("{}", port_json(&p));
    } else {
        println!("{}", p.port_no);
    }
    Ok(())
}

/// `del-port PORT`.
pub(crate) fn delete(port: u32) -> Result<(), Fail> {
    Client::connect()?.port_del(port)?;
    Ok(())
}

/// `dump-ports [PORT]`.
pub(crate) fn dump(json: bool, port: Option<u32>) -> Result<(), Fail> {
    let ports = Client::connect()?.ports(port)?;
    if json {
        let v: Vec<Value> = ports.iter().map(port_json).collect();
        println!("{}", Value::Array(v));
    } else {
        for p in &ports {
            print!("{}", format_port(p));
        }
    }
    Ok(())
}

/// `dump-dp`.
pub(crate) fn dp(json: bool) -> Result<(), Fail> {
    let d = Client::connect()?.dp()?;
    if json {
        println!("{}", dp_json(&d));
    } else {
        print!("{}", format_dp(&d));
    }
    Ok(())
}
