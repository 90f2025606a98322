//! permessage-deflate (RFC 7692), without I/O: the handshake's
//! negotiation, and compressing and inflating whole messages.
//!
//! # RFC 7692 in brief
//!
//! A client offers the extension in `Sec-WebSocket-Extensions`, possibly
//! several times with different parameters; the server accepts at most one
//! offer and answers with the parameters agreed. A compressed message has
//! RSV1 set on its first frame, and its payload is the message as raw
//! DEFLATE (RFC 1951) ending in a sync flush (an empty stored block), with
//! that flush's last four bytes, `00 00 FF FF`, removed; the receiver puts
//! them back before inflating. By default each direction is one DEFLATE
//! stream across messages ("context takeover"): a message may refer back
//! into the last 32 KiB of the messages before it, so both ends keep that
//! window. The parameters limit this: `server_no_context_takeover` and
//! `client_no_context_takeover` make that side start every message afresh,
//! and `server_max_window_bits` / `client_max_window_bits` bound that side's
//! window to 2^bits bytes (8..=15).
//!
//! # Why miniz_oxide directly
//!
//! It is pure Rust, so it builds on every target the core does (both wasm
//! targets included), and its low-level API exposes what this design
//! needs and flate2's wrappers hide: the RLE strategy (matches at distance
//! 1 only, which are valid under any window) and inflating into a
//! non-wrapping output buffer that starts with data kept from earlier
//! messages, so back-references reach into them.
//!
//! # Memory: a compressor per thread, a window per socket
//!
//! miniz's compressor is about 312 KiB (its hash chains, dictionary and
//! buffers) and its decompressor about 10 KiB; one of each per socket would
//! be ~322 KiB per idle connection. Instead:
//!
//! - **Sending.** We always answer `server_no_context_takeover` (RFC 7692
//!   §7.1.1.1 lets a server add it unasked), so our compressor carries
//!   nothing from one message to the next. Every socket on a thread then
//!   shares one compressor, reset before each message: uWebSockets' "shared
//!   compressor" idea. A socket holds nothing for sending. miniz always
//!   searches a 32 KiB window, so when a client asks for
//!   `server_max_window_bits` below 15 we compress with the RLE strategy
//!   (matches only at distance 1, valid under any window, 8 bits
//!   included) and answer the value asked, rather than decline the offer:
//!   less compression for those clients, same protocol.
//! - **Receiving.** A client that keeps its context may refer back into the
//!   last 2^W bytes it sent, and that window is *all* that has to survive
//!   between two messages: at a message boundary the DEFLATE stream is
//!   byte-aligned after the sync flush, so a fresh decoder state can pick it
//!   up. Each message is inflated by one decompressor per thread (reset per
//!   message) into a buffer that starts with the socket's saved window. A
//!   socket keeps just that window (none with
//!   `client_no_context_takeover`), and we ask clients for a small one with
//!   `client_max_window_bits`.
//!
//! Measured (x86-64 Linux): [`Deflate::idle_bytes`] is 0 with
//! `client_no_context_takeover`, 4,096 at the default
//! `client_max_window_bits=12`, and at most 2^W in general (512 for W = 8,
//! see [`MIN_KEPT_BITS`]); it is 32,768 only for a client that keeps its
//! context and does not offer `client_max_window_bits` at all, whose window
//! the server may not bound. The window grows in powers of two as the
//! client sends, so a socket that has received 100 bytes keeps 128. The
//! `Deflate` itself is 32 bytes inside the socket. Per thread, the shared
//! state is made on first use: a 10,504-byte decompressor and a
//! 319,326-byte compressor (a second one for RLE only on threads that
//! serve a client asking for `server_max_window_bits` < 15).
//!
//! The price of sharing is the compressor's reset before each message,
//! which zeroes its tables: 2.6 µs, of the ~9 µs a 117-byte chat message
//! takes to compress (release, x86-64). Inflating that message takes
//! ~5 µs, with or without a window; 1 MiB of logs, ~2 ms.

