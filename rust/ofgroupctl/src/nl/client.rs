//! The socket: connecting, sending, receiving (with the kernel's extack messages), requests
//! and dumps, batches of many requests per datagram, and the monitor group's notifications.

use neli::{
    consts::socket::Msg as Msg_,
    consts::{
        nl::{NlmF, Nlmsg},
        socket::NlFamily,
    },
    nl::{NlPayload, Nlmsghdr},
    router::synchronous::NlRouter,
    socket::NlSocket,
    utils::Groups,
    FromBytes,
};
use ofgroup_abi::{cmd, group_attr as ga, wire};

use crate::flow::{Flow, FlowCommand};
use crate::spec::Group;

use super::enc::{w_u32, Enc};
use super::flow::{decode_flow_event, encode_flow_request};
use super::group::{decode_group, encode_batch_request};
use super::port::decode_port;
use super::{other, Failure, Msg, Notification};

/// A connection to the `ofgroup` family.
///
/// Requests go through a plain `NlSocket` with our own encoding and receive buffers: neli 0.7.5's
/// router drops the extended ACK when it converts an error to its typed form
/// (`Nlmsgerr::to_typed` does not carry `ext_ack`), and the extack message is what users need to
/// see; and its `NlSocketHandle` zero-fills a fresh 32 KiB buffer for every datagram received,
/// which dominated batches and dumps (one datagram per acknowledgement).
pub struct Client {
    pub(super) sock: NlSocket,
    pub(super) family: u16,
    pub(super) monitor: Option<u32>,
    pub(super) seq: std::cell::Cell<u32>,
    /// Receive buffer, reused for every datagram (the kernel sends at most 32 KiB per dump part).
    pub(super) rbuf: std::cell::RefCell<Vec<u8>>,
}

/// Receive buffer size: a dump part is at most 32 KiB, anything else is far smaller.
pub(super) const RECV_LEN: usize = 64 * 1024;

/// A batch flushes its send buffer at this many bytes (one `sendmsg`, well under the default
/// socket send buffer the kernel checks a request datagram against).
pub(super) const BATCH_BYTES: usize = 32 * 1024;

/// A batch flushes its send buffer once this many of its requests get a reply message (flow
/// modify and delete answer with a count): the replies to one datagram must fit the socket's
/// receive buffer (about 200 KiB by default, a small reply costs it over 1 KiB), or the kernel
/// drops them.
pub(super) const BATCH_REPLIES: usize = 64;

/// One netlink message in a received datagram: header fields and the whole message's bytes.
pub(super) struct RawMsg<'a> {
    pub(super) ty: u16,
    pub(super) seq: u32,
    pub(super) bytes: &'a [u8],
}

/// What one receive gave.
pub(super) enum Recv<R> {
    /// Nothing was queued (non-blocking receive).
    Empty,
    /// A datagram was handled; keep receiving.
    More,
    /// The handler stopped with this.
    Stop(R),
}

/// The netlink messages of a datagram (stops at a malformed header).
pub(super) fn raw_messages(mut buf: &[u8]) -> impl Iterator<Item = RawMsg<'_>> {
    std::iter::from_fn(move || {
        let hdr = buf.get(..16)?;
        let len = u32::from_ne_bytes(hdr[0..4].try_into().ok()?) as usize;
        if len < 16 || len > buf.len() {
            return None;
        }
        let m = RawMsg {
            ty: u16::from_ne_bytes(hdr[4..6].try_into().ok()?),
            seq: u32::from_ne_bytes(hdr[8..12].try_into().ok()?),
            bytes: &buf[..len],
        };
        buf = buf.get((len + 3) & !3..).unwrap_or(&[]);
        Some(m)
    })
}

/// The errno of an NLMSG_ERROR message (0: an acknowledgement).
pub(super) fn raw_error(m: &RawMsg<'_>) -> i32 {
    m.bytes
        .get(16..20)
        .and_then(|b| b.try_into().ok())
        .map_or(0, i32::from_ne_bytes)
}

