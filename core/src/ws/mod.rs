//! WebSocket routes, sockets and pub/sub topics (RFC 6455, with
//! permessage-deflate, RFC 7692), the same on every backend.
//!
//! A route registered with [`app.ws`](crate::Mocket::ws) gets the request
//! and a [`WebSocketUpgrade`]: it checks what it likes and either accepts
//! ([`WebSocketUpgrade::on_upgrade`]) or answers like any handler (a 401, a
//! 403…). Middleware runs on the upgrade request as on any other. The
//! accepted [`WebSocket`] is a `Stream` of [`Message`]s and a `Sink` for
//! them; it answers pings and the closing handshake itself, refuses a
//! message over its size limit with 1009, text that is not UTF-8 with 1007
//! and any other breach of the protocol with 1002, closing only that
//! socket. Sockets [`subscribe`](WebSocket::subscribe) to topics, and a
//! [`Publisher`] (from the app, the request or the socket) reaches every
//! subscriber, on every worker thread.
//!
//! ```
//! let mut app = mocket_core::Mocket::new();
//! app.ws("/ws/room/:name", |req, ws| async move {
//!     let room = req.param("name").to_owned();
//!     ws.on_upgrade(move |mut socket| async move {
//!         socket.subscribe(&room);
//!         while let Some(Ok(message)) = socket.recv().await {
//!             socket.publisher().publish(&room, message);
//!         }
//!     })
//! });
//! ```
//!
//! # Why the protocol is written here
//!
//! The core does no I/O and compiles for every target, so the protocol is
//! sans-I/O: bytes in, messages out ([`read`](self) and [`write`](self)
//! halves), with the socket on top driving any `futures_io` transport a
//! backend hands over. The libraries considered each miss something this
//! needs:
//! - `tungstenite` runs over blocking `Read + Write` (its async wrapper
//!   needs tokio) and has no permessage-deflate;
//! - `fastwebsockets` is tied to tokio's I/O traits and has no
//!   permessage-deflate;
//! - neither can queue one encoded frame for many sockets: both encode a
//!   message per send, so a publication to 1,000 subscribers is encoded
//!   1,000 times, where here it is encoded once and its buffer shared.
//!
//! What the hand-written part does better, measured in
//! `docs/benchmarks.md`: a message that arrives in one frame is unmasked in
//! place and handed out without a copy; idle sockets hold no read buffer
//! (reads go through one buffer per thread); and permessage-deflate keeps
//! no compressor per socket (one per thread, reset per message, which
//! `server_no_context_takeover` allows) and only the client's window for
//! inflating. The rules are checked by the Autobahn TestSuite on every
//! backend that carries WebSockets.
//!
//! # Backends
//!
//! Natively, on Node.js and on WASI sockets the backend hands the upgraded
//! connection over ([`backend::Upgrade`](crate::backend::Upgrade)). The
//! `wasi:http` proxy world has no upgrade: there a WebSocket route answers
//! `501 Not Implemented` ([`Service::refuse_upgrade`](crate::backend::Service::refuse_upgrade)).

mod config;
pub(crate) mod deflate;
pub(crate) mod frame;
#[cfg(test)]
mod frame_props;
mod message;
mod pubsub;
pub(crate) mod read;
#[cfg(test)]
mod read_props;
mod socket;
mod upgrade;
mod write;

pub use config::DEFAULT_MAX_MESSAGE;
pub use message::{CloseCode, CloseFrame, Message, Utf8Bytes};
pub use pubsub::Publisher;
pub use socket::{WebSocket, WsError};
pub(crate) use upgrade::UpgradeHandler;
pub use upgrade::WebSocketUpgrade;
