//! One connection: HTTP/1.1, or HTTP/2 with prior knowledge on the same port.

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use http::Version;
use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use mocket_core::{Body, Response, ServerOptions, Service, UnreadBody};
use tokio::net::TcpStream;

use crate::graceful;
use crate::timer::CoarseTimer;

/// What an HTTP/2 client sends first (RFC 9113, section 3.4).
const H2_PREFACE: &[u8; 24] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Connection settings, built once per worker.
pub(crate) struct Protocols {
    http1: http1::Builder,
    http2: http2::Builder<LocalExec>,
    head_timeout: Duration,
}

impl Protocols {
    pub(crate) fn new(opts: &ServerOptions) -> Protocols {
        let mut http1 = http1::Builder::new();
        http1
            .timer(CoarseTimer)
            .header_read_timeout(opts.header_read_timeout)
            .max_header_size(opts.max_header_bytes)
            .keep_alive(true);
        let mut http2 = http2::Builder::new(LocalExec);
        http2
            .timer(TokioTimer::new())
            .max_header_list_size(u32::try_from(opts.max_header_bytes).unwrap_or(u32::MAX));
        Protocols {
            http1,
            http2,
            head_timeout: opts.header_read_timeout,
        }
    }
}

/// Spawns HTTP/2 stream tasks on the worker's own thread, so they need not
/// be `Send`.
#[derive(Clone, Copy)]
struct LocalExec;

impl<F: Future + 'static> hyper::rt::Executor<F> for LocalExec {
    fn execute(&self, fut: F) {
        tokio::task::spawn_local(fut);
    }
}

pub(crate) async fn serve(stream: TcpStream, service: Service, protocols: Rc<Protocols>) {
    let _ = stream.set_nodelay(true);
    let is_h2 = match tokio::time::timeout(protocols.head_timeout, sniff_h2(&stream)).await {
        Ok(Ok(Some(is_h2))) => is_h2,
        // Closed before sending anything, failed, or silent for too long.
        _ => return,
    };
    let svc = service_fn(move |req: hyper::Request<Incoming>| {
        let is_http1 = req.version() < Version::HTTP_2;
        let (head, body) = req.into_parts();
        let (body, tracker) = Body::tracked(body);
        // Only HTTP/1 closes the connection over an unread body.
        let unread = if is_http1 {
            tracker
        } else {
            UnreadBody::default()
        };
        let req = hyper::Request::from_parts(head, body);
        Answer {
            response: service.call(req),
            unread,
        }
    });
    let io = TokioIo::new(stream);
    let result = if is_h2 {
        graceful::watch(protocols.http2.serve_connection(io, svc)).await
    } else {
        graceful::watch(protocols.http1.serve_connection(io, svc)).await
    };
    if let Err(e) = result {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}

/// One request's answer. Hand-written rather than an `async` block, which
/// would move the core's future into its own state on the first poll, and
/// the response through one more frame on the way out.
struct Answer<F> {
    response: F,
    unread: UnreadBody,
}

impl<F: Future<Output = Response> + Unpin> Future for Answer<F> {
    type Output = Result<Response, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut res = ready!(Pin::new(&mut self.response).poll(cx));
        // hyper closes an HTTP/1 connection whose request body was left
        // unread; say so, rather than let the client find out.
        self.unread.announce_close(&mut res);
        Poll::Ready(Ok(res))
    }
}

/// Peeks at the first bytes: `Some(true)` for the HTTP/2 preface,
/// `Some(false)` for anything else, `None` if the peer closed.
async fn sniff_h2(stream: &TcpStream) -> io::Result<Option<bool>> {
    let mut buf = [0u8; H2_PREFACE.len()];
    loop {
        let n = stream.peek(&mut buf).await?;
        if n == 0 {
            return Ok(None);
        }
        if !H2_PREFACE.starts_with(&buf[..n]) {
            return Ok(Some(false));
        }
        if n == H2_PREFACE.len() {
            return Ok(Some(true));
        }
        // Part of the preface so far; peek would return at once, so wait a
        // moment for the rest (rare: clients send the preface in one write).
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}
