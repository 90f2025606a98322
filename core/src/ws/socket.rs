//! [`WebSocket`]: one upgraded connection, as a `Stream` of messages and a
//! `Sink` for them.
//!
//! Everything a socket does happens while it is polled: receiving answers
//! pings and the closing handshake and writes published messages, sending
//! flushes. So a handler that loops on [`WebSocket::recv`] keeps the
//! connection fully serviced, and one that stops reading stops taking
//! bytes off the connection (the peer feels the backpressure).

use std::cell::RefCell;
use std::fmt;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker, ready};

use futures_io::{AsyncRead, AsyncWrite};
use futures_sink::Sink;
use futures_util::Stream;

use super::config::Config;
use super::deflate::Deflate;
use super::message::{CloseCode, CloseFrame, Message};
use super::pubsub::{Delivery, Inbox, Publisher};
use super::read::{Incoming, Reader, Violation};
use super::write::Outbox;
use crate::backend::Transport;
use crate::shutdown::ShutdownWatch;

/// Above this many queued bytes, sending waits for the connection.
const HIGH_WATER: usize = 64 * 1024;

/// The most buffers handed to one vectored write.
const MAX_SLICES: usize = 32;

/// Bytes read per call: one buffer per thread, so an idle socket holds
/// no read buffer at all.
const READ_SIZE: usize = 16 * 1024;

thread_local! {
    static SCRATCH: RefCell<Box<[u8]>> = RefCell::new(vec![0; READ_SIZE].into_boxed_slice());
}

/// Why a socket stopped.
///
/// ```
/// let e = mocket_core::ws::WsError::Closed;
/// assert_eq!(e.to_string(), "the WebSocket is closed");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum WsError {
    /// The connection is closed (the closing handshake is over, or the
    /// peer went away); nothing more can be sent.
    Closed,
    /// The peer broke the protocol; the socket sent a close frame with
    /// this code and closed.
    Protocol {
        /// The close code sent (1002, 1007 or 1009).
        code: CloseCode,
        /// What was wrong.
        reason: &'static str,
    },
    /// The socket fell behind on published messages past its backlog and
    /// was closed with 1008.
    Lagged,
    /// The connection failed.
    Io(io::Error),
}

impl fmt::Display for WsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WsError::Closed => f.write_str("the WebSocket is closed"),
            WsError::Protocol { code, reason } => {
                write!(f, "WebSocket protocol error ({code}): {reason}")
            }
            WsError::Lagged => {
                f.write_str("the WebSocket fell behind its backlog of published messages")
            }
            WsError::Io(e) => write!(f, "WebSocket connection failed: {e}"),
        }
    }
}

impl std::error::Error for WsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WsError::Io(e) => Some(e),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Open,
    /// We sent a close frame and wait for the peer's.
    CloseSent,
    /// Writing what is queued, then closing the connection.
    Finishing,
    Closed,
}

/// One WebSocket connection, given to the callback of
/// [`WebSocketUpgrade::on_upgrade`](super::WebSocketUpgrade::on_upgrade).
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket_core::ws::{Message, WebSocket};
/// async fn echo(mut socket: WebSocket) {
///     while let Some(Ok(message)) = socket.recv().await {
///         if socket.send(message).await.is_err() {
///             break;
///         }
///     }
/// }
/// let mut app = mocket_core::Mocket::new();
/// app.ws("/echo", |_req, ws| async move { ws.on_upgrade(echo) });
/// # });
/// ```
pub struct WebSocket {
    io: Box<dyn Transport>,
    reader: Reader,
    outbox: Outbox,
    state: State,
    /// Handed out once the connection is finished (a close, an error).
    last: Option<Result<Message, WsError>>,
    deflate: Option<Deflate>,
    protocol: Option<String>,
    publisher: Publisher,
    inbox: Option<Arc<Inbox>>,
    topics: Vec<Box<str>>,
    config: Config,
    /// Close without waiting for queued bytes to be written.
    abrupt: bool,
    /// Says `1001 Going Away` when the server stops.
    shutdown: ShutdownWatch,
}

