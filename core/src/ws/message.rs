//! What travels on a WebSocket: messages, text that is known to be UTF-8,
//! close codes.

use std::fmt;
use std::ops::Deref;

use bytes::Bytes;
use bytestring::ByteString;

/// One WebSocket message.
///
/// [`WebSocket::recv`](super::WebSocket::recv) yields `Text`, `Binary` and,
/// once, `Close`; pings are answered for you and pongs are not shown.
/// Any variant can be sent.
///
/// ```
/// use mocket_core::ws::Message;
/// let m = Message::from("hello");
/// assert_eq!(m.as_text(), Some("hello"));
/// assert!(Message::from(vec![1u8, 2]).as_text().is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A text message: valid UTF-8, checked on arrival.
    Text(Utf8Bytes),
    /// A binary message.
    Binary(Bytes),
    /// A ping (at most 125 bytes); the peer answers with a pong.
    Ping(Bytes),
    /// A pong (at most 125 bytes).
    Pong(Bytes),
    /// The closing handshake: the peer's close frame when received, the
    /// one to send when sent.
    Close(Option<CloseFrame>),
}

impl Message {
    /// The text of a text message.
    ///
    /// ```
    /// assert_eq!(mocket_core::ws::Message::from("hi").as_text(), Some("hi"));
    /// ```
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Message::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The payload's bytes (a close frame's reason for `Close`).
    ///
    /// ```
    /// assert_eq!(mocket_core::ws::Message::from("hi").as_bytes(), b"hi");
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Message::Text(text) => text.as_bytes(),
            Message::Binary(b) | Message::Ping(b) | Message::Pong(b) => b,
            Message::Close(Some(frame)) => frame.reason.as_bytes(),
            Message::Close(None) => &[],
        }
    }
}

impl From<&'static str> for Message {
    fn from(text: &'static str) -> Self {
        Message::Text(Utf8Bytes::from_static(text))
    }
}

impl From<String> for Message {
    fn from(text: String) -> Self {
        Message::Text(text.into())
    }
}

impl From<Utf8Bytes> for Message {
    fn from(text: Utf8Bytes) -> Self {
        Message::Text(text)
    }
}

impl From<Vec<u8>> for Message {
    fn from(data: Vec<u8>) -> Self {
        Message::Binary(data.into())
    }
}

impl From<Bytes> for Message {
    fn from(data: Bytes) -> Self {
        Message::Binary(data)
    }
}

/// Bytes known to be UTF-8: a text message's payload, shared without
/// copying. Dereferences to `str`. (A wrapper of `bytestring`'s
/// `ByteString`, which holds the one `unsafe` this needs, so that this
/// crate holds none.)
///
/// ```
/// use mocket_core::ws::Utf8Bytes;
/// let text = Utf8Bytes::from("héllo".to_owned());
/// assert_eq!(text.len(), 6);
/// assert!(text.starts_with('h'));
/// assert!(Utf8Bytes::try_from(bytes::Bytes::from_static(b"\xff")).is_err());
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Utf8Bytes(ByteString);

impl Utf8Bytes {
    /// Text from a static string, without copying it.
    ///
    /// ```
    /// assert_eq!(&*mocket_core::ws::Utf8Bytes::from_static("hi"), "hi");
    /// ```
    pub const fn from_static(text: &'static str) -> Self {
        Utf8Bytes(ByteString::from_static(text))
    }

    /// The text.
    ///
    /// ```
    /// assert_eq!(mocket_core::ws::Utf8Bytes::from_static("hi").as_str(), "hi");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The underlying bytes.
    ///
    /// ```
    /// let b = mocket_core::ws::Utf8Bytes::from_static("hi").into_bytes();
    /// assert_eq!(&b[..], b"hi");
    /// ```
    pub fn into_bytes(self) -> Bytes {
        self.0.into_bytes()
    }

    /// The bytes, shared.
    pub(crate) fn as_shared(&self) -> &Bytes {
        self.0.as_bytes()
    }
}

impl Deref for Utf8Bytes {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<String> for Utf8Bytes {
    fn from(text: String) -> Self {
        Utf8Bytes(ByteString::from(text))
    }
}

impl From<&'static str> for Utf8Bytes {
    fn from(text: &'static str) -> Self {
        Utf8Bytes::from_static(text)
    }
}

