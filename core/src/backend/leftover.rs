//! Request bodies the app left unread.
//!
//! An HTTP/1 connection can carry the next request only once this one's
//! body has been read to its end. When the app answers without reading it
//! all (a 413, a 401 before the upload, a handler that ignores the body),
//! the rest must be read and dropped, or the connection closed — and a
//! client must be told `connection: close` rather than find out when its
//! next request fails (RFC 9112 §9.6). Which of the two a backend can do
//! depends on its platform ([`UnreadBodies`]); which one to do for a given
//! answer is decided here ([`Leftover`]), from how much of the body is left.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderValue;
use http::header::CONNECTION;
use http_body::Body as _;

use crate::body::{Body, BoxError};
use crate::response::Response;

/// The most unread request bytes drained after an answer to keep the
/// connection; a larger (or unknown) rest closes it instead.
pub const DRAIN_LIMIT: u64 = 64 * 1024;

/// How long draining may wait for the client to send the rest.
pub const DRAIN_TIME: Duration = Duration::from_secs(1);

/// After answering `connection: close` with request bytes still arriving,
/// how many more a backend reads and drops before closing, so that the
/// kernel does not answer unread bytes with a reset that can destroy the
/// answer before the client reads it (a lingering close, RFC 9112 §9.6).
pub const LINGER_LIMIT: u64 = 256 * 1024;

/// How long a lingering close waits at most.
pub const LINGER_TIME: Duration = Duration::from_secs(1);

/// What a backend's platform can do with request bytes the app did not read.
///
/// ```
/// use mocket_core::backend::UnreadBodies;
/// // hyper cannot read past what the app took: it closes the connection.
/// let hyper = UnreadBodies::CloseConnection;
/// assert_ne!(hyper, UnreadBodies::DrainOrDrop);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnreadBodies {
    /// It cannot skip them (hyper): the connection closes after the
    /// answer, and the answer says `connection: close`.
    CloseConnection,
    /// It can read and drop a small rest after the answer (Node's HTTP
    /// server); a larger one closes the connection, announced.
    DrainOrClose,
    /// It can read and drop a small rest, or one of unknown length (up to
    /// the limit); the connection is the host's (`wasi:http`, a `fetch`
    /// handler), so nothing is announced.
    DrainOrDrop,
}

/// What a backend does, after the answer, with the request body the app
/// left unread.
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket_core::backend::{Leftover, UnreadBodies};
/// use mocket_core::http::Request;
/// let mut app = mocket_core::Mocket::new();
/// app.post("/ignore", |_req| async { "not reading that" });
/// let service = app.into_service().unwrap();
/// let upload = || {
///     let body = mocket_core::Body::from_http_body(http_body_util::Full::new(bytes::Bytes::from(vec![0u8; 100])));
///     Request::post("/ignore").body(body).unwrap()
/// };
/// let out = service.serve(upload(), UnreadBodies::CloseConnection).await;
/// assert_eq!(out.leftover, Leftover::Close);
/// assert_eq!(out.response.headers()["connection"], "close");
/// let out = service.serve(upload(), UnreadBodies::DrainOrClose).await;
/// assert_eq!(out.leftover, Leftover::Drain);
/// # });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leftover {
    /// The body was read to its end, or there was none.
    None,
    /// Read and drop the rest (at most [`DRAIN_LIMIT`] bytes, for at most
    /// [`DRAIN_TIME`]), then keep the connection.
    Drain,
    /// Stop reading and close the connection after the answer; where the
    /// platform allows it the answer already says `connection: close`.
    Close,
}

/// How far the app read a tracked request body.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    finished: Cell<bool>,
    /// Bytes still to come, when known.
    remaining: Cell<Option<u64>>,
}

impl Progress {
    /// Records what a poll of the tracked stream showed.
    #[inline]
    pub(crate) fn observe(
        &self,
        stream: &dyn http_body::Body<Data = Bytes, Error = BoxError>,
        ended: bool,
    ) {
        if ended || stream.is_end_stream() {
            self.finished.set(true);
        }
        self.remaining.set(stream.size_hint().exact());
    }
}

/// Starts tracking a request body that still has bytes to come, to learn
/// later whether the app read it to the end.
/// In place: a request is not moved for it.
#[inline]
pub(crate) fn track(body: &mut Body) -> Option<Rc<Progress>> {
    let remaining = body.size_hint().exact();
    let streamed = body.as_streamed()?;
    let progress = Rc::new(Progress::default());
    progress.remaining.set(remaining);
    streamed.progress = Some(progress.clone());
    Some(progress)
}

/// The rule for an answer: see [`Leftover`]. Adds `connection: close` to
/// HTTP/1 answers where the platform lets the app say it.
#[inline]
pub(crate) fn decide(
    progress: Option<&Progress>,
    unread: UnreadBodies,
    http1: bool,
    res: &mut Response,
) -> Leftover {
    let Some(progress) = progress else {
        return Leftover::None;
    };
    // HTTP/2 ends a stream on its own; the connection carries on.
    if progress.finished.get() || !http1 {
        return Leftover::None;
    }
    let remaining = progress.remaining.get();
    let small = remaining.is_some_and(|rest| rest <= DRAIN_LIMIT);
    let (leftover, announce) = match unread {
        UnreadBodies::CloseConnection => (Leftover::Close, true),
        UnreadBodies::DrainOrClose if small => (Leftover::Drain, false),
        // Where closing can be announced, an unknown rest is not gambled on.
        UnreadBodies::DrainOrClose => (Leftover::Close, true),
        // Where it cannot, a rest of unknown length is drained as far as
        // the limit allows: if it ends by then, the connection lives.
        UnreadBodies::DrainOrDrop if small || remaining.is_none() => (Leftover::Drain, false),
        UnreadBodies::DrainOrDrop => (Leftover::Close, false),
    };
    if announce {
        res.headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    leftover
}
