//! How an answer's body travels: decided here, once, for every backend.
//!
//! The rules (RFC 9110):
//! - 1xx, 204 and 304 answers have no body and no `content-length`
//!   (§8.6, §15.3.5, §15.4.5); a 205 has no body and `content-length: 0`
//!   (§15.3.6);
//! - a HEAD answer carries the GET answer's headers, its length included
//!   when known, and no body (§9.3.2);
//! - otherwise a body of known length is sent with `content-length`, and
//!   one of unknown length is streamed (chunked on HTTP/1.1).
//!
//! A backend sends what [`Outgoing`] says: the headers as they are, and the
//! body's bytes if its [`Framing`] allows any. It decides nothing. The
//! `content-length` of a body whose length is its own is left to the
//! platform that frames by it: hyper writes it from the body's size, as the
//! core would (and a header map that grows for it costs an allocation per
//! request); a platform that frames by the header (Node.js, `wasi:http`)
//! asks for it with [`Outgoing::declare_length`].

use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use bytes::{Bytes, BytesMut};
use http::header::CONTENT_LENGTH;
use http::{HeaderValue, StatusCode};
use http_body::{Body as _, Frame, SizeHint};

use super::Leftover;
use crate::body::{Body, BoxError, FramePoll};
use crate::response::Response;

/// How the body of an answer travels.
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket_core::backend::{Framing, UnreadBodies};
/// use mocket_core::http::{Request, StatusCode};
/// let mut app = mocket_core::Mocket::new();
/// app.get("/", |_req| async { "hello" });
/// app.get("/none", |_req| async { StatusCode::NO_CONTENT });
/// let service = app.into_service().unwrap();
/// let serve = |req: Request<()>| service.serve(req.map(|()| mocket_core::Body::empty()), UnreadBodies::CloseConnection);
/// assert_eq!(serve(Request::get("/").body(()).unwrap()).await.framing, Framing::Length(5));
/// assert_eq!(serve(Request::head("/").body(()).unwrap()).await.framing, Framing::Bodiless);
/// assert_eq!(serve(Request::get("/none").body(()).unwrap()).await.framing, Framing::Bodiless);
/// # });
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// No body bytes follow the head (HEAD, 1xx, 204, 304); the headers
    /// are sent as they are, and the body is empty.
    Bodiless,
    /// Exactly this many bytes: the body's own length, or the
    /// `content-length` the headers state (see [`Outgoing::declare_length`]).
    Length(u64),
    /// Length unknown: chunked on HTTP/1.1, the platform's stream elsewhere.
    Streamed,
}

/// An answer ready for the wire: what a backend sends.
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket_core::backend::{Framing, UnreadBodies};
/// let mut app = mocket_core::Mocket::new();
/// app.get("/", |_req| async { "hi" });
/// let service = app.into_service().unwrap();
/// let req = mocket_core::http::Request::get("/").body(mocket_core::Body::empty()).unwrap();
/// let out = service.serve(req, UnreadBodies::CloseConnection).await;
/// let (parts, body) = out.response.into_parts();
/// assert_eq!((parts.status.as_u16(), out.framing), (200, Framing::Length(2)));
/// assert_eq!(body.to_text().await.unwrap(), "hi");
/// # });
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct Outgoing {
    /// Status, headers (framing headers included) and body.
    pub response: Response,
    /// How the body travels.
    pub framing: Framing,
    /// What to do with request bytes the app left unread.
    pub leftover: Leftover,
}

impl Outgoing {
    /// Turns a streamed body that is already complete (every chunk ready
    /// without waiting) into one buffer, framed by its length as a complete
    /// body would have been; otherwise keeps the
    /// chunks read so far in front of the rest. For backends that hand the
    /// platform a complete body more cheaply than a stream (Node.js, WASI).
    /// Returns whether the body is now one buffer ([`Body::as_bytes`]).
    ///
    /// ```
    /// use mocket_core::backend::{Framing, Outgoing};
    /// let body = mocket_core::Body::from_http_body(http_body_util::StreamBody::new(
    ///     futures_util::stream::iter([Ok::<_, std::convert::Infallible>(
    ///         http_body::Frame::data(bytes::Bytes::from_static(b"ready")),
    ///     )]),
    /// ));
    /// let mut out = Outgoing::new(mocket_core::http::Response::new(body), false);
    /// assert_eq!(out.framing, Framing::Streamed);
    /// assert!(out.try_complete());
    /// assert_eq!(out.framing, Framing::Length(5));
    /// ```
    pub fn try_complete(&mut self) -> bool {
        if self.response.body().as_bytes().is_some() {
            return true;
        }
        let body = std::mem::take(self.response.body_mut());
        let (ready, rest) = take_ready(body);
        match rest {
            None => {
                let bytes = concat(ready);
                if self.framing == Framing::Streamed {
                    self.framing = Framing::Length(bytes.len() as u64);
                }
                *self.response.body_mut() = Body::from(bytes);
                true
            }
            Some(rest) if ready.is_empty() => {
                *self.response.body_mut() = rest;
                false
            }
            Some(rest) => {
                *self.response.body_mut() = Body::from_http_body(Prefixed { ready, rest });
                false
            }
        }
    }

