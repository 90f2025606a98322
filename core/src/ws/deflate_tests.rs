//! permessage-deflate: negotiation, round trips, windows, limits, interop fixtures.
use std::collections::HashMap;

use miniz_oxide::inflate::core::inflate_flags::TINFL_FLAG_HAS_MORE_INPUT;

use super::*;

fn params(server_bits: u8, client_bits: u8, client_no_context_takeover: bool) -> DeflateParams {
    DeflateParams {
        server_no_context_takeover: true,
        client_no_context_takeover,
        server_max_window_bits: server_bits,
        client_max_window_bits: client_bits,
    }
}

fn offer(headers: &[&str], bits: u8) -> Option<(DeflateParams, String)> {
    negotiate(headers.iter().map(|h| h.as_bytes()), bits)
}

fn answer(header: &str) -> Option<String> {
    offer(&[header], 12).map(|(_, answer)| answer)
}

fn compress(deflate: &mut Deflate, message: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    deflate.compress(message, &mut out);
    out
}

fn inflate(deflate: &mut Deflate, payload: &[u8]) -> Result<Vec<u8>, InflateError> {
    let mut out = Vec::new();
    deflate
        .decompress(payload, usize::MAX, &mut out)
        .map(|()| out)
}

/// Deterministic bytes (xorshift), `alphabet` symbols wide.
fn noise(len: usize, seed: u64, alphabet: u8) -> Vec<u8> {
    let mut s = seed | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 24) % u64::from(alphabet)) as u8
        })
        .collect()
}

/// Text from a small vocabulary: plenty of matches, at all distances.
fn words(len: usize, seed: u64) -> Vec<u8> {
    const WORDS: [&str; 16] = [
        "socket",
        "message",
        "frame",
        "window",
        "deflate",
        "server",
        "client",
        "the",
        "a",
        "topic",
        "publish",
        "subscribe",
        "{\"op\":",
        "\"id\":42,",
        "hello",
        "world",
    ];
    let mut out = Vec::with_capacity(len + 16);
    for pick in noise(len, seed, 16) {
        if out.len() >= len {
            break;
        }
        out.extend_from_slice(WORDS[usize::from(pick)].as_bytes());
        out.push(b' ');
    }
    out.truncate(len);
    out
}

// ---- negotiation ----

#[test]
fn rfc_examples() {
    // §7.1 / §5.2: the plain offer; we add server_no_context_takeover.
    let (params_, answer) = offer(&["permessage-deflate"], 12).expect("accepted");
    assert_eq!(answer, "permessage-deflate; server_no_context_takeover");
    assert_eq!(params_, params(15, 15, false));
    // What browsers send: we bound the client's window.
    let (params_, answer) =
        offer(&["permessage-deflate; client_max_window_bits"], 12).expect("accepted");
    assert_eq!(
        answer,
        "permessage-deflate; server_no_context_takeover; client_max_window_bits=12"
    );
    assert_eq!(params_, params(15, 12, false));
    // §7.1.2.1: a server window asked for is honoured and echoed.
    let (params_, answer) =
        offer(&["permessage-deflate; server_max_window_bits=10"], 12).expect("accepted");
    assert_eq!(
        answer,
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=10"
    );
    assert_eq!(params_.server_max_window_bits, 10);
    // §5.2: two offers, the first one acceptable.
    let (params_, answer) = offer(
        &["permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate; client_max_window_bits"],
        12,
    )
    .expect("accepted");
    assert_eq!(
        answer,
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12"
    );
    assert_eq!(params_, params(10, 12, false));
    // §7.1.1: both no_context_takeover parameters.
    let (params_, answer) = offer(
        &["permessage-deflate; server_no_context_takeover; client_no_context_takeover"],
        12,
    )
    .expect("accepted");
    assert_eq!(
        answer,
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
    );
    assert_eq!(params_, params(15, 15, true));
}

