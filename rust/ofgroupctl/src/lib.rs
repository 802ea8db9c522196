//! ofgroupctl's library: the ovs-ofctl group syntax (parsing and formatting) and, as the netlink
//! client arrives, the requests built from it. The binary is a thin layer over this.

pub mod format;
pub mod nl;
pub mod parse;
pub mod spec;
