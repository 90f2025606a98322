//! The sending half, without I/O: frames queued as buffers for one
//! vectored write.
//!
//! Headers and small payloads are copied into one growing buffer (a few
//! bytes each: cheaper than a buffer per frame); a large payload is queued
//! as the shared buffer it already is, after its header, so echoing or
//! publishing a large message copies nothing.

use std::collections::VecDeque;
use std::io::IoSlice;

use bytes::{Buf, BufMut, Bytes, BytesMut};

use super::deflate::Deflate;
use super::frame::{self, opcode};
use super::message::{CloseFrame, Message};

/// Payloads up to this size are copied next to their header.
const COPY_LIMIT: usize = 1024;

/// Frames waiting to be written, in order: `chunks`, then `tail`.
#[derive(Default)]
pub(crate) struct Outbox {
    chunks: VecDeque<Bytes>,
    /// Bytes in `chunks`, kept so that `len` (asked on every send) is O(1).
    chunked: usize,
    tail: BytesMut,
}

impl Outbox {
    pub(crate) fn is_empty(&self) -> bool {
        self.tail.is_empty() && self.chunks.is_empty()
    }

    /// Bytes waiting.
    pub(crate) fn len(&self) -> usize {
        self.tail.len() + self.chunked
    }

    fn push_chunk(&mut self, chunk: Bytes) {
        self.chunked += chunk.len();
        self.chunks.push_back(chunk);
    }

    /// Queues one message as a frame, compressed when `deflate` is given.
    /// Every message is then compressed, short ones too: RFC 7692 lets a
    /// sender skip them, but some peers (the Autobahn driver among them)
    /// mishandle an uncompressed message on a compressed connection.
    pub(crate) fn push(&mut self, message: &Message, deflate: Option<&mut Deflate>) {
        match message {
            Message::Text(text) => self.data(opcode::TEXT, text.as_shared(), deflate),
            Message::Binary(data) => self.data(opcode::BINARY, data, deflate),
            Message::Ping(data) => self.control(opcode::PING, data),
            Message::Pong(data) => self.control(opcode::PONG, data),
            Message::Close(frame) => self.close(frame.as_ref()),
        }
    }

    /// Queues a frame encoded once for many sockets (a published message).
    pub(crate) fn push_encoded(&mut self, frame: &Bytes) {
        if frame.len() <= COPY_LIMIT {
            self.tail.extend_from_slice(frame);
        } else {
            self.seal();
            self.push_chunk(frame.clone());
        }
    }

    /// Queues a pong answering a ping.
    pub(crate) fn pong(&mut self, payload: &[u8]) {
        frame::write_header(&mut self.tail, true, false, opcode::PONG, payload.len());
        self.tail.extend_from_slice(payload);
    }

    fn data(&mut self, op: u8, payload: &Bytes, deflate: Option<&mut Deflate>) {
        if let Some(deflate) = deflate {
            let mut compressed = Vec::new();
            deflate.compress(payload, &mut compressed);
            frame::write_header(&mut self.tail, true, true, op, compressed.len());
            return self.payload(&Bytes::from(compressed));
        }
        frame::write_header(&mut self.tail, true, false, op, payload.len());
        self.payload(payload);
    }

    fn control(&mut self, op: u8, payload: &[u8]) {
        // Control frames are at most 125 bytes (RFC 6455, section 5.5).
        let payload = &payload[..payload.len().min(frame::MAX_CONTROL_PAYLOAD)];
        frame::write_header(&mut self.tail, true, false, op, payload.len());
        self.tail.extend_from_slice(payload);
    }

    /// Queues a close frame; a reason is cut (at a character boundary) to
    /// fit the 123 bytes a close frame has for it.
    pub(crate) fn close(&mut self, frame: Option<&CloseFrame>) {
        let Some(frame) = frame else {
            return frame::write_header(&mut self.tail, true, false, opcode::CLOSE, 0);
        };
        let mut end = frame.reason.len().min(frame::MAX_CONTROL_PAYLOAD - 2);
        while !frame.reason.is_char_boundary(end) {
            end -= 1;
        }
        frame::write_header(&mut self.tail, true, false, opcode::CLOSE, 2 + end);
        self.tail.put_u16(frame.code.as_u16());
        self.tail.extend_from_slice(&frame.reason.as_bytes()[..end]);
    }