    /// Writes the `content-length` that [`Framing::Length`] implies into
    /// the headers (replacing one that disagrees), for a platform that
    /// frames by the header rather than by the body (Node.js, `wasi:http`).
    ///
    /// ```
    /// use mocket_core::backend::{Framing, Outgoing};
    /// use mocket_core::IntoResponse;
    /// let mut out = Outgoing::new("hello".into_response(), false);
    /// assert_eq!(out.framing, Framing::Length(5));
    /// assert!(out.response.headers().get("content-length").is_none());
    /// out.declare_length();
    /// assert_eq!(out.response.headers()["content-length"], "5");
    /// ```
    pub fn declare_length(&mut self) {
        if let Framing::Length(n) = self.framing {
            self.response
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(n));
        }
    }

    /// An answer made without the app (a 431 before the request reached
    /// it, a 500 with no app to render it), framed by the same rules;
    /// `is_head` says the request was HEAD.
    ///
    /// ```
    /// use mocket_core::backend::{Framing, Outgoing};
    /// use mocket_core::{IntoResponse, http::StatusCode};
    /// let out = Outgoing::new((StatusCode::NOT_FOUND, "gone").into_response(), false);
    /// assert_eq!(out.framing, Framing::Length(4));
    /// let out = Outgoing::new(StatusCode::NOT_MODIFIED.into_response(), false);
    /// assert_eq!(out.framing, Framing::Bodiless);
    /// ```
    pub fn new(mut response: Response, is_head: bool) -> Outgoing {
        let framing = finish(&mut response, is_head);
        Outgoing {
            response,
            framing,
            leftover: Leftover::None,
        }
    }
}

/// Whether `status` forbids a body: 1xx, 204, 205 and 304.
pub(crate) fn is_bodiless_status(status: StatusCode) -> bool {
    status.is_informational()
        || matches!(
            status,
            StatusCode::NO_CONTENT | StatusCode::RESET_CONTENT | StatusCode::NOT_MODIFIED
        )
}

/// Applies the rules in the module doc to `res` and returns its framing.
pub(crate) fn finish(res: &mut Response, is_head: bool) -> Framing {
    let status = res.status();
    if is_bodiless_status(status) {
        // A `101`'s takeover stays for the backend (`take_upgrade`).
        if !(status == StatusCode::SWITCHING_PROTOCOLS && res.body().is_upgrade()) {
            *res.body_mut() = Body::empty();
        }
        if status == StatusCode::RESET_CONTENT {
            res.headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from_static("0"));
            return Framing::Length(0);
        }
        res.headers_mut().remove(CONTENT_LENGTH);
        return Framing::Bodiless;
    }
    // A complete body is framed by its own length, without looking the
    // header up: the common case, and the core's to state (a disagreeing
    // `content-length` beside it is replaced where one is written,
    // `Outgoing::declare_length`).
    if !is_head && let Some(bytes) = res.body().as_bytes() {
        return Framing::Length(bytes.len() as u64);
    }
    let declared = match res.headers().get(CONTENT_LENGTH).map(parse_length) {
        // A length the app set stands (a range's, a HEAD's of a file).
        Some(Some(n)) => Some(n),
        // Unparsable: never send it; frame by the body instead.
        Some(None) => {
            res.headers_mut().remove(CONTENT_LENGTH);
            None
        }
        None => None,
    };
    let length = declared.or_else(|| res.body().exact_len());
    if is_head {
        // The GET answer's length, which the empty body no longer shows.
        if let (Some(n), None) = (length, declared) {
            res.headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(n));
        }
        *res.body_mut() = Body::empty();
        return Framing::Bodiless;
    }
    match length {
        Some(n) => Framing::Length(n),
        None => Framing::Streamed,
    }
}

fn parse_length(value: &HeaderValue) -> Option<u64> {
    value.to_str().ok()?.parse().ok()
}

/// The frames of `body` ready now; `None` as the rest when that was all.
fn take_ready(mut body: Body) -> (Vec<Bytes>, Option<Body>) {
    let mut chunks = Vec::new();
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if body.is_end_stream() {
            return (chunks, None);
        }
        match Pin::new(&mut body).poll_frame(&mut cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data()
                    && !data.is_empty()
                {
                    chunks.push(data);
                }
            }
            Poll::Ready(None) => return (chunks, None),
            // A failing stream fails where the backend reads it.
            Poll::Ready(Some(Err(_))) | Poll::Pending => return (chunks, Some(body)),
        }
    }
}

fn concat(chunks: Vec<Bytes>) -> Bytes {
    match chunks.len() {
        0 => Bytes::new(),
        1 => chunks.into_iter().next().unwrap_or_default(),
        _ => {
            let mut all = BytesMut::with_capacity(chunks.iter().map(Bytes::len).sum());
            for chunk in &chunks {
                all.extend_from_slice(chunk);
            }
            all.freeze()
        }
    }
}

/// Chunks already read, then the rest of the body.
struct Prefixed {
    ready: Vec<Bytes>,
    rest: Body,
}

impl http_body::Body for Prefixed {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> FramePoll {
        if !self.ready.is_empty() {
            return Poll::Ready(Some(Ok(Frame::data(self.ready.remove(0)))));
        }
        Pin::new(&mut self.rest).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.ready.is_empty() && self.rest.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        let ready: u64 = self.ready.iter().map(|b| b.len() as u64).sum();
        let rest = self.rest.size_hint();
        let mut hint = SizeHint::new();
        hint.set_lower(rest.lower() + ready);
        if let Some(upper) = rest.upper() {
            hint.set_upper(upper + ready);
        }
        hint
    }
}
