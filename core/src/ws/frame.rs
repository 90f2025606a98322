//! The frame layer (RFC 6455, section 5): headers parsed from and written
//! to buffers, masking. No state, no I/O.

use bytes::{BufMut, BytesMut};

/// Frame opcodes (section 5.2).
pub(crate) mod opcode {
    pub(crate) const CONTINUATION: u8 = 0x0;
    pub(crate) const TEXT: u8 = 0x1;
    pub(crate) const BINARY: u8 = 0x2;
    pub(crate) const CLOSE: u8 = 0x8;
    pub(crate) const PING: u8 = 0x9;
    pub(crate) const PONG: u8 = 0xA;
}

/// The largest payload a control frame may carry (section 5.5).
pub(crate) const MAX_CONTROL_PAYLOAD: usize = 125;

/// A frame's header, as read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) fin: bool,
    /// RSV1: a compressed message's first frame (permessage-deflate).
    pub(crate) rsv1: bool,
    /// RSV2 or RSV3: no extension we agree uses them.
    pub(crate) rsv23: bool,
    pub(crate) opcode: u8,
    pub(crate) mask: Option<[u8; 4]>,
    pub(crate) len: u64,
}

impl Header {
    pub(crate) fn is_control(&self) -> bool {
        self.opcode & 0x8 != 0
    }
}

/// Parses a header at the start of `buf`: the header and its size, or
/// `None` when more bytes are needed.
pub(crate) fn parse_header(buf: &[u8]) -> Option<(Header, usize)> {
    let [b0, b1, ..] = *buf else { return None };
    let masked = b1 & 0x80 != 0;
    let (len, mut at) = match b1 & 0x7F {
        126 => (
            u64::from(u16::from_be_bytes(buf.get(2..4)?.try_into().ok()?)),
            4,
        ),
        127 => (u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?), 10),
        n => (u64::from(n), 2),
    };
    let mask = if masked {
        let key: [u8; 4] = buf.get(at..at + 4)?.try_into().ok()?;
        at += 4;
        Some(key)
    } else {
        None
    };
    let header = Header {
        fin: b0 & 0x80 != 0,
        rsv1: b0 & 0x40 != 0,
        rsv23: b0 & 0x30 != 0,
        opcode: b0 & 0x0F,
        mask,
        len,
    };
    Some((header, at))
}

/// Writes an unmasked header (servers never mask, section 5.1).
pub(crate) fn write_header(out: &mut BytesMut, fin: bool, rsv1: bool, opcode: u8, len: usize) {
    let b0 = u8::from(fin) << 7 | u8::from(rsv1) << 6 | opcode;
    if len < 126 {
        out.put_slice(&[b0, len as u8]);
    } else if let Ok(len) = u16::try_from(len) {
        out.put_slice(&[b0, 126]);
        out.put_u16(len);
    } else {
        out.put_slice(&[b0, 127]);
        out.put_u64(len as u64);
    }
}

/// Applies (or removes: it is its own inverse) the mask `key` to `data`,
/// whose first byte is byte `offset` of the frame's payload. Eight bytes
/// at a time: the compiler vectorises the word loop.
pub(crate) fn apply_mask(data: &mut [u8], key: [u8; 4], offset: usize) {
    let mut key = key;
    key.rotate_left(offset % 4);
    let word = u64::from_ne_bytes([
        key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3],
    ]);
    let mut chunks = data.chunks_exact_mut(8);
    for chunk in &mut chunks {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        chunk.copy_from_slice(&(u64::from_ne_bytes(bytes) ^ word).to_ne_bytes());
    }
    for (i, byte) in chunks.into_remainder().iter_mut().enumerate() {
        *byte ^= key[i % 4];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_of_every_length_form() {
        for len in [0usize, 125, 126, 65535, 65536, 1 << 20] {
            let mut out = BytesMut::new();
            write_header(&mut out, true, false, opcode::BINARY, len);
            let (header, size) = parse_header(&out).expect("complete");
            assert_eq!(size, out.len());
            assert_eq!(header.len, len as u64);
            assert!(header.fin && !header.rsv1 && header.mask.is_none());
            // One byte short of the header is "need more".
            assert!(parse_header(&out[..size - 1]).is_none());
        }
    }

    #[test]
    fn rfc_example_masked_hello() {
        // RFC 6455, section 5.7: a masked "Hello".
        let mut frame = [
            0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58,
        ];
        let (header, at) = parse_header(&frame).expect("complete");
        assert_eq!((header.opcode, header.len, at), (opcode::TEXT, 5, 6));
        let key = header.mask.expect("masked");
        apply_mask(&mut frame[at..], key, 0);
        assert_eq!(&frame[at..], b"Hello");
    }

    #[test]
    fn masking_in_pieces_equals_masking_at_once() {
        let key = [1, 2, 3, 4];
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let mut whole = data.clone();
        apply_mask(&mut whole, key, 0);
        let mut pieces = data;
        let mut at = 0;
        for size in [1, 7, 13, 100, 3, 876] {
            apply_mask(&mut pieces[at..at + size], key, at);
            at += size;
        }
        assert_eq!(whole, pieces);
    }
}
