//! A raw-TCP HTTP/1.1 client that writes exact bytes and reads exactly what
//! comes back.
//!
//! It exists so that the suite sees the wire, not a library's idea of it:
//! repeated headers stay repeated, a body the server should not send is
//! noticed, and a connection the server closes is detected. Every read runs
//! against a deadline; nothing here can hang a test.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// How long connecting, each write, and waiting for one response may take.
pub const IO_TIMEOUT: Duration = Duration::from_secs(20);

/// One response header as received: the name as sent, the value's raw bytes
/// (surrounding whitespace trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The name, in the case the server wrote it.
    pub name: String,
    /// The value's bytes.
    pub value: Vec<u8>,
}

/// A response read off the wire.
#[derive(Debug, Clone)]
pub struct Response {
    /// `HTTP/1.1` or `HTTP/1.0`.
    pub version: String,
    /// The status code.
    pub status: u16,
    /// The reason phrase (may be empty).
    pub reason: String,
    /// Every header line, in order, repeats kept.
    pub headers: Vec<Header>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of `name` (case-insensitive), as text (`None` also
    /// when it is not UTF-8: see [`Response::header_bytes`]).
    ///
    /// ```
    /// use mocket_testkit::http1::{parse_response, Parsed};
    /// let raw = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: 1\r\n\r\nhi";
    /// let Parsed::Complete(res, _) = parse_response(raw, false, false).unwrap() else { panic!() };
    /// assert_eq!(res.header("x-a").as_deref(), Some("1"));
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_bytes(name)
            .and_then(|v| std::str::from_utf8(v).ok())
    }

    /// The first value of `name` (case-insensitive), as bytes.
    pub fn header_bytes(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| &h.value[..])
    }

    /// Every value of `name` (case-insensitive), in order.
    ///
    /// ```
    /// use mocket_testkit::http1::{parse_response, Parsed};
    /// let raw = b"HTTP/1.1 204 No Content\r\nset-cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n";
    /// let Parsed::Complete(res, _) = parse_response(raw, false, false).unwrap() else { panic!() };
    /// assert_eq!(res.header_all("set-cookie"), ["a=1", "b=2"]);
    /// ```
    pub fn header_all(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(&h.value).into_owned())
            .collect()
    }

    /// The body as lossy text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Why no response could be read.
#[derive(Debug)]
pub enum ReadError {
    /// The deadline passed first.
    Timeout {
        /// What had arrived by then.
        received: Vec<u8>,
    },
    /// The server closed (or reset) the connection before a complete
    /// response.
    Closed {
        /// What had arrived before.
        received: Vec<u8>,
    },
    /// The bytes are not an HTTP/1.x response.
    Malformed {
        /// What is wrong.
        reason: String,
        /// The bytes in question.
        received: Vec<u8>,
    },
    /// Any other socket error.
    Io(io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Timeout { received } => write!(
                f,
                "no complete response before the deadline; received {}",
                preview(received)
            ),
            ReadError::Closed { received } => write!(
                f,
                "the server closed the connection before a complete response; received {}",
                preview(received)
            ),
            ReadError::Malformed { reason, received } => {
                write!(
                    f,
                    "malformed response ({reason}); received {}",
                    preview(received)
                )
            }
            ReadError::Io(e) => write!(f, "socket error: {e}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// At most 300 bytes of `bytes`, escaped, for failure messages.
///
/// ```
/// assert_eq!(mocket_testkit::http1::preview(b"a\r\n"), "\"a\\r\\n\" (3 bytes)");
/// ```
pub fn preview(bytes: &[u8]) -> String {
    const MAX: usize = 300;
    let shown = &bytes[..bytes.len().min(MAX)];
    let text: String = shown.escape_ascii().to_string();
    if bytes.len() > MAX {
        format!("\"{text}\"… ({} bytes)", bytes.len())
    } else {
        format!("\"{text}\" ({} bytes)", bytes.len())
    }
}

/// How a connection ended when [`Conn::wait_closed`] was asked.
#[derive(Debug, PartialEq, Eq)]
pub enum Closing {
    /// The server closed (end of stream or reset); any bytes it sent after
    /// the last response are returned.
    Closed(Vec<u8>),
    /// Still open at the deadline; bytes received meanwhile are returned.
    StillOpen(Vec<u8>),
}

/// One client connection. Two ways to use it: the `Result` methods
/// ([`Conn::connect`], [`Conn::try_send`], [`Conn::read_response`],
/// [`Conn::wait_closed`]) for code that reports failures itself (the
/// conformance suite), and the panicking ones ([`Conn::open`],
/// [`Conn::send`], [`Conn::response`], [`Conn::closed_within`]) for tests,
/// where a failure should name what was received.
#[derive(Debug)]
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    eof: bool,
}

impl Conn {
    /// Connects within [`IO_TIMEOUT`].
    pub fn connect(addr: SocketAddr) -> io::Result<Conn> {
        let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
        stream.set_write_timeout(Some(IO_TIMEOUT))?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            buf: Vec::new(),
            eof: false,
        })
    }

