//! Mode 2: serving HTTP/1.1 on a `wasi:sockets` TCP listener.
//!
//! One thread, one executor (`executor.rs`, on `wasi:io/poll`): the accept loop spawns a
//! task per connection, and hyper's HTTP/1.1 server drives each one, as
//! natively, with keep-alive, pipelining, the header read timeout and the
//! head size cap (431). Nothing here needs `Send`.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use mocket_core::{Body, ServerOptions, Service};

use crate::executor;
use crate::socket::{Conn, Listener};
use crate::timer::WasiTimer;
use mocket_core::ServeError;

/// Binds `addr`, prints `Listening on http://ADDR` and serves until the host
/// ends the process (WASI 0.2 has no signals to stop on).
pub(crate) fn run(service: Service, addr: SocketAddr) -> Result<(), ServeError> {
    executor::block_on(async move {
        let listener = Listener::bind(addr)
            .await
            .map_err(|source| ServeError::Bind {
                addr,
                source: with_network_hint(source),
            })?;
        let local = listener.local_addr().map_err(ServeError::Io)?;
        #[allow(clippy::print_stdout)] // tools wait for this line to know the port
        {
            println!("Listening on http://{local}");
        }
        let http1 = Rc::new(builder(service.options()));
        loop {
            match listener.accept().await {
                Ok(conn) => {
                    let task = serve_conn(conn, service.clone(), http1.clone());
                    executor::spawn(task);
                }
                Err(e) => {
                    // Out of descriptors or the like: back off, don't spin.
                    tracing::warn!(error = %e, "accept failed");
                    executor::Sleep::new(Duration::from_millis(50)).await;
                }
            }
        }
    })
}

fn builder(opts: &ServerOptions) -> http1::Builder {
    let mut http1 = http1::Builder::new();
    http1
        .timer(WasiTimer)
        .header_read_timeout(opts.header_read_timeout)
        .max_header_size(opts.max_header_bytes)
        .keep_alive(true);
    // Not `pipeline_flush` (as natively): when a head is malformed or too
    // large, hyper queues its 400 or 431 but keeps the unparsed bytes in its
    // read buffer, and with pipeline flushing a non-empty read buffer means
    // "more requests are coming, flush later" — here the answer was never
    // written before the connection closed. Pipelined requests still work:
    // each answer is flushed as it is done.
    http1
}

async fn serve_conn(conn: Conn, service: Service, http1: Rc<http1::Builder>) {
    let grace = service.options().shutdown_grace;
    let svc = service_fn(move |req: hyper::Request<Incoming>| {
        let (head, body) = req.into_parts();
        let (body, unread) = Body::tracked(body);
        let req = hyper::Request::from_parts(head, body);
        let fut = service.call(req);
        async move {
            let mut res = fut.await;
            // hyper closes the connection after answering a request whose
            // body was left unread; say so rather than let the client find
            // out.
            unread.announce_close(&mut res);
            Ok::<_, Infallible>(res)
        }
    });
    let closer = conn.closer();
    if let Err(e) = http1.serve_connection(conn, svc).await {
        tracing::debug!(error = %e, "connection ended with an error");
    }
    // A client that never reads could hold the flush forever: it gets the
    // shutdown grace period.
    if executor::timeout(grace, closer.close()).await.is_none() {
        tracing::debug!("the last bytes of a connection were not taken in time");
    }
}

/// A host that grants no network access refuses the bind; say how to grant it.
fn with_network_hint(e: std::io::Error) -> std::io::Error {
    if e.kind() == std::io::ErrorKind::PermissionDenied {
        std::io::Error::new(
            e.kind(),
            "the host grants no network access (with wasmtime: `wasmtime run -S http -S inherit-network`)",
        )
    } else {
        e
    }
}
