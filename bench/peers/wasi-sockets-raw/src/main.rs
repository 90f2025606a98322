//! The benchmark routes of ROUTES.md as a raw HTTP/1.1 server on
//! `wasi:sockets`: a `wasm32-wasip2` command that binds 127.0.0.1:$PORT
//! through `wstd`'s `TcpListener`, parses request heads with `httparse` and
//! answers through the same hand-written match as the raw `wasi:http`
//! component (`peer_common::raw::route`). No framework, no HTTP library
//! beyond the head parser. Run with `wasmtime run -S inherit-network -S tcp
//! --env PORT=… peer-wasi-sockets-raw.wasm`.
//!
//! Why it is the baseline of `mocket-wasi-sockets`: Mocket's sockets mode
//! owns its connections too (hyper's HTTP/1.1 server on `wasi:sockets`, in
//! the same host), so the raw `wasi:http` component, whose connections
//! `wasmtime serve` owns, measures something else. This server is what a
//! hand-written server in that same place costs: one task per connection,
//! keep-alive, a read buffer reused from request to request, the body read
//! by `content-length` (or decoded when chunked), the whole answer written
//! at once. It does only what HTTP/1.1 needs for that: a malformed head
//! gets 400 and the connection closes, a body over 1 MiB 413 (for the
//! routes that read one), `connection: close` is honoured.
//!
//! Known, and measured: under concurrent load (wrk at 64 connections, and
//! at 256 outright) wstd 0.6's `block_on` starves wasmtime's tokio budget,
//! as backends/wasi/README.md ("The executor (and the livelock it fixed)")
//! describes for Mocket's first sockets mode: the figures show the runtime
//! it runs on, not the HTTP loop.

use std::io;

use httparse::Status;
use peer_common::raw::{self, BODY_LIMIT, Res};
use wstd::io::{AsyncRead, AsyncWrite};
use wstd::iter::AsyncIterator;
use wstd::net::{TcpListener, TcpStream};

/// The read buffer's size to begin with: any bench request head fits.
const BUF: usize = 8 * 1024;
/// The largest request head read; a larger one is answered 431, as hyper
/// (Mocket's HTTP/1.1 server) does.
const MAX_HEAD: usize = 64 * 1024;
/// The most headers a request may have (431 beyond).
const MAX_HEADERS: usize = 64;

#[wstd::main]
async fn main() -> io::Result<()> {
    let listener = TcpListener::bind(&format!("127.0.0.1:{}", peer_common::port())).await?;
    // Built once at start, so no request pays for it.
    raw::static_routes();
    println!("Listening on http://{}", listener.local_addr()?);
    let mut incoming = listener.incoming();
    while let Some(conn) = incoming.next().await {
        match conn {
            Ok(stream) => wstd::runtime::spawn(serve(stream)).detach(),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            // Out of descriptors or the like: back off rather than spin.
            Err(_) => {
                wstd::task::sleep(wstd::time::Duration::from_millis(50)).await;
            }
        }
    }
    Ok(())
}

/// How a request's body is framed.
enum Framing {
    None,
    Length(usize),
    Chunked,
    /// A `content-length` over [`BODY_LIMIT`]: never read.
    TooLarge,
}

/// What the head says beyond method and target.
struct Head {
    framing: Framing,
    /// The connection ends after this answer.
    close: bool,
    /// HTTP/1.0: a connection kept open must say so.
    http10: bool,
    expect_continue: bool,
}

/// Why a body could not be read.
enum BodyError {
    /// The connection broke or ended: nobody to answer.
    Gone,
    /// Over [`BODY_LIMIT`] (413).
    TooLarge,
    /// Broken chunked framing (400).
    Bad,
}

/// What follows one answered request.
enum Next {
    /// Keep the connection; this many bytes of the buffer were the request's.
    Used(usize),
    /// Keep the connection; a chunked body was decoded from a copy of the
    /// buffer, and these bytes, read past its end, are the next request's.
    Rest(Vec<u8>),
    Close,
}