use std::cell::RefCell;
use std::fmt;
use std::thread::LocalKey;

use miniz_oxide::deflate::core::{
    CompressionStrategy, CompressorOxide, TDEFLFlush, TDEFLStatus, compress_to_output,
    create_comp_flags_from_zip_params,
};
use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_HAS_MORE_INPUT, TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
};
use miniz_oxide::inflate::core::{DecompressorOxide, decompress};

/// The extension's name in `sec-websocket-extensions`.
const NAME: &[u8] = b"permessage-deflate";

/// The level with the full 32 KiB window. miniz's level 1 is its fast path
/// (greedy, one probe): measured (release, x86-64) it compresses 1.5 KiB of
/// JSON to 18.8% in 10 µs where level 6 gets 17.5% in 23 µs, 10 KB of text
/// to 22.8% in 37 µs (level 6: 17.6% in 215 µs), and 1 MiB of logs to
/// 13.3% in 1.4 ms (level 6: 9.6% in 15 ms). A server compresses every
/// message it sends, for each socket, so speed wins over the last few
/// percent.
const LEVEL: i32 = 1;

/// The level with the RLE strategy. Not 1: miniz_oxide 0.9 sends level 1
/// down its fast path, which ignores the RLE flag and would produce
/// matches as far as 32 KiB back.
const RLE_LEVEL: i32 = 2;

/// The end of a sync flush, which a sender removes from each message.
const SYNC_MARKER: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// What is fed after a received message: the sync marker the sender
/// removed, then an empty final block (fixed Huffman: BFINAL=1, BTYPE=01,
/// end-of-block), so a message that ends on a block boundary brings the
/// decoder to its end and one cut inside a block does not.
const INFLATE_TAIL: [u8; 6] = [0x00, 0x00, 0xff, 0xff, 0x03, 0x00];

/// The smallest window kept for a client: zlib cannot compress raw
/// DEFLATE with an 8-bit window and silently uses 9 bits instead (as do
/// its ports), so a client told `client_max_window_bits=8` may refer 512
/// bytes back. Keeping 512 bytes costs 256 more in that rare case only.
const MIN_KEPT_BITS: u8 = 9;

/// What the handshake agreed for one connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DeflateParams {
    /// We (the server) reset our compression context for every message.
    pub(crate) server_no_context_takeover: bool,
    /// The client resets its context for every message.
    pub(crate) client_no_context_takeover: bool,
    /// The LZ77 window our compressor may use (8..=15).
    pub(crate) server_max_window_bits: u8,
    /// The window the client's compressor uses (8..=15), 15 if unspecified.
    pub(crate) client_max_window_bits: u8,
}

/// One `permessage-deflate` offer, as parsed.
#[derive(Default)]
struct Offer {
    /// `server_no_context_takeover` was present.
    server_no_context_takeover: bool,
    /// `client_no_context_takeover` was present.
    client_no_context_takeover: bool,
    /// `server_max_window_bits=N`.
    server_max_window_bits: Option<u8>,
    /// `client_max_window_bits`: `Some(None)` when offered without a value.
    client_max_window_bits: Option<Option<u8>>,
}

/// Reads the values of every `sec-websocket-extensions` request header
/// (each may hold several comma-separated extensions, each with
/// `;`-separated params, values possibly quoted), picks the FIRST
/// `permessage-deflate` offer the server can honour, and returns the agreed
/// params plus the exact header value to answer with (e.g.
/// "permessage-deflate; server_no_context_takeover;
/// client_max_window_bits=12"). None when no offer is acceptable (unknown
/// param, duplicate param, bad value → that offer is declined, try the
/// next; per RFC 7692 §7.1).
///
/// `client_window_bits` (clamped to 8..=15) is the window we ask of a
/// client that offers `client_max_window_bits`; it is what such a socket
/// keeps between messages. Every offer is honoured as made: a
/// `server_max_window_bits` below 15 is met with RLE compression rather
/// than declined.
pub(crate) fn negotiate<'a>(
    header_values: impl Iterator<Item = &'a [u8]>,
    client_window_bits: u8,
) -> Option<(DeflateParams, String)> {
    let ours = client_window_bits.clamp(8, 15);
    header_values
        .flat_map(|value| split_unquoted(value, b','))
        .find_map(parse_offer)
        .map(|offer| agree(&offer, ours))
}