impl TryFrom<Bytes> for Utf8Bytes {
    type Error = std::str::Utf8Error;

    fn try_from(bytes: Bytes) -> Result<Self, Self::Error> {
        ByteString::try_from(bytes).map(Utf8Bytes)
    }
}

impl PartialEq<str> for Utf8Bytes {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Utf8Bytes {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for Utf8Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Utf8Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A close frame's content: why the connection closes.
///
/// ```
/// use mocket_core::ws::{CloseCode, CloseFrame};
/// let frame = CloseFrame::new(CloseCode::NORMAL, "bye");
/// assert_eq!(frame.code.as_u16(), 1000);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseFrame {
    /// The status code (RFC 6455, section 7.4).
    pub code: CloseCode,
    /// A human-readable reason, at most 123 bytes on the wire.
    pub reason: Utf8Bytes,
}

impl CloseFrame {
    /// A close frame with this code and reason.
    ///
    /// ```
    /// let f = mocket_core::ws::CloseFrame::new(mocket_core::ws::CloseCode::GOING_AWAY, "restart");
    /// assert_eq!(&*f.reason, "restart");
    /// ```
    pub fn new(code: CloseCode, reason: impl Into<Utf8Bytes>) -> Self {
        CloseFrame {
            code,
            reason: reason.into(),
        }
    }
}

/// A close status code (RFC 6455, section 7.4; IANA's registry).
///
/// ```
/// use mocket_core::ws::CloseCode;
/// assert_eq!(CloseCode::from(1009), CloseCode::MESSAGE_TOO_BIG);
/// assert!(CloseCode::from(4000).is_sendable());
/// assert!(!CloseCode::from(1005).is_sendable());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CloseCode(u16);

impl CloseCode {
    /// 1000: the purpose of the connection is fulfilled.
    pub const NORMAL: CloseCode = CloseCode(1000);
    /// 1001: the server is going down, or the page navigated away.
    pub const GOING_AWAY: CloseCode = CloseCode(1001);
    /// 1002: the peer broke the protocol.
    pub const PROTOCOL_ERROR: CloseCode = CloseCode(1002);
    /// 1003: a kind of message the endpoint cannot take.
    pub const UNSUPPORTED_DATA: CloseCode = CloseCode(1003);
    /// 1007: a text message that is not UTF-8.
    pub const INVALID_PAYLOAD: CloseCode = CloseCode(1007);
    /// 1008: a message that breaks the endpoint's policy (also: a
    /// subscriber too slow for its backlog).
    pub const POLICY_VIOLATION: CloseCode = CloseCode(1008);
    /// 1009: a message larger than the endpoint takes.
    pub const MESSAGE_TOO_BIG: CloseCode = CloseCode(1009);
    /// 1010: the client needed an extension the server did not agree.
    pub const MANDATORY_EXTENSION: CloseCode = CloseCode(1010);
    /// 1011: the server hit an unexpected condition.
    pub const INTERNAL_ERROR: CloseCode = CloseCode(1011);
    /// 1012: the service is restarting.
    pub const SERVICE_RESTART: CloseCode = CloseCode(1012);
    /// 1013: try again later (overloaded).
    pub const TRY_AGAIN_LATER: CloseCode = CloseCode(1013);

    /// The code's number.
    ///
    /// ```
    /// assert_eq!(mocket_core::ws::CloseCode::NORMAL.as_u16(), 1000);
    /// ```
    pub const fn as_u16(self) -> u16 {
        self.0
    }

    /// Whether the code may appear in a close frame: the registered codes
    /// 1000–1003 and 1007–1014, and 3000–4999 (libraries' and
    /// applications'). 1004–1006 and 1015 are reserved for reporting only.
    ///
    /// ```
    /// assert!(mocket_core::ws::CloseCode::from(3000).is_sendable());
    /// assert!(!mocket_core::ws::CloseCode::from(999).is_sendable());
    /// ```
    pub const fn is_sendable(self) -> bool {
        matches!(self.0, 1000..=1003 | 1007..=1014 | 3000..=4999)
    }
}

impl From<u16> for CloseCode {
    fn from(code: u16) -> Self {
        CloseCode(code)
    }
}

impl From<CloseCode> for u16 {
    fn from(code: CloseCode) -> Self {
        code.0
    }
}

impl fmt::Display for CloseCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}
