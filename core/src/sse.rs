//! Server-Sent Events: [`Sse`] answers with a `text/event-stream` made of
//! [`Event`]s from any `Stream`, framed as the HTML standard's event-stream
//! format says (one `field: value` line per field, a `data:` line per line
//! of data, a blank line after each event), with the headers that keep
//! caches and buffering proxies out of it. Under the compression
//! middleware each event still leaves when it is sent: the encoder flushes
//! whenever the stream waits.
//!
//! The framing is written here rather than taken from a crate: it is a few
//! lines of rules, and writing each event straight into one buffer costs
//! one allocation per event.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _, future, stream};
use http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};

use crate::body::{Body, BoxError};
use crate::response::{IntoResponse, Response};
use crate::shutdown::{Shutdown, ShutdownWatch};

/// One event of an event stream.
///
/// ```
/// use mocket_core::sse::Event;
/// let event = Event::data("line one\nline two").event("update").id("7");
/// assert_eq!(
///     event.to_string(),
///     "event: update\nid: 7\ndata: line one\ndata: line two\n\n"
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct Event {
    event: Option<String>,
    id: Option<String>,
    retry: Option<Duration>,
    data: Option<String>,
    comment: Option<String>,
}

impl Event {
    /// An event carrying `data` (several lines become several `data:`
    /// lines, which the browser joins back with `\n`).
    pub fn data(data: impl Into<String>) -> Event {
        Event {
            data: Some(data.into()),
            ..Event::default()
        }
    }

    /// Serializes `value` as JSON into the event's data.
    ///
    /// ```
    /// let event = mocket_core::sse::Event::json(&serde_json::json!({"n": 1})).unwrap();
    /// assert_eq!(event.to_string(), "data: {\"n\":1}\n\n");
    /// ```
    pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Result<Event, serde_json::Error> {
        serde_json::to_string(value).map(Event::data)
    }

    /// A comment line (`: text`), which clients ignore: what keep-alives are.
    ///
    /// ```
    /// assert_eq!(mocket_core::sse::Event::comment("ping").to_string(), ": ping\n\n");
    /// ```
    pub fn comment(text: impl Into<String>) -> Event {
        Event {
            comment: Some(text.into()),
            ..Event::default()
        }
    }

    /// The event's type (`event:`), what `addEventListener` listens for.
    pub fn event(mut self, name: impl Into<String>) -> Event {
        self.event = Some(name.into());
        self
    }

    /// The event's id (`id:`): a client that reconnects sends the last one
    /// it saw as `Last-Event-ID`.
    pub fn id(mut self, id: impl Into<String>) -> Event {
        self.id = Some(id.into());
        self
    }

    /// How long a client waits before reconnecting (`retry:`, whole
    /// milliseconds).
    ///
    /// ```
    /// use std::time::Duration;
    /// let event = mocket_core::sse::Event::default().retry(Duration::from_secs(3));
    /// assert_eq!(event.to_string(), "retry: 3000\n\n");
    /// ```
    pub fn retry(mut self, after: Duration) -> Event {
        self.retry = Some(after);
        self
    }

    /// The event as the bytes on the wire.
    fn encode(&self) -> Bytes {
        Bytes::from(self.to_string())
    }
}