/// The parameters and the answer for an accepted offer.
fn agree(offer: &Offer, ours: u8) -> (DeflateParams, String) {
    let mut answer = String::from("permessage-deflate; server_no_context_takeover");
    if offer.client_no_context_takeover {
        answer.push_str("; client_no_context_takeover");
    }
    if let Some(bits) = offer.server_max_window_bits {
        answer.push_str("; server_max_window_bits=");
        answer.push_str(&bits.to_string());
    }
    // With no context to take over, the client's window costs us nothing
    // between messages: leave it at what the client likes.
    let client_bits = match offer.client_max_window_bits {
        Some(offered) if !offer.client_no_context_takeover => {
            let bits = offered.unwrap_or(15).min(ours);
            answer.push_str("; client_max_window_bits=");
            answer.push_str(&bits.to_string());
            bits
        }
        // Without the parameter in the offer, the answer may not bound
        // the client's window (RFC 7692 §7.1.2.2).
        _ => 15,
    };
    let params = DeflateParams {
        server_no_context_takeover: true,
        client_no_context_takeover: offer.client_no_context_takeover,
        server_max_window_bits: offer.server_max_window_bits.unwrap_or(15),
        client_max_window_bits: client_bits,
    };
    (params, answer)
}

/// Parses one extension of a list; None when it is not
/// `permessage-deflate` or is an offer we must decline.
fn parse_offer(extension: &[u8]) -> Option<Offer> {
    let mut parts = split_unquoted(extension, b';');
    let name = trim(parts.next()?);
    if !name.eq_ignore_ascii_case(NAME) {
        return None;
    }
    let mut offer = Offer::default();
    for param in parts {
        let (key, value) = match param.iter().position(|&b| b == b'=') {
            Some(eq) => (trim(&param[..eq]), Some(unquote(trim(&param[eq + 1..]))?)),
            None => (trim(param), None),
        };
        if key.eq_ignore_ascii_case(b"server_no_context_takeover") {
            if offer.server_no_context_takeover || value.is_some() {
                return None;
            }
            offer.server_no_context_takeover = true;
        } else if key.eq_ignore_ascii_case(b"client_no_context_takeover") {
            if offer.client_no_context_takeover || value.is_some() {
                return None;
            }
            offer.client_no_context_takeover = true;
        } else if key.eq_ignore_ascii_case(b"server_max_window_bits") {
            if offer.server_max_window_bits.is_some() {
                return None;
            }
            offer.server_max_window_bits = Some(window_bits(&value?)?);
        } else if key.eq_ignore_ascii_case(b"client_max_window_bits") {
            if offer.client_max_window_bits.is_some() {
                return None;
            }
            offer.client_max_window_bits = Some(match value {
                Some(value) => Some(window_bits(&value)?),
                None => None,
            });
        } else {
            // Unknown (or empty) parameter: decline the offer.
            return None;
        }
    }
    Some(offer)
}

/// A window size value: 8..=15 in decimal, without leading zeros
/// (RFC 7692 §7.1.2.1).
fn window_bits(value: &[u8]) -> Option<u8> {
    match value {
        [d @ b'8'..=b'9'] => Some(d - b'0'),
        [b'1', d @ b'0'..=b'5'] => Some(10 + d - b'0'),
        _ => None,
    }
}

