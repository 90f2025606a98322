//! WebSocket sessions as data: handshakes, then a script of frames to send
//! and frames to expect, on one socket or several.
//!
//! A [`Session`] is one [step](crate::case::Step) of a case. It is a list
//! of [`Action`]s, each on one socket: [`Action::Open`] opens the next
//! socket (numbered from 0 in the order they open) by writing a handshake
//! and checking its answer like any response; the others send a frame,
//! expect the next frame, or expect the server to close the connection.
//! Every read has a deadline. The builder keeps a current socket:
//! `and_open` makes the new socket current, [`Session::on`] picks another.
//!
//! ```
//! use mocket_conformance::session::Session;
//! // Two sockets in one room: the second one's message reaches both.
//! let session = Session::open("/ws/room/lobby")
//!     .expect_text("joined lobby")
//!     .and_open("/ws/room/lobby")
//!     .expect_text("joined lobby")
//!     .send_text("hello")
//!     .expect_text("hello")
//!     .on(0)
//!     .expect_text("hello");
//! assert_eq!(session.actions.len(), 7);
//! ```
//!
//! A handshake that is answered other than `101`, as expected (a refusal,
//! or the alternative a backend that cannot upgrade must give, see
//! [`Expect::instead_on`]), ends the session: there is no socket to go on
//! with.

use std::fmt;

use mocket_testkit::http1::preview;
use mocket_testkit::ws::{ACCEPT, Frame, KEY};

use crate::case::{Expect, Req};

/// The handshake a browser sends for `path`: `GET` with `connection:
/// Upgrade`, `upgrade: websocket`, version 13 and the key of RFC 6455's
/// example ([`KEY`]). Add headers (or replace these) as for any request.
///
/// ```
/// let req = mocket_conformance::session::handshake("/ws/echo");
/// let bytes = String::from_utf8(req.to_bytes()).unwrap();
/// assert!(bytes.starts_with("GET /ws/echo HTTP/1.1\r\n"));
/// assert!(bytes.contains("sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
/// ```
pub fn handshake(path: &str) -> Req {
    handshake_without(path, "")
}

/// [`handshake`] without the header `left_out` (`""` leaves out none).
///
/// ```
/// let req = mocket_conformance::session::handshake_without("/ws/echo", "sec-websocket-key");
/// assert!(!String::from_utf8(req.to_bytes()).unwrap().contains("sec-websocket-key"));
/// ```
pub fn handshake_without(path: &str, left_out: &str) -> Req {
    let headers = [
        ("connection", "Upgrade"),
        ("upgrade", "websocket"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-key", KEY),
    ];
    headers
        .iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case(left_out))
        .fold(Req::get(path), |req, (name, value)| req.header(name, value))
}

/// The answer that accepts [`handshake`]: `101`, `upgrade: websocket`,
/// `connection: upgrade` (as tokens, in any case) and the accept key of
/// [`KEY`]. Add checks (a subprotocol, no extension) as for any response.
pub fn accepted() -> Expect {
    accepted_with(ACCEPT)
}

/// [`accepted`], for a handshake that sent another key: `accept` is the
/// `sec-websocket-accept` it must get.
pub fn accepted_with(accept: &str) -> Expect {
    Expect::status(101)
        .header_token("upgrade", "websocket")
        .header_token("connection", "upgrade")
        .header("sec-websocket-accept", accept)
}

/// What the next frame must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameCheck {
    /// Exactly this frame: first byte (FIN, RSV bits, opcode) and payload.
    Is(Frame),
    /// A final close frame with this code and any reason.
    Close(u16),
}

impl FrameCheck {
    /// Whether `frame` passes.
    pub fn matches(&self, frame: &Frame) -> bool {
        match self {
            FrameCheck::Is(want) => want == frame,
            FrameCheck::Close(code) => frame.b0 == 0x88 && frame.close_code() == Some(*code),
        }
    }
}

impl fmt::Display for FrameCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameCheck::Is(frame) => f.write_str(&describe(frame)),
            FrameCheck::Close(code) => write!(f, "a close frame with code {code}"),
        }
    }
}

/// A frame in words, for reports: its kind, its payload (a preview), and
/// its first byte where it is not the usual final one.
///
/// ```
/// use mocket_testkit::ws::Frame;
/// use mocket_conformance::session::describe;
/// assert_eq!(describe(&Frame::text("hi")), "text \"hi\" (2 bytes)");
/// assert_eq!(describe(&Frame::close(1002, "")), "close 1002 with reason \"\" (0 bytes)");
/// ```
pub fn describe(frame: &Frame) -> String {
    let payload = preview(&frame.payload);
    let kind = match frame.opcode() {
        0x0 => "continuation",
        0x1 => "text",
        0x2 => "binary",
        0x8 => "close",
        0x9 => "ping",
        0xA => "pong",
        _ => "",
    };
    let usual = matches!(frame.b0, 0x81 | 0x82 | 0x88 | 0x89 | 0x8A);
    let what = match (kind, frame.close_code()) {
        ("close", Some(code)) => {
            format!("close {code} with reason {}", preview(&frame.payload[2..]))
        }
        ("close", None) => format!("close without a code (payload {payload})"),
        ("", _) => format!(
            "a frame with opcode {:#x}, payload {payload}",
            frame.opcode()
        ),
        (kind, _) => format!("{kind} {payload}"),
    };
    if usual {
        what
    } else {
        format!("{what} (first byte {:#04x})", frame.b0)
    }
}