/// Serves one connection: its requests in turn, until either side closes.
async fn serve(stream: TcpStream) {
    let mut buf = vec![0; BUF];
    // Read and not yet used: buf[start..end].
    let (mut start, mut end) = (0, 0);
    // The answer being written, reused.
    let mut out = Vec::with_capacity(BUF);
    loop {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut req = httparse::Request::new(&mut headers);
        match req.parse(&buf[start..end]) {
            Ok(Status::Complete(head_len)) => {
                let tail = &buf[start + head_len..end];
                match answer(&req, tail, &stream, &mut out).await {
                    Next::Used(n) => start += head_len + n,
                    Next::Rest(rest) => {
                        if rest.len() > buf.len() {
                            buf.resize(rest.len(), 0);
                        }
                        buf[..rest.len()].copy_from_slice(&rest);
                        (start, end) = (0, rest.len());
                    }
                    Next::Close => return,
                }
                if start == end {
                    (start, end) = (0, 0);
                }
            }
            Ok(Status::Partial) => {
                if end - start >= MAX_HEAD {
                    return refuse(&stream, 431).await;
                }
                // Keep the partial head at the front, and room after it.
                if start > 0 {
                    buf.copy_within(start..end, 0);
                    (start, end) = (0, end - start);
                }
                if end == buf.len() {
                    buf.resize((buf.len() * 2).min(MAX_HEAD), 0);
                }
                match (&stream).read(&mut buf[end..]).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => end += n,
                }
            }
            Err(httparse::Error::TooManyHeaders) => return refuse(&stream, 431).await,
            Err(_) => return refuse(&stream, 400).await,
        }
    }
}

/// Reads the body of `req` (whose head is parsed; `tail` is what the buffer
/// holds after it), routes it and writes the answer.
async fn answer(
    req: &httparse::Request<'_, '_>,
    tail: &[u8],
    stream: &TcpStream,
    out: &mut Vec<u8>,
) -> Next {
    let Some(mut head) = head(req) else {
        refuse(stream, 400).await;
        return Next::Close;
    };
    if head.expect_continue && matches!(head.framing, Framing::Length(_) | Framing::Chunked) {
        let mut w = stream;
        if w.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await.is_err() {
            return Next::Close;
        }
    }
    let (body, next) = match head.framing {
        Framing::None => (Ok(Vec::new()), Next::Used(0)),
        Framing::Length(n) => match read_exact(stream, tail, n).await {
            Some(body) => (Ok(body), Next::Used(n.min(tail.len()))),
            None => return Next::Close,
        },
        Framing::Chunked => match read_chunked(stream, tail).await {
            Ok((body, rest)) => (Ok(body), Next::Rest(rest)),
            Err(BodyError::Gone) => return Next::Close,
            Err(e) => (Err(e), Next::Close),
        },
        Framing::TooLarge => (Err(BodyError::TooLarge), Next::Close),
    };
    // A body left unread or broken leaves the connection out of step.
    head.close |= matches!(next, Next::Close);
    let body = body.map_err(|e| match e {
        BodyError::TooLarge => raw::status(413),
        _ => raw::status(400),
    });
    let method = req.method.unwrap_or_default();
    let res = raw::route(
        method,
        req.path.unwrap_or_default(),
        || {
            req.headers
                .iter()
                .filter(|h| h.name.eq_ignore_ascii_case("content-type"))
                .map(|h| h.value)
        },
        move || body,
    );
    let connection = if head.close {
        Some("close")
    } else if head.http10 {
        Some("keep-alive")
    } else {
        None
    };
    encode(out, &res, method == "HEAD", connection);
    let mut w = stream;
    if w.write_all(out).await.is_err() {
        return Next::Close;
    }
    if head.close {
        // A write completes in the host after `write` returns: wait for it
        // before the socket is shut down.
        let _ = w.flush().await;
        return Next::Close;
    }
    next
}

/// The comma-separated tokens of a header value.
fn tokens(v: &[u8]) -> impl Iterator<Item = &str> {
    std::str::from_utf8(v)
        .unwrap_or("")
        .split(',')
        .map(str::trim)
}