#[test]
fn client_window() {
    // The smaller of what the client offers and what we ask.
    assert_eq!(
        answer("permessage-deflate; client_max_window_bits=10").as_deref(),
        Some("permessage-deflate; server_no_context_takeover; client_max_window_bits=10")
    );
    assert_eq!(
        answer("permessage-deflate; client_max_window_bits=15").as_deref(),
        Some("permessage-deflate; server_no_context_takeover; client_max_window_bits=12")
    );
    // Our argument is clamped to 8..=15.
    let (p, a) = offer(&["permessage-deflate; client_max_window_bits"], 40).expect("accepted");
    assert_eq!(
        (
            p.client_max_window_bits,
            a.ends_with("client_max_window_bits=15")
        ),
        (15, true)
    );
    let (p, a) = offer(&["permessage-deflate; client_max_window_bits"], 0).expect("accepted");
    assert_eq!(
        (
            p.client_max_window_bits,
            a.ends_with("client_max_window_bits=8")
        ),
        (8, true)
    );
    // Without context takeover the window costs nothing: not bounded.
    let (p, a) = offer(
        &["permessage-deflate; client_no_context_takeover; client_max_window_bits=9"],
        12,
    )
    .expect("accepted");
    assert_eq!(
        a,
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
    );
    assert_eq!(p, params(15, 15, true));
}

#[test]
fn first_acceptable_offer_wins() {
    let (p, a) = offer(
        &[
            "permessage-deflate; foo=1, permessage-deflate; server_max_window_bits=16",
            "x-webkit-deflate-frame, permessage-deflate; client_max_window_bits=9, permessage-deflate",
        ],
        12,
    )
    .expect("the third offer");
    assert_eq!(
        a,
        "permessage-deflate; server_no_context_takeover; client_max_window_bits=9"
    );
    assert_eq!(p.client_max_window_bits, 9);
    // Empty list elements are skipped too.
    assert!(answer(", ,permessage-deflate").is_some());
    assert!(offer(&[], 12).is_none());
    assert!(offer(&["", "foo, bar; baz=1"], 12).is_none());
}

#[test]
fn quoted_values() {
    assert_eq!(
        answer("permessage-deflate; client_max_window_bits=\"10\"; server_max_window_bits=\"9\"")
            .as_deref(),
        Some(
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=9; client_max_window_bits=10"
        )
    );
    // A quoted-pair is unescaped before the value is read.
    assert!(
        answer("permessage-deflate; server_max_window_bits=\"1\\1\"")
            .is_some_and(|a| a.ends_with("=11"))
    );
    // A ';' or ',' inside quotes does not split (the value is then bad).
    assert!(answer("permessage-deflate; server_max_window_bits=\"10;x\"").is_none());
    assert!(
        answer("permessage-deflate; server_max_window_bits=\"10, permessage-deflate\"").is_none()
    );
    for bad in ["\"10", "10\"", "\"\"", "\"1\"0\""] {
        assert!(
            answer(&format!("permessage-deflate; client_max_window_bits={bad}")).is_none(),
            "{bad}"
        );
    }
}

#[test]
fn bad_offers_declined() {
    for bad in [
        // Out of range, leading zeros, not a number, empty.
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=08",
        "permessage-deflate; client_max_window_bits=015",
        "permessage-deflate; client_max_window_bits=-9",
        "permessage-deflate; client_max_window_bits=x",
        "permessage-deflate; client_max_window_bits=",
        "permessage-deflate; client_max_window_bits=\"16\"",
        // server_max_window_bits needs a value; the takeovers take none.
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; client_no_context_takeover=\"\"",
        // Duplicates.
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
        "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
        "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
        // Unknown or empty parameters.
        "permessage-deflate; foo",
        "permessage-deflate; client_max_window=10",
        "permessage-deflate;",
        "permessage-deflate; ; client_max_window_bits",
    ] {
        assert!(answer(bad).is_none(), "{bad}");
    }
}

#[test]
fn names_and_whitespace() {
    assert_eq!(
        answer("PerMessage-Deflate; Client_Max_Window_Bits; SERVER_NO_CONTEXT_TAKEOVER").as_deref(),
        Some("permessage-deflate; server_no_context_takeover; client_max_window_bits=12")
    );
    assert!(
        answer(" \tpermessage-deflate ;client_max_window_bits = 10 ; server_max_window_bits= 9\t")
            .is_some()
    );
    // Other extensions, even with a similar name, are skipped.
    assert!(answer("permessage-deflate-x").is_none());
    assert!(answer("x-webkit-deflate-frame; no_context_takeover").is_none());
    assert!(answer("deflate-frame, permessage-deflate").is_some());
}

// ---- compression and inflating ----