/// One thing a session does, on one socket.
#[derive(Debug, Clone)]
pub enum Action {
    /// Opens the next socket: writes the handshake on a new connection and
    /// checks the answer. A `101` opens the socket; another answer (when
    /// it was expected) ends the session.
    Open(Box<Req>, Box<Expect>),
    /// Writes one frame: its first byte, its payload, and whether it is
    /// masked (a client must mask; unmasked frames are for refusals).
    Send {
        /// FIN, RSV1–3 and the opcode.
        b0: u8,
        /// The payload, before masking.
        payload: Vec<u8>,
        /// Whether the frame is masked, as every client frame must be.
        masked: bool,
    },
    /// The next frame the server sends must pass.
    Receive(FrameCheck),
    /// The server closes the connection (end of stream or reset) without
    /// sending anything more.
    Closed,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Open(req, _) => write!(f, "open {}", req.label()),
            Action::Send {
                b0,
                payload,
                masked,
            } => {
                let frame = Frame {
                    b0: *b0,
                    payload: payload.clone(),
                };
                let unmasked = if *masked { "" } else { " unmasked" };
                write!(f, "send{unmasked} {}", describe(&frame))
            }
            Action::Receive(check) => write!(f, "expect {check}"),
            Action::Closed => f.write_str("expect the server to close the connection"),
        }
    }
}

/// A WebSocket session: actions, each on the socket numbered by its
/// `usize` (sockets are numbered from 0 in the order they open).
#[derive(Debug, Clone)]
pub struct Session {
    /// What to do, in order, and on which socket.
    pub actions: Vec<(usize, Action)>,
    /// The socket the builder's next action is on.
    current: usize,
    /// How many sockets the actions open.
    opened: usize,
}

impl Session {
    /// A session whose first socket opens with [`handshake`]`(path)` and
    /// must be [`accepted`].
    pub fn open(path: &str) -> Session {
        Session::open_with(handshake(path), accepted())
    }

    /// A session whose first socket opens with `req`, whose answer must
    /// be `expect`.
    pub fn open_with(req: Req, expect: Expect) -> Session {
        Session {
            actions: Vec::new(),
            current: 0,
            opened: 0,
        }
        .and_open_with(req, expect)
    }

    /// Opens one more socket with [`handshake`]`(path)`, which must be
    /// [`accepted`]; the next actions are on it.
    pub fn and_open(self, path: &str) -> Session {
        self.and_open_with(handshake(path), accepted())
    }

    /// Opens one more socket with `req`, whose answer must be `expect`;
    /// the next actions are on it.
    pub fn and_open_with(mut self, req: Req, expect: Expect) -> Session {
        self.current = self.opened;
        self.opened += 1;
        self.push(Action::Open(Box::new(req), Box::new(expect)))
    }

    /// The next actions are on socket `socket` (0 is the first opened).
    pub fn on(mut self, socket: usize) -> Session {
        self.current = socket;
        self
    }

    fn push(mut self, action: Action) -> Session {
        self.actions.push((self.current, action));
        self
    }

    /// Sends a masked frame with first byte `b0` (any FIN, RSV bits and
    /// opcode, reserved ones included).
    pub fn send_frame(self, b0: u8, payload: impl AsRef<[u8]>) -> Session {
        self.push(Action::Send {
            b0,
            payload: payload.as_ref().to_vec(),
            masked: true,
        })
    }

    /// Sends a frame without the mask every client frame must have.
    pub fn send_unmasked(self, b0: u8, payload: impl AsRef<[u8]>) -> Session {
        self.push(Action::Send {
            b0,
            payload: payload.as_ref().to_vec(),
            masked: false,
        })
    }

    /// Sends a text message in one frame.
    pub fn send_text(self, text: &str) -> Session {
        self.send_frame(0x81, text)
    }

    /// Sends a binary message in one frame.
    pub fn send_binary(self, data: impl AsRef<[u8]>) -> Session {
        self.send_frame(0x82, data)
    }

    /// Sends a ping with `payload`.
    pub fn send_ping(self, payload: impl AsRef<[u8]>) -> Session {
        self.send_frame(0x89, payload)
    }

    /// Sends a close frame with `code` and `reason`.
    pub fn send_close(self, code: u16, reason: &str) -> Session {
        self.send_frame(0x88, Frame::close(code, reason).payload)
    }

    /// The next frame is exactly `frame`.
    pub fn expect(self, frame: Frame) -> Session {
        self.push(Action::Receive(FrameCheck::Is(frame)))
    }

    /// The next frame is a final text frame with `text`.
    pub fn expect_text(self, text: &str) -> Session {
        self.expect(Frame::text(text))
    }

    /// The next frame is a final binary frame with `data`.
    pub fn expect_binary(self, data: impl AsRef<[u8]>) -> Session {
        self.expect(Frame::binary(data.as_ref()))
    }

    /// The next frame is a pong carrying `payload`.
    pub fn expect_pong(self, payload: impl AsRef<[u8]>) -> Session {
        self.expect(Frame::pong(payload.as_ref()))
    }

    /// The next frame is a close frame with `code` (any reason).
    pub fn expect_close(self, code: u16) -> Session {
        self.push(Action::Receive(FrameCheck::Close(code)))
    }

    /// The server closes the connection, sending nothing more.
    pub fn closed(self) -> Session {
        self.push(Action::Closed)
    }

    /// The server fails the connection with `code`: a close frame with
    /// that code, then the end of the connection.
    pub fn fails_with(self, code: u16) -> Session {
        self.expect_close(code).closed()
    }
}
