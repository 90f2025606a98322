//! Mode 2: serving HTTP/1.1 on a `wasi:sockets` TCP listener.
//!
//! One thread, one executor (`executor.rs`, on `wasi:io/poll`): the accept loop spawns a
//! task per connection, and hyper's HTTP/1.1 server drives each one, as
//! natively, with keep-alive, pipelining, the header read timeout and the
//! head size cap (431); a connection that upgrades (a WebSocket) comes
//! back from hyper and goes on in the same task. Nothing here needs `Send`.

use std::future::{Future, poll_fn};
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::task::Poll;
use std::time::Duration;

use hyper::server::conn::http1;
use mocket_core::backend::{ListenError, Service};
use mocket_hyper::{Handed, MocketService, UpgradeSlot, graceful};

use crate::executor;
use crate::socket::{Conn, Listener};
use crate::stop;
use crate::timer::WasiTimer;

/// Binds `addr`, prints `Listening on http://ADDR` and serves until a stop
/// is asked for (`stop.rs`: WASI 0.2 has no signals), then stops
/// accepting, lets in-flight requests finish within the grace period and
/// returns; or until the host ends the process.
pub(crate) fn run(service: Service, addr: SocketAddr) -> Result<(), ListenError> {
    executor::block_on(async move {
        let listener = Listener::bind(addr)
            .await
            .map_err(|source| ListenError::Bind {
                addr,
                source: with_network_hint(source),
            })?;
        let local = listener.local_addr().map_err(ListenError::Io)?;
        #[allow(clippy::print_stdout)] // tools wait for this line to know the port
        {
            println!("Listening on http://{local}");
        }
        let http1 = Rc::new(mocket_hyper::http1(service.options(), WasiTimer));
        let mut stop = pin!(stop::requested());
        loop {
            let mut accept = pin!(listener.accept());
            let next = poll_fn(|cx| match stop.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(None),
                Poll::Pending => accept.as_mut().poll(cx).map(Some),
            });
            match next.await {
                None => break,
                Some(Ok(conn)) => {
                    let task = serve_conn(conn, service.clone(), http1.clone());
                    executor::spawn(graceful::track(task));
                }
                Some(Err(e)) => {
                    // Out of descriptors or the like: back off, don't spin.
                    tracing::warn!(error = %e, "accept failed");
                    executor::Sleep::new(Duration::from_millis(50)).await;
                }
            }
        }
        drop(listener);
        drain(&service).await;
        Ok(())
    })
}

/// Ends the open connections as natively: WebSockets say 1001, event
/// streams end, hyper finishes what is in flight and closes idle ones;
/// the grace period bounds the wait.
async fn drain(service: &Service) {
    service.begin_shutdown();
    graceful::stop();
    let drained = async {
        // Closing connections wake no one here; look often.
        while graceful::open_connections() > 0 {
            executor::Sleep::new(Duration::from_millis(5)).await;
        }
    };
    let grace = service.options().shutdown_grace;
    if executor::timeout(grace, drained).await.is_none() {
        tracing::warn!(
            ?grace,
            "shutdown grace period over; closing remaining connections"
        );
    }
}

async fn serve_conn(conn: Conn, service: Service, http1: Rc<http1::Builder>) {
    let grace = service.options().shutdown_grace;
    let closer = conn.closer();
    let upgrades = UpgradeSlot::default();
    let svc = MocketService::new(service).keeping_upgrades(upgrades.clone());
    let mut connection = http1.serve_connection(conn, svc);
    // Polled in place, not awaited by value: a connection that upgrades
    // ends without shutting its socket down, and comes back to us whole
    // (`without_shutdown()` would also skip the shutdown of a closing one,
    // losing its last answer).
    let result = graceful::watch(Pin::new(&mut connection)).await;
    match (result, upgrades.take()) {
        (Ok(()), Some(upgrade)) => {
            let parts = connection.into_parts();
            upgrade.run(Handed::new(parts.io, parts.read_buf)).await;
        }
        (result, _) => mocket_hyper::connection_ended(result),
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
