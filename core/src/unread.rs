//! Telling a client that its connection will close because the app left the
//! request body unread.
//!
//! hyper (natively, and in the WASI sockets mode) closes an HTTP/1
//! connection after a response whose request body was not read to the end,
//! without saying so; a client that reuses the connection then fails. Both
//! backends wrap the request stream with [`Body::tracked`] and call
//! [`UnreadBody::announce_close`] on the response.

use std::cell::Cell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::HeaderValue;
use http::header::CONNECTION;
use http_body::{Frame, SizeHint};

use crate::body::{Body, BoxError};
use crate::response::Response;

/// Whether a request body tracked by [`Body::tracked`] was read to the end.
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket_core::{Body, IntoResponse};
/// let stream = http_body_util::Full::new(bytes::Bytes::from_static(b"left unread"));
/// let (_body, unread) = Body::tracked(stream);
/// let mut res = "ok".into_response();
/// unread.announce_close(&mut res);
/// assert_eq!(res.headers()["connection"], "close");
/// # });
/// ```
#[derive(Debug, Clone, Default)]
pub struct UnreadBody(Option<Rc<Cell<bool>>>);

impl UnreadBody {
    /// Adds `connection: close` to `res` if the body was not read to the end.
    pub fn announce_close(&self, res: &mut Response) {
        if self.0.as_ref().is_some_and(|finished| !finished.get()) {
            res.headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
        }
    }
}

impl Body {
    /// Wraps a backend's request stream, and returns with it a handle that
    /// later tells whether the app read it to the end. A stream already at
    /// its end becomes [`Body::empty`], with nothing to track.
    ///
    /// ```
    /// let stream = http_body_util::Empty::<bytes::Bytes>::new();
    /// let (body, _unread) = mocket_core::Body::tracked(stream);
    /// assert_eq!(body.exact_len(), Some(0));
    /// ```
    pub fn tracked<B>(inner: B) -> (Body, UnreadBody)
    where
        B: http_body::Body<Data = Bytes> + Unpin + 'static,
        B::Error: Into<BoxError>,
    {
        if inner.is_end_stream() {
            return (Body::empty(), UnreadBody::default());
        }
        let finished = Rc::new(Cell::new(false));
        let body = Body::from_stream(Tracked {
            inner,
            finished: finished.clone(),
        });
        (body, UnreadBody(Some(finished)))
    }
}

struct Tracked<B> {
    inner: B,
    finished: Rc<Cell<bool>>,
}

impl<B: http_body::Body<Data = Bytes> + Unpin> http_body::Body for Tracked<B> {
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, B::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.finished.set(true);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
