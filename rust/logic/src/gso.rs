// SPDX-License-Identifier: GPL-2.0

//! How a frame is counted: as the segments it stands for on the wire.
//!
//! veth, GRO and TSO hand the datapath GSO super-frames of up to 64 KiB: one `sk_buff` standing
//! for many wire segments, each of which repeats the frame's headers (Ethernet, VLAN, IP, TCP or
//! UDP). ofgroup counts such a frame as those segments, packets and bytes alike, as Open vSwitch
//! counts a GSO frame's `gso_segs`: the counters then say what crossed, whatever the offloads
//! merged or split on the way, and a GRO'd frame counts the same as the segments it was built
//! from. A frame that is not GSO counts as one packet of its length.

/// Packets and bytes one frame stands for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wire {
    /// Segments on the wire (1 for a frame that is not GSO).
    pub packets: u64,
    /// Bytes of those segments, each with its headers (L2 header included).
    pub bytes: u64,
}

impl Wire {
    /// One frame of `bytes` bytes that is not GSO.
    pub const fn frame(bytes: u64) -> Wire {
        Wire { packets: 1, bytes }
    }
}

/// The wire view of a frame of `len` bytes (L2 header included).
///
/// `gso_size` is the payload per segment (0: not GSO); `gso_segs` the segment count the stack
/// recorded (0: unknown); `hdr_len` the length of the headers every segment repeats (0: unknown,
/// when the parser found no complete TCP/UDP header). With the header length known, the segments
/// are computed from the payload, as `qdisc_pkt_len_init` does for untrusted (`SKB_GSO_DODGY`)
/// frames; without it the stack's count is used and the bytes are the frame's.
pub fn wire(len: u32, gso_size: u16, gso_segs: u16, hdr_len: u16) -> Wire {
    let len64 = u64::from(len);
    if gso_size == 0 {
        return Wire::frame(len64);
    }
    if hdr_len == 0 || u32::from(hdr_len) >= len {
        return Wire {
            packets: u64::from(gso_segs.max(1)),
            bytes: len64,
        };
    }
    let payload = len64 - u64::from(hdr_len);
    let segs = payload.div_ceil(u64::from(gso_size));
    Wire {
        packets: segs,
        bytes: len64 + (segs - 1) * u64::from(hdr_len),
    }
}
