//! Counting a frame as the wire segments it stands for.

use ofgroup_logic::gso::{wire, Wire};
use proptest::prelude::*;

#[test]
fn not_gso_is_one_frame() {
    assert_eq!(
        wire(60, 0, 0, 0),
        Wire {
            packets: 1,
            bytes: 60
        }
    );
    assert_eq!(
        wire(1514, 0, 7, 66),
        Wire {
            packets: 1,
            bytes: 1514
        }
    );
}

#[test]
fn tso_super_frame() {
    // 10 full segments of 1448 bytes behind 66 bytes of headers: 10 frames of 1514 on the wire.
    assert_eq!(
        wire(66 + 14480, 1448, 10, 66),
        Wire {
            packets: 10,
            bytes: 15140
        }
    );
    // A short last segment.
    assert_eq!(
        wire(66 + 14481, 1448, 11, 66),
        Wire {
            packets: 11,
            bytes: 15140 + 67
        }
    );
    // The stack's own count is not trusted when the headers are known (SKB_GSO_DODGY frames
    // carry 0).
    assert_eq!(
        wire(66 + 2896, 1448, 0, 66),
        Wire {
            packets: 2,
            bytes: 2 * 1514
        }
    );
}

#[test]
fn unknown_headers_fall_back_to_the_stack_count() {
    assert_eq!(
        wire(9000, 1400, 6, 0),
        Wire {
            packets: 6,
            bytes: 9000
        }
    );
    assert_eq!(
        wire(9000, 1400, 0, 0),
        Wire {
            packets: 1,
            bytes: 9000
        }
    );
    // Headers as long as the frame: no payload to split.
    assert_eq!(
        wire(66, 1448, 1, 66),
        Wire {
            packets: 1,
            bytes: 66
        }
    );
}

proptest! {
    /// Counting segments is what splitting the frame would count: each segment carries the
    /// headers and at most gso_size of payload, all but the last a full gso_size.
    #[test]
    fn equals_segmenting(hdr in 14u16..200, gso in 1u16..9000, payload in 1u32..65000) {
        let len = u32::from(hdr) + payload;
        let w = wire(len, gso, 0, hdr);
        let mut left = payload;
        let (mut packets, mut bytes) = (0u64, 0u64);
        while left > 0 {
            let seg = left.min(u32::from(gso));
            packets += 1;
            bytes += u64::from(hdr) + u64::from(seg);
            left -= seg;
        }
        prop_assert_eq!(w, Wire { packets, bytes });
    }
}
