//! Attribute walking: well-formed buffers, nesting, padding, and garbage.

use ofgroup_abi::wire::{Attrs, NLA_HDRLEN};
use proptest::prelude::*;

fn put(buf: &mut Vec<u8>, kind: u16, payload: &[u8]) {
    let len = (NLA_HDRLEN + payload.len()) as u16;
    buf.extend_from_slice(&len.to_ne_bytes());
    buf.extend_from_slice(&kind.to_ne_bytes());
    buf.extend_from_slice(payload);
    while buf.len() % 4 != 0 {
        buf.push(0);
    }
}

#[test]
fn walks_flat_and_nested() {
    let mut inner = Vec::new();
    put(&mut inner, 1, &7u32.to_ne_bytes());
    put(&mut inner, 2, &3u16.to_ne_bytes());
    let mut buf = Vec::new();
    put(&mut buf, 1, &1234u32.to_ne_bytes());
    put(&mut buf, 5 | 0x8000, &inner);
    put(&mut buf, 5 | 0x8000, &inner);
    put(&mut buf, 8, &[]);
    put(&mut buf, 11, &(1u64 << 40).to_ne_bytes());
    let a = Attrs::new(&buf);
    assert_eq!(a.find(1).and_then(|x| x.u32()), Some(1234));
    assert_eq!(a.all(5).count(), 2);
    let b = a.find(5).unwrap();
    assert_eq!(b.nested().find(1).and_then(|x| x.u32()), Some(7));
    assert_eq!(b.nested().find(2).and_then(|x| x.u16()), Some(3));
    assert_eq!(b.nested().find(2).unwrap().offset, b.offset + 4 + 8);
    assert!(a.find(8).is_some_and(|x| x.payload.is_empty()));
    assert_eq!(a.find(11).and_then(|x| x.uint()), Some(1 << 40));
    assert_eq!(a.find(9), None);
}

proptest! {
    #[test]
    fn never_panics_on_garbage(buf in prop::collection::vec(any::<u8>(), 0..256)) {
        for a in Attrs::new(&buf) {
            let _ = (a.u16(), a.u32(), a.uint());
            for n in a.nested() {
                prop_assert!(n.offset + 4 + n.payload.len() <= buf.len());
            }
        }
    }
}