/// A generic netlink message's command and attributes, read in place.
pub(super) fn genl_of<'a>(raw: &RawMsg<'a>) -> (u8, wire::Attrs<'a>) {
    let cmd = raw.bytes.get(16).copied().unwrap_or(0);
    (cmd, wire::Attrs::new(raw.bytes.get(20..).unwrap_or(&[])))
}

/// Decode one whole message with neli (payloads and errors with their extack).
pub(super) fn parse_msg(bytes: &[u8]) -> Result<Nlmsghdr<u16, Msg>, Failure> {
    Nlmsghdr::<u16, Msg>::from_bytes(&mut std::io::Cursor::new(bytes)).map_err(other)
}

impl Client {
    /// Connect and resolve the family (and its monitor group).
    pub fn connect() -> Result<Self, Failure> {
        let (router, _) =
            NlRouter::connect(NlFamily::Generic, None, Groups::empty()).map_err(other)?;
        let family = router
            .resolve_genl_family(ofgroup_abi::FAMILY_NAME)
            .map_err(|_| {
                Failure::Other(
                    "the ofgroup module is not loaded (no generic netlink family 'ofgroup')".into(),
                )
            })?;
        let monitor = router
            .resolve_nl_mcast_group(ofgroup_abi::FAMILY_NAME, ofgroup_abi::MCGRP_MONITOR)
            .ok();
        drop(router);
        let sock = NlSocket::connect(NlFamily::Generic, None, Groups::empty()).map_err(other)?;
        sock.block().map_err(other)?;
        sock.enable_ext_ack(true).map_err(other)?;
        Ok(Client {
            sock,
            family,
            monitor,
            seq: std::cell::Cell::new(1),
            rbuf: std::cell::RefCell::new(vec![0; RECV_LEN]),
        })
    }

    /// Send the encoded messages in `buf` as one datagram (the kernel handles them in order).
    /// An error reply echoes the refused request whole (the socket has no NETLINK_CAP_ACK,
    /// which needs a setsockopt this crate cannot make without unsafe code), so the receive
    /// buffer grows to hold it: a group of 1024 buckets is a request of over 100 KB, and a
    /// truncated reply would be lost.
    pub(super) fn send_buf(&self, buf: &[u8]) -> Result<(), Failure> {
        let need = buf.len() + 4096;
        {
            let mut r = self.rbuf.borrow_mut();
            if r.len() < need {
                r.resize(need, 0);
            }
        }
        self.sock
            .send(buf, Msg_::empty())
            .map(|_| ())
            .map_err(other)
    }

