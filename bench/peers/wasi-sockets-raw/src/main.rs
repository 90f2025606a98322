//! The benchmark routes of ROUTES.md as a raw HTTP/1.1 server on
//! `wasi:sockets`: a `wasm32-wasip2` command that listens on
//! 127.0.0.1:$PORT, parses request heads with `httparse` and answers
//! through the same hand-written match as the raw `wasi:http` component
//! (`peer_common::raw::route`). No framework, no async runtime crate, no
//! HTTP library beyond the head parser: TCP and the event loop are written
//! here, straight on the WASI 0.2 interfaces (the `wasip2` crate's
//! `wasi:sockets/tcp`, `wasi:io/streams` and `wasi:io/poll`). Run with
//! `wasmtime run -S inherit-network -S tcp --env PORT=… peer-wasi-sockets-raw.wasm`.
//!
//! Why it is the baseline of `mocket-wasi-sockets`: Mocket's sockets mode
//! owns its connections (hyper's HTTP/1.1 server on `wasi:sockets`, in the
//! same host), so the raw `wasi:http` component, whose connections
//! `wasmtime serve` owns, measures something else. This server is what a
//! hand-written server in that same place costs: one task per connection,
//! keep-alive and pipelining, a read buffer reused from request to request,
//! the body read by `content-length` (or decoded when chunked), the whole
//! answer written at once. It does only what HTTP/1.1 needs for that: a
//! malformed head gets 400 and the connection closes, a head over 64 KiB or
//! 64 headers 431, a body over 1 MiB 413 (for the routes that read one);
//! `connection: close`, `expect: 100-continue` and HTTP/1.0 are honoured,
//! and an answer to `HEAD` has no body (the routing, like the raw
//! component's, matches only GET and POST, so it is a 404). Like hyper it
//! sends a `date` header (the wall clock read for every answer, the text
//! formatted once a second), so both servers write the same answer. It
//! asks for a listen backlog of 1024, as Mocket does.
//!
//! Why not wstd: this server first ran on wstd 0.6 (`TcpListener`, its
//! `block_on`), and under wrk it livelocked: about 1,000 req/s at 64
//! connections, no answers at all at 256. wstd's `block_on` checks every
//! registered pollable, and an always-ready one, after every task it runs,
//! so the guest never suspends; `wasmtime run` runs the guest inside one
//! tokio task whose cooperative budget every readiness check draws on and
//! that is refilled only when that task suspends, so once it runs dry every
//! socket reads as not ready (wasmtime issue #14174; Mocket's WASI backend
//! hit the same, backends/wasi/README.md). On the executor here the same
//! HTTP code does 55,000–59,000 req/s at 64 and at 256 connections
//! (plaintext, json and post_small, `bench/run --duration 3s`, 2026-12-04).
//!
//! How it schedules (`executor.rs`): tasks woken by wakers run until none
//! is left to run; only then is `wasi:io/poll.poll` called, on the
//! pollables tasks wait on and nothing else, so an idle guest suspends in
//! the host. At most 64 go into one call; when more wait, a 1 ms timer
//! joins them and those found not ready go to the back for the next call.

mod executor;
mod tcp;

use std::cell::Cell;

use httparse::Status;
use peer_common::raw::{self, BODY_LIMIT, Res};

use tcp::Stream;

/// The read buffer's size to begin with: any bench request head fits.
const BUF: usize = 8 * 1024;
/// The largest request head read; a larger one is answered 431, as hyper
/// (Mocket's HTTP/1.1 server) does.
const MAX_HEAD: usize = 64 * 1024;
/// The most headers a request may have (431 beyond).
const MAX_HEADERS: usize = 64;

