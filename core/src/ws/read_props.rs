//! Properties of the reader, the whole receiving side: what a client
//! frames (fragmented, masked, with control frames between fragments,
//! compressed or not) is read back exactly, however the bytes are cut;
//! no message passes the size limit; any bytes at all are read the same
//! in one piece as byte by byte, without a panic.

use bytes::BytesMut;
use proptest::prelude::*;

use super::deflate::{Deflate, DeflateParams};
use super::frame::{opcode, write_header};
use super::message::{CloseCode, CloseFrame, Message, Utf8Bytes};
use super::read::{Incoming, Reader};

/// permessage-deflate with the client's context kept between messages.
fn params() -> DeflateParams {
    DeflateParams {
        server_no_context_takeover: true,
        client_no_context_takeover: false,
        server_max_window_bits: 15,
        client_max_window_bits: 15,
    }
}

/// One client frame, masked with `key` as RFC 6455 §5.3 says (written
/// here, not with the crate's `apply_mask`).
fn frame(b0: u8, key: [u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut out = BytesMut::new();
    write_header(
        &mut out,
        b0 & 0x80 != 0,
        b0 & 0x40 != 0,
        b0 & 0x0F,
        payload.len(),
    );
    out[1] |= 0x80;
    out.extend_from_slice(&key);
    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    out.to_vec()
}

/// What the reader hands out, comparable.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Message(Message),
    Ping(Vec<u8>),
    Pong,
    Close(Option<(u16, String)>),
    Violation(u16),
}

fn item(incoming: Incoming) -> Item {
    match incoming {
        Incoming::Message(m) => Item::Message(m),
        Incoming::Ping(p) => Item::Ping(p.to_vec()),
        Incoming::Pong => Item::Pong,
        Incoming::Close(c) => Item::Close(c.map(|c| (c.code.as_u16(), c.reason.to_string()))),
    }
}

/// Feeds `bytes` cut at `cuts` (positions, any order) and reads all it
/// can after each piece, up to the first violation.
fn read(bytes: &[u8], cuts: &[usize], max: usize, compressed: bool) -> Vec<Item> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    cuts.push(bytes.len());
    cuts.sort_unstable();
    let mut reader = Reader::new(max, compressed);
    let mut deflate = compressed.then(|| Deflate::new(params()));
    let mut out = Vec::new();
    let mut from = 0;
    for to in cuts {
        reader.feed(&bytes[from..to]);
        from = to;
        loop {
            match reader.next(deflate.as_mut()) {
                Ok(Some(incoming)) => out.push(item(incoming)),
                Ok(None) => break,
                Err(v) => {
                    out.push(Item::Violation(v.code.as_u16()));
                    return out;
                }
            }
        }
    }
    out
}

/// A control frame a client may send between a message's fragments.
#[derive(Debug, Clone)]
enum Control {
    Ping(Vec<u8>),
    Pong(Vec<u8>),
}

fn control() -> impl Strategy<Value = Control> {
    let payload = || prop::collection::vec(any::<u8>(), 0..=125);
    prop_oneof![
        payload().prop_map(Control::Ping),
        payload().prop_map(Control::Pong)
    ]
}

/// A message as a client sends it: text (cut anywhere, even inside a
/// character) or binary, in fragments, controls between them, compressed
/// or not (RSV1 on the first fragment, the compressed bytes fragmented).
#[derive(Debug, Clone)]
struct Sent {
    message: Message,
    compressed: bool,
    cuts: Vec<usize>,
    controls: Vec<(usize, Control)>,
    key: [u8; 4],
}

fn message() -> impl Strategy<Value = Message> {
    prop_oneof![
        any::<String>().prop_map(Message::from),
        prop::collection::vec(any::<u8>(), 0..300).prop_map(Message::from),
        // Long enough for the 16-bit length form.
        (any::<u8>(), 126usize..70_000).prop_map(|(b, n)| Message::from(vec![b; n])),
    ]
}

fn sent(compression: bool) -> impl Strategy<Value = Sent> {
    (
        message(),
        any::<bool>(),
        prop::collection::vec(any::<usize>(), 0..4),
        prop::collection::vec((any::<usize>(), control()), 0..3),
        any::<[u8; 4]>(),
    )
        .prop_map(move |(message, compress, cuts, controls, key)| Sent {
            message,
            compressed: compression && compress,
            cuts,
            controls,
            key,
        })
}

/// The frames of `sent`, and what the reader must hand out for them.
fn encode(sent: &Sent, out: &mut Vec<u8>, want: &mut Vec<Item>) {
    let (op, payload) = match &sent.message {
        Message::Text(t) => (opcode::TEXT, t.as_bytes().to_vec()),
        Message::Binary(b) => (opcode::BINARY, b.to_vec()),
        _ => unreachable!("only data messages are generated"),
    };
    let payload = if sent.compressed {
        let mut deflated = Vec::new();
        Deflate::new(params()).compress(&payload, &mut deflated);
        deflated
    } else {
        payload
    };
    let mut cuts: Vec<usize> = sent.cuts.iter().map(|c| c % (payload.len() + 1)).collect();
    cuts.sort_unstable();
    cuts.push(payload.len());
    let mut from = 0;
    for (i, &to) in cuts.iter().enumerate() {
        for (at, control) in &sent.controls {
            if at % cuts.len() == i {
                let (b0, p, item) = match control {
                    Control::Ping(p) => (0x89, p, Item::Ping(p.clone())),
                    Control::Pong(p) => (0x8A, p, Item::Pong),
                };
                out.extend(frame(b0, sent.key, p));
                want.push(item);
            }
        }
        let fin = if i + 1 == cuts.len() { 0x80 } else { 0 };
        let first = i == 0;
        let b0 = fin
            | if first && sent.compressed { 0x40 } else { 0 }
            | if first { op } else { opcode::CONTINUATION };
        out.extend(frame(b0, sent.key, &payload[from..to]));
        from = to;
    }
    want.push(Item::Message(sent.message.clone()));
}