impl WebSocket {
    pub(crate) fn new(
        io: Box<dyn Transport>,
        config: Config,
        deflate: Option<Deflate>,
        protocol: Option<String>,
        publisher: Publisher,
        shutdown: ShutdownWatch,
    ) -> WebSocket {
        WebSocket {
            io,
            reader: Reader::new(config.max_message, deflate.is_some()),
            outbox: Outbox::default(),
            state: State::Open,
            last: None,
            deflate,
            protocol,
            publisher,
            inbox: None,
            topics: Vec::new(),
            config,
            abrupt: false,
            shutdown,
        }
    }

    /// The subprotocol agreed in the handshake, if any.
    ///
    /// ```no_run
    /// # fn demo(socket: mocket_core::ws::WebSocket) {
    /// if socket.protocol() == Some("chat.v2") { /* … */ }
    /// # }
    /// ```
    pub fn protocol(&self) -> Option<&str> {
        self.protocol.as_deref()
    }

    /// The next message: `Text` or `Binary`, or the peer's `Close` (after
    /// which the socket has answered it and closed). `None` once the
    /// connection is over; `Some(Err(…))` when it ended badly (a protocol
    /// error, a lost connection, a full backlog).
    ///
    /// ```no_run
    /// # async fn demo(mut socket: mocket_core::ws::WebSocket) {
    /// while let Some(Ok(message)) = socket.recv().await {
    ///     println!("{message:?}");
    /// }
    /// # }
    /// ```
    pub async fn recv(&mut self) -> Option<Result<Message, WsError>> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// Sends one message and waits until it is written. Sending
    /// `Message::Close` starts the closing handshake: `recv` then yields the
    /// peer's answer.
    ///
    /// ```no_run
    /// # async fn demo(mut socket: mocket_core::ws::WebSocket) -> Result<(), mocket_core::ws::WsError> {
    /// socket.send("hello").await?;
    /// socket.send(vec![1u8, 2, 3]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(&mut self, message: impl Into<Message>) -> Result<(), WsError> {
        self.queue(message.into())?;
        std::future::poll_fn(|cx| self.poll_flush_all(cx)).await
    }

    /// Closes the connection with `code` and `reason`: sends the close
    /// frame and waits (while reading) for the peer's, then closes.
    ///
    /// ```no_run
    /// # async fn demo(socket: mocket_core::ws::WebSocket) {
    /// socket.close(mocket_core::ws::CloseCode::NORMAL, "bye").await;
    /// # }
    /// ```
    pub async fn close(mut self, code: CloseCode, reason: &str) {
        let frame = CloseFrame::new(code, reason.to_owned());
        if self.send(Message::Close(Some(frame))).await.is_ok() {
            while let Some(Ok(_)) = self.recv().await {}
        }
    }

    /// Subscribes this socket to `topic`: what is published there is
    /// written to it while it is polled. Idempotent.
    ///
    /// ```no_run
    /// # fn demo(mut socket: mocket_core::ws::WebSocket) {
    /// socket.subscribe("room:lobby");
    /// # }
    /// ```
    pub fn subscribe(&mut self, topic: &str) {
        if self.topics.iter().any(|t| &**t == topic) {
            return;
        }
        let inbox = self
            .inbox
            .get_or_insert_with(|| Arc::new(Inbox::new(self.config.backlog)));
        self.publisher.hub.subscribe(topic, inbox);
        self.topics.push(topic.into());
    }

    /// Ends the subscription to `topic`.
    ///
    /// ```no_run
    /// # fn demo(mut socket: mocket_core::ws::WebSocket) {
    /// socket.unsubscribe("room:lobby");
    /// # }
    /// ```
    pub fn unsubscribe(&mut self, topic: &str) {
        if let Some(at) = self.topics.iter().position(|t| &**t == topic)
            && let Some(inbox) = &self.inbox
        {
            self.publisher.hub.unsubscribe(topic, inbox);
            self.topics.swap_remove(at);
        }
    }

    /// The topics this socket is subscribed to.
    ///
    /// ```no_run
    /// # fn demo(socket: mocket_core::ws::WebSocket) {
    /// for topic in socket.topics() { println!("{topic}"); }
    /// # }
    /// ```
    pub fn topics(&self) -> impl Iterator<Item = &str> {
        self.topics.iter().map(|t| &**t)
    }

    /// Publishes to the app's topics (reaching this socket too, if it is
    /// subscribed); see [`Publisher::publish`].
    ///
    /// ```no_run
    /// # fn demo(socket: mocket_core::ws::WebSocket) {
    /// socket.publisher().publish("room:lobby", "someone joined");
    /// # }
    /// ```
    pub fn publisher(&self) -> &Publisher {
        &self.publisher
    }

    fn queue(&mut self, message: Message) -> Result<(), WsError> {
        if self.state != State::Open {
            return Err(WsError::Closed);
        }
        if matches!(message, Message::Close(_)) {
            self.state = State::CloseSent;
        }
        self.outbox.push(&message, self.deflate.as_mut());
        Ok(())
    }

    /// The receiving loop; see [`WebSocket::recv`].
    fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Message, WsError>>> {
        loop {
            match self.state {
                State::Closed => return Poll::Ready(self.last.take()),
                State::Finishing => {
                    ready!(self.poll_finish(cx));
                    continue;
                }
                State::Open | State::CloseSent => {}
            }
            self.hear_shutdown(cx);
            self.deliver(cx.waker());
            if self.state == State::Finishing {
                continue;
            }
            // Write what is queued; a connection that takes no more must
            // not stop us reading (the peer may be waiting on its own read).
            if let Poll::Ready(Err(e)) = self.poll_write_out(cx) {
                self.fail(WsError::Io(e));
                continue;
            }
            match self.reader.next(self.deflate.as_mut()) {
                Ok(Some(Incoming::Message(message))) => return Poll::Ready(Some(Ok(message))),
                Ok(Some(Incoming::Ping(payload))) => {
                    if self.state == State::Open {
                        self.outbox.pong(&payload);
                    }
                    continue;
                }
                Ok(Some(Incoming::Pong)) => continue,
                Ok(Some(Incoming::Close(frame))) => {
                    if self.state == State::Open {
                        // Answer with the peer's code (section 5.5.1).
                        let answer = frame.as_ref().map(|f| CloseFrame::new(f.code, ""));
                        self.outbox.close(answer.as_ref());
                    }
                    self.finish(Ok(Message::Close(frame)));
                    continue;
                }
                Ok(None) => {}
                Err(violation) => {
                    self.violated(violation);
                    continue;
                }
            }
            if self.outbox.len() > HIGH_WATER {
                // The peer does not read what we send (pongs piling up):
                // stop reading until it does.
                if let Err(e) = ready!(self.poll_write_out(cx)) {
                    self.fail(WsError::Io(e));
                }
                continue;
            }
            match ready!(self.poll_read_in(cx)) {
                Ok(0) => {
                    // Gone without a close frame.
                    self.state = State::Closed;
                    self.last = None;
                }
                Ok(_) => {}
                Err(e) => self.fail(WsError::Io(e)),
            }
        }
    }

    /// The server is stopping: say so, and wait for the peer's close
    /// (the grace period bounds the wait).
    fn hear_shutdown(&mut self, cx: &Context<'_>) {
        if self.state == State::Open && self.shutdown.poll_begun(cx).is_ready() {
            let frame = CloseFrame::new(CloseCode::GOING_AWAY, "server shutting down");
            self.outbox.close(Some(&frame));
            self.state = State::CloseSent;
            self.unsubscribe_all();
        }
    }

    /// Moves published messages into the outbox.
    fn deliver(&mut self, waker: &Waker) {
        let Some(inbox) = &self.inbox else { return };
        // Published messages wait in the bounded inbox, not here, while
        // the connection is behind: that is how a slow reader overflows.
        if self.state != State::Open {
            return;
        }
        match inbox.take(waker, self.outbox.len() <= HIGH_WATER) {
            None => {}
            Some(Delivery::Items(items)) => {
                for publication in items {
                    match self.deflate.as_mut() {
                        Some(deflate) => self.outbox.push(&publication.message, Some(deflate)),
                        None => self.outbox.push_encoded(publication.frame()),
                    }
                }
            }
            Some(Delivery::Overflowed) => {
                let frame = CloseFrame::new(
                    CloseCode::POLICY_VIOLATION,
                    "too slow for its subscriptions",
                );
                self.outbox.close(Some(&frame));
                self.finish(Err(WsError::Lagged));
                // A reader this slow may never take the close frame.
                self.abrupt = true;
            }
        }
    }

    fn violated(&mut self, violation: Violation) {
        let Violation { code, reason } = violation;
        if self.state == State::Open {
            self.outbox.close(Some(&CloseFrame::new(code, reason)));
        }
        self.finish(Err(WsError::Protocol { code, reason }));
    }

    /// Writes what is queued, then closes; `last` is handed out after.
    fn finish(&mut self, last: Result<Message, WsError>) {
        self.state = State::Finishing;
        self.last = Some(last);
        self.unsubscribe_all();
    }

    fn fail(&mut self, error: WsError) {
        self.state = State::Closed;
        self.last = Some(Err(error));
        self.unsubscribe_all();
    }

    fn poll_finish(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let written = self.poll_write_out(cx);
        if written.is_pending() && !self.abrupt {
            return Poll::Pending;
        }
        let _ = ready!(Pin::new(&mut self.io).poll_close(cx));
        self.state = State::Closed;
        Poll::Ready(())
    }

    fn unsubscribe_all(&mut self) {
        if let Some(inbox) = &self.inbox {
            for topic in self.topics.drain(..) {
                self.publisher.hub.unsubscribe(&topic, inbox);
            }
        }
    }

    /// Writes the outbox out (without flushing the transport).
    fn poll_write_out(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while !self.outbox.is_empty() {
            let mut slices = [IoSlice::new(&[]); MAX_SLICES];
            let n = self.outbox.slices(&mut slices);
            let written = ready!(Pin::new(&mut self.io).poll_write_vectored(cx, &slices[..n]))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.outbox.advance(written);
        }
        Poll::Ready(Ok(()))
    }

    /// Writes and flushes everything queued.
    fn poll_flush_all(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        if self.state == State::Closed {
            return Poll::Ready(Err(WsError::Closed));
        }
        self.hear_shutdown(cx);
        ready!(self.poll_write_out(cx)).map_err(WsError::Io)?;
        ready!(Pin::new(&mut self.io).poll_flush(cx)).map_err(WsError::Io)?;
        Poll::Ready(Ok(()))
    }

    fn poll_read_in(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let io = &mut self.io;
        let reader = &mut self.reader;
        SCRATCH.with_borrow_mut(|scratch| {
            let n = ready!(Pin::new(io).poll_read(cx, scratch))?;
            reader.feed(&scratch[..n]);
            Poll::Ready(Ok(n))
        })
    }
}

