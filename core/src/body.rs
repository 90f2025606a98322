//! Request and response bodies.
//!
//! [`Body`] is one type for both directions, like axum's: a complete buffer
//! (the common case, kept without boxing so small responses cost nothing
//! extra) or a stream of frames behind [`http_body::Body`], the ecosystem's
//! trait, which hyper's `Incoming` and every backend's request stream
//! implement. Futures and streams need not be `Send`: the native backend runs
//! each connection on one thread, and wasm has only one.

use std::fmt;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt as _;
use http_body::{Body as _, Frame, SizeHint};
use http_body_util::BodyExt;

use crate::backend::Upgrade;
use crate::backend::leftover::Progress;
use crate::error::Error;

/// A boxed error, as carried by body streams.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What `http_body::Body::poll_frame` returns for the crate's bodies.
pub(crate) type FramePoll = Poll<Option<Result<Frame<Bytes>, BoxError>>>;

type BoxStream = Pin<Box<dyn http_body::Body<Data = Bytes, Error = BoxError>>>;

/// A boxed stream, and how far it has been read when the core tracks it
/// (a request body: `backend::leftover`). Tracking lives here, not in a
/// wrapper stream, so a tracked body is still one box and one poll.
pub(crate) struct Streamed {
    stream: BoxStream,
    pub(crate) progress: Option<Rc<Progress>>,
}

impl http_body::Body for Streamed {
    type Data = Bytes;
    type Error = BoxError;

    #[inline]
    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> FramePoll {
        let polled = self.stream.as_mut().poll_frame(cx);
        if let Some(progress) = &self.progress
            && polled.is_ready()
        {
            progress.observe(&*self.stream, matches!(polled, Poll::Ready(None)));
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.stream.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.stream.size_hint()
    }
}

/// The sending half of [`Body::channel`]: pushes chunks into a body being
/// sent. `Send`, so it can move into a spawned task.
///
/// ```
/// let (tx, _body) = mocket_core::Body::channel(4);
/// assert!(!tx.is_closed());
/// ```
#[derive(Debug)]
pub struct BodySender {
    tx: futures_channel::mpsc::Sender<Bytes>,
    /// Where [`BodySender::abort`] leaves its error for the reader, which
    /// meets it once every chunk sent before is read.
    aborted: Arc<Mutex<Option<BoxError>>>,
}

/// The reading half of [`Body::channel`]: the chunks, then the abort
/// error if there is one.
struct Received {
    rx: futures_channel::mpsc::Receiver<Bytes>,
    aborted: Arc<Mutex<Option<BoxError>>>,
}

impl futures_util::Stream for Received {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.rx.poll_next_unpin(cx) {
            Poll::Ready(Some(chunk)) => Poll::Ready(Some(Ok(chunk))),
            Poll::Ready(None) => {
                let aborted = self.aborted.lock().map(|mut slot| slot.take());
                Poll::Ready(aborted.ok().flatten().map(Err))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The body of a [`BodySender`] is gone: the response was dropped, most
/// often because its client disconnected. Stop producing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyClosed;

impl fmt::Display for BodyClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the body's reader is gone (the client disconnected or the response was dropped)",
        )
    }
}

impl std::error::Error for BodyClosed {}

impl BodySender {
    /// Sends one chunk, waiting while `capacity` chunks are unread.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let (mut tx, body) = mocket_core::Body::channel(4);
    /// tx.send("hi").await.unwrap();
    /// drop(tx);
    /// assert_eq!(body.to_bytes().await.unwrap(), "hi");
    /// # });
    /// ```
    pub async fn send(&mut self, chunk: impl Into<Bytes>) -> Result<(), BodyClosed> {
        futures_util::future::poll_fn(|cx| self.tx.poll_ready(cx))
            .await
            .map_err(|_| BodyClosed)?;
        self.tx.start_send(chunk.into()).map_err(|_| BodyClosed)
    }

    /// Ends the body with `error` instead of its end: the connection is
    /// cut, so the client knows the answer is incomplete.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let (mut tx, body) = mocket_core::Body::channel(4);
    /// tx.send("part").await.unwrap();
    /// tx.abort("the database went away");
    /// assert!(body.to_bytes().await.is_err());
    /// # });
    /// ```
    pub fn abort(self, error: impl Into<BoxError>) {
        if let Ok(mut slot) = self.aborted.lock() {
            *slot = Some(error.into());
        }
        // Dropping the sender ends the chunks; the reader then finds the
        // error.
    }