/// A frame with any header bits, masked or not, its length true or not,
/// its payload compressed or not: input that reaches every rule.
fn rough_frame() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<u8>(),
        any::<Option<[u8; 4]>>(),
        prop::collection::vec(any::<u8>(), 0..200),
        any::<bool>(),
        prop_oneof![Just(None), (0usize..400).prop_map(Some)],
    )
        .prop_map(|(b0, key, payload, deflate, claimed)| {
            let payload = if deflate {
                let mut out = Vec::new();
                Deflate::new(params()).compress(&payload, &mut out);
                out
            } else {
                payload
            };
            let mut out = BytesMut::new();
            let len = claimed.unwrap_or(payload.len());
            write_header(&mut out, b0 & 0x80 != 0, b0 & 0x40 != 0, b0 & 0x0F, len);
            out[0] |= b0 & 0x30;
            let mut out = out.to_vec();
            match key {
                Some(key) => {
                    out[1] |= 0x80;
                    out.extend_from_slice(&key);
                    out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
                }
                None => out.extend(payload),
            }
            out
        })
}

proptest! {
    /// Messages framed by a client (fragments, pings and pongs between
    /// them, any masks, compressed when agreed) are read back exactly,
    /// the controls where they were sent, however the bytes arrive; a
    /// close frame ends it with its code and reason.
    #[test]
    fn framed_messages_read_back(
        compression in any::<bool>(),
        messages in prop::collection::vec(sent(true), 1..5),
        close in any::<Option<(u16, String)>>(),
        cuts in prop::collection::vec(any::<usize>(), 0..12),
    ) {
        let mut bytes = Vec::new();
        let mut want = Vec::new();
        for mut sent in messages {
            sent.compressed &= compression;
            encode(&sent, &mut bytes, &mut want);
        }
        if let Some((code, reason)) = close {
            let code = CloseCode::from(code);
            let code = if code.is_sendable() { code } else { CloseCode::NORMAL };
            let reason: String = reason.chars().take(30).collect(); // 2 + 4 × 30 ≤ 125
            let mut payload = code.as_u16().to_be_bytes().to_vec();
            payload.extend_from_slice(reason.as_bytes());
            bytes.extend(frame(0x88, [9, 8, 7, 6], &payload));
            let frame = CloseFrame { code, reason: Utf8Bytes::from(reason) };
            want.push(Item::Close(Some((frame.code.as_u16(), frame.reason.to_string()))));
        }
        let got = read(&bytes, &cuts, 1 << 20, compression);
        prop_assert_eq!(got, want);
    }

    /// A message of exactly the limit is read; one byte more is a 1009,
    /// before any of it is handed out, compressed or not: the limit holds
    /// for what a compressed message inflates to, and (as documented)
    /// for its bytes on the wire.
    #[test]
    fn the_limit_holds(
        (max, payload) in (0usize..3_000, 0usize..2, any::<bool>()).prop_flat_map(|(max, over, repeat)| {
            let n = max + over;
            let payload = if repeat {
                any::<u8>().prop_map(move |b| vec![b; n]).boxed()
            } else {
                prop::collection::vec(any::<u8>(), n).boxed()
            };
            (Just(max), payload)
        }),
        compressed in any::<bool>(),
        cuts in prop::collection::vec(any::<usize>(), 0..4),
    ) {
        let message = Message::from(payload.clone());
        let sent = Sent { message: message.clone(), compressed, cuts: cuts.clone(), controls: Vec::new(), key: [1, 2, 3, 4] };
        let (mut bytes, mut want) = (Vec::new(), Vec::new());
        encode(&sent, &mut bytes, &mut want);
        let wire = if compressed {
            let mut deflated = Vec::new();
            Deflate::new(params()).compress(&payload, &mut deflated);
            deflated.len()
        } else {
            payload.len()
        };
        let got = read(&bytes, &cuts, max, compressed);
        if payload.len() <= max && wire <= max {
            prop_assert_eq!(got, vec![Item::Message(message)]);
        } else {
            prop_assert_eq!(got, vec![Item::Violation(CloseCode::MESSAGE_TOO_BIG.as_u16())]);
        }
    }

    /// Any frames at all (any header bits, masks or none, lengths that
    /// lie), then any bytes: the same read in one piece as cut anywhere,
    /// never a panic, nothing after a violation, no message over the
    /// limit and no control payload over 125 bytes.
    #[test]
    fn any_input_reads_the_same_however_cut(
        frames in prop::collection::vec(rough_frame(), 0..6),
        tail in prop::collection::vec(any::<u8>(), 0..40),
        max in 0usize..500,
        compressed in any::<bool>(),
        cuts in prop::collection::vec(any::<usize>(), 1..20),
    ) {
        let mut bytes = frames.concat();
        bytes.extend(tail);
        let whole = read(&bytes, &[], max, compressed);
        let cut = read(&bytes, &cuts, max, compressed);
        prop_assert_eq!(&whole, &cut);
        let every: Vec<usize> = (0..bytes.len()).collect();
        prop_assert_eq!(&whole, &read(&bytes, &every, max, compressed));
        for (i, item) in whole.iter().enumerate() {
            match item {
                Item::Message(m) => prop_assert!(m.as_bytes().len() <= max),
                Item::Ping(p) => prop_assert!(p.len() <= 125),
                Item::Close(Some((_, reason))) => prop_assert!(reason.len() <= 123),
                Item::Violation(_) => prop_assert_eq!(i, whole.len() - 1),
                Item::Pong | Item::Close(None) => {}
            }
        }
    }
}