    /// Connects, failing the test if it cannot.
    pub fn open(addr: SocketAddr) -> Conn {
        Conn::connect(addr).unwrap_or_else(|e| panic!("cannot connect to {addr}: {e}"))
    }

    /// The socket, for tests that shut down one half or read options.
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Writes all of `bytes`. A server may legitimately close early (a 413
    /// or 431 before the rest is sent), so callers decide what a failed
    /// write means.
    pub fn try_send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    /// Writes all of `bytes`, failing the test if the server refuses them.
    pub fn send(&mut self, bytes: &[u8]) {
        self.try_send(bytes)
            .unwrap_or_else(|e| panic!("cannot write to the server: {e}"));
    }

    /// Reads the next response; `head_request` says it answers a HEAD (so
    /// no body follows whatever the headers say). Interim 1xx responses are
    /// returned like any other.
    pub fn read_response(
        &mut self,
        head_request: bool,
        deadline: Instant,
    ) -> Result<Response, ReadError> {
        loop {
            match parse_response(&self.buf, head_request, self.eof) {
                Ok(Parsed::Complete(res, used)) => {
                    self.buf.drain(..used);
                    return Ok(res);
                }
                Ok(Parsed::Incomplete) if self.eof => {
                    return Err(ReadError::Closed {
                        received: std::mem::take(&mut self.buf),
                    });
                }
                Ok(Parsed::Incomplete) => {}
                Err(reason) => {
                    return Err(ReadError::Malformed {
                        reason,
                        received: std::mem::take(&mut self.buf),
                    });
                }
            }
            match self.fill(deadline) {
                Ok(true) => {}
                Ok(false) => {
                    return Err(ReadError::Timeout {
                        received: std::mem::take(&mut self.buf),
                    });
                }
                Err(e) if is_reset(&e) => self.eof = true,
                Err(e) => return Err(ReadError::Io(e)),
            }
        }
    }

    /// The next response (1xx included) within [`IO_TIMEOUT`]; `head` for
    /// a HEAD request. Fails the test with what arrived if there is none.
    pub fn response_to(&mut self, head: bool) -> Response {
        self.read_response(head, Instant::now() + IO_TIMEOUT)
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The next response to a request that was not HEAD.
    pub fn response(&mut self) -> Response {
        self.response_to(false)
    }

    /// The next response to a HEAD request (no body follows).
    pub fn head_response(&mut self) -> Response {
        self.response_to(true)
    }

    /// The next final (non-1xx) response, skipping interim ones.
    pub fn final_response(&mut self, head: bool) -> Response {
        loop {
            let res = self.response_to(head);
            if !(100..200).contains(&res.status) {
                return res;
            }
        }
    }

    /// Sends `request` and reads its final response (HEAD requests are
    /// recognised by their first bytes).
    ///
    /// ```no_run
    /// use mocket_testkit::http1::{Conn, get_request};
    /// let mut conn = Conn::open("127.0.0.1:3000".parse().unwrap());
    /// assert_eq!(conn.exchange(&get_request("/")).status, 200);
    /// ```
    pub fn exchange(&mut self, request: &[u8]) -> Response {
        self.send(request);
        self.final_response(request.starts_with(b"HEAD "))
    }

    /// Waits until the server closes the connection or `deadline` passes.
    pub fn wait_closed(&mut self, deadline: Instant) -> io::Result<Closing> {
        while !self.eof {
            match self.fill(deadline) {
                Ok(true) => {}
                Ok(false) => return Ok(Closing::StillOpen(std::mem::take(&mut self.buf))),
                Err(e) if is_reset(&e) => self.eof = true,
                Err(e) => return Err(e),
            }
        }
        Ok(Closing::Closed(std::mem::take(&mut self.buf)))
    }

    /// Waits for the server to close (end of stream or reset) and returns
    /// the bytes it sent before; fails the test if it is still open after
    /// `within`.
    pub fn closed_within(&mut self, within: Duration) -> Vec<u8> {
        match self.wait_closed(Instant::now() + within) {
            Ok(Closing::Closed(rest)) => rest,
            Ok(Closing::StillOpen(got)) => panic!(
                "the connection is still open after {within:?}; received {}",
                preview(&got)
            ),
            Err(e) => panic!("waiting for the server to close: {e}"),
        }
    }

    /// Waits (up to [`IO_TIMEOUT`]) for the server to close with nothing
    /// more sent.
    pub fn expect_closed(&mut self) {
        let rest = self.closed_within(IO_TIMEOUT);
        assert!(
            rest.is_empty(),
            "bytes before the close: {}",
            preview(&rest)
        );
    }

    /// Reads until what has arrived (and is not yet consumed) contains
    /// `needle`; returns it all. Fails the test at [`IO_TIMEOUT`] or a close.
    pub fn read_until(&mut self, needle: &[u8]) -> Vec<u8> {
        let deadline = Instant::now() + IO_TIMEOUT;
        while find(&self.buf, needle).is_none() {
            let more = match self.fill(deadline) {
                Ok(more) => more && !self.eof,
                Err(_) => false,
            };
            assert!(
                more,
                "{} never came; received {}",
                preview(needle),
                preview(&self.buf)
            );
        }
        self.buf.clone()
    }

    /// Reads what is available into the buffer. `Ok(false)` means the
    /// deadline passed; end of stream sets `eof`.
    fn fill(&mut self, deadline: Instant) -> io::Result<bool> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        self.stream.set_read_timeout(Some(left))?;
        let mut chunk = [0u8; 64 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) => {
                self.eof = true;
                Ok(true)
            }
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                Ok(true)
            }
            Err(e) if is_timeout(&e) => Ok(Instant::now() < deadline),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(true),
            Err(e) => Err(e),
        }
    }
}