    fn payload(&mut self, payload: &Bytes) {
        if payload.len() <= COPY_LIMIT {
            self.tail.extend_from_slice(payload);
        } else {
            self.seal();
            self.push_chunk(payload.clone());
        }
    }

    /// Moves the tail into the chunk queue, so that what comes next is
    /// written after it.
    fn seal(&mut self) {
        if !self.tail.is_empty() {
            let sealed = self.tail.split().freeze();
            self.push_chunk(sealed);
        }
    }

    /// Fills `slices` with what to write next; returns how many.
    pub(crate) fn slices<'a>(&'a self, slices: &mut [IoSlice<'a>]) -> usize {
        let mut n = 0;
        for chunk in &self.chunks {
            if n == slices.len() {
                return n;
            }
            slices[n] = IoSlice::new(chunk);
            n += 1;
        }
        if n < slices.len() && !self.tail.is_empty() {
            slices[n] = IoSlice::new(&self.tail);
            n += 1;
        }
        n
    }

    /// Drops `n` written bytes from the front.
    pub(crate) fn advance(&mut self, mut n: usize) {
        while n > 0 {
            let Some(front) = self.chunks.front_mut() else {
                self.tail.advance(n.min(self.tail.len()));
                break;
            };
            if n < front.len() {
                front.advance(n);
                self.chunked -= n;
                return;
            }
            n -= front.len();
            self.chunked -= front.len();
            self.chunks.pop_front();
        }
        if self.tail.is_empty() {
            // Reuse the buffer from its start.
            self.tail.clear();
        }
    }
}

/// A message encoded once as an uncompressed server frame, for every
/// socket a publication reaches.
pub(crate) fn encode(message: &Message) -> Bytes {
    let mut out = Outbox::default();
    out.push(message, None);
    out.seal();
    let mut buf = BytesMut::with_capacity(out.len());
    for chunk in out.chunks {
        buf.extend_from_slice(&chunk);
    }
    buf.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::message::CloseCode;

    fn written(out: &Outbox) -> Vec<u8> {
        let mut slices = [IoSlice::new(&[]); 8];
        let n = out.slices(&mut slices);
        slices[..n].iter().flat_map(|s| s.to_vec()).collect()
    }

    #[test]
    fn frames_queue_in_order_small_and_large() {
        let mut out = Outbox::default();
        out.push(&Message::from("hi"), None);
        let big = Bytes::from(vec![7u8; 5000]);
        out.push(&Message::Binary(big.clone()), None);
        out.pong(b"p");
        let bytes = written(&out);
        assert_eq!(&bytes[..4], &[0x81, 2, b'h', b'i']);
        assert_eq!(&bytes[4..8], &[0x82, 126, 0x13, 0x88]);
        assert_eq!(&bytes[8..5008], &big[..]);
        assert_eq!(&bytes[5008..], &[0x8A, 1, b'p']);
        assert_eq!(out.len(), bytes.len());
        out.advance(5);
        assert_eq!(written(&out), bytes[5..]);
        assert_eq!(out.len(), bytes.len() - 5);
        out.advance(4000);
        assert_eq!(out.len(), bytes.len() - 4005);
        out.advance(bytes.len() - 4005);
        assert!(out.is_empty());
        assert_eq!(out.len(), 0);
    }

    #[test]
    fn close_reasons_are_cut_at_a_character_boundary() {
        let mut out = Outbox::default();
        let reason = "é".repeat(100); // 200 bytes
        out.close(Some(&CloseFrame::new(CloseCode::NORMAL, reason)));
        let bytes = written(&out);
        assert_eq!(bytes[1] as usize, bytes.len() - 2);
        assert!(bytes.len() - 2 <= 125);
        assert!(std::str::from_utf8(&bytes[4..]).is_ok());
    }

    #[test]
    fn an_encoded_frame_equals_a_pushed_one() {
        let message = Message::from("published");
        let mut out = Outbox::default();
        out.push(&message, None);
        assert_eq!(encode(&message), written(&out));
    }
}
