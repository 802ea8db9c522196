// SPDX-License-Identifier: GPL-2.0

//! A generic netlink family at the C boundary. [`Family`] registers the family its
//! [`GenlHandler`] describes (a [`FamilySpec`]: policies and operations, see `policy`) and owns
//! that handler, which serves the operations; `msg` holds safe views of requests, replies, dumps
//! and notifications. Nothing here knows which commands or attributes exist or what they do.

mod family;
mod msg;
mod policy;

pub(crate) use family::Family;
pub(crate) use msg::{Dump, Msg, Request};
pub(crate) use policy::{FamilySpec, Op, Policy, Rule};

/// What serves the family's operations; owned by the [`Family`] registration, so it lives
/// exactly as long as operations can run.
pub(crate) trait GenlHandler: Send + Sync + 'static {
    /// The family this handler serves.
    const SPEC: &'static FamilySpec;

    /// Serve one `do` request for command `cmd`.
    fn doit(&self, cmd: u8, req: &Request<'_>) -> Result<(), Reject>;

    /// Serve one part of a dump for command `cmd`.
    fn dumpit(&self, cmd: u8, dump: &mut Dump<'_>) -> Result<DumpStatus, Reject>;
}

/// How a dump part ended.
pub(crate) enum DumpStatus {
    /// More to come: call again.
    More,
    /// Finished.
    Done,
}

/// Why a request was refused: errno, message (copied into extack) and the offending attribute.
pub(crate) struct Reject {
    /// Negative errno.
    pub(crate) errno: i32,
    /// Message, NUL-terminated within the buffer.
    pub(crate) msg: [u8; 80],
    /// Offset of the bad attribute in the request's attribute buffer.
    pub(crate) bad_attr: Option<usize>,
}

impl Reject {
    /// A refusal with errno `errno` (either sign: a positive errno value or
    /// `Error::to_errno()`) and a formatted message.
    pub(crate) fn new(errno: i32, msg: core::fmt::Arguments<'_>, bad_attr: Option<usize>) -> Self {
        let mut r = Reject {
            errno: -errno.abs(),
            msg: [0; 80],
            bad_attr,
        };
        let mut w = BufWriter {
            buf: &mut r.msg,
            len: 0,
        };
        let _ = core::fmt::write(&mut w, msg);
        r
    }
}

struct BufWriter<'a> {
    buf: &'a mut [u8; 80],
    len: usize,
}

impl core::fmt::Write for BufWriter<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &b in s.as_bytes() {
            // Keep the last byte for the NUL.
            if self.len + 1 < self.buf.len() {
                self.buf[self.len] = b;
                self.len += 1;
            }
        }
        Ok(())
    }
}
