//! A minimal WebSocket client over [`duplex`](super::duplex), for
//! in-process socket tests: writes masked frames, reads server frames.

use futures_util::io::{AsyncReadExt as _, AsyncWriteExt as _};
use mocket_core::backend::{Service, take_upgrade};
use mocket_core::http::{self, Request};
use mocket_core::{Body, Mocket};

use super::duplex::{self, End};

/// The opening handshake's request for `path`, as a browser sends it.
pub(crate) fn handshake(path: &str) -> http::request::Builder {
    Request::get(path)
        .header("connection", "Upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
}

/// Upgrades `path` of `app` in-process: the client end and the server
/// side's future (spawn it), over a connection holding `capacity` bytes
/// per direction.
pub(crate) async fn connect(
    app: &Mocket,
    path: &str,
    capacity: usize,
) -> (Client, impl Future<Output = ()> + use<>) {
    let req = handshake(path).body(Body::empty()).expect("request");
    upgraded(app.request(req).await, path, capacity)
}

/// [`connect`] through a built [`Service`], as a backend serves it.
pub(crate) async fn connect_to(
    service: &Service,
    path: &str,
    capacity: usize,
) -> (Client, impl Future<Output = ()> + use<>) {
    let req = handshake(path).body(Body::empty()).expect("request");
    upgraded(service.call(req).await, path, capacity)
}

fn upgraded(
    mut res: http::Response<Body>,
    path: &str,
    capacity: usize,
) -> (Client, impl Future<Output = ()> + use<>) {
    assert_eq!(res.status(), 101, "{path} did not upgrade");
    let upgrade = take_upgrade(&mut res).expect("a 101 carries its upgrade");
    let (client, server) = duplex::pair(capacity);
    (
        Client {
            end: client,
            buf: Vec::new(),
        },
        upgrade.run(server),
    )
}

pub(crate) struct Client {
    pub(crate) end: End,
    buf: Vec<u8>,
}

impl Client {
    /// Sends one masked frame with first byte `b0` (FIN, RSV, opcode).
    pub(crate) async fn send(&mut self, b0: u8, payload: &[u8]) {
        let frame = mocket_testkit::ws::encode(b0, payload);
        self.end.write_all(&frame).await.expect("the server reads");
    }

    pub(crate) async fn text(&mut self, text: &str) {
        self.send(0x81, text.as_bytes()).await;
    }

    /// The next server frame: its first byte and payload; `None` once the
    /// server closed the connection.
    pub(crate) async fn recv(&mut self) -> Option<(u8, Vec<u8>)> {
        loop {
            if let Some(frame) = self.parse() {
                return Some(frame);
            }
            let mut chunk = [0u8; 4096];
            let n = self.end.read(&mut chunk).await.ok()?;
            if n == 0 {
                return None;
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// The next frame's payload as text, asserting it is a text frame.
    pub(crate) async fn recv_text(&mut self) -> String {
        let (b0, payload) = self.recv().await.expect("a frame");
        assert_eq!(b0, 0x81, "a text frame");
        String::from_utf8(payload).expect("UTF-8")
    }

    fn parse(&mut self) -> Option<(u8, Vec<u8>)> {
        let [b0, b1, ..] = self.buf[..] else {
            return None;
        };
        assert_eq!(b1 & 0x80, 0, "servers never mask");
        let (len, at) = match b1 {
            126 => (
                u16::from_be_bytes(self.buf.get(2..4)?.try_into().ok()?) as usize,
                4,
            ),
            127 => (
                u64::from_be_bytes(self.buf.get(2..10)?.try_into().ok()?) as usize,
                10,
            ),
            n => (n as usize, 2),
        };
        if self.buf.len() < at + len {
            return None;
        }
        let payload = self.buf[at..at + len].to_vec();
        self.buf.drain(..at + len);
        Some((b0, payload))
    }
}

/// A close frame's code.
pub(crate) fn close_code(payload: &[u8]) -> u16 {
    u16::from_be_bytes([payload[0], payload[1]])
}

/// Sends every message back until the peer closes.
pub(crate) async fn echo(mut socket: mocket_core::ws::WebSocket) {
    use mocket_core::ws::Message;
    while let Some(Ok(message)) = socket.recv().await {
        if matches!(message, Message::Close(_)) || socket.send(message).await.is_err() {
            break;
        }
    }
}