/// Raw DEFLATE written by hand (fixed Huffman codes), with context kept
/// across messages: an independent compressor whose matches can be
/// placed at exact distances.
#[derive(Clone, Copy, Debug)]
enum Op {
    Lit(u8),
    Match { len: u16, dist: u16 },
}

const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u32,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= value << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code, which DEFLATE sends most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        self.put(code.reverse_bits() >> (32 - len), len);
    }

    fn litlen(&mut self, symbol: u16) {
        let symbol = u32::from(symbol);
        match symbol {
            0..=143 => self.code(0x30 + symbol, 8),
            144..=255 => self.code(0x190 + symbol - 144, 9),
            256..=279 => self.code(symbol - 256, 7),
            _ => self.code(0xc0 + symbol - 280, 8),
        }
    }
}

/// One message as a fixed-Huffman block and a sync flush, marker removed.
fn encode(ops: &[Op]) -> Vec<u8> {
    let mut bits = Bits::default();
    bits.put(0b010, 3); // BFINAL=0, BTYPE=01
    for op in ops {
        match *op {
            Op::Lit(byte) => bits.litlen(u16::from(byte)),
            Op::Match { len, dist } => {
                let l = LEN_BASE.iter().rposition(|&b| b <= len).expect("len >= 3");
                bits.litlen(257 + l as u16);
                bits.put(u32::from(len - LEN_BASE[l]), u32::from(LEN_EXTRA[l]));
                let d = DIST_BASE
                    .iter()
                    .rposition(|&b| b <= dist)
                    .expect("dist >= 1");
                bits.code(d as u32, 5);
                bits.put(u32::from(dist - DIST_BASE[d]), u32::from(DIST_EXTRA[d]));
            }
        }
    }
    bits.litlen(256); // end of block
    bits.put(0, 3); // the sync flush's empty stored block, then padding
    if bits.n > 0 {
        bits.put(0, 8 - bits.n);
    }
    bits.out
}

fn lits(bytes: &[u8]) -> Vec<Op> {
    bytes.iter().map(|&b| Op::Lit(b)).collect()
}

/// A greedy LZ77 compressor keeping context across messages, its
/// matches at most `window` bytes back.
struct Lz77 {
    data: Vec<u8>,
    heads: HashMap<[u8; 3], Vec<usize>>,
    window: usize,
    longest: usize,
}

impl Lz77 {
    fn new(bits: u8) -> Lz77 {
        Lz77 {
            data: Vec::new(),
            heads: HashMap::new(),
            window: 1 << bits,
            longest: 0,
        }
    }

    fn index(&mut self, pos: usize) {
        if let Some(key) = self.data.get(pos..pos + 3) {
            self.heads
                .entry([key[0], key[1], key[2]])
                .or_default()
                .push(pos);
        }
    }

    fn message(&mut self, message: &[u8]) -> Vec<u8> {
        let mut pos = self.data.len();
        let end = pos + message.len();
        self.data.extend_from_slice(message);
        let mut ops = Vec::new();
        while pos < end {
            let mut best = (0, 0);
            if let Some(key) = self.data.get(pos..pos + 3) {
                let key = [key[0], key[1], key[2]];
                for &cand in self.heads.get(&key).into_iter().flatten().rev().take(16) {
                    if pos - cand > self.window {
                        break;
                    }
                    let len = (0..(end - pos).min(258))
                        .take_while(|&k| self.data[cand + k] == self.data[pos + k])
                        .count();
                    if len > best.0 {
                        best = (len, pos - cand);
                    }
                }
            }
            let step = if best.0 >= 3 {
                ops.push(Op::Match {
                    len: best.0 as u16,
                    dist: best.1 as u16,
                });
                self.longest = self.longest.max(best.1);
                best.0
            } else {
                ops.push(Op::Lit(self.data[pos]));
                1
            };
            for p in pos..pos + step {
                self.index(p);
            }
            pos += step;
        }
        encode(&ops)
    }
}

/// miniz's compressor used as a client keeping its context: one
/// stream, a sync flush per message.
struct Stream(Box<CompressorOxide>);

impl Stream {
    fn new() -> Stream {
        Stream(Box::new(CompressorOxide::new(
            create_comp_flags_from_zip_params(6, -15, 0),
        )))
    }

    fn message(&mut self, message: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let (status, read) = compress_to_output(&mut self.0, message, TDEFLFlush::Sync, |chunk| {
            out.extend_from_slice(chunk);
            true
        });
        assert_eq!((status, read), (TDEFLStatus::Okay, message.len()));
        assert!(out.ends_with(&SYNC_MARKER));
        out.truncate(out.len() - 4);
        out
    }
}

