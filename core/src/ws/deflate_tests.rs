//! permessage-deflate: negotiation, round trips, windows, limits, interop fixtures.
//!
//! The helpers the tests share are here: agreed parameters, offers,
//! compress and inflate, test data, and independent codecs to check
//! against. The tests are in three files, by concern.
use std::collections::HashMap;

use miniz_oxide::inflate::core::inflate_flags::TINFL_FLAG_HAS_MORE_INPUT;

use super::*;

#[path = "deflate_limit_tests.rs"]
mod limits;
#[path = "deflate_negotiation_tests.rs"]
mod negotiation;
#[path = "deflate_round_trip_tests.rs"]
mod round_trips;

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