    /// Send one request (asking for an acknowledgement), its attributes written by `fill`.
    pub(super) fn send(
        &self,
        command: u8,
        dump: bool,
        seq: u32,
        fill: impl FnOnce(&mut Enc<'_>),
    ) -> Result<(), Failure> {
        let flags = if dump {
            NlmF::REQUEST | NlmF::DUMP | NlmF::ACK
        } else {
            NlmF::REQUEST | NlmF::ACK
        };
        let mut out = Vec::with_capacity(256);
        let mut m = Enc::new(&mut out, self.family, flags.bits(), seq, command);
        fill(&mut m);
        m.finish();
        self.send_buf(&out)
    }

    /// Receive one datagram into the reusable buffer and hand its messages to `each`, which
    /// returns `Some` to stop. With `nonblock`, `Ok(Recv::Empty)` when nothing is queued.
    pub(super) fn recv_with<R>(
        &self,
        nonblock: bool,
        mut each: impl FnMut(&RawMsg<'_>) -> Result<Option<R>, Failure>,
    ) -> Result<Recv<R>, Failure> {
        let mut buf = self.rbuf.borrow_mut();
        let flags = if nonblock {
            Msg_::DONTWAIT
        } else {
            Msg_::empty()
        };
        let n = match self.sock.recv(&mut buf[..], flags) {
            Ok((n, _)) => n,
            Err(e) if nonblock && e.kind() == std::io::ErrorKind::WouldBlock => {
                return Ok(Recv::Empty)
            }
            Err(e) => return Err(other(e)),
        };
        for m in raw_messages(&buf[..n.min(buf.len())]) {
            if let Some(r) = each(&m)? {
                return Ok(Recv::Stop(r));
            }
        }
        Ok(Recv::More)
    }

    /// Send one request, its attributes written by `fill`, and hand every reply message's
    /// attributes to `each`, until the acknowledgement or the end of the dump.
    pub(super) fn request_each(
        &self,
        command: u8,
        dump: bool,
        fill: impl FnOnce(&mut Enc<'_>),
        mut each: impl FnMut(wire::Attrs<'_>) -> Result<(), Failure>,
    ) -> Result<(), Failure> {
        let seq = self.seq.get();
        self.seq.set(seq.wrapping_add(1));
        self.send(command, dump, seq, fill)?;
        loop {
            let done = self.recv_with(false, |raw| {
                if raw.seq != seq {
                    return Ok(None);
                }
                if raw.ty == u16::from(Nlmsg::Error) {
                    if raw_error(raw) == 0 {
                        return Ok(Some(()));
                    }
                    return Err(match parse_msg(raw.bytes)?.nl_payload() {
                        NlPayload::Err(e) => kernel_error(e),
                        _ => Failure::Other("malformed error message".into()),
                    });
                }
                if raw.ty == u16::from(Nlmsg::Done) {
                    // The dump's status, and its extack when it failed.
                    return match raw_error(raw) {
                        0 => Ok(Some(())),
                        e => Err(Failure::Kernel {
                            errno: -e,
                            message: None,
                        }),
                    };
                }
                if raw.ty == self.family {
                    each(genl_of(raw).1)?;
                }
                Ok(None)
            })?;
            if let Recv::Stop(()) = done {
                return Ok(());
            }
        }
    }

    /// Send many requests without waiting for each answer: they go many to a datagram, without
    /// asking for acknowledgements (the kernel still answers every refusal, with its extack),
    /// and the last one asks for an acknowledgement, which comes after everything before it was
    /// handled. After each datagram (at most `window` requests) the socket is checked for a
    /// refusal; the first one stops the batch and gives the index of the request that failed
    /// (requests before it are applied, and those already sent in its datagram may be).
    pub fn batch<'g>(
        &self,
        reqs: impl IntoIterator<
            Item = (crate::spec::BatchCommand, &'g Group),
            IntoIter = impl ExactSizeIterator<Item = (crate::spec::BatchCommand, &'g Group)>,
        >,
        window: usize,
    ) -> Result<(), (usize, Failure)> {
        self.batch_with(
            reqs.into_iter(),
            window,
            |out, family, flags, seq, (c, g)| {
                encode_batch_request(out, family, flags, seq, c, g).map(|()| false)
            },
        )
    }

    /// Like [`Client::batch`], for flow commands (what the lines of an add-flows file say).
    pub fn flow_batch<'f>(
        &self,
        reqs: impl IntoIterator<
            Item = (FlowCommand, &'f Flow),
            IntoIter = impl ExactSizeIterator<Item = (FlowCommand, &'f Flow)>,
        >,
        window: usize,
    ) -> Result<(), (usize, Failure)> {
        self.batch_with(
            reqs.into_iter(),
            window,
            |out, family, flags, seq, (c, f)| {
                encode_flow_request(out, family, flags, seq, c, f);
                // Modify and delete answer with a count.
                Ok(c != FlowCommand::Add)
            },
        )
    }

    /// The batching behind [`Client::batch`] and [`Client::flow_batch`]: `encode` appends one
    /// request to the send buffer (family, netlink flags, sequence number) and says whether the
    /// kernel answers it with a reply message besides errors and the acknowledgement.
    pub(super) fn batch_with<T>(
        &self,
        reqs: impl ExactSizeIterator<Item = T>,
        window: usize,
        mut encode: impl FnMut(&mut Vec<u8>, u16, u16, u32, T) -> Result<bool, Failure>,
    ) -> Result<(), (usize, Failure)> {
        let first = self.seq.get();
        let total = reqs.len();
        self.seq.set(first.wrapping_add(total as u32));
        let index = |seq: u32| seq.wrapping_sub(first) as usize;
        // One receive: a refusal stops the batch; the last request's acknowledgement ends it.
        let acked = std::cell::Cell::new(false);
        let check = |nonblock: bool| -> Result<Recv<()>, (usize, Failure)> {
            let r = self.recv_with(nonblock, |raw| {
                if raw.ty != u16::from(Nlmsg::Error) || index(raw.seq) >= total {
                    return Ok(None);
                }
                if raw_error(raw) == 0 {
                    // Only the last request asks for an acknowledgement.
                    acked.set(true);
                    return Ok(None);
                }
                let m = parse_msg(raw.bytes)?;
                Ok(Some(
                    match m.nl_payload() {
                        NlPayload::Err(e) => kernel_error(e),
                        _ => Failure::Other("malformed error message".into()),
                    }
                    .into_indexed(index(raw.seq)),
                ))
            });
            match r {
                Ok(Recv::Stop(refused)) => Err(refused),
                Ok(Recv::Empty) => Ok(Recv::Empty),
                Ok(_) => Ok(Recv::More),
                Err(e) => Err((0, e)),
            }
        };
        let mut out = Vec::with_capacity(BATCH_BYTES + 4096);
        let (mut in_buf, mut replies) = (0, 0);
        for (i, req) in reqs.enumerate() {
            let last = i + 1 == total;
            let flags = if last {
                NlmF::REQUEST | NlmF::ACK
            } else {
                NlmF::REQUEST
            };
            let seq = first.wrapping_add(i as u32);
            if encode(&mut out, self.family, flags.bits(), seq, req).map_err(|e| (i, e))? {
                replies += 1;
            }
            in_buf += 1;
            if last
                || in_buf >= window.max(1)
                || replies >= BATCH_REPLIES
                || out.len() >= BATCH_BYTES
            {
                self.send_buf(&out).map_err(|e| (i, e))?;
                out.clear();
                (in_buf, replies) = (0, 0);
                // The kernel handled the datagram before `send` returned: a refusal in it is
                // queued by now.
                while let Recv::More = check(true)? {}
            }
        }
        // Everything before the last request was handled once its acknowledgement arrives.
        while total > 0 && !acked.get() {
            check(false)?;
        }
        Ok(())
    }

    /// Receive notifications from the monitor group, calling `each` for every one until it
    /// returns false.
    pub fn monitor(&self, mut each: impl FnMut(Notification) -> bool) -> Result<(), Failure> {
        let id = self
            .monitor
            .ok_or_else(|| Failure::Other("no 'monitor' multicast group".into()))?;
        self.sock
            .add_mcast_membership(Groups::new_groups(&[id]))
            .map_err(other)?;
        loop {
            let stop = self.recv_with(false, |raw| {
                if raw.ty != self.family {
                    return Ok(None);
                }
                let (command, attrs) = genl_of(raw);
                let n = match command {
                    cmd::GROUP_CHANGE_NTF => Notification::Changed(decode_group(attrs)?.0),
                    cmd::GROUP_DEL_NTF => match attrs.find(ga::ID) {
                        Some(a) => Notification::Deleted(Some(w_u32(&a)?)),
                        None => Notification::Deleted(None),
                    },
                    cmd::FLOW_CHANGE_NTF => Notification::FlowChanged(decode_flow_event(attrs)?),
                    cmd::FLOW_DEL_NTF => Notification::FlowDeleted(decode_flow_event(attrs)?),
                    cmd::PORT_NEW_NTF => Notification::PortAdded(decode_port(attrs)?),
                    cmd::PORT_DEL_NTF => Notification::PortDeleted(decode_port(attrs)?),
                    _ => return Ok(None),
                };
                Ok((!each(n)).then_some(()))
            })?;
            if let Recv::Stop(()) = stop {
                return Ok(());
            }
        }
    }
}

/// A kernel error with its extack message (NLMSGERR_ATTR_MSG = 1).
pub(super) fn kernel_error(e: &neli::err::Nlmsgerr<neli::err::NlmsghdrErr<u16, Msg>>) -> Failure {
    let message = e
        .ext_ack()
        .iter()
        .find(|a| u16::from(a.nla_type()) == 1)
        .map(|a| {
            let bytes = a.nla_payload().as_ref();
            let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
            String::from_utf8_lossy(&bytes[..end]).into_owned()
        });
    Failure::Kernel {
        errno: -e.error(),
        message,
    }
}
