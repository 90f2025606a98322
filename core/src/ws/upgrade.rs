//! The opening handshake (RFC 6455, section 4.2): checking the request,
//! choosing a subprotocol and extensions, answering `101`.

use std::future::Future;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::header::{
    CONNECTION, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_EXTENSIONS, SEC_WEBSOCKET_KEY,
    SEC_WEBSOCKET_PROTOCOL, SEC_WEBSOCKET_VERSION, UPGRADE,
};
use http::{HeaderMap, HeaderValue, Method, StatusCode, Version};
use sha1::{Digest, Sha1};

use super::config::Config;
use super::deflate;
use super::pubsub::{Backlog, Publisher};
use super::socket::WebSocket;
use crate::backend::Upgrade;
use crate::body::Body;
use crate::error::Error;
use crate::handler::{Handler, ResponseFuture};
use crate::maybe_send::{MaybeSend, MaybeSync};
use crate::request::Request;
use crate::response::{IntoResponse, Response};
use crate::shutdown::{Shutdown, ShutdownWatch};

/// The GUID every accept key is derived with (section 1.3).
const GUID: &[u8] = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// A request that asked for a WebSocket and may become one: the handler
/// of an [`app.ws`](crate::Mocket::ws) route gets it beside the request,
/// checks what it likes (a cookie, a token, the room's name), and answers
/// either with [`on_upgrade`](Self::on_upgrade) or with any ordinary
/// response, which refuses the upgrade.
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket_core::{http::StatusCode, IntoResponse};
/// let mut app = mocket_core::Mocket::new();
/// app.ws("/chat/:room", |req, ws| async move {
///     if req.header("authorization").is_none() {
///         return StatusCode::UNAUTHORIZED.into_response();
///     }
///     let room = req.param("room").to_owned();
///     ws.protocols(["chat.v1"]).on_upgrade(move |mut socket| async move {
///         socket.subscribe(&room);
///         while let Some(Ok(message)) = socket.recv().await {
///             socket.publisher().publish(&room, message);
///         }
///     })
/// });
/// // A plain GET is told what the route speaks.
/// assert_eq!(app.request("/chat/lobby").await.status(), 426);
/// # });
/// ```
pub struct WebSocketUpgrade {
    key: HeaderValue,
    /// Every `sec-websocket-protocol` line: together, one list.
    requested: Vec<HeaderValue>,
    extensions: Vec<HeaderValue>,
    selected: Option<String>,
    config: Config,
    publisher: Publisher,
    shutdown: Arc<Shutdown>,
}

impl WebSocketUpgrade {
    /// Checks that `req` is a WebSocket opening handshake: `GET` over
    /// HTTP/1.1 with `connection: upgrade`, `upgrade: websocket`,
    /// `sec-websocket-version: 13` and a key. Otherwise the error says what
    /// is missing: 426 with `upgrade: websocket` for a request that did not
    /// ask (or asked for another version), 400 for a malformed key. On a
    /// host that cannot upgrade ([`backend::refuse_upgrades`](crate::backend::refuse_upgrades)),
    /// which strips `connection` and `upgrade` (wasmtime's `wasi:http`), a
    /// key marks the handshake, and accepting it is answered 501.
    ///
    /// ```
    /// # mocket_core::doc_request(|req| {
    /// let err = mocket_core::ws::WebSocketUpgrade::from_request(&req).unwrap_err();
    /// assert_eq!(err.status(), 426);
    /// # });
    /// ```
    pub fn from_request(req: &Request) -> Result<WebSocketUpgrade, Error> {
        let headers = req.headers();
        // Hosts that cannot upgrade (`backend::refuse_upgrades`) strip
        // `connection` and `upgrade`: there the key marks a handshake, which
        // goes through every check and the handler, and only accepting it
        // becomes the 501 (`Service::refuse_upgrade`).
        let asked = if req.no_upgrades() {
            headers.contains_key(SEC_WEBSOCKET_KEY)
        } else {
            req.version() == Version::HTTP_11
                && has_token(headers, &CONNECTION, "upgrade")
                && has_token(headers, &UPGRADE, "websocket")
        };
        if req.method() != Method::GET || !asked {
            return Err(upgrade_required(
                "this route speaks WebSocket: send an HTTP/1.1 upgrade",
            ));
        }
        let mut versions = headers.get_all(SEC_WEBSOCKET_VERSION).iter();
        if versions.next().map(HeaderValue::as_bytes) != Some(b"13") || versions.next().is_some() {
            return Err(upgrade_required("unsupported sec-websocket-version: 13 is")
                .with_header(SEC_WEBSOCKET_VERSION, "13"));
        }
        let key = match headers.get(SEC_WEBSOCKET_KEY) {
            Some(key) if STANDARD.decode(key.as_bytes()).is_ok_and(|k| k.len() == 16) => {
                key.clone()
            }
            _ => return Err(Error::bad_request("missing or malformed sec-websocket-key")),
        };
        Ok(WebSocketUpgrade {
            key,
            requested: headers
                .get_all(SEC_WEBSOCKET_PROTOCOL)
                .iter()
                .cloned()
                .collect(),
            extensions: headers
                .get_all(SEC_WEBSOCKET_EXTENSIONS)
                .iter()
                .cloned()
                .collect(),
            selected: None,
            config: Config::default(),
            publisher: req.publisher(),
            shutdown: req.app_shutdown(),
        })
    }

