//! Properties of the frame layer: headers read back as written, a header
//! cut short asks for more, masking matches RFC 6455 §5.3 byte for byte.

use bytes::BytesMut;
use proptest::prelude::*;

use super::frame::{Header, apply_mask, parse_header, write_header};

/// Payload lengths around each encoding's edges, and anywhere.
fn length() -> impl Strategy<Value = usize> {
    prop_oneof![
        0usize..130,
        65_530usize..65_540,
        any::<u32>().prop_map(|n| n as usize)
    ]
}

proptest! {
    /// What `write_header` writes, `parse_header` reads back whole.
    #[test]
    fn written_headers_read_back(fin in any::<bool>(), rsv1 in any::<bool>(), opcode in 0u8..16, len in length()) {
        let mut out = BytesMut::new();
        write_header(&mut out, fin, rsv1, opcode, len);
        let want = Header { fin, rsv1, rsv23: false, opcode, mask: None, len: len as u64 };
        prop_assert_eq!(parse_header(&out), Some((want, out.len())));
    }

    /// Every strict prefix of a header, masked or not, needs more bytes.
    #[test]
    fn a_cut_header_needs_more(len in length(), key in any::<Option<[u8; 4]>>()) {
        let mut out = BytesMut::new();
        write_header(&mut out, true, false, 0x2, len);
        if let Some(key) = key {
            out[1] |= 0x80;
            out.extend_from_slice(&key);
        }
        for cut in 0..out.len() {
            prop_assert_eq!(parse_header(&out[..cut]), None);
        }
        prop_assert_eq!(parse_header(&out).map(|(h, n)| (h.mask, n)), Some((key, out.len())));
    }

    /// Any bytes: a header of a legal size within them, or a request for
    /// more, never a panic.
    #[test]
    fn any_bytes_parse(buf in prop::collection::vec(any::<u8>(), 0..20)) {
        if let Some((_, n)) = parse_header(&buf) {
            prop_assert!(n <= buf.len() && [2, 4, 6, 8, 10, 14].contains(&n));
        }
    }

    /// Masking XORs byte `i` of the payload with `key[i % 4]`, from any
    /// offset, and undoes itself.
    #[test]
    fn masking_is_the_rfcs(data in prop::collection::vec(any::<u8>(), 0..64), key in any::<[u8; 4]>(), offset in 0usize..16) {
        let mut masked = data.clone();
        apply_mask(&mut masked, key, offset);
        let want: Vec<u8> = data.iter().enumerate().map(|(i, b)| b ^ key[(offset + i) % 4]).collect();
        prop_assert_eq!(&masked, &want);
        apply_mask(&mut masked, key, offset);
        prop_assert_eq!(masked, data);
    }
}
