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

#[allow(unused_imports)] // each test file uses a different part
pub use mocket_testkit::http1::{
    Conn, IO_TIMEOUT, Response as RawResponse, chunked, get_request as get, is_reset, is_timeout,
    send_raw, status_of,
};

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