    /// Whether the body is gone (its reader dropped).
    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

/// An HTTP body: empty, a complete buffer, or a stream of chunks.
///
/// ```
/// use mocket_core::Body;
/// let body = Body::from("hello");
/// assert_eq!(body.exact_len(), Some(5));
/// ```
pub struct Body {
    kind: Kind,
}

enum Kind {
    Empty,
    Full(Bytes),
    Stream(Streamed),
    /// An error not yet rendered by the app's error handler. Only the core
    /// creates it (from [`Error::into_response`](crate::IntoResponse)), and
    /// the dispatcher renders it before any backend sees the response.
    Error(Box<Error>),
    /// A `101` answer's takeover of the connection, for the backend to run
    /// (`backend::take_upgrade`); no bytes of its own.
    Upgrade(Box<Upgrade>),
}

impl Body {
    /// An empty body.
    ///
    /// ```
    /// assert_eq!(mocket_core::Body::empty().exact_len(), Some(0));
    /// ```
    pub const fn empty() -> Self {
        Body { kind: Kind::Empty }
    }

    /// A body streamed from `stream`: each `Ok` item is one chunk, sent as
    /// it comes; an `Err` ends the body there with that error (the
    /// connection is cut mid-body, the way servers say "this answer is
    /// broken" once its head is out). Dropping the body drops the stream,
    /// so a producer learns that its client went away.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::Body;
    /// let lines = futures_util::stream::iter(["one\n", "two\n"].map(Ok::<_, std::io::Error>));
    /// let body = Body::from_stream(lines);
    /// assert_eq!(body.to_bytes().await.unwrap(), "one\ntwo\n");
    /// # });
    /// ```
    pub fn from_stream<S, T, E>(stream: S) -> Self
    where
        S: futures_util::Stream<Item = Result<T, E>> + 'static,
        T: Into<Bytes>,
        E: Into<BoxError>,
    {
        let frames = stream.map(|item| {
            item.map(|chunk| Frame::data(chunk.into()))
                .map_err(Into::into)
        });
        Body::from_http_body(http_body_util::StreamBody::new(frames))
    }

    /// A body fed through a [`BodySender`], for a handler that pushes
    /// chunks as it has them (from a spawned task, a callback, a loop). At
    /// most `capacity` chunks wait unread: past that, [`BodySender::send`]
    /// waits, so a slow client slows the producer instead of growing memory.
    /// The body ends when the sender is dropped.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::Body;
    /// let (mut tx, body) = Body::channel(8);
    /// let produce = async move {
    ///     for word in ["a", "b", "c"] {
    ///         tx.send(word).await.unwrap();
    ///     }
    /// };
    /// let (_, got) = futures_util::future::join(produce, body.to_bytes()).await;
    /// assert_eq!(got.unwrap(), "abc");
    /// # });
    /// ```
    pub fn channel(capacity: usize) -> (BodySender, Body) {
        // mpsc allows `buffer + senders` waiting items: one sender, so
        // `capacity - 1` gives `capacity`.
        let (tx, rx) = futures_channel::mpsc::channel(capacity.max(1) - 1);
        let aborted = Arc::new(Mutex::new(None));
        let received = Received {
            rx,
            aborted: aborted.clone(),
        };
        (BodySender { tx, aborted }, Body::from_stream(received))
    }

    /// Wraps any [`http_body::Body`] whose chunks are [`Bytes`], such as
    /// hyper's `Incoming` or a backend's request stream. A stream already at
    /// its end is [`Body::empty`]: most requests have no body, and then
    /// nothing is boxed.
    ///
    /// ```
    /// use mocket_core::Body;
    /// let inner = http_body_util::Full::new(bytes::Bytes::from_static(b"hi"));
    /// let body = Body::from_http_body(inner);
    /// assert_eq!(body.exact_len(), Some(2));
    /// // A `Body` stays as it is.
    /// assert_eq!(Body::from_http_body(Body::from("hi")).as_bytes(), Some(&b"hi"[..]));
    /// ```
    pub fn from_http_body<B>(body: B) -> Self
    where
        B: http_body::Body<Data = Bytes> + 'static,
        B::Error: Into<BoxError>,
    {
        if body.is_end_stream() {
            return Body::empty();
        }
        // A `Body` given as a stream is taken as it is, not boxed again.
        let mut slot = Some(body);
        let any: &mut dyn std::any::Any = &mut slot;
        if let Some(body) = any.downcast_mut::<Option<Body>>() {
            return body.take().unwrap_or_default();
        }
        let Some(body) = slot else {
            return Body::empty();
        };
        Body {
            kind: Kind::Stream(Streamed {
                stream: Box::pin(body.map_err(Into::into)),
                progress: None,
            }),
        }
    }