    /// The subprotocols the client asked for, in its order of preference.
    ///
    /// ```no_run
    /// # fn demo(ws: mocket_core::ws::WebSocketUpgrade) {
    /// let wants_v2 = ws.requested_protocols().any(|p| p == "chat.v2");
    /// # }
    /// ```
    pub fn requested_protocols(&self) -> impl Iterator<Item = &str> {
        self.requested
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|p| !p.is_empty())
    }

    /// Chooses the subprotocol: the first the client asked for that is in
    /// `supported`. If none is, the answer names none (a client that
    /// insists then closes).
    ///
    /// ```no_run
    /// # fn demo(ws: mocket_core::ws::WebSocketUpgrade) {
    /// let ws = ws.protocols(["chat.v2", "chat.v1"]);
    /// # }
    /// ```
    pub fn protocols<I, P>(mut self, supported: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: AsRef<str>,
    {
        let supported: Vec<P> = supported.into_iter().collect();
        let selected = self
            .requested_protocols()
            .find(|p| supported.iter().any(|s| s.as_ref() == *p))
            .map(str::to_owned);
        self.selected = selected;
        self
    }

    /// The subprotocol chosen by [`protocols`](Self::protocols).
    ///
    /// ```no_run
    /// # fn demo(ws: mocket_core::ws::WebSocketUpgrade) {
    /// let chosen: Option<&str> = ws.selected_protocol();
    /// # }
    /// ```
    pub fn selected_protocol(&self) -> Option<&str> {
        self.selected.as_deref()
    }

    /// The largest message the socket takes (default 16 MiB,
    /// [`DEFAULT_MAX_MESSAGE`](super::DEFAULT_MAX_MESSAGE)); a larger one
    /// closes it with 1009. Checked before the message is read, and while
    /// a compressed one is inflated.
    ///
    /// ```no_run
    /// # fn demo(ws: mocket_core::ws::WebSocketUpgrade) {
    /// let ws = ws.max_message_size(64 * 1024);
    /// # }
    /// ```
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.config.max_message = bytes;
        self
    }

    /// How many published messages, and bytes of them, may wait for a slow
    /// socket before it is dropped with close code 1008 (default 1024
    /// messages, 1 MiB).
    ///
    /// ```no_run
    /// # fn demo(ws: mocket_core::ws::WebSocketUpgrade) {
    /// let ws = ws.backlog(64, 256 * 1024);
    /// # }
    /// ```
    pub fn backlog(mut self, messages: usize, bytes: usize) -> Self {
        self.config.backlog = Backlog { messages, bytes };
        self
    }

    /// Whether to agree permessage-deflate when the client offers it
    /// (default: yes). See [`crate::ws`] for what it costs.
    ///
    /// ```no_run
    /// # fn demo(ws: mocket_core::ws::WebSocketUpgrade) {
    /// let ws = ws.deflate(false);
    /// # }
    /// ```
    pub fn deflate(mut self, agree: bool) -> Self {
        self.config.deflate = agree;
        self
    }

    /// Accepts the upgrade: the answer is `101 Switching Protocols`, and
    /// once it is sent `callback` runs with the socket, for as long as the
    /// connection lasts.
    ///
    /// ```
    /// let mut app = mocket_core::Mocket::new();
    /// app.ws("/echo", |_req, ws| async move {
    ///     ws.on_upgrade(|mut socket| async move {
    ///         while let Some(Ok(message)) = socket.recv().await {
    ///             let _ = socket.send(message).await;
    ///         }
    ///     })
    /// });
    /// ```
    pub fn on_upgrade<F, Fut>(self, callback: F) -> Response
    where
        F: FnOnce(WebSocket) -> Fut + 'static,
        Fut: Future<Output = ()> + 'static,
    {
        let WebSocketUpgrade {
            key,
            extensions,
            selected,
            config,
            publisher,
            shutdown,
            ..
        } = self;
        let mut res = Response::new(Body::empty());
        *res.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
        let headers = res.headers_mut();
        headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
        headers.insert(CONNECTION, HeaderValue::from_static("upgrade"));
        headers.insert(SEC_WEBSOCKET_ACCEPT, accept_key(key.as_bytes()));
        if let Some(protocol) = selected
            .as_deref()
            .and_then(|p| HeaderValue::from_str(p).ok())
        {
            headers.insert(SEC_WEBSOCKET_PROTOCOL, protocol);
        }
        let agreed = if config.deflate {
            deflate::negotiate(
                extensions.iter().map(HeaderValue::as_bytes),
                config.client_window_bits,
            )
        } else {
            None
        };
        let deflate = agreed.and_then(|(params, answer)| {
            let answer = HeaderValue::from_str(&answer).ok()?;
            headers.insert(SEC_WEBSOCKET_EXTENSIONS, answer);
            Some(deflate::Deflate::new(params))
        });
        *res.body_mut() = Body::from_upgrade(Upgrade::new(move |io| {
            let shutdown = ShutdownWatch::new(shutdown);
            callback(WebSocket::new(
                io, config, deflate, selected, publisher, shutdown,
            ))
        }));
        res
    }
}

