//! A blocking WebSocket client over a raw TCP socket, for tests of every
//! backend: it writes exact frames (masked, as a client must, or broken on
//! purpose) and reads exactly what the server sends, against a deadline.
//!
//! ```no_run
//! use mocket_testkit::ws::{Frame, Socket};
//! let addr = "127.0.0.1:3000".parse().unwrap();
//! let mut socket = Socket::connect(addr, "/ws/echo").unwrap();
//! socket.send_text("hello");
//! assert_eq!(socket.recv(), Frame::text("hello"));
//! ```

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use crate::http1::{IO_TIMEOUT, Parsed, Response, is_reset, is_timeout, parse_response, preview};

/// The key every handshake here sends (RFC 6455's example), and its answer.
pub const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
/// The `sec-websocket-accept` a server must answer [`KEY`] with.
pub const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// One frame from the server: its first byte (FIN, RSV, opcode) and payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// FIN, RSV1–3 and the opcode.
    pub b0: u8,
    /// The payload (unmasked: servers never mask).
    pub payload: Vec<u8>,
}

impl Frame {
    /// A final text frame.
    pub fn text(text: &str) -> Frame {
        Frame {
            b0: 0x81,
            payload: text.as_bytes().to_vec(),
        }
    }

    /// A final binary frame.
    pub fn binary(data: &[u8]) -> Frame {
        Frame {
            b0: 0x82,
            payload: data.to_vec(),
        }
    }

    /// A pong carrying `payload`.
    pub fn pong(payload: &[u8]) -> Frame {
        Frame {
            b0: 0x8A,
            payload: payload.to_vec(),
        }
    }

    /// A close frame with `code` and `reason`.
    ///
    /// ```
    /// let frame = mocket_testkit::ws::Frame::close(1000, "bye");
    /// assert_eq!(frame.payload, b"\x03\xe8bye");
    /// assert_eq!(frame.close_code(), Some(1000));
    /// ```
    pub fn close(code: u16, reason: &str) -> Frame {
        let mut payload = code.to_be_bytes().to_vec();
        payload.extend_from_slice(reason.as_bytes());
        Frame { b0: 0x88, payload }
    }

    /// The opcode.
    pub fn opcode(&self) -> u8 {
        self.b0 & 0x0F
    }

    /// A close frame's code, if it is one with a code.
    pub fn close_code(&self) -> Option<u16> {
        (self.opcode() == 8 && self.payload.len() >= 2)
            .then(|| u16::from_be_bytes([self.payload[0], self.payload[1]]))
    }
}

/// The opening handshake for `path`, with extra header lines (each ending
/// in `\r\n`).
pub fn handshake(path: &str, extra: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nhost: localhost\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\
         sec-websocket-version: 13\r\nsec-websocket-key: {KEY}\r\n{extra}\r\n"
    )
    .into_bytes()
}

/// What an opening handshake sent with [`Socket::try_open`] got.
#[derive(Debug)]
pub enum Handshake {
    /// `101`: the connection is a WebSocket now. Nothing of the answer is
    /// checked: it is the socket's [`response`](Socket::response).
    Upgraded(Socket),
    /// Any other answer, read whole (its body included).
    Refused(Response),
}

/// A connection that completed the handshake.
pub struct Socket {
    stream: TcpStream,
    buf: Vec<u8>,
    /// The `101` answer.
    pub response: Response,
}

impl Socket {
    /// Connects and upgrades `path`; an answer other than `101` is an error
    /// carrying its status.
    pub fn connect(addr: SocketAddr, path: &str) -> Result<Socket, String> {
        Socket::connect_with(addr, path, "")
    }

