//! Helpers shared by the real-socket tests: starting servers, a small raw
//! HTTP/1.1 client that never hangs, and an HTTP/2 client.

#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo};
use mocket_core::{Error, Mocket};
use mocket_native::{Server, ServerHandle};

/// How long any single socket read or write may block before the test
/// fails instead of hanging.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// Binds `app` on 127.0.0.1 with a free port and serves it on background
/// threads.
pub fn start(app: Mocket) -> ServerHandle {
    Server::bind(app, "127.0.0.1:0")
        .expect("bind 127.0.0.1:0")
        .spawn()
        .expect("spawn the server")
}

/// The routes most tests use:
///
/// - `GET /` → `hello`
/// - `GET /echo/:name` → the decoded parameter
/// - `POST /echo` → the request body (within the body limit)
/// - `GET /sleep/:ms` → sleeps `ms` milliseconds (tokio timer), then `slept`
/// - `GET /panic` → panics with `secret panic detail`
pub fn test_app() -> Mocket {
    let mut app = Mocket::new();
    app.get("/", |_req| async { "hello" });
    app.get("/echo/:name", |req| async move {
        req.try_param("name").unwrap_or_default().to_owned()
    });
    app.post("/echo", |mut req| async move {
        let body = req.bytes().await?;
        Ok(body)
    });
    app.get("/sleep/:ms", |req| async move {
        let ms: u64 = req
            .try_param("ms")
            .unwrap_or_default()
            .parse()
            .map_err(|_| Error::bad_request("ms must be a number"))?;
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok("slept")
    });
    app.get("/panic", |_req| async { boom() });
    app
}

fn boom() -> &'static str {
    panic!("secret panic detail")
}

/// A signal a handler sends when it starts, so a test knows a request is
/// in flight without sleeping.
#[derive(Clone)]
pub struct Started(Arc<Mutex<mpsc::Sender<()>>>);

impl Started {
    pub fn new() -> (Started, mpsc::Receiver<()>) {
        let (tx, rx) = mpsc::channel();
        (Started(Arc::new(Mutex::new(tx))), rx)
    }

    pub fn signal(&self) {
        let _ = self.0.lock().expect("signal lock").send(());
    }
}

/// Waits for a [`Started`] signal, failing the test after [`IO_TIMEOUT`].
pub fn wait_started(rx: &mpsc::Receiver<()>) {
    rx.recv_timeout(IO_TIMEOUT)
        .expect("the handler never started");
}

/// A request and its framed response, as read off the wire.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub version: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as (lossy) text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One client connection speaking raw bytes, with every read and write
/// bounded by [`IO_TIMEOUT`].
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    pub fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)
            .unwrap_or_else(|e| panic!("cannot connect to {addr}: {e}"));
        stream
            .set_read_timeout(Some(IO_TIMEOUT))
            .expect("set read timeout");
        stream
            .set_write_timeout(Some(IO_TIMEOUT))
            .expect("set write timeout");
        let _ = stream.set_nodelay(true);
        Conn {
            stream,
            buf: Vec::new(),
        }
    }

    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Writes all of `bytes`, failing the test if the server refuses them.
    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write to the server");
    }

    /// Writes all of `bytes`, returning the error (the server may close
    /// early on purpose).
    pub fn try_send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    /// Reads one complete response (the request was not HEAD).
    pub fn response(&mut self) -> RawResponse {
        self.read_response(false)
    }

    /// Reads one complete response to a HEAD request (no body follows).
    pub fn head_response(&mut self) -> RawResponse {
        self.read_response(true)
    }

    fn read_response(&mut self, head_request: bool) -> RawResponse {
        loop {
            if let Some((res, used)) = parse_response(&self.buf, head_request, false) {
                self.buf.drain(..used);
                return res;
            }
            match self.fill() {
                Ok(0) => {
                    if let Some((res, used)) = parse_response(&self.buf, head_request, true) {
                        self.buf.drain(..used);
                        return res;
                    }
                    panic!(
                        "the server closed the connection before a complete response; got {:?}",
                        String::from_utf8_lossy(&self.buf)
                    );
                }
                Ok(_) => {}
                Err(e) => panic!(
                    "reading a response failed: {e} ({:?}); got so far {:?}",
                    e.kind(),
                    String::from_utf8_lossy(&self.buf)
                ),
            }
        }
    }

    fn fill(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk)?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    /// Waits until the server closes the connection (end of stream or a
    /// reset) and returns any bytes it sent before. Fails the test if the
    /// connection is still open after `within`.
    pub fn wait_closed(&mut self, within: Duration) -> Vec<u8> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                panic!(
                    "the connection is still open after {within:?}; got {:?}",
                    String::from_utf8_lossy(&self.buf)
                );
            }
            self.stream
                .set_read_timeout(Some(left))
                .expect("set read timeout");
            match self.fill() {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if is_reset(&e) => break,
                Err(e) if is_timeout(&e) => {}
                Err(e) => panic!("waiting for the server to close: {e}"),
            }
        }
        self.stream
            .set_read_timeout(Some(IO_TIMEOUT))
            .expect("set read timeout");
        std::mem::take(&mut self.buf)
    }
}

pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