impl std::fmt::Debug for WebSocketUpgrade {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocketUpgrade")
            .field("requested", &self.requested)
            .field("selected", &self.selected)
            .finish_non_exhaustive()
    }
}

/// `sec-websocket-accept` for a key (section 4.2.2).
fn accept_key(key: &[u8]) -> HeaderValue {
    let digest = Sha1::new().chain_update(key).chain_update(GUID).finalize();
    HeaderValue::from_str(&STANDARD.encode(digest))
        .unwrap_or_else(|_| unreachable!("base64 is a valid header value"))
}

/// Whether a comma-separated header (over all its lines) holds `token`.
fn has_token(headers: &HeaderMap, name: &http::HeaderName, token: &str) -> bool {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

fn upgrade_required(message: &'static str) -> Error {
    Error::new(StatusCode::UPGRADE_REQUIRED, message)
        .with_header(UPGRADE, "websocket")
        .with_header(CONNECTION, "upgrade")
}

/// An [`app.ws`](crate::Mocket::ws) route's handler: the handshake checked
/// first, then the app's handler with the request and the upgrade.
pub(crate) struct UpgradeHandler<F>(pub(crate) F);

impl<F, Fut, R> Handler for UpgradeHandler<F>
where
    F: Fn(Request, WebSocketUpgrade) -> Fut + MaybeSend + MaybeSync + 'static,
    Fut: Future<Output = R> + 'static,
    R: IntoResponse,
{
    fn call(&self, req: Request) -> ResponseFuture {
        match WebSocketUpgrade::from_request(&req) {
            Ok(upgrade) => {
                let fut = (self.0)(req, upgrade);
                Box::pin(async move { fut.await.into_response() })
            }
            Err(error) => Box::pin(std::future::ready(error.into_response())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_accept_key() {
        // RFC 6455, section 1.3.
        assert_eq!(
            accept_key(b"dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }
}
