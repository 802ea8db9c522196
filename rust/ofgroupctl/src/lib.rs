//! ofgroupctl's library: the ovs-ofctl group and flow syntax (parsing and formatting), frames for
//! packet-out, the netlink client and codecs (`nl`), and the `--json` views (`json`). The binary
//! (`main.rs` and the commands in `src/cmd/`) is a thin layer over this.

pub mod flow;
pub mod format;
pub mod frame;
pub mod json;
pub mod nl;
pub mod parse;
pub mod port;
pub mod spec;
pub mod watch;
