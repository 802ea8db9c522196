//! The netlink client: ofgroup's generic netlink family through neli, with the ABI numbers from
//! `ofgroup-abi` (the same file the kernel module compiles).
//!
//! `client` is the socket and batching; one codec file per object encodes its requests and
//! decodes its replies (`group`, `flow`, `port`, `dp`, `features`, the shared
//! `action` nest), over the in-place message writer in `enc`.

use neli::genl::Genlmsghdr;

use crate::spec::Group;

mod action;
mod client;
mod dp;
mod enc;
mod features;
mod flow;
mod group;
mod port;

pub use client::Client;
pub use enc::Enc;
pub use flow::encode_flow_request;
pub use group::encode_batch_request;

/// A failure, with the exit code it maps to.
#[derive(Debug)]
pub enum Failure {
    /// The kernel refused: errno and its extack message (exit 2).
    Kernel { errno: i32, message: Option<String> },
    /// Anything else on the way (socket, family missing, decoding) (exit 2).
    Other(String),
}

/// The errno's text, without the "(os error N)" that `io::Error` appends.
pub fn strerror(errno: i32) -> String {
    let s = std::io::Error::from_raw_os_error(errno).to_string();
    match s.rfind(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // As iproute2 does: the kernel's extack message is the error.
            Failure::Kernel {
                message: Some(m), ..
            } => write!(f, "{m}"),
            // The genetlink core refuses a change from a process without CAP_NET_ADMIN before
            // the module sees it, so without a message: say what is missing.
            Failure::Kernel {
                errno: 1,
                message: None,
            } => write!(f, "{} (changes need CAP_NET_ADMIN)", strerror(1)),
            Failure::Kernel {
                errno,
                message: None,
            } => write!(f, "{}", strerror(*errno)),
            Failure::Other(m) => write!(f, "{m}"),
        }
    }
}

fn other(e: impl std::fmt::Display) -> Failure {
    Failure::Other(e.to_string())
}

impl Failure {
    fn into_indexed(self, i: usize) -> (usize, Failure) {
        (i, self)
    }
}

type Msg = Genlmsghdr<u8, u16>;

/// A change the kernel announced on the monitor group (of this process's network namespace).
pub enum Notification {
    /// A group was added or changed.
    Changed(Group),
    /// A group (`Some(id)`) or every group (`None`) was deleted.
    Deleted(Option<u32>),
    /// A flow was added (`count` is `None`), or flows were modified.
    FlowChanged(FlowEvent),
    /// Flows were deleted.
    FlowDeleted(FlowEvent),
    /// A port was attached.
    PortAdded(crate::port::Port),
    /// A port was detached (its number, ifindex and name).
    PortDeleted(crate::port::Port),
}

/// What a flow notification carries: the added flow, or a modify/delete request's selector
/// (priority only when strict), new actions and how many flows it changed.
pub struct FlowEvent {
    /// The flow, or the selector and new actions.
    pub flow: crate::flow::Flow,
    /// The selector was strict.
    pub strict: bool,
    /// Flows changed (modify, delete).
    pub count: Option<u32>,
}
