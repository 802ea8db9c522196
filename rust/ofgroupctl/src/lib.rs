//! ofgroupctl's library: the ovs-ofctl group and flow syntax (parsing and formatting), frames for
//! packet-out, and the netlink requests built from them. The binary is a thin layer over this.

pub mod flow;
pub mod format;
pub mod frame;
pub mod json;
pub mod nl;
pub mod parse;
pub mod port;
pub mod spec;
pub mod watch;