    /// The body's length when it is known without reading it.
    ///
    /// ```
    /// assert_eq!(mocket_core::Body::from(vec![1u8, 2, 3]).exact_len(), Some(3));
    /// ```
    pub fn exact_len(&self) -> Option<u64> {
        match &self.kind {
            Kind::Empty | Kind::Error(_) | Kind::Upgrade(_) => Some(0),
            Kind::Full(b) => Some(b.len() as u64),
            Kind::Stream(s) => s.size_hint().exact(),
        }
    }

    /// Reads the whole body, failing with [`BodyError::TooLarge`] as soon as
    /// more than `limit` bytes arrive: nothing past the limit is buffered.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::{Body, BodyError};
    /// assert_eq!(&Body::from("abc").collect_limited(3).await.unwrap()[..], b"abc");
    /// assert!(matches!(Body::from("abcd").collect_limited(3).await, Err(BodyError::TooLarge { limit: 3 })));
    /// # });
    /// ```
    pub async fn collect_limited(self, limit: usize) -> Result<Bytes, BodyError> {
        let mut stream = match self.kind {
            Kind::Empty | Kind::Error(_) | Kind::Upgrade(_) => return Ok(Bytes::new()),
            Kind::Full(b) if b.len() > limit => return Err(BodyError::TooLarge { limit }),
            Kind::Full(b) => return Ok(b),
            Kind::Stream(s) => s,
        };
        if stream.size_hint().lower() > limit as u64 {
            return Err(BodyError::TooLarge { limit });
        }
        // Keep the first chunk as is: most bodies arrive in one, and then
        // nothing is copied.
        let mut first: Option<Bytes> = None;
        let mut joined: Option<BytesMut> = None;
        let mut total = 0usize;
        while let Some(frame) = stream.frame().await {
            let frame = frame.map_err(BodyError::Read)?;
            let Ok(chunk) = frame.into_data() else {
                continue; // trailers carry no body bytes
            };
            total = total.saturating_add(chunk.len());
            if total > limit {
                return Err(BodyError::TooLarge { limit });
            }
            match (&mut first, &mut joined) {
                (None, _) => first = Some(chunk),
                (Some(head), None) => {
                    let mut buf = BytesMut::with_capacity(head.len() + chunk.len());
                    buf.extend_from_slice(head);
                    buf.extend_from_slice(&chunk);
                    joined = Some(buf);
                }
                (Some(_), Some(buf)) => buf.extend_from_slice(&chunk),
            }
        }
        Ok(match (first, joined) {
            (_, Some(buf)) => buf.freeze(),
            (Some(head), None) => head,
            (None, None) => Bytes::new(),
        })
    }

    /// Reads the whole body with no limit. Meant for responses (for example
    /// in tests using [`Mocket::request`](crate::Mocket::request)); request
    /// bodies should go through the request's limited readers.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let bytes = mocket_core::Body::from("hi").to_bytes().await.unwrap();
    /// assert_eq!(&bytes[..], b"hi");
    /// # });
    /// ```
    pub async fn to_bytes(self) -> Result<Bytes, BodyError> {
        self.collect_limited(usize::MAX).await
    }

    /// Reads the whole body as UTF-8 text with no limit (see [`Body::to_bytes`]).
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// assert_eq!(mocket_core::Body::from("hi").to_text().await.unwrap(), "hi");
    /// # });
    /// ```
    pub async fn to_text(self) -> Result<String, BodyError> {
        let bytes = self.to_bytes().await?;
        String::from_utf8(bytes.into()).map_err(|e| BodyError::Read(Box::new(e)))
    }

    /// The bytes of a complete body (empty or one buffer), or `None` for a
    /// stream: for a backend that hands the platform a complete body at
    /// once, and middleware that transforms one.
    ///
    /// ```
    /// use mocket_core::Body;
    /// assert_eq!(Body::from("hi").as_bytes(), Some(&b"hi"[..]));
    /// assert_eq!(Body::empty().as_bytes(), Some(&b""[..]));
    /// ```
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &self.kind {
            Kind::Empty => Some(&[]),
            Kind::Full(bytes) => Some(bytes),
            Kind::Stream(_) | Kind::Error(_) | Kind::Upgrade(_) => None,
        }
    }

    /// The stream inside, for the core to track how far it is read.
    pub(crate) fn as_streamed(&mut self) -> Option<&mut Streamed> {
        match &mut self.kind {
            Kind::Stream(s) => Some(s),
            _ => None,
        }
    }

    /// The complete buffer, when the body is one (for middleware that
    /// transforms a whole body at once).
    #[cfg_attr(not(feature = "compression"), allow(dead_code))]
    pub(crate) fn as_full(&self) -> Option<&Bytes> {
        match &self.kind {
            Kind::Full(bytes) => Some(bytes),
            _ => None,
        }
    }