impl Stream for WebSocket {
    type Item = Result<Message, WsError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_recv(cx)
    }
}

impl Sink<Message> for WebSocket {
    type Error = WsError;

    fn poll_ready(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        let this = self.get_mut();
        this.hear_shutdown(cx);
        if this.outbox.len() > HIGH_WATER {
            ready!(this.poll_write_out(cx)).map_err(WsError::Io)?;
        }
        Poll::Ready(Ok(()))
    }

    fn start_send(self: Pin<&mut Self>, message: Message) -> Result<(), WsError> {
        self.get_mut().queue(message)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        self.get_mut().poll_flush_all(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), WsError>> {
        let this = self.get_mut();
        if this.state == State::Open {
            this.queue(Message::Close(Some(CloseFrame::new(CloseCode::NORMAL, ""))))?;
        }
        ready!(this.poll_write_out(cx)).map_err(WsError::Io)?;
        ready!(Pin::new(&mut this.io).poll_close(cx)).map_err(WsError::Io)?;
        Poll::Ready(Ok(()))
    }
}

impl Drop for WebSocket {
    /// A socket dropped while open says so: a close frame (1000) is
    /// written if the connection takes it at once.
    fn drop(&mut self) {
        self.unsubscribe_all();
        if self.state == State::Open {
            self.outbox
                .close(Some(&CloseFrame::new(CloseCode::NORMAL, "")));
        }
        if matches!(
            self.state,
            State::Open | State::CloseSent | State::Finishing
        ) {
            let mut cx = Context::from_waker(Waker::noop());
            let _ = self.poll_write_out(&mut cx);
            let _ = Pin::new(&mut self.io).poll_close(&mut cx);
        }
    }
}

impl fmt::Debug for WebSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebSocket")
            .field("state", &self.state)
            .field("protocol", &self.protocol)
            .field("topics", &self.topics)
            .finish_non_exhaustive()
    }
}