/// Writes `name: value`, one line per line of `value` (CR, LF and CRLF
/// all end a line, as the parser reads them), so no value can end the
/// event early or start a field of its own.
fn field(f: &mut fmt::Formatter<'_>, name: &str, value: &str) -> fmt::Result {
    for line in value.split("\r\n").flat_map(|l| l.split(['\r', '\n'])) {
        if line.is_empty() {
            writeln!(f, "{name}")?;
        } else {
            writeln!(f, "{name}: {line}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(comment) = &self.comment {
            for line in comment.split("\r\n").flat_map(|l| l.split(['\r', '\n'])) {
                writeln!(f, ": {line}")?;
            }
        }
        // Names and ids are one line: a line break in them is dropped.
        if let Some(event) = &self.event {
            writeln!(f, "event: {}", event.replace(['\r', '\n'], ""))?;
        }
        if let Some(id) = &self.id {
            writeln!(f, "id: {}", id.replace(['\r', '\n', '\0'], ""))?;
        }
        if let Some(retry) = self.retry {
            writeln!(f, "retry: {}", retry.as_millis())?;
        }
        if let Some(data) = &self.data {
            field(f, "data", data)?;
        }
        writeln!(f)
    }
}

/// A `text/event-stream` response from a `Stream` of events. Each event
/// reaches the client when the stream yields it; the client going away
/// drops the stream. An `Err` item ends the stream (the connection is cut,
/// and the browser reconnects). When the server shuts down, the stream
/// ends cleanly (the client sees the end of the body, and reconnects to
/// whichever server replaces this one).
///
/// ```
/// # futures_executor::block_on(async {
/// use futures_util::StreamExt as _;
/// use mocket_core::sse::{Event, Sse};
/// let mut app = mocket_core::Mocket::new();
/// app.get("/ticks", |_req| async {
///     let events = futures_util::stream::iter(1..=2)
///         .map(|n| Ok::<_, std::convert::Infallible>(Event::data(n.to_string())));
///     Sse::new(events)
/// });
/// let res = app.request("/ticks").await;
/// assert_eq!(res.headers()["content-type"], "text/event-stream");
/// assert_eq!(res.into_body().to_text().await.unwrap(), "data: 1\n\ndata: 2\n\n");
/// # });
/// ```
#[must_use]
pub struct Sse<S> {
    events: S,
    keep_alive: Option<Box<dyn Stream<Item = ()> + Unpin>>,
}

impl<S> fmt::Debug for Sse<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sse")
            .field("keep_alive", &self.keep_alive.is_some())
            .finish_non_exhaustive()
    }
}

impl<S> Sse<S> {
    /// Events from `events`.
    pub fn new(events: S) -> Sse<S> {
        Sse {
            events,
            keep_alive: None,
        }
    }

    /// Sends a comment line each time `ticks` yields, so proxies and load
    /// balancers do not close a stream that is quiet for a while.
    /// `mocket::sse` gives the common form, a period: `keep_alive(Duration)`.
    pub fn keep_alive_on(mut self, ticks: impl Stream<Item = ()> + Unpin + 'static) -> Sse<S> {
        self.keep_alive = Some(Box::new(ticks));
        self
    }
}

impl<S, E> IntoResponse for Sse<S>
where
    S: Stream<Item = Result<Event, E>> + 'static,
    E: Into<BoxError> + 'static,
{
    fn into_response(self) -> Response {
        let ear = Arc::new(OnceLock::new());
        let events = UntilShutdown {
            events: Box::pin(self.events.map(|item| item.map(|event| event.encode()))),
            ear: ear.clone(),
            watch: None,
        };
        let body = match self.keep_alive {
            // The events end the body; keep-alives alone never do.
            Some(ticks) => {
                // `None` marks the end of the events, and ends the body.
                let events = events.map(Some).chain(stream::once(async { None }));
                let pings =
                    ticks.map(|()| Some(Ok::<Bytes, E>(Event::comment("keep-alive").encode())));
                let until_end = stream::select(events, pings)
                    .take_while(|item| future::ready(item.is_some()))
                    .filter_map(future::ready);
                Body::from_stream(until_end)
            }
            None => Body::from_stream(events),
        };
        let mut res = Response::new(body);
        let headers = res.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
        // Never cached, never held back by a buffering proxy.
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
        res.extensions_mut().insert(HearsShutdown(ear));
        res
    }
}

/// Left on an event stream's response for the dispatcher, which hands it
/// the app's [`Shutdown`] (an answer is built before it knows its app).
#[derive(Clone)]
pub(crate) struct HearsShutdown(Arc<OnceLock<Arc<Shutdown>>>);

impl HearsShutdown {
    /// Connects the stream to `shutdown`.
    pub(crate) fn hear(self, shutdown: &Arc<Shutdown>) {
        let _ = self.0.set(shutdown.clone());
    }
}

/// The events, until the app's shutdown begins: then the stream ends.
struct UntilShutdown<T> {
    events: Pin<Box<dyn Stream<Item = T>>>,
    ear: Arc<OnceLock<Arc<Shutdown>>>,
    watch: Option<ShutdownWatch>,
}

impl<T> Stream for UntilShutdown<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = &mut *self;
        if this.watch.is_none()
            && let Some(shutdown) = this.ear.get()
        {
            this.watch = Some(ShutdownWatch::new(shutdown.clone()));
        }
        if let Some(watch) = &mut this.watch
            && watch.poll_begun(cx).is_ready()
        {
            return Poll::Ready(None);
        }
        this.events.as_mut().poll_next(cx)
    }
}
