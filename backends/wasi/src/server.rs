//! Mode 2: serving HTTP/1.1 on a `wasi:sockets` TCP listener.
//!
//! One thread, one executor (`executor.rs`, on `wasi:io/poll`): the accept loop spawns a
//! task per connection, and hyper's HTTP/1.1 server drives each one, as
//! natively, with keep-alive, pipelining, the header read timeout and the
//! head size cap (431); a connection that upgrades (a WebSocket) comes
//! back from hyper and goes on in the same task. Nothing here needs `Send`.

use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use hyper::server::conn::http1;
use mocket_core::backend::{ListenError, Service};
use mocket_hyper::{Handed, MocketService, UpgradeSlot};

use crate::executor;
use crate::socket::{Conn, Listener};
use crate::timer::WasiTimer;

/// Binds `addr`, prints `Listening on http://ADDR` and serves until the host
/// ends the process (WASI 0.2 has no signals to stop on).
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
    let result = std::future::poll_fn(|cx| Pin::new(&mut connection).poll(cx)).await;
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