/// Inflates with a wrapping buffer of `ring` bytes: fails on any
/// match further back than that.
fn inflate_in_ring(payload: &[u8], ring: usize) -> Option<Vec<u8>> {
    let mut decompressor = DecompressorOxide::new();
    let mut buf = vec![0; ring];
    let input = [payload, &SYNC_MARKER].concat();
    let (mut input, mut pos, mut out) = (&input[..], 0, Vec::new());
    loop {
        let (status, read, written) = decompress(
            &mut decompressor,
            input,
            &mut buf,
            pos,
            TINFL_FLAG_HAS_MORE_INPUT,
        );
        out.extend_from_slice(&buf[pos..pos + written]);
        pos = (pos + written) % ring;
        input = &input[read..];
        match status {
            TINFLStatus::NeedsMoreInput if input.is_empty() => return Some(out),
            TINFLStatus::HasMoreOutput | TINFLStatus::NeedsMoreInput => {}
            _ => return None,
        }
    }
}

#[test]
fn rfc_payloads() {
    // RFC 7692 §7.2.3: "Hello" in its several encodings.
    let mut deflate = Deflate::new(params(15, 15, false));
    for payload in [
        &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00][..],
        // §7.2.3.2: a back-reference into the previous message.
        &[0xf2, 0x00, 0x11, 0x00, 0x00],
        // §7.2.3.3: a block with BFINAL set.
        &[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00],
        // §7.2.3.4: two blocks.
        &[
            0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00,
        ],
        // §7.2.3.5: a stored block.
        &[
            0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00,
        ],
    ] {
        assert_eq!(
            inflate(&mut deflate, payload).as_deref(),
            Ok(&b"Hello"[..]),
            "{payload:02x?}"
        );
    }
    // §7.2.3.6: an empty message, as one byte or none at all.
    assert_eq!(inflate(&mut deflate, &[0x00]), Ok(Vec::new()));
    assert_eq!(inflate(&mut deflate, &[]), Ok(Vec::new()));
    // The window survived all of these.
    assert_eq!(
        inflate(&mut deflate, &[0xf2, 0x00, 0x11, 0x00, 0x00]).as_deref(),
        Ok(&b"Hello"[..])
    );
}

#[test]
fn round_trip_many_messages() {
    let mut sender = Deflate::new(params(15, 15, false));
    let mut receiver = Deflate::new(params(15, 15, false));
    let mut messages: Vec<Vec<u8>> = vec![Vec::new(), b"a".to_vec(), b"Hello".to_vec()];
    messages.extend((0..40).map(|i| words(i * 97, i as u64)));
    messages.push(noise(1 << 20, 1, 255)); // 1 MiB random
    messages.push(words(1 << 20, 2)); // 1 MiB repetitive
    messages.push(vec![b'x'; 1 << 20]);
    messages.push(Vec::new());
    for (i, message) in messages.iter().enumerate() {
        let payload = compress(&mut sender, message);
        assert!(!payload.ends_with(&SYNC_MARKER), "message {i}");
        assert_eq!(
            &inflate(&mut receiver, &payload).expect("inflates"),
            message,
            "message {i}"
        );
    }
    assert_eq!(sender.idle_bytes(), 0);
}

#[test]
fn context_takeover_across_messages() {
    // An independent compressor keeping its context (miniz's own
    // stream, 32 KiB window): later messages are mostly references
    // into earlier ones.
    let mut stream = Stream::new();
    let mut receiver = Deflate::new(params(15, 15, false));
    let mut total_plain = 0;
    let mut total_payload = 0;
    for i in 0..60u64 {
        let message = match i % 4 {
            0 => format!(
                "{{\"op\":\"publish\",\"topic\":\"room-{}\",\"text\":\"hello world\"}}",
                i % 3
            )
            .into_bytes(),
            1 => words(300 + (i as usize * 37) % 5000, i % 5),
            2 => noise(200, i, 255),
            _ => words(20_000, i % 2), // repeats whole earlier messages
        };
        let payload = stream.message(&message);
        total_plain += message.len();
        total_payload += payload.len();
        if i >= 8 && i % 4 == 3 {
            // The same text was sent before: it costs next to nothing.
            assert!(
                payload.len() < message.len() / 10,
                "message {i}: {} bytes",
                payload.len()
            );
        }
        assert_eq!(
            inflate(&mut receiver, &payload).expect("inflates"),
            message,
            "message {i}"
        );
    }
    assert!(total_payload < total_plain / 10);
    assert_eq!(receiver.idle_bytes(), 1 << 15);
}