    /// [`Socket::connect`] with extra header lines (each ending in `\r\n`).
    pub fn connect_with(addr: SocketAddr, path: &str, extra: &str) -> Result<Socket, String> {
        let mut stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)
            .map_err(|e| format!("connect {addr}: {e}"))?;
        stream
            .set_read_timeout(Some(IO_TIMEOUT))
            .map_err(|e| e.to_string())?;
        stream
            .set_write_timeout(Some(IO_TIMEOUT))
            .map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        stream
            .write_all(&handshake(path, extra))
            .map_err(|e| format!("send the handshake: {e}"))?;
        let mut buf = Vec::new();
        let deadline = Instant::now() + IO_TIMEOUT;
        loop {
            match parse_response(&buf, true, false)? {
                Parsed::Complete(response, used) => {
                    if response.status != 101 {
                        return Err(format!(
                            "{path} answered {} instead of 101",
                            response.status
                        ));
                    }
                    if response.header("sec-websocket-accept") != Some(ACCEPT) {
                        return Err(format!(
                            "{path}: wrong sec-websocket-accept: {:?}",
                            response.header("sec-websocket-accept")
                        ));
                    }
                    buf.drain(..used);
                    return Ok(Socket {
                        stream,
                        buf,
                        response,
                    });
                }
                Parsed::Incomplete if Instant::now() < deadline => {}
                Parsed::Incomplete => return Err(format!("{path}: no answer to the handshake")),
            }
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk) {
                Ok(0) => return Err(format!("{path}: closed during the handshake")),
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) => return Err(format!("{path}: reading the handshake's answer: {e}")),
            }
        }
    }

    /// Writes `request` (a whole opening handshake, exactly these bytes:
    /// see [`handshake`]; frames may follow it in the same write) and
    /// reads the answer by `deadline`. A `101` is
    /// [`Handshake::Upgraded`], whatever its headers say; any other answer
    /// is [`Handshake::Refused`]. An error says why there is no answer (a
    /// close, the deadline, bytes that are no HTTP response).
    ///
    /// ```no_run
    /// use mocket_testkit::ws::{Handshake, Socket, handshake};
    /// let addr = "127.0.0.1:3000".parse().unwrap();
    /// let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    /// match Socket::try_open(addr, &handshake("/ws/echo", ""), deadline).unwrap() {
    ///     Handshake::Upgraded(socket) => assert_eq!(socket.response.status, 101),
    ///     Handshake::Refused(answer) => panic!("refused with {}", answer.status),
    /// }
    /// ```
    pub fn try_open(
        addr: SocketAddr,
        request: &[u8],
        deadline: Instant,
    ) -> Result<Handshake, String> {
        let mut stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)
            .map_err(|e| format!("connect {addr}: {e}"))?;
        stream
            .set_write_timeout(Some(IO_TIMEOUT))
            .map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        stream
            .write_all(request)
            .map_err(|e| format!("send the handshake: {e}"))?;
        let mut buf = Vec::new();
        let mut eof = false;
        loop {
            match parse_response(&buf, false, eof)? {
                Parsed::Complete(response, used) if response.status == 101 => {
                    buf.drain(..used);
                    return Ok(Handshake::Upgraded(Socket {
                        stream,
                        buf,
                        response,
                    }));
                }
                Parsed::Complete(response, _) => return Ok(Handshake::Refused(response)),
                Parsed::Incomplete if eof => {
                    return Err(format!(
                        "the server closed the connection before a complete answer; received {}",
                        preview(&buf)
                    ));
                }
                Parsed::Incomplete => {}
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "no complete answer to the handshake before the deadline; received {}",
                    preview(&buf)
                ));
            }
            stream
                .set_read_timeout(Some(left))
                .map_err(|e| e.to_string())?;
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk) {
                Ok(0) => eof = true,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
                Err(e) if is_reset(&e) => eof = true,
                Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("reading the handshake's answer: {e}")),
            }
        }
    }

    /// Sends one frame with first byte `b0` without masking it, which a
    /// client must not do (for tests that the server refuses it).
    pub fn try_send_unmasked_frame(&mut self, b0: u8, payload: &[u8]) -> io::Result<()> {
        self.stream.write_all(&encode_unmasked(b0, payload))
    }

    /// Sends exactly `bytes` (frames cut anywhere, or not frames at all).
    pub fn try_send_bytes(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// The next frame by `deadline`, `Ok(None)` once the server closed
    /// (a reset counts). Unlike [`Socket::try_recv`], a frame a server must
    /// not send (a masked one) is an error, not a panic; bytes left over
    /// at the close are an error too.
    pub fn read_frame(&mut self, deadline: Instant) -> Result<Option<Frame>, String> {
        loop {
            if let [_, b1, ..] = self.buf[..]
                && b1 & 0x80 != 0
            {
                return Err(format!(
                    "the server sent a masked frame (servers must not mask): {}",
                    preview(&self.buf)
                ));
            }
            if let Some(frame) = self.parse() {
                return Ok(Some(frame));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "nothing more before the deadline; received meanwhile {}",
                    preview(&self.buf)
                ));
            }
            self.stream
                .set_read_timeout(Some(left))
                .map_err(|e| e.to_string())?;
            let mut chunk = [0u8; 16 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => {}
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    continue;
                }
                Err(e) if is_reset(&e) => {}
                Err(e) if is_timeout(&e) || e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("reading a frame: {e}")),
            }
            // Closed.
            return if self.buf.is_empty() {
                Ok(None)
            } else {
                Err(format!(
                    "the server closed the connection in the middle of a frame: {}",
                    preview(&self.buf)
                ))
            };
        }
    }

    /// Sends one masked frame with first byte `b0`.
    pub fn send_frame(&mut self, b0: u8, payload: &[u8]) {
        self.try_send_frame(b0, payload)
            .unwrap_or_else(|e| panic!("send a frame: {e}"));
    }

    /// [`Socket::send_frame`] that reports a failed write.
    pub fn try_send_frame(&mut self, b0: u8, payload: &[u8]) -> io::Result<()> {
        self.stream.write_all(&encode(b0, payload))
    }

    /// Sends a text message.
    pub fn send_text(&mut self, text: &str) {
        self.send_frame(0x81, text.as_bytes());
    }

    /// Sends a binary message.
    pub fn send_binary(&mut self, data: &[u8]) {
        self.send_frame(0x82, data);
    }

    /// Sends a close frame with `code`.
    pub fn send_close(&mut self, code: u16) {
        self.send_frame(0x88, &code.to_be_bytes());
    }

    /// The next frame; panics if none comes within the deadline.
    pub fn recv(&mut self) -> Frame {
        match self.try_recv(IO_TIMEOUT) {
            Ok(Some(frame)) => frame,
            Ok(None) => panic!("the server closed the connection"),
            Err(e) => panic!("no frame: {e}"),
        }
    }

    /// The next frame within `within`; `None` once the server closed.
    pub fn try_recv(&mut self, within: Duration) -> io::Result<Option<Frame>> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(frame) = self.parse() {
                return Ok(Some(frame));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(io::ErrorKind::TimedOut.into());
            }
            self.stream.set_read_timeout(Some(left))?;
            let mut chunk = [0u8; 16 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Ok(None),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return Ok(None),
                Err(e) => return Err(e),
            }
        }
    }

    /// Waits for the server to close the connection, skipping frames;
    /// returns the close code it sent, if any.
    pub fn closed(&mut self) -> Option<u16> {
        let mut code = None;
        while let Some(frame) = self
            .try_recv(IO_TIMEOUT)
            .unwrap_or_else(|e| panic!("the server did not close: {e}"))
        {
            if frame.opcode() == 8 {
                code = frame.close_code().or(Some(1005));
            }
        }
        code
    }

    /// The TCP stream, to stop reading from it (a slow client) or to
    /// break it.
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    fn parse(&mut self) -> Option<Frame> {
        let [b0, b1, ..] = self.buf[..] else {
            return None;
        };
        assert_eq!(b1 & 0x80, 0, "a server frame must not be masked");
        let (len, at) = match b1 {
            126 => (
                usize::from(u16::from_be_bytes(self.buf.get(2..4)?.try_into().ok()?)),
                4,
            ),
            127 => (
                usize::try_from(u64::from_be_bytes(self.buf.get(2..10)?.try_into().ok()?)).ok()?,
                10,
            ),
            n => (usize::from(n), 2),
        };
        if self.buf.len() < at + len {
            return None;
        }
        let payload = self.buf[at..at + len].to_vec();
        self.buf.drain(..at + len);
        Some(Frame { b0, payload })
    }
}

