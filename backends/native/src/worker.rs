//! One worker thread: a single-threaded runtime accepting connections.

use std::rc::Rc;
use std::time::Duration;

use hyper_util::server::graceful::GracefulShutdown;
use mocket_core::Service;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::conn::{self, Protocols};

/// Accepts and serves connections until `stop` turns true, then waits for
/// open connections to finish within the grace period.
pub(crate) fn run(
    listener: std::net::TcpListener,
    service: Service,
    mut stop: watch::Receiver<bool>,
) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return tracing::error!(error = %e, "cannot start a worker runtime"),
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        let listener = match TcpListener::from_std(listener) {
            Ok(l) => l,
            Err(e) => return tracing::error!(error = %e, "cannot register the listener"),
        };
        let protocols = Rc::new(Protocols::new(service.options()));
        let graceful = GracefulShutdown::new();
        loop {
            tokio::select! {
                biased;
                _ = stop.wait_for(|stopped| *stopped) => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let task = conn::serve(stream, service.clone(), protocols.clone(), graceful.watcher());
                        tokio::task::spawn_local(task);
                    }
                    Err(e) => accept_failed(e).await,
                },
            }
        }
        drop(listener);
        let grace = service.options().shutdown_grace;
        if tokio::time::timeout(grace, graceful.shutdown()).await.is_err() {
            tracing::warn!(?grace, "shutdown grace period over; closing remaining connections");
        }
    });
}

/// Out of file descriptors: back off instead of spinning on accept.
async fn accept_failed(e: std::io::Error) {
    tracing::warn!(error = %e, "accept failed");
    tokio::time::sleep(Duration::from_millis(50)).await;
}
