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

use crate::http1::{IO_TIMEOUT, Parsed, Response, parse_response};

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
        "GET {path} HTTP/1.1\r\nhost: test\r\nconnection: Upgrade\r\nupgrade: websocket\r\n\
         sec-websocket-version: 13\r\nsec-websocket-key: {KEY}\r\n{extra}\r\n"
    )
    .into_bytes()
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
