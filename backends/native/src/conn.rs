//! One connection: HTTP/1.1, or HTTP/2 with prior knowledge on the same port.

use std::io;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use hyper::server::conn::{http1, http2};
use hyper_util::rt::{TokioIo, TokioTimer};
use mocket_core::ServerOptions;
use mocket_core::backend::Service;
use mocket_hyper::{MocketService, graceful};
use tokio::net::TcpStream;

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
        let http1 = mocket_hyper::http1(opts, CoarseTimer);
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
    // Closed before sending anything, failed, or silent for too long: done.
    let Ok(Ok(Some(is_h2))) = tokio::time::timeout(protocols.head_timeout, sniff_h2(&stream)).await
    else {
        return;
    };
    let svc = MocketService::new(service).with_upgrades(spawn_upgraded);
    let io = TokioIo::new(stream);
    // Counted from here: a connection still silent when the server stops
    // is not waited for.
    let result = if is_h2 {
        let conn = pin!(protocols.http2.serve_connection(io, svc));
        graceful::track(graceful::watch(conn)).await
    } else {
        let conn = pin!(protocols.http1.serve_connection(io, svc).with_upgrades());
        graceful::track(graceful::watch(conn)).await
    };
    mocket_hyper::connection_ended(result);
}

/// An upgraded connection (a WebSocket) runs as a task of its own on this
/// worker: hyper's connection task ends when it hands the socket over.
/// Tracked like a connection: the shutdown waits for it (its WebSocket
/// says 1001 and closes) within the grace period.
fn spawn_upgraded(task: std::pin::Pin<Box<dyn Future<Output = ()>>>) {
    tokio::task::spawn_local(graceful::track(task));
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
