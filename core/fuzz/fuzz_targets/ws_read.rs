//! A socket's whole receiving side. Any bytes, with any message limit,
//! compression agreed or not: read the same whole, in pieces and byte by
//! byte, never a panic, nothing after a violation, no message over the
//! limit, no control payload over 125 bytes. And messages a client frames
//! (fragmented, masked, compressed or not, a ping among the fragments)
//! read back exactly.
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use libfuzzer_sys::fuzz_target;
use mocket_core::fuzzing::{deflate_message, read_frames, write_frame_header};
use mocket_core::ws::Message;

#[derive(Debug, Arbitrary)]
struct Framed {
    text: bool,
    payload: Vec<u8>,
    compress: bool,
    cuts: Vec<u16>,
    key: [u8; 4],
    ping_first: Option<Vec<u8>>,
}

/// `bytes` cut at `cuts`.
fn pieces<'a>(bytes: &'a [u8], cuts: &[u16]) -> Vec<&'a [u8]> {
    let mut at: Vec<usize> = cuts
        .iter()
        .map(|&c| usize::from(c) % (bytes.len() + 1))
        .collect();
    at.push(bytes.len());
    at.sort_unstable();
    let mut from = 0;
    at.into_iter()
        .map(|to| {
            let piece = &bytes[from..to];
            from = to;
            piece
        })
        .collect()
}

fn frame(b0: u8, key: [u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut out = write_frame_header(b0 & 0x80 != 0, b0 & 0x40 != 0, b0 & 0x0F, payload.len());
    out[1] |= 0x80;
    out.extend_from_slice(&key);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    out
}

/// `flags`: bit 1 permessage-deflate agreed, bits 2–3 the limit (0 none
/// at all, 1 the default 16 MiB, else `limit`).
fn any_bytes(flags: u8, limit: u16, piece: u8, bytes: &[u8]) {
    let max = match (flags >> 2) & 3 {
        0 => usize::MAX, // "no limit": what a header claims must not be believed
        1 => 16 << 20,
        _ => usize::from(limit),
    };
    let deflate = flags & 2 != 0;
    let whole = read_frames([bytes], max, deflate);
    let piece = usize::from(piece % 64) + 1;
    assert_eq!(
        read_frames(bytes.chunks(piece), max, deflate),
        whole,
        "in pieces of {piece}"
    );
    assert_eq!(
        read_frames(bytes.chunks(1), max, deflate),
        whole,
        "byte by byte"
    );
    for message in &whole.0 {
        match message {
            Message::Text(_) | Message::Binary(_) => assert!(message.as_bytes().len() <= max),
            Message::Ping(p) => assert!(p.len() <= 125),
            Message::Close(Some(c)) => assert!(c.reason.len() <= 123),
            Message::Pong(_) | Message::Close(None) => {}
        }
    }
}

/// Messages built from `u`, framed as a client frames them.
fn framed(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let deflate: bool = u.arbitrary()?;
    let sent: Vec<Framed> = u.arbitrary()?;
    let chunking: Vec<u16> = u.arbitrary()?;
    let (mut bytes, mut want) = (Vec::new(), Vec::new());
    for m in sent {
        let message = if m.text {
            Message::from(String::from_utf8_lossy(&m.payload).into_owned())
        } else {
            Message::from(m.payload)
        };
        let compressed = deflate && m.compress;
        let wire = if compressed {
            deflate_message(message.as_bytes())
        } else {
            message.as_bytes().to_vec()
        };
        let fragments = pieces(&wire, &m.cuts);
        for (i, fragment) in fragments.iter().enumerate() {
            if i == fragments.len() / 2
                && let Some(ping) = &m.ping_first
            {
                let ping = &ping[..ping.len().min(125)];
                bytes.extend(frame(0x89, m.key, ping));
                want.push(Message::Ping(ping.to_vec().into()));
            }
            let fin = if i + 1 == fragments.len() { 0x80 } else { 0 };
            let op = match (i, m.text) {
                (0, true) => 0x1,
                (0, false) => 0x2,
                _ => 0x0,
            };
            let rsv1 = if i == 0 && compressed { 0x40 } else { 0 };
            bytes.extend(frame(fin | rsv1 | op, m.key, fragment));
        }
        want.push(message);
    }
    let got = read_frames(pieces(&bytes, &chunking), 1 << 20, deflate);
    assert_eq!(got, (want, None));
    Ok(())
}

// The input: a flags byte (bit 0: build messages from the rest rather
// than read it as it is), a 16-bit limit, a piece size, then the bytes a
// client sent (the seeds are real frames).
fuzz_target!(|data: &[u8]| {
    let [flags, a, b, piece, rest @ ..] = data else {
        return;
    };
    if flags & 1 == 1 {
        let _ = framed(&mut Unstructured::new(rest));
    } else {
        any_bytes(*flags, u16::from_be_bytes([*a, *b]), *piece, rest);
    }
});
