//! Requests encoded in place: the message writer and the attribute readers the codecs share.

use ofgroup_abi::wire;

use super::Failure;

/// A netlink message encoded in place, appended to a buffer: header, generic netlink header,
/// attributes. Every request is encoded this way rather than through neli's attribute objects
/// (an allocation per attribute and a copy per nesting level), which cost more than the kernel
/// spends installing a group.
pub struct Enc<'a> {
    buf: &'a mut Vec<u8>,
    start: usize,
}

/// The shared codecs (`ofgroup_abi::match_nest`) write through this.
impl ofgroup_abi::wire::AttrSink for Enc<'_> {
    type Error = std::convert::Infallible;

    fn put(&mut self, kind: u16, payload: &[u8]) -> Result<(), Self::Error> {
        self.bytes(kind, payload);
        Ok(())
    }
}

/// NLA_F_NESTED: the kernel's strict validation wants it on every nest.
pub(super) const NLA_F_NESTED: u16 = 1 << 15;

impl<'a> Enc<'a> {
    /// Start a message for `family`/`command` at the end of `buf`.
    pub fn new(buf: &'a mut Vec<u8>, family: u16, flags: u16, seq: u32, command: u8) -> Self {
        let start = buf.len();
        buf.extend_from_slice(&0u32.to_ne_bytes()); // length, set by `finish`
        buf.extend_from_slice(&family.to_ne_bytes());
        buf.extend_from_slice(&flags.to_ne_bytes());
        buf.extend_from_slice(&seq.to_ne_bytes());
        buf.extend_from_slice(&0u32.to_ne_bytes()); // port id: the kernel fills it in
        buf.extend_from_slice(&[command, ofgroup_abi::FAMILY_VERSION, 0, 0]);
        Enc { buf, start }
    }

    /// An attribute with `payload` as it is (binary).
    pub fn bytes(&mut self, kind: u16, payload: &[u8]) {
        let len = 4 + payload.len();
        self.buf.extend_from_slice(&(len as u16).to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(payload);
        self.buf.resize((self.buf.len() + 3) & !3, 0);
    }

    /// A u32 attribute.
    pub fn u32(&mut self, kind: u16, v: u32) {
        self.bytes(kind, &v.to_ne_bytes());
    }

    /// A u16 attribute.
    pub fn u16(&mut self, kind: u16, v: u16) {
        self.bytes(kind, &v.to_ne_bytes());
    }

    /// A NUL-terminated string attribute.
    pub fn string(&mut self, kind: u16, s: &str) {
        let len = 4 + s.len() + 1;
        self.buf.extend_from_slice(&(len as u16).to_ne_bytes());
        self.buf.extend_from_slice(&kind.to_ne_bytes());
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(0);
        self.buf.resize((self.buf.len() + 3) & !3, 0);
    }

    /// A flag attribute.
    pub fn flag(&mut self, kind: u16) {
        self.bytes(kind, &[]);
    }

    /// A nested attribute, its contents written by `fill`.
    pub fn nest(&mut self, kind: u16, fill: impl FnOnce(&mut Self)) {
        let at = self.buf.len();
        self.bytes(kind | NLA_F_NESTED, &[]);
        fill(self);
        let len = (self.buf.len() - at) as u16;
        self.buf[at..at + 2].copy_from_slice(&len.to_ne_bytes());
    }

    /// Set the message length; the message is complete (and 4-byte aligned).
    pub fn finish(self) {
        let len = (self.buf.len() - self.start) as u32;
        self.buf[self.start..self.start + 4].copy_from_slice(&len.to_ne_bytes());
    }
}

pub(super) fn w_u32(a: &wire::Attr<'_>) -> Result<u32, Failure> {
    a.u32()
        .ok_or_else(|| Failure::Other("short u32 attribute".into()))
}

pub(super) fn w_uint(a: &wire::Attr<'_>) -> Result<u64, Failure> {
    a.uint()
        .ok_or_else(|| Failure::Other(format!("uint attribute of {} bytes", a.payload.len())))
}