#[test]
fn window_bits_8_to_15() {
    for bits in 8..=15u8 {
        let mut client = Lz77::new(bits);
        let mut receiver = Deflate::new(params(15, bits, false));
        let mut sent: Vec<Vec<u8>> = Vec::new();
        for i in 0..40u64 {
            let size = (1usize << bits) / 10 + i as usize;
            let message = match i % 3 {
                // Sent 8 messages ago: about 0.8 of the window back.
                2 if i >= 8 => sent[i as usize - 8].clone(),
                1 => words(size, i),
                _ => noise(size, i, 255),
            };
            let payload = client.message(&message);
            assert_eq!(
                inflate(&mut receiver, &payload).expect("inflates"),
                message,
                "bits {bits}, message {i}"
            );
            sent.push(message);
        }
        // The window was used to near its far end.
        assert!(
            client.longest > (1 << bits) * 3 / 4,
            "bits {bits}: longest match {}",
            client.longest
        );
        assert!(receiver.idle_bytes() <= 1 << bits.max(MIN_KEPT_BITS));
    }
}

#[test]
fn window_edge() {
    for bits in 8..=15u8 {
        let kept = 1u16 << bits.max(MIN_KEPT_BITS);
        // Several messages, none as long as the window: the window
        // spans them all.
        let history: Vec<Vec<u8>> = (0..8)
            .map(|i| noise(usize::from(kept) / 5 + 1, i + 100, 255))
            .collect();
        let all = history.concat();
        // DEFLATE cannot express a distance past 32,768 at all.
        for too_far in [false, true].into_iter().filter(|&far| !far || bits < 15) {
            let mut receiver = Deflate::new(params(15, bits, false));
            for message in &history {
                assert_eq!(
                    &inflate(&mut receiver, &encode(&lits(message))).expect("literals"),
                    message
                );
            }
            // First in the message: `dist` back from its start.
            let dist = kept + u16::from(too_far);
            let payload = encode(&[Op::Match { len: 10, dist }, Op::Lit(b'>')]);
            let got = inflate(&mut receiver, &payload);
            if too_far {
                assert_eq!(got, Err(InflateError::Corrupt), "bits {bits}");
            } else {
                let from = all.len() - usize::from(dist);
                let mut expected = all[from..from + 10].to_vec();
                expected.push(b'>');
                assert_eq!(got, Ok(expected), "bits {bits}");
            }
        }
    }
}

#[test]
fn no_context_takeover_keeps_nothing() {
    let mut receiver = Deflate::new(params(15, 15, true));
    let mut stream = Stream::new();
    let first = stream.message(b"Hello Hello Hello");
    assert_eq!(
        inflate(&mut receiver, &first).as_deref(),
        Ok(&b"Hello Hello Hello"[..])
    );
    assert_eq!(receiver.idle_bytes(), 0);
    // A client that does take context over anyway is caught.
    let second = stream.message(b"Hello Hello Hello");
    assert_eq!(inflate(&mut receiver, &second), Err(InflateError::Corrupt));
    // Its own back-references within a message are fine.
    let mut receiver = Deflate::new(params(15, 15, true));
    for i in 0..10 {
        let message = words(40_000, i);
        let payload = compress(&mut Deflate::new(params(15, 15, false)), &message);
        assert_eq!(inflate(&mut receiver, &payload).expect("inflates"), message);
    }
    assert_eq!(receiver.idle_bytes(), 0);
}