    pub(crate) fn from_error(error: Error) -> Self {
        Body {
            kind: Kind::Error(Box::new(error)),
        }
    }

    #[cfg_attr(not(feature = "websocket"), allow(dead_code))]
    pub(crate) fn from_upgrade(upgrade: Upgrade) -> Self {
        Body {
            kind: Kind::Upgrade(Box::new(upgrade)),
        }
    }

    pub(crate) fn is_stream(&self) -> bool {
        matches!(self.kind, Kind::Stream(_))
    }

    pub(crate) fn is_upgrade(&self) -> bool {
        matches!(self.kind, Kind::Upgrade(_))
    }

    /// Takes out a connection takeover, leaving the body empty.
    pub(crate) fn take_upgrade(&mut self) -> Option<Upgrade> {
        if !self.is_upgrade() {
            return None;
        }
        match std::mem::replace(&mut self.kind, Kind::Empty) {
            Kind::Upgrade(u) => Some(*u),
            _ => None,
        }
    }

    /// Takes out an unrendered error, leaving the body empty.
    #[inline]
    pub(crate) fn take_error(&mut self) -> Option<Error> {
        if !matches!(self.kind, Kind::Error(_)) {
            return None;
        }
        match std::mem::replace(&mut self.kind, Kind::Empty) {
            Kind::Error(e) => Some(*e),
            _ => None,
        }
    }
}

impl Default for Body {
    fn default() -> Self {
        Body::empty()
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Empty => f.write_str("Body::Empty"),
            Kind::Full(b) => f.debug_tuple("Body::Full").field(&b.len()).finish(),
            Kind::Stream(_) => f.write_str("Body::Stream"),
            Kind::Error(e) => f.debug_tuple("Body::Error").field(e).finish(),
            Kind::Upgrade(_) => f.write_str("Body::Upgrade"),
        }
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        if bytes.is_empty() {
            Body::empty()
        } else {
            Body {
                kind: Kind::Full(bytes),
            }
        }
    }
}

impl From<&'static str> for Body {
    fn from(s: &'static str) -> Self {
        Bytes::from_static(s.as_bytes()).into()
    }
}

impl From<&'static [u8]> for Body {
    fn from(s: &'static [u8]) -> Self {
        Bytes::from_static(s).into()
    }
}

impl From<String> for Body {
    fn from(s: String) -> Self {
        Bytes::from(s).into()
    }
}

impl From<Vec<u8>> for Body {
    fn from(v: Vec<u8>) -> Self {
        Bytes::from(v).into()
    }
}

impl From<std::borrow::Cow<'static, str>> for Body {
    fn from(s: std::borrow::Cow<'static, str>) -> Self {
        match s {
            std::borrow::Cow::Borrowed(s) => s.into(),
            std::borrow::Cow::Owned(s) => s.into(),
        }
    }
}

impl From<()> for Body {
    fn from(_: ()) -> Self {
        Body::empty()
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> FramePoll {
        let this = self.get_mut();
        match &mut this.kind {
            Kind::Empty => Poll::Ready(None),
            Kind::Full(_) => match std::mem::replace(&mut this.kind, Kind::Empty) {
                Kind::Full(b) => Poll::Ready(Some(Ok(Frame::data(b)))),
                _ => Poll::Ready(None),
            },
            Kind::Stream(s) => Pin::new(s).poll_frame(cx),
            // Unreachable in practice: the dispatcher renders errors first.
            Kind::Error(_) | Kind::Upgrade(_) => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Empty | Kind::Error(_) | Kind::Upgrade(_) => true,
            Kind::Full(_) => false,
            Kind::Stream(s) => s.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Empty | Kind::Error(_) | Kind::Upgrade(_) => SizeHint::with_exact(0),
            Kind::Full(b) => SizeHint::with_exact(b.len() as u64),
            Kind::Stream(s) => s.size_hint(),
        }
    }
}

/// Why a body could not be read.
///
/// ```
/// let e = mocket_core::BodyError::TooLarge { limit: 10 };
/// assert_eq!(e.to_string(), "body is larger than the limit of 10 bytes");
/// ```
#[derive(Debug)]
pub enum BodyError {
    /// More bytes arrived than the limit allows.
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The stream failed (the peer closed the connection, a malformed chunk).
    Read(BoxError),
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::TooLarge { limit } => {
                write!(f, "body is larger than the limit of {limit} bytes")
            }
            BodyError::Read(e) => write!(f, "failed to read body: {e}"),
        }
    }
}

impl std::error::Error for BodyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BodyError::Read(e) => Some(&**e),
            BodyError::TooLarge { .. } => None,
        }
    }
}