pub fn is_reset(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
    )
}

/// Sends `bytes` on a new connection and returns what came back: one
/// complete response, or everything received until the server closed.
/// Never hangs: a server that neither answers nor closes within
/// [`IO_TIMEOUT`] fails the test.
pub fn send_raw(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut conn = Conn::open(addr);
    // The server may answer and close before reading everything (431, 413).
    let _ = conn.try_send(bytes);
    loop {
        if let Some((_, used)) = parse_response(&conn.buf, false, false) {
            return String::from_utf8_lossy(&conn.buf[..used]).into_owned();
        }
        match conn.fill() {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if is_reset(&e) => break,
            Err(e) => panic!(
                "reading a response failed: {e}; got so far {:?}",
                String::from_utf8_lossy(&conn.buf)
            ),
        }
    }
    String::from_utf8_lossy(&conn.buf).into_owned()
}

/// The status code of a raw response text, or 0 if it has none.
pub fn status_of(raw: &str) -> u16 {
    raw.strip_prefix("HTTP/1.1 ")
        .or_else(|| raw.strip_prefix("HTTP/1.0 "))
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}

/// A bodiless GET request for `path`.
pub fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nhost: test\r\n\r\n").into_bytes()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Parses one response from the front of `buf`: `None` until it is complete.
/// `eof` says the server has closed, which ends a body of unknown length.
pub fn parse_response(buf: &[u8], head_request: bool, eof: bool) -> Option<(RawResponse, usize)> {
    let head_end = find(buf, b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buf[..head_end - 4]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default().to_owned();
    let status: u16 = parts
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut res = RawResponse {
        version,
        status,
        headers,
        body: Vec::new(),
    };
    let rest = &buf[head_end..];
    if head_request || status / 100 == 1 || status == 204 || status == 304 {
        return Some((res, head_end));
    }
    let chunked = res
        .header("transfer-encoding")
        .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
    if chunked {
        let (body, used) = decode_chunked(rest)?;
        res.body = body;
        return Some((res, head_end + used));
    }
    if let Some(len) = res.header("content-length") {
        let len: usize = len.parse().expect("numeric content-length");
        if rest.len() < len {
            return None;
        }
        res.body = rest[..len].to_vec();
        return Some((res, head_end + len));
    }
    if eof {
        res.body = rest.to_vec();
        return Some((res, buf.len()));
    }
    None
}

/// Decodes a complete chunked body (trailers ignored): `None` if incomplete.
fn decode_chunked(mut buf: &[u8]) -> Option<(Vec<u8>, usize)> {
    let start = buf.len();
    let mut body = Vec::new();
    loop {
        let line_end = find(buf, b"\r\n")?;
        let size_text = String::from_utf8_lossy(&buf[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_text, 16)
            .unwrap_or_else(|_| panic!("bad chunk size {size_text:?}"));
        buf = &buf[line_end + 2..];
        if size == 0 {
            // Trailers, then an empty line.
            loop {
                let end = find(buf, b"\r\n")?;
                buf = &buf[end + 2..];
                if end == 0 {
                    return Some((body, start - buf.len()));
                }
            }
        }
        if buf.len() < size + 2 {
            return None;
        }
        body.extend_from_slice(&buf[..size]);
        buf = &buf[size + 2..];
    }
}

/// Encodes `body` as chunks of at most `chunk` bytes, with the final chunk.
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

/// Runs `fut` on a fresh current-thread runtime, failing the test if it
/// takes longer than twice [`IO_TIMEOUT`].
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    rt.block_on(async {
        tokio::time::timeout(IO_TIMEOUT * 2, fut)
            .await
            .expect("the async part of the test timed out")
    })
}

/// Opens an HTTP/2 connection with prior knowledge (no upgrade, no TLS).
/// Call inside [`block_on`]: the connection's task runs on that runtime.
pub async fn h2_connect(addr: SocketAddr) -> SendRequest<Full<Bytes>> {
    h2_connect_watched(addr).await.0
}

/// Like [`h2_connect`], also returning the connection's task, which ends
/// when the server closes the connection.
pub async fn h2_connect_watched(
    addr: SocketAddr,
) -> (
    SendRequest<Full<Bytes>>,
    tokio::task::JoinHandle<Result<(), hyper::Error>>,
) {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connect for HTTP/2");
    let (sender, conn) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
            .await
            .expect("HTTP/2 handshake");
    (sender, tokio::spawn(conn))
}

/// Sends one request over HTTP/2 and reads the whole response.
pub async fn h2_send(
    sender: &mut SendRequest<Full<Bytes>>,
    req: http::Request<Full<Bytes>>,
) -> (http::response::Parts, Bytes) {
    sender.ready().await.expect("HTTP/2 connection ready");
    let res = sender.send_request(req).await.expect("HTTP/2 response");
    let (parts, body) = res.into_parts();
    let body = body.collect().await.expect("HTTP/2 body").to_bytes();
    (parts, body)
}

/// A bodiless HTTP/2 GET for `path`.
pub fn h2_get(path: &str) -> http::Request<Full<Bytes>> {
    http::Request::get(format!("http://test{path}"))
        .body(Full::new(Bytes::new()))
        .expect("valid request")
}
