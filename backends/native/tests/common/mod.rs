//! Helpers shared by the real-socket tests: starting servers and an
//! HTTP/2 client; the raw HTTP/1.1 client is the test kit's.

#![allow(dead_code, unreachable_pub)]

use std::future::Future;

use std::net::SocketAddr;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo};
use mocket_core::{Error, Mocket};
use mocket_native::{Server, ServerHandle};

/// Binds `app` on 127.0.0.1 with a free port and serves it on background
/// threads.
pub fn start(app: Mocket) -> ServerHandle {
    Server::bind(app, "127.0.0.1:0")
        .expect("bind 127.0.0.1:0")
        .spawn()
        .expect("spawn the server")
}

/// [`test_app`] changed by `tweak` (an option, a route), then started.
pub fn start_with(tweak: impl FnOnce(&mut Mocket)) -> ServerHandle {
    let mut app = test_app();
    tweak(&mut app);
    start(app)
}

/// [`test_app`] with a body limit of `bytes`, started.
pub fn start_with_body_limit(bytes: usize) -> ServerHandle {
    start_with(|app| {
        app.body_limit(bytes);
    })
}

/// Runs `test` on one HTTP/1.1 connection to `server`, then shuts the
/// server down.
pub fn with_conn(server: ServerHandle, test: impl FnOnce(&mut Conn)) {
    test(&mut Conn::open(server.local_addr()));
    server.shutdown().expect("shutdown");
}

/// Runs `test` with an HTTP/2 connection to `server` (inside
/// [`block_on`]), then shuts the server down.
pub fn with_h2<Fut: Future<Output = ()>>(
    server: ServerHandle,
    test: impl FnOnce(SendRequest<Full<Bytes>>) -> Fut,
) {
    let addr = server.local_addr();
    block_on(async move { test(h2_connect(addr).await).await });
    server.shutdown().expect("shutdown");
}

/// [`test_app`] on `workers` worker threads, so that what one request does
/// to a thread is seen by the next.
pub fn start_workers(workers: usize) -> ServerHandle {
    start_with(|app| app.server_options().workers = Some(workers))
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
        let Some(ms) = req.try_param("ms").and_then(|ms| ms.parse().ok()) else {
            return Err(Error::bad_request("ms must be a number"));
        };
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

/// Starts [`test_app`] on one worker plus `GET /wait`, which signals
/// [`Started`] and then waits until `GET /notify` has run: it can only
/// finish if the server runs the two concurrently.
pub fn start_wait_notify() -> (ServerHandle, mpsc::Receiver<()>) {
    let notify = Arc::new(tokio::sync::Notify::new());
    let (started, started_rx) = Started::new();
    let mut app = test_app();
    app.server_options().workers = Some(1);
    let waited = notify.clone();
    app.get("/wait", move |_req| {
        let (notify, started) = (waited.clone(), started.clone());
        async move {
            started.signal();
            notify.notified().await;
            "woken"
        }
    });
    app.get("/notify", move |_req| {
        let notify = notify.clone();
        async move {
            notify.notify_one();
            "notified"
        }
    });
    (start(app), started_rx)
}

#[allow(unused_imports)] // each test file uses a different part
pub use mocket_testkit::http1::{
    Conn, IO_TIMEOUT, Response as RawResponse, chunked, get_request as get, is_reset, is_timeout,
    preview, send_raw, status_of,
};

/// Sends `request` on `conn` and checks the response's status.
pub fn expect_status(conn: &mut Conn, request: &[u8], status: u16) -> RawResponse {
    conn.send(request);
    let res = conn.response();
    assert_eq!(res.status, status, "{}: {}", preview(request), res.text());
    res
}

/// Sends `request` on `conn` and checks the response's status and body.
pub fn expect(conn: &mut Conn, request: &[u8], status: u16, body: &str) -> RawResponse {
    let res = expect_status(conn, request, status);
    assert_eq!(res.text(), body, "{}", preview(request));
    res
}

/// Sends `request` on a new connection and checks the status of what comes
/// back; returns the raw response text.
pub fn raw_status(addr: SocketAddr, request: &[u8], status: u16) -> String {
    let raw = send_raw(addr, request);
    assert_eq!(status_of(&raw), status, "{}: {raw}", preview(request));
    raw
}

/// `GET /` on a new connection is a 200: whatever came before did not
/// hurt the server.
pub fn assert_serving(addr: SocketAddr) {
    raw_status(addr, &get("/"), 200);
}

/// A chunked `POST /echo` of `body` in chunks of `chunk` bytes.
pub fn post_chunked(body: &[u8], chunk: usize) -> Vec<u8> {
    let mut req =
        b"POST /echo HTTP/1.1\r\nhost: test\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    req.extend_from_slice(&chunked(body, chunk));
    req
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

/// Sends `req` over HTTP/2, checks the status and returns the body.
pub async fn h2_expect(
    sender: &mut SendRequest<Full<Bytes>>,
    req: http::Request<Full<Bytes>>,
    status: u16,
) -> Bytes {
    let what = format!("{} {}", req.method(), req.uri());
    let (parts, body) = h2_send(sender, req).await;
    assert_eq!(parts.status, status, "{what}: {body:?}");
    body
}

/// An HTTP/2 `POST /echo` of `body`.
pub fn h2_post_echo(body: impl Into<Bytes>) -> http::Request<Full<Bytes>> {
    http::Request::post("http://test/echo")
        .body(Full::new(body.into()))
        .expect("valid request")
}

/// A bodiless HTTP/2 GET for `path`.
pub fn h2_get(path: &str) -> http::Request<Full<Bytes>> {
    http::Request::get(format!("http://test{path}"))
        .body(Full::new(Bytes::new()))
        .expect("valid request")
}
