// SPDX-License-Identifier: GPL-2.0

//! Reading netlink attributes (TLVs) from a byte buffer: `struct nlattr { u16 len; u16 type; }`
//! followed by the payload, each attribute padded to 4 bytes. Used by the kernel to walk requests
//! the genetlink core has already validated against the family's policy (repeated attributes such
//! as buckets are not in `info->attrs`), and testable on the host. Never panics on any input.

/// Attribute header length.
pub const NLA_HDRLEN: usize = 4;
/// Type bits (NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off).
pub const NLA_TYPE_MASK: u16 = 0x3fff;

/// One attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attr<'a> {
    /// Attribute type (flags masked off).
    pub kind: u16,
    /// Payload.
    pub payload: &'a [u8],
    /// Offset of the attribute header in the buffer the iteration started from.
    pub offset: usize,
}

impl<'a> Attr<'a> {
    /// Payload as a u16 (native endian), if it is at least 2 bytes.
    pub fn u16(&self) -> Option<u16> {
        Some(u16::from_ne_bytes(self.payload.get(..2)?.try_into().ok()?))
    }

    /// Payload as a u32, if it is at least 4 bytes.
    pub fn u32(&self) -> Option<u32> {
        Some(u32::from_ne_bytes(self.payload.get(..4)?.try_into().ok()?))
    }

    /// Payload as a `uint` (4 or 8 bytes).
    pub fn uint(&self) -> Option<u64> {
        match self.payload.len() {
            4 => self.u32().map(u64::from),
            8 => Some(u64::from_ne_bytes(self.payload.try_into().ok()?)),
            _ => None,
        }
    }

    /// The attributes nested in this one; offsets stay relative to the outer buffer.
    pub fn nested(&self) -> Attrs<'a> {
        Attrs {
            buf: self.payload,
            pos: 0,
            base: self.offset + NLA_HDRLEN,
        }
    }
}

/// Iterator over the attributes in a buffer. Stops at the first malformed header.
#[derive(Clone, Debug)]
pub struct Attrs<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Attrs<'a> {
    /// Attributes of `buf`, offsets counted from its start.
    pub fn new(buf: &'a [u8]) -> Self {
        Attrs {
            buf,
            pos: 0,
            base: 0,
        }
    }

    /// The last attribute of type `kind` (what the kernel's `info->attrs[kind]` holds).
    pub fn find(&self, kind: u16) -> Option<Attr<'a>> {
        self.clone().filter(|a| a.kind == kind).last()
    }

    /// Every attribute of type `kind`, in order.
    pub fn all(&self, kind: u16) -> impl Iterator<Item = Attr<'a>> {
        self.clone().filter(move |a| a.kind == kind)
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Attr<'a>;

    fn next(&mut self) -> Option<Attr<'a>> {
        let rest = self.buf.get(self.pos..)?;
        let hdr = rest.get(..NLA_HDRLEN)?;
        let len = usize::from(u16::from_ne_bytes([hdr[0], hdr[1]]));
        let kind = u16::from_ne_bytes([hdr[2], hdr[3]]) & NLA_TYPE_MASK;
        if len < NLA_HDRLEN {
            return None;
        }
        let payload = rest.get(NLA_HDRLEN..len)?;
        let a = Attr {
            kind,
            payload,
            offset: self.base + self.pos,
        };
        self.pos += (len + 3) & !3;
        Some(a)
    }
}

/// Where attributes are written: a netlink message being built (the kernel's `sk_buff`, a
/// userspace buffer) or an [`AttrBuf`]. One call per attribute; the sink adds header and padding.
pub trait AttrSink {
    /// Why an attribute could not be written (typically: no room).
    type Error;
    /// Append attribute `kind` with `payload`.
    fn put(&mut self, kind: u16, payload: &[u8]) -> Result<(), Self::Error>;
}

/// An [`AttrBuf`] has no room for the attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Full;

/// A fixed-capacity byte buffer of netlink attributes (no allocation): what a nest's payload
/// looks like on the wire, readable back with [`Attrs::new`]`(buf.as_bytes())`.
#[derive(Clone, Debug)]
pub struct AttrBuf<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> AttrBuf<N> {
    /// An empty buffer.
    pub const fn new() -> Self {
        AttrBuf {
            buf: [0; N],
            len: 0,
        }
    }

    /// The attributes written so far (headers, payloads, padding).
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl<const N: usize> Default for AttrBuf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> AttrSink for AttrBuf<N> {
    type Error = Full;

    fn put(&mut self, kind: u16, payload: &[u8]) -> Result<(), Full> {
        let len = NLA_HDRLEN + payload.len();
        let padded = (len + 3) & !3;
        let hdr_len = u16::try_from(len).map_err(|_| Full)?;
        let end = self
            .len
            .checked_add(padded)
            .filter(|&e| e <= N)
            .ok_or(Full)?;
        let out = &mut self.buf[self.len..end];
        out[..2].copy_from_slice(&hdr_len.to_ne_bytes());
        out[2..4].copy_from_slice(&kind.to_ne_bytes());
        out[NLA_HDRLEN..len].copy_from_slice(payload);
        out[len..].fill(0);
        self.len = end;
        Ok(())
    }
}