#[test]
fn python_zlib_interop() {
    // Generated once by Python 3.11's zlib 1.2.13, keeping context:
    //   c = zlib.compressobj(6, zlib.DEFLATED, -9)
    //   for m in PLAIN: (c.compress(m) + c.flush(zlib.Z_SYNC_FLUSH))[:-4]
    // Later messages refer back into earlier ones (the 6th, 43 bytes,
    // is 7: one match into the 1st).
    const PLAIN: [&[u8]; 9] = [
        br#"{"op":"subscribe","topic":"prices.BTC-USD"}"#,
        br#"{"op":"subscribe","topic":"prices.ETH-USD"}"#,
        br#"{"op":"unsubscribe","topic":"prices.BTC-USD"}"#,
        b"",
        b"hello hello hello hello hello hello",
        br#"{"op":"subscribe","topic":"prices.BTC-USD"}"#,
        b"The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog. ",
        br#"{"op":"publish","topic":"prices.ETH-USD","data":{"price":"3141.59"}}"#,
        br#"The quick brown fox jumps over the lazy dog. {"op":"publish"}"#,
    ];
    const COMPRESSED: [&[u8]; 9] = [
        b"\xaa\x56\xca\x2f\x50\xb2\x52\x2a\x2e\x4d\x2a\x4e\x2e\xca\x4c\x4a\x55\xd2\x51\x2a\xc9\x2f\xc8\x4c\x06\x8a\x15\x14\x65\x26\xa7\x16\xeb\x39\x85\x38\xeb\x86\x06\xbb\x28\xd5\x02\x00",
        b"\xaa\x26\xa8\xd4\x35\xc4\x03\xa2\x14\x00",
        b"\x82\x2a\x2d\xcd\x23\xc6\x5c\x00\x00",
        b"\x00",
        b"\xca\x48\xcd\xc9\xc9\x57\xc0\x4b\x02\x00",
        b"\x22\x6c\x35\xdc\x34\x00\x00",
        b"\x0a\xc9\x48\x55\x28\x2c\xcd\x4c\xce\x56\x48\x2a\xca\x2f\xcf\x53\x48\xcb\xaf\x50\xc8\x2a\xcd\x2d\x28\x56\xc8\x2f\x4b\x2d\x52\x28\x01\x4a\xe7\x24\x56\x55\x2a\xa4\xe4\xa7\xeb\x29\xd0\x4e\x31\x00",
        b"\x82\xba\xb8\xa0\x34\x29\x27\xb3\x38\x03\xd3\xbd\xae\x21\x1e\x60\xf7\xea\x28\xa5\x24\x96\x24\x2a\x59\x55\x43\x24\x80\x0a\x8c\x0d\x4d\x0c\xf5\x4c\x2d\x95\x6a\x6b\x01\x00",
        b"\xa2\xc4\xc2\x5a\x00\x00",
    ];
    let (agreed, _) =
        offer(&["permessage-deflate; client_max_window_bits=9"], 12).expect("accepted");
    let mut receiver = Deflate::new(agreed);
    for (i, (plain, payload)) in PLAIN.iter().zip(COMPRESSED).enumerate() {
        assert_eq!(
            inflate(&mut receiver, payload).as_deref(),
            Ok(*plain),
            "message {i}"
        );
    }
    assert_eq!(receiver.idle_bytes(), 512);
    // Checked by hand: the RLE output below (server_max_window_bits=8)
    // for these messages, a 100,000-byte run of zeros, 70,000 random
    // bytes and 200 KB of text, inflated in a row by Python's
    // `zlib.decompressobj(-8)` equals the input; the level-1 output of
    // the random bytes and the text fails there with "invalid distance
    // too far back".
}

#[test]
fn small_server_windows_use_rle() {
    let messages = [
        words(100_000, 3),
        noise(70_000, 7, 16),
        vec![0; 100_000],
        b"aaaaaaaaaaaaaaaaaaaaaaaaab".to_vec(),
    ];
    for bits in 8..=14u8 {
        let (agreed, answer) = offer(
            &[&format!(
                "permessage-deflate; server_max_window_bits={bits}"
            )],
            12,
        )
        .expect("accepted");
        assert!(answer.contains(&format!("server_max_window_bits={bits}")));
        let mut sender = Deflate::new(agreed);
        for message in &messages {
            let payload = compress(&mut sender, message);
            // No match reaches further back than 256 bytes.
            assert_eq!(
                inflate_in_ring(&payload, 256).as_ref(),
                Some(message),
                "bits {bits}"
            );
            assert!(payload.len() < message.len(), "bits {bits}");
        }
    }
    // The full window does use far matches (the check above can fail).
    let payload = compress(&mut Deflate::new(params(15, 15, false)), &messages[1]);
    assert_eq!(inflate_in_ring(&payload, 256), None);
    assert_eq!(
        inflate_in_ring(&payload, 1 << 15).as_ref(),
        Some(&messages[1])
    );
}

