//! Bodies a backend pulls from its platform a chunk at a time: a request
//! body from the host, a byte range of a file.
//!
//! A backend says how to get the next bytes ([`ChunkSource`]); the core
//! turns that into a [`Body`]: it asks for at most [`CHUNK_SIZE`] bytes and
//! never more than the length left, cuts a source that gives more, reports
//! a source that ends before its length as an error, and knows its exact
//! size while it is read. Each backend would otherwise write that
//! `http_body::Body` again.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http_body::{Frame, SizeHint};

use crate::body::{Body, BoxError, FramePoll};

/// The most bytes asked of a platform per read: large enough that a big
/// file costs few host calls, small enough that a slow client holds little.
pub const CHUNK_SIZE: usize = 64 * 1024;

/// What [`ChunkSource::poll_chunk`] gives: the next bytes, `None` at the
/// end, or why reading failed.
pub type Chunk = io::Result<Option<Bytes>>;

/// The next bytes of something a backend reads from its platform.
///
/// ```
/// use std::task::{Context, Poll};
/// use mocket_core::backend::ChunkSource;
/// use mocket_core::bytes::Bytes;
/// /// Hands out a fixed text, three bytes at a time.
/// struct Slowly(&'static [u8]);
/// impl ChunkSource for Slowly {
///     fn poll_chunk(&mut self, _cx: &mut Context<'_>, want: usize) -> Poll<mocket_core::backend::Chunk> {
///         let n = want.min(3).min(self.0.len());
///         let (chunk, rest) = self.0.split_at(n);
///         self.0 = rest;
///         Poll::Ready(Ok((n > 0).then(|| Bytes::from_static(chunk))))
///     }
/// }
/// # futures_executor::block_on(async {
/// let body = mocket_core::Body::from_chunks(Slowly(b"chunked"), Some(7));
/// assert_eq!(body.to_text().await.unwrap(), "chunked");
/// # });
/// ```
pub trait ChunkSource: Unpin + 'static {
    /// At most `want` more bytes (more are cut off), or `None` at the end.
    fn poll_chunk(&mut self, cx: &mut Context<'_>, want: usize) -> Poll<Chunk>;
}

impl Body {
    /// A body read from `source`, whose length is `length` when the
    /// platform says (a `content-length`, a file range). See the module doc.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// # use std::task::{Context, Poll};
    /// # struct Empty;
    /// # impl mocket_core::backend::ChunkSource for Empty {
    /// #     fn poll_chunk(&mut self, _: &mut Context<'_>, _: usize) -> Poll<mocket_core::backend::Chunk> { Poll::Ready(Ok(None)) }
    /// # }
    /// // A source that ends short of its length fails the body.
    /// let body = mocket_core::Body::from_chunks(Empty, Some(3));
    /// let err = body.to_bytes().await.unwrap_err().to_string();
    /// assert!(err.contains("ended 3 bytes before its length"), "{err}");
    /// # });
    /// ```
    pub fn from_chunks(source: impl ChunkSource, length: Option<u64>) -> Body {
        if length == Some(0) {
            return Body::empty();
        }
        Body::from_http_body(Chunked {
            source: Some(source),
            remaining: length,
        })
    }
}

struct Chunked<S> {
    /// `None` once ended or failed: the source is dropped then (closing a
    /// file handle, say).
    source: Option<S>,
    remaining: Option<u64>,
}

impl<S: ChunkSource> http_body::Body for Chunked<S> {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> FramePoll {
        let this = self.get_mut();
        let Some(source) = this.source.as_mut() else {
            return Poll::Ready(None);
        };
        let left = this.remaining.map_or(u64::MAX, |n| n);
        let want = left.min(CHUNK_SIZE as u64) as usize;
        let polled = ready!(source.poll_chunk(cx, want));
        let chunk = match polled {
            Ok(Some(chunk)) if !chunk.is_empty() => chunk,
            Ok(Some(_)) => return Poll::Ready(Some(Ok(Frame::data(Bytes::new())))),
            Ok(None) => {
                this.source = None;
                return Poll::Ready(match this.remaining {
                    Some(short) if short > 0 => Some(Err(format!(
                        "the body ended {short} bytes before its length"
                    )
                    .into())),
                    _ => None,
                });
            }
            Err(e) => {
                this.source = None;
                return Poll::Ready(Some(Err(Box::new(e))));
            }
        };
        // Never more than announced: a file that grew is cut at its length.
        let chunk = if chunk.len() as u64 > left {
            chunk.slice(..left as usize)
        } else {
            chunk
        };
        if let Some(n) = &mut this.remaining {
            *n -= chunk.len() as u64;
            if *n == 0 {
                this.source = None;
            }
        }
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.source.is_none() || self.remaining == Some(0)
    }

    fn size_hint(&self) -> SizeHint {
        match self.remaining {
            Some(n) if self.source.is_some() => SizeHint::with_exact(n),
            _ if self.source.is_none() => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}