/// A parameter's value with a quoted-string unquoted (RFC 7230 §3.2.6);
/// None for a malformed one or a token with characters a token cannot hold.
fn unquote(value: &[u8]) -> Option<Vec<u8>> {
    let Some(inner) = value.strip_prefix(b"\"") else {
        return value.iter().all(|&b| is_tchar(b)).then(|| value.to_vec());
    };
    let inner = inner.strip_suffix(b"\"")?;
    let mut out = Vec::with_capacity(inner.len());
    let mut bytes = inner.iter().copied();
    while let Some(b) = bytes.next() {
        match b {
            b'\\' => out.push(bytes.next()?),
            b'"' => return None,
            _ => out.push(b),
        }
    }
    Some(out)
}

/// Whether `b` may appear in a token (RFC 7230 §3.2.6).
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `s` without leading and trailing spaces and tabs.
fn trim(s: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = s.iter().position(|b| !is_ows(b)).unwrap_or(s.len());
    let end = s.iter().rposition(|b| !is_ows(b)).map_or(start, |i| i + 1);
    &s[start..end]
}

/// Splits `s` at each `sep` outside a quoted string.
fn split_unquoted(s: &[u8], sep: u8) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let s = rest?;
        let (mut quoted, mut escaped) = (false, false);
        for (i, &b) in s.iter().enumerate() {
            if escaped {
                escaped = false;
            } else if quoted && b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                quoted = !quoted;
            } else if b == sep && !quoted {
                rest = Some(&s[i + 1..]);
                return Some(&s[..i]);
            }
        }
        rest = None;
        Some(s)
    })
}

thread_local! {
    /// This thread's compressor for the full window, made on first use.
    static COMPRESSOR: RefCell<Option<Box<CompressorOxide>>> = const { RefCell::new(None) };
    /// This thread's RLE compressor (for `server_max_window_bits` < 15),
    /// made on first use.
    static RLE_COMPRESSOR: RefCell<Option<Box<CompressorOxide>>> = const { RefCell::new(None) };
    /// This thread's decompressor, made on first use.
    static DECOMPRESSOR: RefCell<Option<Box<DecompressorOxide>>> = const { RefCell::new(None) };
}

/// Runs `f` on this thread's instance in `key`, made by `make` on first
/// use; on one of its own while the thread's locals are torn down.
fn with_local<T, R>(
    key: &'static LocalKey<RefCell<Option<Box<T>>>>,
    make: fn() -> Box<T>,
    f: impl FnOnce(&mut T) -> R,
) -> R {
    let mut f = Some(f);
    let shared = key.try_with(|cell| {
        let mut slot = cell.try_borrow_mut().ok()?;
        let state = slot.get_or_insert_with(make);
        f.take().map(|f| f(state))
    });
    match shared {
        Ok(Some(result)) => result,
        _ => {
            let f = f
                .take()
                .expect("f is taken only when it runs, and it did not");
            f(&mut make())
        }
    }
}

/// A raw-DEFLATE compressor for the full 32 KiB window.
fn full_compressor() -> Box<CompressorOxide> {
    let flags =
        create_comp_flags_from_zip_params(LEVEL, -15, i32::from(CompressionStrategy::Default));
    Box::new(CompressorOxide::new(flags))
}

/// A raw-DEFLATE compressor making only distance-1 matches.
fn rle_compressor() -> Box<CompressorOxide> {
    let flags =
        create_comp_flags_from_zip_params(RLE_LEVEL, -15, i32::from(CompressionStrategy::RLE));
    Box::new(CompressorOxide::new(flags))
}

/// A decompressor.
fn new_decompressor() -> Box<DecompressorOxide> {
    Box::default()
}

/// One connection's compression state.
///
/// Sending holds nothing (a compressor per thread does the work); receiving
/// holds the client's window when it keeps its context.
pub(crate) struct Deflate {
    /// What the handshake agreed.
    params: DeflateParams,
    /// The last bytes received (at most [`Deflate::window_size`]), which
    /// the client's next message may refer back into.
    window: Vec<u8>,
}

impl Deflate {
    /// A connection's state; allocates nothing.
    pub(crate) fn new(params: DeflateParams) -> Deflate {
        Deflate {
            params,
            window: Vec::new(),
        }
    }

