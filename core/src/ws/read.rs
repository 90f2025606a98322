//! The receiving half of the protocol, without I/O: bytes in, messages and
//! control frames out, every rule of RFC 6455 checked on the way.
//!
//! A frame complete in the buffer and a whole message by itself (the usual
//! case) becomes a message without a copy: its payload is unmasked in place
//! and split off the buffer. Larger or fragmented messages are assembled as
//! their bytes arrive, and text is validated as it comes, so invalid UTF-8
//! fails the connection at the first bad byte rather than at the end of a
//! large message.

use bytes::{Buf, Bytes, BytesMut};

use super::deflate::{Deflate, InflateError};
use super::frame::{self, Header, MAX_CONTROL_PAYLOAD, opcode};
use super::message::{CloseCode, CloseFrame, Message, Utf8Bytes};

/// What the reader found.
#[derive(Debug)]
pub(crate) enum Incoming {
    /// A complete text or binary message.
    Message(Message),
    /// A ping, to be answered with a pong carrying its payload.
    Ping(Bytes),
    /// A pong.
    Pong,
    /// The peer's close frame (`None`: it carried no code).
    Close(Option<CloseFrame>),
}

/// The peer broke the protocol: close with this code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Violation {
    pub(crate) code: CloseCode,
    pub(crate) reason: &'static str,
}

const fn violation(code: CloseCode, reason: &'static str) -> Violation {
    Violation { code, reason }
}

const UNMASKED: Violation = violation(CloseCode::PROTOCOL_ERROR, "client frames must be masked");
const RESERVED_BITS: Violation = violation(CloseCode::PROTOCOL_ERROR, "reserved bits set");
const BAD_OPCODE: Violation = violation(CloseCode::PROTOCOL_ERROR, "unknown opcode");
const BAD_CONTROL: Violation = violation(
    CloseCode::PROTOCOL_ERROR,
    "control frames must be whole and at most 125 bytes",
);
const STRAY_CONTINUATION: Violation = violation(
    CloseCode::PROTOCOL_ERROR,
    "continuation frame without a message",
);
const UNFINISHED: Violation = violation(
    CloseCode::PROTOCOL_ERROR,
    "new message before the previous one ended",
);
const BAD_LENGTH: Violation = violation(
    CloseCode::PROTOCOL_ERROR,
    "a 64-bit length must have its top bit clear",
);
const TOO_BIG: Violation = violation(CloseCode::MESSAGE_TOO_BIG, "message too big");
const NOT_UTF8: Violation = violation(CloseCode::INVALID_PAYLOAD, "text is not UTF-8");
const BAD_CLOSE: Violation = violation(CloseCode::PROTOCOL_ERROR, "malformed close frame");
const BAD_DEFLATE: Violation = violation(CloseCode::PROTOCOL_ERROR, "invalid compressed data");

/// A data frame whose payload is still arriving.
struct FrameInProgress {
    mask: [u8; 4],
    remaining: u64,
    offset: usize,
    fin: bool,
}

/// A message being assembled from its frames.
struct Partial {
    text: bool,
    compressed: bool,
    data: BytesMut,
    /// How much of `data` is known to be UTF-8 (text, uncompressed).
    validated: usize,
}

/// The receiving state of one connection.
pub(crate) struct Reader {
    buf: BytesMut,
    frame: Option<FrameInProgress>,
    message: Option<Partial>,
    max_message: usize,
    compressed: bool,
}

impl Reader {
    /// A reader refusing messages over `max_message` bytes; `compressed`
    /// when permessage-deflate was agreed (RSV1 allowed).
    pub(crate) fn new(max_message: usize, compressed: bool) -> Reader {
        Reader {
            buf: BytesMut::new(),
            frame: None,
            message: None,
            max_message,
            compressed,
        }
    }

    /// Adds received bytes.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete item, `None` when more bytes are needed.
    pub(crate) fn next(
        &mut self,
        deflate: Option<&mut Deflate>,
    ) -> Result<Option<Incoming>, Violation> {
        loop {
            if let Some(frame) = &mut self.frame {
                let Some(message) = &mut self.message else {
                    unreachable!("a data frame in progress belongs to a message");
                };
                let n = usize::try_from(frame.remaining)
                    .unwrap_or(usize::MAX)
                    .min(self.buf.len());
                if n > 0 {
                    let mut chunk = self.buf.split_to(n);
                    frame::apply_mask(&mut chunk, frame.mask, frame.offset);
                    frame.offset += n;
                    frame.remaining -= n as u64;
                    message.data.extend_from_slice(&chunk);
                    if message.text && !message.compressed {
                        validate_more(message)?;
                    }
                }
                if frame.remaining > 0 {
                    return Ok(None);
                }
                let fin = frame.fin;
                self.frame = None;
                if fin {
                    let message = self.message.take().unwrap_or_else(|| unreachable!());
                    return finish(message, self.max_message, deflate).map(Some);
                }
                continue;
            }
            let Some((header, at)) = frame::parse_header(&self.buf) else {
                return Ok(None);
            };
            self.check(&header)?;
            let len = header.len as usize; // checked against the limit
            let mask = header.mask.unwrap_or_default();
            if header.is_control() {
                if self.buf.len() < at + len {
                    return Ok(None);
                }
                self.buf.advance(at);
                let mut payload = self.buf.split_to(len);
                frame::apply_mask(&mut payload, mask, 0);
                return control(header.opcode, payload.freeze()).map(Some);
            }
            self.buf.advance(at);
            if header.opcode != opcode::CONTINUATION {
                let text = header.opcode == opcode::TEXT;
                if header.fin && self.buf.len() >= len {
                    // The whole message is here: no copy.
                    let mut payload = self.buf.split_to(len);
                    frame::apply_mask(&mut payload, mask, 0);
                    let message = Partial {
                        text,
                        compressed: header.rsv1,
                        validated: 0,
                        data: payload,
                    };
                    return finish(message, self.max_message, deflate).map(Some);
                }
                // Room for what has arrived, not for what the header
                // claims: a client's 14 bytes must not reserve the limit.
                self.message = Some(Partial {
                    text,
                    compressed: header.rsv1,
                    validated: 0,
                    data: BytesMut::with_capacity(len.min(self.buf.len())),
                });
            } else if let Some(message) = &mut self.message {
                message.data.reserve(len.min(self.buf.len()));
            }
            self.frame = Some(FrameInProgress {
                mask,
                remaining: header.len,
                offset: 0,
                fin: header.fin,
            });
        }
    }