/// Sends `bytes` on a new connection and returns what came back as text:
/// one complete response, or everything received until the server closed.
/// Never hangs: a server that neither answers nor closes within
/// [`IO_TIMEOUT`] fails the test.
pub fn send_raw(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut conn = Conn::open(addr);
    // The server may answer and close before reading everything (431, 413).
    let _ = conn.try_send(bytes);
    let deadline = Instant::now() + IO_TIMEOUT;
    loop {
        if let Ok(Parsed::Complete(_, used)) = parse_response(&conn.buf, false, conn.eof) {
            return String::from_utf8_lossy(&conn.buf[..used]).into_owned();
        }
        if conn.eof {
            break;
        }
        match conn.fill(deadline) {
            Ok(true) => {}
            Ok(false) => panic!(
                "no response within {IO_TIMEOUT:?}; received {}",
                preview(&conn.buf)
            ),
            Err(e) if is_reset(&e) => break,
            Err(e) => panic!(
                "reading a response failed: {e}; received {}",
                preview(&conn.buf)
            ),
        }
    }
    String::from_utf8_lossy(&conn.buf).into_owned()
}

/// The status code of a raw response text, or 0 if it has none.
///
/// ```
/// use mocket_testkit::http1::status_of;
/// assert_eq!(status_of("HTTP/1.1 431 Request Header Fields Too Large\r\n"), 431);
/// assert_eq!(status_of(""), 0);
/// ```
pub fn status_of(raw: &str) -> u16 {
    raw.strip_prefix("HTTP/1.1 ")
        .or_else(|| raw.strip_prefix("HTTP/1.0 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

/// A keep-alive GET request for `target`.
///
/// ```
/// assert_eq!(mocket_testkit::http1::get_request("/a"), b"GET /a HTTP/1.1\r\nhost: mocket.test\r\n\r\n");
/// ```
pub fn get_request(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nhost: mocket.test\r\n\r\n").into_bytes()
}

/// A POST request with `body`, its `content-length` and maybe a
/// `content-type`.
pub fn post_request(target: &str, content_type: Option<&str>, body: &[u8]) -> Vec<u8> {
    let mut req = format!(
        "POST {target} HTTP/1.1\r\nhost: mocket.test\r\ncontent-length: {}\r\n",
        body.len()
    );
    if let Some(ct) = content_type {
        req.push_str(&format!("content-type: {ct}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// GET `target` on a new connection; the final response.
pub fn get(addr: SocketAddr, target: &str) -> Response {
    Conn::open(addr).exchange(&get_request(target))
}

/// `body` as chunks of at most `chunk` bytes, then the last chunk.
///
/// ```
/// assert_eq!(mocket_testkit::http1::chunked(b"abc", 2), b"2\r\nab\r\n1\r\nc\r\n0\r\n\r\n");
/// ```
pub fn chunked(body: &[u8], chunk: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for piece in body.chunks(chunk) {
        out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        out.extend_from_slice(piece);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// Whether `e` is a read or write timeout.
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Whether `e` says the peer reset or aborted the connection.
pub fn is_reset(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
    )
}

/// The result of parsing the front of a buffer.
#[derive(Debug)]
pub enum Parsed {
    /// A whole response and how many bytes it used.
    Complete(Response, usize),
    /// More bytes are needed.
    Incomplete,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Parses one response from the front of `buf`. `head_request` says no body
/// follows; `eof` says the server has closed, which ends a body that has
/// neither a length nor chunked framing.
///
/// ```
/// use mocket_testkit::http1::{parse_response, Parsed};
/// let raw = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\nHTTP/1.1";
/// let Parsed::Complete(res, used) = parse_response(raw, false, false).unwrap() else { panic!() };
/// assert_eq!((res.status, &res.body[..], used), (200, &b"hi"[..], raw.len() - 8));
/// assert!(matches!(parse_response(b"HTTP/1.1 200 OK\r\n", false, false), Ok(Parsed::Incomplete)));
/// assert!(parse_response(b"hello\r\n\r\n", false, false).is_err());
/// ```
pub fn parse_response(buf: &[u8], head_request: bool, eof: bool) -> Result<Parsed, String> {
    let Some(head_len) = find(buf, b"\r\n\r\n") else {
        // A status line that is already wrong need not wait for more bytes.
        if buf.len() >= 5 && !buf.starts_with(b"HTTP/") {
            return Err("does not start with HTTP/".into());
        }
        return Ok(Parsed::Incomplete);
    };
    let head = &buf[..head_len];
    let body_start = head_len + 4;
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default().to_owned();
    if !version.starts_with("HTTP/1.") {
        return Err(format!("bad status line {status_line:?}"));
    }
    let status = parts
        .next()
        .filter(|s| s.len() == 3)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| format!("bad status code in {status_line:?}"))?;
    let reason = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    for line in lines {
        let colon = line
            .iter()
            .position(|&b| b == b':')
            .ok_or_else(|| format!("header line without a colon: {}", preview(line)))?;
        let name = String::from_utf8_lossy(&line[..colon]).into_owned();
        if name.is_empty() || name.contains([' ', '\t']) {
            return Err(format!("bad header name in {}", preview(line)));
        }
        headers.push(Header {
            name,
            value: line[colon + 1..].trim_ascii().to_vec(),
        });
    }
    let mut res = Response {
        version,
        status,
        reason,
        headers,
        body: Vec::new(),
    };
    let rest = &buf[body_start..];
    if head_request || (100..200).contains(&status) || status == 204 || status == 304 {
        return Ok(Parsed::Complete(res, body_start));
    }
    let chunked = res
        .header_all("transfer-encoding")
        .iter()
        .any(|te| te.to_ascii_lowercase().contains("chunked"));
    if chunked {
        return Ok(match decode_chunked(rest)? {
            Some((body, used)) => {
                res.body = body;
                Parsed::Complete(res, body_start + used)
            }
            None => Parsed::Incomplete,
        });
    }
    if let Some(len) = res.header("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| format!("bad content-length {len:?}"))?;
        if rest.len() < len {
            return Ok(Parsed::Incomplete);
        }
        res.body = rest[..len].to_vec();
        return Ok(Parsed::Complete(res, body_start + len));
    }
    if eof {
        res.body = rest.to_vec();
        return Ok(Parsed::Complete(res, buf.len()));
    }
    Ok(Parsed::Incomplete)
}

/// Decodes a chunked body from the front of `buf`: `None` if incomplete.
fn decode_chunked(buf: &[u8]) -> Result<Option<(Vec<u8>, usize)>, String> {
    let mut at = 0;
    let mut body = Vec::new();
    loop {
        let Some(line_len) = find(&buf[at..], b"\r\n") else {
            return Ok(None);
        };
        let line = String::from_utf8_lossy(&buf[at..at + line_len]).into_owned();
        let size_text = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| format!("bad chunk size line {line:?}"))?;
        at += line_len + 2;
        if size == 0 {
            // Trailer lines, then an empty line.
            loop {
                let Some(end) = find(&buf[at..], b"\r\n") else {
                    return Ok(None);
                };
                at += end + 2;
                if end == 0 {
                    return Ok(Some((body, at)));
                }
            }
        }
        if buf.len() < at + size + 2 {
            return Ok(None);
        }
        body.extend_from_slice(&buf[at..at + size]);
        if &buf[at + size..at + size + 2] != b"\r\n" {
            return Err("a chunk is not followed by CRLF".into());
        }
        at += size + 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(raw: &[u8], head: bool, eof: bool) -> (Response, usize) {
        match parse_response(raw, head, eof) {
            Ok(Parsed::Complete(res, used)) => (res, used),
            other => panic!("expected a complete response, got {other:?}"),
        }
    }

    #[test]
    fn reads_content_length_bodies_and_leaves_the_rest() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabcHTTP/1.1 204 No Content\r\n\r\n";
        let (res, used) = complete(raw, false, false);
        assert_eq!(res.body, b"abc");
        let (next, _) = complete(&raw[used..], false, false);
        assert_eq!(next.status, 204);
    }

    #[test]
    fn a_head_response_has_no_body_whatever_its_length() {
        let raw = b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n";
        let (res, used) = complete(raw, true, false);
        assert_eq!((res.body.len(), used), (0, raw.len()));
    }

    #[test]
    fn decodes_chunks_with_extensions_and_trailers() {
        let raw = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n1\r\nd\r\n0\r\nx-t: 1\r\n\r\n";
        let (res, used) = complete(raw, false, false);
        assert_eq!((&res.body[..], used), (&b"abcd"[..], raw.len()));
    }

    #[test]
    fn waits_for_missing_bytes_and_reads_to_eof_without_framing() {
        let partial = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc";
        assert!(matches!(
            parse_response(partial, false, false),
            Ok(Parsed::Incomplete)
        ));
        let unframed = b"HTTP/1.0 400 Bad Request\r\n\r\nbad";
        assert!(matches!(
            parse_response(unframed, false, false),
            Ok(Parsed::Incomplete)
        ));
        let (res, _) = complete(unframed, false, true);
        assert_eq!(res.body, b"bad");
    }

    #[test]
    fn keeps_repeated_headers_and_raw_value_bytes() {
        let raw =
            b"HTTP/1.1 200 OK\r\nx-a: 1\r\nX-A: 2\r\nx-b: caf\xc3\xa9\r\ncontent-length: 0\r\n\r\n";
        let (res, _) = complete(raw, false, false);
        assert_eq!(res.header_all("x-a"), ["1", "2"]);
        assert_eq!(res.header_bytes("X-B"), Some(&b"caf\xc3\xa9"[..]));
    }

    #[test]
    fn rejects_what_is_not_http() {
        assert!(parse_response(b"hello world", false, false).is_err());
        assert!(parse_response(b"HTTP/1.1 2000 OK\r\n\r\n", false, false).is_err());
        assert!(parse_response(b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", false, false).is_err());
        let bad_chunk = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n";
        assert!(parse_response(bad_chunk, false, false).is_err());
    }
}
