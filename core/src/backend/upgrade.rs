//! Answers that take the connection over: `101 Switching Protocols` and
//! what runs on the connection afterwards (a WebSocket).
//!
//! The core decides everything about an upgrade — whether the request
//! qualifies, the `101` head, the protocol spoken afterwards — and hands the
//! backend two things: the head to send (an ordinary [`Outgoing`] with
//! status 101) and an [`Upgrade`] ([`take_upgrade`]) to run on the raw
//! connection once that head is out. A backend that owns its connections
//! passes the connection's bytes both ways as a [`Transport`]; one whose
//! platform cannot hand them over (the `wasi:http` proxy world) answers with
//! [`Service::refuse_upgrade`](super::Service::refuse_upgrade) instead.
//!
//! ```
//! # futures_executor::block_on(async {
//! use mocket_core::backend::{take_upgrade, UnreadBodies};
//! use mocket_core::http::Request;
//! let mut app = mocket_core::Mocket::new();
//! app.ws("/echo", |_req, ws| async move { ws.on_upgrade(|_socket| async {}) });
//! let service = app.into_service().unwrap();
//! let req = Request::get("/echo")
//!     .header("connection", "upgrade")
//!     .header("upgrade", "websocket")
//!     .header("sec-websocket-version", "13")
//!     .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
//!     .body(mocket_core::Body::empty())
//!     .unwrap();
//! let mut out = service.serve(req, UnreadBodies::CloseConnection).await;
//! assert_eq!(out.response.status(), 101);
//! let upgrade = take_upgrade(&mut out.response).expect("a WebSocket answer carries its upgrade");
//! // The backend sends the head, then: `upgrade.run(connection).await`.
//! # let _ = upgrade;
//! # });
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use futures_io::{AsyncRead, AsyncWrite};

use crate::app::Mocket;
use crate::maybe_send::MaybeSend;
use crate::response::Response;

/// A connection's bytes after the `101` head, both ways: the platform's
/// socket as [`futures_io`]'s `AsyncRead + AsyncWrite`, the one pair of I/O
/// traits every target shares.
pub trait Transport: AsyncRead + AsyncWrite + Unpin + MaybeSend + 'static {}

impl<T: AsyncRead + AsyncWrite + Unpin + MaybeSend + 'static> Transport for T {}

type Run = Box<dyn FnOnce(Box<dyn Transport>) -> Pin<Box<dyn Future<Output = ()>>>>;

/// What runs on a connection once its `101` head is sent: take it from the
/// answer with [`take_upgrade`] and await [`Upgrade::run`] on the
/// connection (natively, as a task of its own).
pub struct Upgrade {
    run: Run,
}

impl Upgrade {
    /// Wraps what takes the connection over.
    #[cfg_attr(not(feature = "websocket"), allow(dead_code))]
    pub(crate) fn new<F, Fut>(run: F) -> Upgrade
    where
        F: FnOnce(Box<dyn Transport>) -> Fut + 'static,
        Fut: Future<Output = ()> + 'static,
    {
        Upgrade {
            run: Box::new(move |io| Box::pin(run(io))),
        }
    }

    /// Runs the upgraded protocol on `transport` until it ends.
    ///
    /// ```no_run
    /// # async fn demo(upgrade: mocket_core::backend::Upgrade, conn: futures_util::io::Cursor<Vec<u8>>) {
    /// upgrade.run(conn).await;
    /// # }
    /// ```
    pub fn run(self, transport: impl Transport) -> impl Future<Output = ()> {
        (self.run)(Box::new(transport))
    }
}

impl fmt::Debug for Upgrade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Upgrade")
    }
}

/// Takes the [`Upgrade`] out of an answer, if it is a `101` that carries
/// one, leaving its body empty. A backend calls it on every `101`.
///
/// ```
/// let mut res = mocket_core::http::Response::new(mocket_core::Body::empty());
/// assert!(mocket_core::backend::take_upgrade(&mut res).is_none());
/// ```
pub fn take_upgrade(response: &mut Response) -> Option<Upgrade> {
    if response.status() != http::StatusCode::SWITCHING_PROTOCOLS {
        return None;
    }
    response.body_mut().take_upgrade()
}

/// Marks `app` as served by a host that cannot hand connections over (the
/// `wasi:http` proxy world, whose hosts also strip `connection` and
/// `upgrade` from requests): a request to a WebSocket route that carries a
/// `sec-websocket-key` is checked as a handshake, its handler runs (and may
/// refuse it), and accepting it is answered 501 by the backend's
/// [`Service::refuse_upgrade`](super::Service::refuse_upgrade). Call it
/// before building the service.
///
/// ```
/// # futures_executor::block_on(async {
/// let mut app = mocket_core::Mocket::new();
/// app.ws("/ws", |_req, ws| async move { ws.on_upgrade(|_s| async {}) });
/// mocket_core::backend::refuse_upgrades(&mut app);
/// let service = app.into_service().unwrap();
/// let req = mocket_core::http::Request::get("/ws")
///     .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
///     .header("sec-websocket-version", "13")
///     .body(mocket_core::Body::empty()).unwrap();
/// let out = service.serve(req, mocket_core::backend::UnreadBodies::DrainOrDrop).await;
/// assert_eq!(service.refuse_upgrade(out, false, "no upgrade here").response.status(), 501);
/// # });
/// ```
pub fn refuse_upgrades(app: &mut Mocket) {
    app.inner_mut().no_upgrades = true;
}