#[test]
fn limit() {
    for message in [words(1000, 1), vec![7; 1 << 20], noise(1 << 20, 9, 255)] {
        let payload = compress(&mut Deflate::new(params(15, 15, false)), &message);
        let mut out = Vec::new();
        assert_eq!(
            Deflate::new(params(15, 15, false)).decompress(&payload, message.len(), &mut out),
            Ok(())
        );
        assert_eq!(out, message);
        let mut out = b"kept".to_vec();
        let result =
            Deflate::new(params(15, 15, false)).decompress(&payload, message.len() - 1, &mut out);
        assert_eq!(result, Err(InflateError::TooLarge));
        assert_eq!(out, b"kept");
    }
    let mut deflate = Deflate::new(params(15, 12, false));
    assert_eq!(deflate.decompress(&[0x00], 0, &mut Vec::new()), Ok(()));
    assert_eq!(
        deflate.decompress(
            &[0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00],
            0,
            &mut Vec::new()
        ),
        Err(InflateError::TooLarge)
    );
}

#[test]
fn zip_bomb_is_not_inflated() {
    // 8 MiB of zeros in a few KiB.
    let bomb = compress(&mut Deflate::new(params(15, 15, false)), &vec![0; 8 << 20]);
    assert!(bomb.len() < 64 << 10);
    let mut receiver = Deflate::new(params(15, 15, false));
    let mut out = Vec::new();
    assert_eq!(
        receiver.decompress(&bomb, 1 << 20, &mut out),
        Err(InflateError::TooLarge)
    );
    // Never more than the limit (and a byte) was allocated.
    assert!(out.capacity() <= (1 << 20) + 1, "{}", out.capacity());
    // With a window in front of it too.
    let mut receiver = Deflate::new(params(15, 15, false));
    assert!(
        receiver
            .decompress(
                &compress(&mut Deflate::new(params(15, 15, false)), &words(40_000, 1)),
                1 << 20,
                &mut Vec::new()
            )
            .is_ok()
    );
    let mut out = Vec::new();
    assert_eq!(
        receiver.decompress(&bomb, 1 << 20, &mut out),
        Err(InflateError::TooLarge)
    );
    assert!(
        out.capacity() <= (1 << 20) + 1 + (1 << 15),
        "{}",
        out.capacity()
    );
}

#[test]
fn corrupt() {
    let mut deflate = Deflate::new(params(15, 15, false));
    // Block type 3 does not exist.
    assert_eq!(
        inflate(&mut deflate, &[0xff; 8]),
        Err(InflateError::Corrupt)
    );
    // A stored block whose length does not check.
    assert_eq!(
        inflate(&mut deflate, &[0x00, 0x05, 0x00, 0x00, 0x00, b'H']),
        Err(InflateError::Corrupt)
    );
    // A reference before anything was received.
    let mut fresh = Deflate::new(params(15, 15, false));
    assert_eq!(
        inflate(&mut fresh, &encode(&[Op::Match { len: 3, dist: 1 }])),
        Err(InflateError::Corrupt)
    );
    // A message cut inside a block.
    let message = words(10_000, 4);
    let payload = compress(&mut Deflate::new(params(15, 15, false)), &message);
    for cut in [1, payload.len() / 3, payload.len() / 2, payload.len() - 3] {
        let mut out = b"kept".to_vec();
        let result =
            Deflate::new(params(15, 15, false)).decompress(&payload[..cut], usize::MAX, &mut out);
        assert_eq!(result, Err(InflateError::Corrupt), "cut at {cut}");
        assert_eq!(out, b"kept");
    }
    // Garbage after a block with BFINAL set is the sender's business
    // (RFC 7692 §7.2.3.3 shows a padding byte there).
    assert!(
        inflate(
            &mut deflate,
            &[0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0xff, 0xff]
        )
        .is_ok()
    );
}