fn main() {
    let Ok(port) = peer_common::port().parse::<u16>() else {
        eprintln!("PORT is not a port number");
        std::process::exit(2);
    };
    executor::run(async move {
        let listener = match tcp::Listener::bind(port).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("cannot listen on 127.0.0.1:{port}: {e}");
                std::process::exit(1);
            }
        };
        // Built once at start, so no request pays for it.
        raw::static_routes();
        println!(
            "Listening on http://127.0.0.1:{}",
            listener.port().unwrap_or(port)
        );
        loop {
            match listener.accept().await {
                Ok(stream) => executor::spawn(serve(stream)),
                // Out of descriptors or the like: back off rather than spin.
                Err(_) => executor::sleep(50_000_000).await,
            }
        }
    });
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
async fn serve(stream: Stream) {
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
                match stream.read(&mut buf[end..]).await {
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
    stream: &Stream,
    out: &mut Vec<u8>,
) -> Next {
    let Some(mut head) = head(req) else {
        refuse(stream, 400).await;
        return Next::Close;
    };
    // The client waits for this before it sends the body.
    let wants_body = matches!(head.framing, Framing::Length(_) | Framing::Chunked);
    if head.expect_continue && wants_body {
        let sent = stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await;
        if sent.is_err() {
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
    if stream.write_all(out).await.is_err() {
        return Next::Close;
    }
    if head.close {
        // A write completes in the host after `write` returns: wait for it
        // before the socket is shut down.
        let _ = stream.flush().await;
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
async fn read_exact(stream: &Stream, tail: &[u8], n: usize) -> Option<Vec<u8>> {
    let have = n.min(tail.len());
    let mut body = Vec::with_capacity(n);
    body.extend_from_slice(&tail[..have]);
    body.resize(n, 0);
    let mut got = have;
    while got < n {
        match stream.read(&mut body[got..]).await {
            Ok(0) | Err(_) => return None,
            Ok(k) => got += k,
        }
    }
    Some(body)
}

/// Decodes a chunked body, from a copy of `tail` and what is read after it;
/// the body and the bytes read past its end. Trailers are skipped.
async fn read_chunked(stream: &Stream, tail: &[u8]) -> Result<(Vec<u8>, Vec<u8>), BodyError> {
    let mut raw = tail.to_vec();
    let mut pos = 0;
    let mut body = Vec::new();
    // Reads more into `raw`, dropping what is decoded already.
    async fn more(stream: &Stream, raw: &mut Vec<u8>, pos: &mut usize) -> Result<(), BodyError> {
        raw.drain(..*pos);
        *pos = 0;
        let at = raw.len();
        raw.resize(at + BUF, 0);
        match stream.read(&mut raw[at..]).await {
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

/// The `date` header's value (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`)
/// for the current second, formatted once a second, as hyper caches it.
fn date() -> [u8; 29] {
    thread_local! {
        static DATE: Cell<(u64, [u8; 29])> = const { Cell::new((u64::MAX, [0; 29])) };
    }
    let now = wasip2::clocks::wall_clock::now().seconds;
    DATE.with(|cached| {
        let (second, text) = cached.get();
        if second == now {
            return text;
        }
        let text = format_date(now);
        cached.set((now, text));
        text
    })
}

/// `secs` since the Unix epoch as an IMF-fixdate.
fn format_date(secs: u64) -> [u8; 29] {
    const DAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let days = secs / 86_400;
    let time = secs % 86_400;
    // The civil date of a day count (Howard Hinnant's `civil_from_days`),
    // in eras of 400 years from 0000-03-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = era * 400 + yoe + u64::from(month <= 2);

    let mut out = *b"Thu, 01 Jan 1970 00:00:00 GMT";
    let two = |out: &mut [u8; 29], at: usize, n: u64| {
        out[at] = b'0' + (n / 10 % 10) as u8;
        out[at + 1] = b'0' + (n % 10) as u8;
    };
    out[..3].copy_from_slice(DAYS[(days % 7) as usize]);
    two(&mut out, 5, day);
    out[8..11].copy_from_slice(MONTHS[(month - 1) as usize]);
    two(&mut out, 12, year / 100);
    two(&mut out, 14, year);
    two(&mut out, 17, time / 3600);
    two(&mut out, 20, time / 60 % 60);
    two(&mut out, 23, time % 60);
    out
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
    out.extend_from_slice(b"\r\ndate: ");
    out.extend_from_slice(&date());
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
async fn refuse(stream: &Stream, status: u16) {
    let mut out = Vec::new();
    encode(&mut out, &raw::status(status), false, Some("close"));
    if stream.write_all(&out).await.is_ok() {
        let _ = stream.flush().await;
    }
}
