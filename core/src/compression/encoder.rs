//! The encoders (flate2's gzip, the `brotli` crate's Brotli, both pure
//! Rust) behind one interface, and the body that streams through them.

use std::io::{self, Write};
use std::pin::Pin;
use std::task::{Context, Poll};

use brotli::enc::BrotliEncoderParams;
use bytes::Bytes;
use http::HeaderMap;
use http_body::{Frame, SizeHint};

use super::Encoding;
use crate::body::{Body, BoxError, FramePoll};

/// Compressed output is handed on once this much has gathered, so a long
/// stream is sent as it is compressed instead of at its end.
const EMIT_AT: usize = 16 * 1024;

/// Input chunks taken from an always-ready stream before yielding to the
/// executor, so one response cannot starve the others on its thread.
const CHUNKS_PER_POLL: usize = 64;

/// Brotli's window for a complete body: as large as the body, from 64 KiB
/// up to 4 MiB (Brotli's default), since the body is in memory anyway.
const MIN_LGWIN: u32 = 16;
const MAX_LGWIN: u32 = 22;

/// Brotli's window for a stream: 256 KiB. A stream may live long (events)
/// or be large (a file), and its encoder's memory grows with the window:
/// after 2 MB of input, measured, about 1.1 MB at this size against 8.8 MB
/// at 4 MiB. gzip's encoder holds about 350 KB whatever the input.
const STREAM_LGWIN: u32 = 18;

/// What an encoder will be given.
#[derive(Debug, Clone, Copy)]
pub(super) enum Input {
    /// A complete body of this many bytes.
    Whole(u64),
    /// A stream of chunks.
    Stream,
}

/// Compression levels: gzip 0–9, Brotli quality 0–11.
#[derive(Debug, Clone, Copy)]
pub(super) struct Levels {
    pub(super) gzip: u32,
    pub(super) brotli: u32,
}

pub(super) enum Encoder {
    Gzip(flate2::write::GzEncoder<Vec<u8>>),
    /// Boxed: the Brotli state is large, and the body is moved around.
    Brotli(Box<brotli::CompressorWriter<Vec<u8>>>),
}

impl Encoder {
    /// An encoder for `encoding` (`None` for identity).
    pub(super) fn new(encoding: Encoding, levels: Levels, input: Input) -> Option<Encoder> {
        let capacity = match input {
            Input::Whole(n) => (n as usize / 2).clamp(64, EMIT_AT),
            Input::Stream => EMIT_AT,
        };
        match encoding {
            Encoding::Identity => None,
            Encoding::Gzip => Some(Encoder::Gzip(flate2::write::GzEncoder::new(
                Vec::with_capacity(capacity),
                flate2::Compression::new(levels.gzip.min(9)),
            ))),
            Encoding::Brotli => {
                let (lgwin, size_hint) = match input {
                    Input::Whole(n) => {
                        let bits = u64::BITS - n.saturating_sub(1).leading_zeros();
                        (
                            bits.clamp(MIN_LGWIN, MAX_LGWIN),
                            n.min(u32::MAX.into()) as usize,
                        )
                    }
                    Input::Stream => (STREAM_LGWIN, 0),
                };
                let params = BrotliEncoderParams {
                    quality: levels.brotli.min(11) as i32,
                    lgwin: lgwin as i32,
                    size_hint,
                    ..BrotliEncoderParams::default()
                };
                Some(Encoder::Brotli(Box::new(
                    brotli::CompressorWriter::with_params(
                        Vec::with_capacity(capacity),
                        4096,
                        &params,
                    ),
                )))
            }
        }
    }

    fn write(&mut self, data: &[u8]) -> io::Result<()> {
        match self {
            Encoder::Gzip(e) => e.write_all(data),
            Encoder::Brotli(e) => e.write_all(data),
        }
    }

    /// Pushes out everything written so far, decodable as is (a gzip sync
    /// flush, a Brotli flush), without ending the stream.
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Gzip(e) => e.flush(),
            Encoder::Brotli(e) => e.flush(),
        }
    }

    fn output(&mut self) -> &mut Vec<u8> {
        match self {
            Encoder::Gzip(e) => e.get_mut(),
            Encoder::Brotli(e) => e.get_mut(),
        }
    }

    /// The compressed bytes produced so far.
    fn take(&mut self) -> Bytes {
        Bytes::from(std::mem::replace(
            self.output(),
            Vec::with_capacity(EMIT_AT),
        ))
    }

    /// Ends the stream; returns the output not yet taken.
    fn finish(self) -> io::Result<Vec<u8>> {
        match self {
            Encoder::Gzip(e) => e.finish(),
            // Finishing into a `Vec` cannot fail.
            Encoder::Brotli(e) => Ok(e.into_inner()),
        }
    }

    /// Compresses a complete body at once.
    pub(super) fn compress(mut self, data: &[u8]) -> io::Result<Vec<u8>> {
        self.write(data)?;
        self.finish()
    }
}

/// A body compressed chunk by chunk as it streams. Output is sent when
/// [`EMIT_AT`] bytes have gathered, when the stream ends, and whenever the
/// stream has nothing more for now: the encoder is flushed then, so a
/// slow stream (server-sent events, a long job's progress) reaches the
/// client as it is produced rather than sitting in the encoder.
pub(super) struct EncodedBody {
    inner: Body,
    /// `None` once finished.
    encoder: Option<Encoder>,
    /// Input was written since the last flush.
    unflushed: bool,
    trailers: Option<HeaderMap>,
}

impl EncodedBody {
    pub(super) fn new(inner: Body, encoder: Encoder) -> Self {
        EncodedBody {
            inner,
            encoder: Some(encoder),
            unflushed: false,
            trailers: None,
        }
    }
}

fn data(bytes: impl Into<Bytes>) -> FramePoll {
    Poll::Ready(Some(Ok(Frame::data(bytes.into()))))
}

fn fail(e: io::Error) -> FramePoll {
    Poll::Ready(Some(Err(Box::new(e))))
}

impl http_body::Body for EncodedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> FramePoll {
        let this = self.get_mut();
        for _ in 0..CHUNKS_PER_POLL {
            let Some(encoder) = this.encoder.as_mut() else {
                return Poll::Ready(this.trailers.take().map(|t| Ok(Frame::trailers(t))));
            };
            match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(chunk) => {
                        if let Err(e) = encoder.write(&chunk) {
                            return fail(e);
                        }
                        this.unflushed |= !chunk.is_empty();
                        if encoder.output().len() >= EMIT_AT {
                            return data(encoder.take());
                        }
                    }
                    Err(frame) => {
                        if let Ok(trailers) = frame.into_trailers() {
                            this.trailers.get_or_insert_default().extend(trailers);
                        }
                    }
                },
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => {
                    let Some(encoder) = this.encoder.take() else {
                        continue;
                    };
                    match encoder.finish() {
                        Ok(rest) if !rest.is_empty() => return data(rest),
                        Ok(_) => {}
                        Err(e) => return fail(e),
                    }
                }
                Poll::Pending => {
                    if std::mem::take(&mut this.unflushed) {
                        if let Err(e) = encoder.flush() {
                            return fail(e);
                        }
                        if !encoder.output().is_empty() {
                            return data(encoder.take());
                        }
                    }
                    return Poll::Pending;
                }
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.encoder.is_none() && self.trailers.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}