    /// The rules a header must keep before any of its payload is read.
    fn check(&self, header: &Header) -> Result<(), Violation> {
        if header.len >> 63 != 0 {
            return Err(BAD_LENGTH);
        }
        if header.mask.is_none() {
            return Err(UNMASKED);
        }
        let control = header.is_control();
        if header.rsv23
            || (header.rsv1
                && (!self.compressed || control || header.opcode == opcode::CONTINUATION))
        {
            return Err(RESERVED_BITS);
        }
        match header.opcode {
            opcode::CLOSE | opcode::PING | opcode::PONG => {
                if !header.fin || header.len > MAX_CONTROL_PAYLOAD as u64 {
                    return Err(BAD_CONTROL);
                }
                return Ok(());
            }
            opcode::CONTINUATION if self.message.is_none() => return Err(STRAY_CONTINUATION),
            opcode::TEXT | opcode::BINARY if self.message.is_some() => return Err(UNFINISHED),
            opcode::CONTINUATION | opcode::TEXT | opcode::BINARY => {}
            _ => return Err(BAD_OPCODE),
        }
        let so_far = self.message.as_ref().map_or(0, |m| m.data.len() as u64);
        if so_far.saturating_add(header.len) > self.max_message as u64 {
            return Err(TOO_BIG);
        }
        Ok(())
    }
}

/// Extends the UTF-8-checked prefix of a text message; a sequence cut at
/// the end may still be completed by the next bytes.
fn validate_more(message: &mut Partial) -> Result<(), Violation> {
    match std::str::from_utf8(&message.data[message.validated..]) {
        Ok(_) => message.validated = message.data.len(),
        Err(e) if e.error_len().is_some() => return Err(NOT_UTF8),
        Err(e) => message.validated += e.valid_up_to(),
    }
    Ok(())
}

fn finish(
    message: Partial,
    max: usize,
    deflate: Option<&mut Deflate>,
) -> Result<Incoming, Violation> {
    let data = if message.compressed {
        inflate(&message.data, max, deflate)?
    } else {
        message.data.freeze()
    };
    if !message.text {
        return Ok(Incoming::Message(Message::Binary(data)));
    }
    match Utf8Bytes::try_from(data) {
        Ok(text) => Ok(Incoming::Message(Message::Text(text))),
        Err(_) => Err(NOT_UTF8),
    }
}

fn inflate(data: &[u8], max: usize, deflate: Option<&mut Deflate>) -> Result<Bytes, Violation> {
    let Some(deflate) = deflate else {
        return Err(RESERVED_BITS);
    };
    let mut out = Vec::new();
    match deflate.decompress(data, max, &mut out) {
        Ok(()) => Ok(out.into()),
        Err(InflateError::TooLarge) => Err(TOO_BIG),
        Err(InflateError::Corrupt) => Err(BAD_DEFLATE),
    }
}

fn control(op: u8, payload: Bytes) -> Result<Incoming, Violation> {
    match op {
        opcode::PING => Ok(Incoming::Ping(payload)),
        opcode::PONG => Ok(Incoming::Pong),
        _ => close_frame(payload).map(Incoming::Close),
    }
}

/// A close frame's payload: nothing, or a sendable code and a UTF-8
/// reason (section 5.5.1, 7.4).
fn close_frame(payload: Bytes) -> Result<Option<CloseFrame>, Violation> {
    match payload.len() {
        0 => return Ok(None),
        1 => return Err(BAD_CLOSE),
        _ => {}
    }
    let code = CloseCode::from(u16::from_be_bytes([payload[0], payload[1]]));
    if !code.is_sendable() {
        return Err(BAD_CLOSE);
    }
    let reason = Utf8Bytes::try_from(payload.slice(2..)).map_err(|_| NOT_UTF8)?;
    Ok(Some(CloseFrame { code, reason }))
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