    /// Compresses one whole message, appending to `out` the frame payload:
    /// raw DEFLATE ending in a sync flush, with the trailing 00 00 FF FF
    /// removed (RFC 7692 §7.2.1).
    ///
    /// Every message is compressed on its own (no context taken over,
    /// whatever `server_no_context_takeover` says: that is always valid
    /// for a sender). With `server_max_window_bits` below 15 it uses RLE,
    /// whose matches all lie 1 byte back, inside any window.
    #[allow(
        clippy::needless_pass_by_ref_mut,
        reason = "a connection's sending is exclusive, as it would be with a context kept"
    )]
    pub(crate) fn compress(&mut self, payload: &[u8], out: &mut Vec<u8>) {
        let start = out.len();
        let rle = self.params.server_max_window_bits < 15;
        let key = if rle { &RLE_COMPRESSOR } else { &COMPRESSOR };
        let make: fn() -> Box<CompressorOxide> = if rle { rle_compressor } else { full_compressor };
        let done = with_local(key, make, |compressor| {
            // Reset before, not after: a fresh state whatever the last use did.
            compressor.reset();
            let (status, read) =
                compress_to_output(compressor, payload, TDEFLFlush::Sync, |chunk| {
                    out.extend_from_slice(chunk);
                    true
                });
            status == TDEFLStatus::Okay && read == payload.len()
        });
        if !done {
            // miniz cannot fail writing to a Vec; should it, still send a
            // valid message.
            out.truncate(start);
            store(payload, out);
        }
        if out[start..].ends_with(&SYNC_MARKER) {
            out.truncate(out.len() - SYNC_MARKER.len());
        }
    }

    /// Decompresses one whole message (its frames' payloads concatenated,
    /// as received), appending the message to `out`; fails with TooLarge as
    /// soon as the output would pass `limit` bytes (never inflate a zip bomb
    /// into memory first), Corrupt on bad data. On failure `out` is as it
    /// was.
    pub(crate) fn decompress(
        &mut self,
        payload: &[u8],
        limit: usize,
        out: &mut Vec<u8>,
    ) -> Result<(), InflateError> {
        if payload.is_empty() {
            // Some senders send an empty message as an empty payload:
            // nothing to inflate, and the window is unchanged.
            return Ok(());
        }
        let start = out.len();
        // Inflate into `out[start..]`, after a copy of the window, so
        // back-references reach into the earlier messages.
        out.extend_from_slice(&self.window);
        let base = out.len();
        let inflated = with_local(&DECOMPRESSOR, new_decompressor, |decompressor| {
            inflate(decompressor, payload, limit, out, start, base)
        });
        if let Err(error) = inflated {
            out.truncate(start);
            return Err(error);
        }
        let keep = self.window_size();
        if keep > 0 {
            let all = &out[start..];
            let tail = &all[all.len().saturating_sub(keep)..];
            if self.window.capacity() < tail.len() {
                // Grow in powers of two, up to 2^bits: a socket that
                // received little keeps little.
                self.window = Vec::with_capacity(tail.len().next_power_of_two().min(keep));
            }
            self.window.clear();
            self.window.extend_from_slice(tail);
        }
        out.drain(start..base);
        // The message may be kept long after: do not hand it a buffer
        // mostly spare (the window's copy, or an overestimate).
        let spare = out.capacity() - out.len();
        if spare > out.len() && spare > 1024 {
            out.shrink_to_fit();
        }
        Ok(())
    }

    /// Bytes this connection keeps allocated between messages (for the
    /// memory budget docs/tests): the heap the window holds.
    #[allow(
        dead_code,
        reason = "for the memory budget's tests and docs; the socket needs it not"
    )]
    pub(crate) fn idle_bytes(&self) -> usize {
        self.window.capacity()
    }

    /// How much received data is kept for the client's next message: none
    /// without context takeover, else its window (at least
    /// 2^[`MIN_KEPT_BITS`]).
    fn window_size(&self) -> usize {
        if self.params.client_no_context_takeover {
            0
        } else {
            1 << self.params.client_max_window_bits.clamp(MIN_KEPT_BITS, 15)
        }
    }
}

