//! Any bytes as the start of a WebSocket frame: a header of a legal size
//! within them, or a request for more (as for every shorter prefix), never
//! a panic; what it says is what the server's writer writes back for the
//! same fields, and the payload's mask is undone by applying it again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mocket_core::fuzzing::{FrameHeader, apply_mask, parse_frame_header, write_frame_header};

fuzz_target!(|data: &[u8]| {
    let Some((header, size)) = parse_frame_header(data) else {
        return;
    };
    assert!(
        size <= data.len() && [2, 4, 6, 8, 10, 14].contains(&size),
        "{size}"
    );
    for cut in 0..size {
        assert_eq!(parse_frame_header(&data[..cut]), None, "{cut} of {size}");
    }
    let extended = match data[1] & 0x7F {
        126 => 2,
        127 => 8,
        _ => 0,
    };
    let key = if header.mask.is_some() { 4 } else { 0 };
    assert_eq!(size, 2 + extended + key);
    let Ok(len) = usize::try_from(header.len) else {
        return;
    };
    let written = write_frame_header(header.fin, header.rsv1, header.opcode, len);
    let want = FrameHeader {
        rsv23: false,
        mask: None,
        ..header
    };
    assert_eq!(parse_frame_header(&written), Some((want, written.len())));
    if let Some(key) = header.mask {
        let mut payload = data[size..].to_vec();
        apply_mask(&mut payload, key, 0);
        let unmasked: Vec<u8> = data[size..]
            .iter()
            .enumerate()
            .map(|(i, b)| b ^ key[i % 4])
            .collect();
        assert_eq!(payload, unmasked);
        apply_mask(&mut payload, key, 0);
        assert_eq!(payload, &data[size..]);
    }
});