/// The framing and connection handling the head asks for; `None` for a
/// head that cannot be served (400).
fn head(req: &httparse::Request<'_, '_>) -> Option<Head> {
    let mut length: Option<usize> = None;
    let mut chunked = None;
    let mut close = false;
    let mut keep_alive = false;
    let mut expect_continue = false;
    for h in req.headers.iter() {
        let name = h.name;
        if name.eq_ignore_ascii_case("content-length") {
            let n = std::str::from_utf8(h.value).ok()?.trim().parse().ok()?;
            // Two lengths that disagree frame nothing.
            if length.is_some_and(|l| l != n) {
                return None;
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // Chunked only if it is the last coding.
            chunked = Some(
                tokens(h.value)
                    .last()
                    .is_some_and(|t| t.eq_ignore_ascii_case("chunked")),
            );
        } else if name.eq_ignore_ascii_case("connection") {
            for t in tokens(h.value) {
                close |= t.eq_ignore_ascii_case("close");
                keep_alive |= t.eq_ignore_ascii_case("keep-alive");
            }
        } else if name.eq_ignore_ascii_case("expect") {
            expect_continue = h.value.eq_ignore_ascii_case(b"100-continue");
        }
    }
    let framing = match (chunked, length) {
        (Some(true), Some(_)) => {
            // Both: the coding wins, and the connection ends after (RFC 9112).
            close = true;
            Framing::Chunked
        }
        (Some(true), None) => Framing::Chunked,
        (Some(false), _) => return None,
        (None, Some(0)) | (None, None) => Framing::None,
        (None, Some(n)) if n > BODY_LIMIT => Framing::TooLarge,
        (None, Some(n)) => Framing::Length(n),
    };
    // HTTP/1.0 closes unless asked not to.
    let http10 = req.version == Some(0);
    close |= http10 && !keep_alive;
    Some(Head {
        framing,
        close,
        http10,
        expect_continue,
    })
}

/// A body of `n` bytes: what `tail` holds of it, then read straight into
/// the body. `None`: the connection ended first.
async fn read_exact(stream: &TcpStream, tail: &[u8], n: usize) -> Option<Vec<u8>> {
    let have = n.min(tail.len());
    let mut body = Vec::with_capacity(n);
    body.extend_from_slice(&tail[..have]);
    body.resize(n, 0);
    let mut got = have;
    let mut r = stream;
    while got < n {
        match r.read(&mut body[got..]).await {
            Ok(0) | Err(_) => return None,
            Ok(k) => got += k,
        }
    }
    Some(body)
}

/// Decodes a chunked body, from a copy of `tail` and what is read after it;
/// the body and the bytes read past its end. Trailers are skipped.
async fn read_chunked(stream: &TcpStream, tail: &[u8]) -> Result<(Vec<u8>, Vec<u8>), BodyError> {
    let mut raw = tail.to_vec();
    let mut pos = 0;
    let mut body = Vec::new();
    // Reads more into `raw`, dropping what is decoded already.
    async fn more(stream: &TcpStream, raw: &mut Vec<u8>, pos: &mut usize) -> Result<(), BodyError> {
        raw.drain(..*pos);
        *pos = 0;
        let at = raw.len();
        raw.resize(at + BUF, 0);
        let mut r = stream;
        match r.read(&mut raw[at..]).await {
            Ok(0) | Err(_) => Err(BodyError::Gone),
            Ok(k) => {
                raw.truncate(at + k);
                Ok(())
            }
        }
    }
    loop {
        match httparse::parse_chunk_size(&raw[pos..]) {
            Ok(Status::Complete((used, 0))) => {
                pos += used;
                break;
            }
            Ok(Status::Complete((used, size))) => {
                pos += used;
                let size = usize::try_from(size).map_err(|_| BodyError::TooLarge)?;
                if body.len() + size > BODY_LIMIT {
                    return Err(BodyError::TooLarge);
                }
                // The chunk and its CRLF.
                while raw.len() - pos < size + 2 {
                    more(stream, &mut raw, &mut pos).await?;
                }
                body.extend_from_slice(&raw[pos..pos + size]);
                if &raw[pos + size..pos + size + 2] != b"\r\n" {
                    return Err(BodyError::Bad);
                }
                pos += size + 2;
            }
            // A chunk-size line longer than a head may be is no chunk size.
            Ok(Status::Partial) if raw.len() - pos > MAX_HEAD => return Err(BodyError::Bad),
            Ok(Status::Partial) => more(stream, &mut raw, &mut pos).await?,
            Err(_) => return Err(BodyError::Bad),
        }
    }
    // Trailer lines, up to the empty one.
    let mut trailers = 0;
    loop {
        match raw[pos..].windows(2).position(|w| w == b"\r\n") {
            Some(0) => {
                pos += 2;
                return Ok((body, raw.split_off(pos)));
            }
            Some(i) => {
                trailers += i + 2;
                pos += i + 2;
            }
            None if trailers + raw.len() - pos > MAX_HEAD => return Err(BodyError::Bad),
            None => more(stream, &mut raw, &mut pos).await?,
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "",
    }
}

/// Appends `n` in decimal.
fn push_num(out: &mut Vec<u8>, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// The whole answer, head and body, into `out` (cleared first), with a
/// `connection` header when one is given.
fn encode(out: &mut Vec<u8>, res: &Res, head_only: bool, connection: Option<&str>) {
    out.clear();
    out.extend_from_slice(b"HTTP/1.1 ");
    push_num(out, res.status.into());
    out.push(b' ');
    out.extend_from_slice(reason(res.status).as_bytes());
    out.extend_from_slice(b"\r\n");
    for (name, value) in &res.headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"content-length: ");
    push_num(out, res.body.len());
    out.extend_from_slice(b"\r\n");
    if let Some(c) = connection {
        out.extend_from_slice(b"connection: ");
        out.extend_from_slice(c.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !head_only {
        out.extend_from_slice(&res.body);
    }
}

/// Answers a head that cannot be served with `status`, then closes.
async fn refuse(stream: &TcpStream, status: u16) {
    let mut out = Vec::new();
    encode(&mut out, &raw::status(status), false, Some("close"));
    let mut w = stream;
    if w.write_all(&out).await.is_ok() {
        let _ = w.flush().await;
    }
}