impl fmt::Debug for Deflate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deflate")
            .field("params", &self.params)
            .field("window", &self.window.len())
            .finish()
    }
}

/// Inflates `payload` into `out[start..]`, whose first `base - start`
/// bytes are the window, leaving `out` ending with the message.
fn inflate(
    decompressor: &mut DecompressorOxide,
    payload: &[u8],
    limit: usize,
    out: &mut Vec<u8>,
    start: usize,
    base: usize,
) -> Result<(), InflateError> {
    // A message boundary is a byte-aligned block boundary: a fresh state.
    decompressor.init();
    // One byte past the limit, to tell "exactly at the limit" (the decoder
    // would report a full buffer) from "over it".
    let max_len = base.saturating_add(limit).saturating_add(1);
    grow(out, max_len, payload.len().saturating_mul(3).max(1024));
    let mut pos = base - start;
    // The payload, then the tail as a second chunk (no copy of the payload).
    let chunks = [
        (
            payload,
            TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF | TINFL_FLAG_HAS_MORE_INPUT,
        ),
        (&INFLATE_TAIL[..], TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF),
    ];
    for (mut input, flags) in chunks {
        loop {
            let (status, read, written) =
                decompress(decompressor, input, &mut out[start..], pos, flags);
            input = &input[read..];
            pos += written;
            if start + pos - base > limit {
                return Err(InflateError::TooLarge);
            }
            match status {
                // The stream's end: ours (the tail's final block) or the
                // sender's (a block with BFINAL set, RFC 7692 §7.2.3.3).
                TINFLStatus::Done => {
                    out.truncate(start + pos);
                    return Ok(());
                }
                TINFLStatus::NeedsMoreInput if input.is_empty() => break,
                TINFLStatus::NeedsMoreInput if read == 0 && written == 0 => {
                    return Err(InflateError::Corrupt);
                }
                TINFLStatus::NeedsMoreInput => {}
                TINFLStatus::HasMoreOutput => {
                    // Room for as much again as the buffer holds, up to the
                    // limit: never the whole message before it is checked.
                    if !grow(out, max_len, out.len() - start) {
                        return Err(InflateError::TooLarge);
                    }
                }
                _ => return Err(InflateError::Corrupt),
            }
        }
    }
    // The tail's final block was not reached: the message ended inside a block.
    Err(InflateError::Corrupt)
}

/// Makes `room` more bytes of output space in `out` (zeroed, all its
/// capacity used), never past `max_len`; false when already there.
fn grow(out: &mut Vec<u8>, max_len: usize, room: usize) -> bool {
    let len = out.len();
    if len >= max_len {
        return false;
    }
    // Exact: the doubling is `room`'s, and the capacity never passes `max_len`.
    out.reserve_exact(room.clamp(1, max_len - len));
    out.resize(out.capacity().min(max_len), 0);
    true
}

/// Writes `payload` as stored DEFLATE blocks, ending where a sync flush's
/// removed marker would follow.
fn store(payload: &[u8], out: &mut Vec<u8>) {
    for chunk in payload.chunks(usize::from(u16::MAX)) {
        let len = u16::try_from(chunk.len()).expect("chunks are at most u16::MAX long");
        // BFINAL=0, BTYPE=00 (stored), padding to the byte.
        out.push(0x00);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    // The empty stored block of the sync flush, whose LEN and NLEN are the
    // marker the receiver appends.
    out.push(0x00);
}

/// Why a received message could not be inflated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InflateError {
    /// The message would pass the size limit.
    TooLarge,
    /// The data is not valid DEFLATE (or refers back past the window).
    Corrupt,
}

#[cfg(test)]
#[path = "deflate_tests.rs"]
mod tests;