impl std::fmt::Debug for Socket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Socket")
            .field("status", &self.response.status)
            .field("buffered", &self.buf.len())
            .finish_non_exhaustive()
    }
}

/// A masked client frame.
pub fn encode(b0: u8, payload: &[u8]) -> Vec<u8> {
    let key = [0x5A, 0x3C, 0x96, 0x0F];
    let mut frame = vec![b0];
    match payload.len() {
        n if n < 126 => frame.push(0x80 | n as u8),
        n if n <= 0xFFFF => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&key);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    frame
}

/// An unmasked frame, as a server sends it (and a client must not).
///
/// ```
/// assert_eq!(mocket_testkit::ws::encode_unmasked(0x81, b"hi"), b"\x81\x02hi");
/// ```
pub fn encode_unmasked(b0: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = vec![b0];
    match payload.len() {
        n if n < 126 => frame.push(n as u8),
        n if n <= 0xFFFF => {
            frame.push(126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(payload);
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_masked_with_the_right_length_forms() {
        for len in [0usize, 125, 126, 65_535, 65_536] {
            let frame = encode(0x82, &vec![1u8; len]);
            let header = match len {
                0..=125 => 2,
                126..=65_535 => 4,
                _ => 10,
            };
            assert_eq!(frame.len(), header + 4 + len);
            assert_ne!(frame[1] & 0x80, 0);
        }
    }
}