#[test]
fn idle_bytes() {
    let chrome = ["permessage-deflate; client_max_window_bits"];
    let (agreed, _) = offer(&chrome, 12).expect("accepted");
    let mut deflate = Deflate::new(agreed);
    assert_eq!(deflate.idle_bytes(), 0, "new allocates nothing");
    let mut sender = Deflate::new(agreed);
    let payload = compress(&mut sender, &words(100, 1));
    inflate(&mut deflate, &payload).expect("inflates");
    assert_eq!(deflate.idle_bytes(), 128, "grows with what was received");
    for i in 0..20 {
        inflate(&mut deflate, &compress(&mut sender, &words(1000, i))).expect("inflates");
        assert!(deflate.idle_bytes() <= 4096);
    }
    assert_eq!(deflate.idle_bytes(), 4096);
    assert_eq!(sender.idle_bytes(), 0);

    for bits in 8..=15u8 {
        let mut deflate = Deflate::new(params(15, bits, false));
        for i in 0..5 {
            inflate(&mut deflate, &compress(&mut sender, &words(50_000, i))).expect("inflates");
        }
        // 2^bits, and 512 for 8 (see MIN_KEPT_BITS).
        assert_eq!(deflate.idle_bytes(), 1 << bits.max(9), "bits {bits}");
        let mut deflate = Deflate::new(params(15, bits, true));
        inflate(&mut deflate, &compress(&mut sender, &words(50_000, 1))).expect("inflates");
        assert_eq!(deflate.idle_bytes(), 0, "bits {bits}");
    }
}

#[test]
fn appends_and_hands_back_a_tight_buffer() {
    let mut deflate = Deflate::new(params(15, 15, false));
    let mut sender = Deflate::new(params(15, 15, false));
    inflate(&mut deflate, &compress(&mut sender, &words(40_000, 1))).expect("fills the window");
    let mut out = b"before:".to_vec();
    deflate
        .decompress(
            &compress(&mut sender, b"Hello Hello Hello Hello Hello"),
            usize::MAX,
            &mut out,
        )
        .expect("inflates");
    assert_eq!(out, b"before:Hello Hello Hello Hello Hello");
    // The 32 KiB window copied in front did not stay in its capacity.
    assert!(out.capacity() < 1024, "{}", out.capacity());
    let mut compressed = b"frame header".to_vec();
    sender.compress(b"Hello", &mut compressed);
    assert_eq!(
        inflate(&mut deflate, &compressed[12..]).as_deref(),
        Ok(&b"Hello"[..])
    );
}

#[test]
fn shared_compressor_between_sockets() {
    let mut a = Deflate::new(params(15, 15, false));
    let mut b = Deflate::new(params(10, 15, false));
    let mut c = Deflate::new(params(15, 15, false));
    let mut receivers = [
        Deflate::new(params(15, 15, false)),
        Deflate::new(params(15, 15, false)),
    ];
    for i in 0..20 {
        let message = words(3000, i);
        for (sender, receiver) in [&mut a, &mut b].into_iter().zip(&mut receivers) {
            assert_eq!(
                inflate(receiver, &compress(sender, &message)).expect("inflates"),
                message
            );
        }
        // The same input gives the same output whoever sends it: no
        // state leaks from one socket's message into another's.
        assert_eq!(compress(&mut a, &message), compress(&mut c, &message));
    }
    let message = words(3000, 99);
    let here = compress(&mut a, &message);
    let there =
        std::thread::spawn(move || compress(&mut Deflate::new(params(15, 15, false)), &message));
    assert_eq!(here, there.join().expect("no panic"));
}

#[test]
fn stored_fallback_inflates() {
    for message in [Vec::new(), b"Hello".to_vec(), noise(200_000, 5, 255)] {
        let mut payload = Vec::new();
        store(&message, &mut payload);
        assert_eq!(
            inflate(&mut Deflate::new(params(15, 15, false)), &payload),
            Ok(message)
        );
    }
}

#[test]
fn compression_ratios() {
    // Measured at level 1 (the ratios quoted for LEVEL):
    let json: Vec<u8> = (0..20)
        .flat_map(|i| format!("{{\"id\":{i},\"name\":\"user{i}\",\"email\":\"user{i}@example.com\",\"active\":true}},").into_bytes())
        .collect();
    let mut sender = Deflate::new(params(15, 15, false));
    let ratio = |sender: &mut Deflate, message: &[u8]| {
        compress(sender, message).len() as f64 / message.len() as f64
    };
    assert!(ratio(&mut sender, &json) < 0.25);
    assert!(ratio(&mut sender, &words(10_000, 1)) < 0.40);
    assert!(ratio(&mut sender, &noise(100_000, 1, 255)) < 1.01);
    assert!(ratio(&mut sender, &vec![b'a'; 100_000]) < 0.01);
}
