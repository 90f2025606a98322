//! Internal: entry points for `core/fuzz` into parsers that are private to
//! the crate (the `fuzzing` feature). No stability promise: each function
//! calls one parser as the crate does and changes with it.

pub use self::params::*;
#[cfg(feature = "static-files")]
pub use self::static_files::*;
#[cfg(feature = "websocket")]
pub use self::ws::*;

mod params {
    use crate::error::Error;

    /// A path parameter's raw text decoded as routing decodes it: the text,
    /// or the error (a 400) the client gets.
    pub fn decode_path_param(raw: &str) -> Result<String, Error> {
        let mut out = String::new();
        crate::params::percent_decode_into(raw, &mut out).map(|()| out)
    }
}

#[cfg(feature = "static-files")]
mod static_files {
    use std::time::SystemTime;

    use http::HeaderMap;

    use crate::static_files::conditional::{self, Validators};
    use crate::static_files::range::{self, RangeRequest};

    /// What a `Range` header asks of a file.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Range {
        /// Not a byte range: the whole file, 200.
        Ignored,
        /// Several ranges: the whole file, 200.
        Multiple,
        /// One range inside the file: 206.
        Satisfiable(std::ops::Range<u64>),
        /// Malformed or beyond the end: 416.
        Unsatisfiable,
    }

    /// `Range: {header}` against a file of `len` bytes.
    pub fn parse_range(header: &str, len: u64) -> Range {
        match range::parse_range(header, len) {
            RangeRequest::Ignored => Range::Ignored,
            RangeRequest::Multiple => Range::Multiple,
            RangeRequest::Satisfiable(r) => Range::Satisfiable(r),
            RangeRequest::Unsatisfiable(_) => Range::Unsatisfiable,
        }
    }

    /// What the preconditions decide for a GET.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Precondition {
        /// Serve the file.
        Proceed,
        /// 304.
        NotModified,
        /// 412.
        Failed,
    }

    /// The strong entity tag of a file of `len` bytes modified at
    /// `modified` (`None` before 1970).
    pub fn etag(len: u64, modified: SystemTime) -> Option<String> {
        Validators::new(len, Some(modified), "").etag
    }

    /// The request's `If-Match`, `If-None-Match`, `If-Modified-Since` and
    /// `If-Unmodified-Since` against such a file.
    pub fn evaluate(headers: &HeaderMap, len: u64, modified: Option<SystemTime>) -> Precondition {
        match conditional::evaluate(headers, &Validators::new(len, modified, "")) {
            conditional::Precondition::Proceed => Precondition::Proceed,
            conditional::Precondition::NotModified => Precondition::NotModified,
            conditional::Precondition::Failed => Precondition::Failed,
        }
    }

    /// Whether the request's `If-Range` lets a `Range` be honoured.
    pub fn if_range_allows(headers: &HeaderMap, len: u64, modified: Option<SystemTime>) -> bool {
        conditional::if_range_allows(headers, &Validators::new(len, modified, ""))
    }
}

#[cfg(feature = "websocket")]
mod ws {
    use bytes::Bytes;

    use crate::ws::deflate::{Deflate, DeflateParams};
    use crate::ws::frame;
    use crate::ws::read::{Incoming, Reader};
    use crate::ws::{CloseCode, Message};

    /// A frame header as read.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct FrameHeader {
        /// FIN.
        pub fin: bool,
        /// RSV1 (permessage-deflate).
        pub rsv1: bool,
        /// RSV2 or RSV3.
        pub rsv23: bool,
        /// The opcode, 0 to 15.
        pub opcode: u8,
        /// The masking key, if masked.
        pub mask: Option<[u8; 4]>,
        /// The payload length.
        pub len: u64,
    }

    /// The header at the start of `buf` and its size, `None` when more
    /// bytes are needed.
    pub fn parse_frame_header(buf: &[u8]) -> Option<(FrameHeader, usize)> {
        frame::parse_header(buf).map(|(h, n)| {
            let header = FrameHeader {
                fin: h.fin,
                rsv1: h.rsv1,
                rsv23: h.rsv23,
                opcode: h.opcode,
                mask: h.mask,
                len: h.len,
            };
            (header, n)
        })
    }

    /// An unmasked header, as the server writes it.
    pub fn write_frame_header(fin: bool, rsv1: bool, opcode: u8, len: usize) -> Vec<u8> {
        let mut out = bytes::BytesMut::new();
        frame::write_header(&mut out, fin, rsv1, opcode, len);
        out.to_vec()
    }

    /// Masks (or unmasks) `data`, the payload's bytes from `offset` on.
    pub fn apply_mask(data: &mut [u8], key: [u8; 4], offset: usize) {
        frame::apply_mask(data, key, offset);
    }

    /// permessage-deflate as agreed with a client that keeps its context
    /// and a 2^15-byte window (what costs the reader most).
    fn params() -> DeflateParams {
        DeflateParams {
            server_no_context_takeover: true,
            client_no_context_takeover: false,
            server_max_window_bits: 15,
            client_max_window_bits: 15,
        }
    }

    /// A message's payload compressed as a permessage-deflate sender
    /// sends it.
    pub fn deflate_message(payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        Deflate::new(params()).compress(payload, &mut out);
        out
    }

    /// Feeds `chunks` to a socket's reader taking messages of at most
    /// `max_message` bytes (with permessage-deflate agreed when `deflate`):
    /// everything it read, in order (a pong's payload is not kept), and
    /// the close code of the violation that ended the reading, if any.
    pub fn read_frames<'a>(
        chunks: impl IntoIterator<Item = &'a [u8]>,
        max_message: usize,
        deflate: bool,
    ) -> (Vec<Message>, Option<CloseCode>) {
        let mut reader = Reader::new(max_message, deflate);
        let mut inflater = deflate.then(|| Deflate::new(params()));
        let mut items = Vec::new();
        for chunk in chunks {
            reader.feed(chunk);
            loop {
                match reader.next(inflater.as_mut()) {
                    Ok(Some(item)) => items.push(match item {
                        Incoming::Message(m) => m,
                        Incoming::Ping(p) => Message::Ping(p),
                        Incoming::Pong => Message::Pong(Bytes::new()),
                        Incoming::Close(c) => Message::Close(c),
                    }),
                    Ok(None) => break,
                    Err(v) => return (items, Some(v.code)),
                }
            }
        }
        (items, None)
    }
}
