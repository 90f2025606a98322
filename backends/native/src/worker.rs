//! One worker thread: a single-threaded runtime accepting connections.

use std::rc::Rc;
use std::time::Duration;

use mocket_core::backend::Service;
use mocket_hyper::graceful;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::conn::{self, Protocols};
use crate::timer::CoarseTimer;

/// Accepts and serves connections until `stop` turns true, then waits for
/// open connections to finish within the grace period.
pub(crate) fn run(listener: std::net::TcpListener, service: Service, stop: watch::Receiver<bool>) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return tracing::error!(error = %e, "cannot start a worker runtime"),
    };
    let local = tokio::task::LocalSet::new();
    // `block_on` polls its future at every wake-up of the thread, that is
    // for every request; so the accept loop and the clock run as tasks of
    // their own, woken only by their own events, and `block_on` waits on a
    // join handle, which is cheap to poll.
    let serving = local.spawn_local(serve(listener, service, stop));
    local.block_on(&rt, async move {
        let _ = serving.await;
    });
}

async fn serve(listener: std::net::TcpListener, service: Service, mut stop: watch::Receiver<bool>) {
    let listener = match TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => return tracing::error!(error = %e, "cannot register the listener"),
    };
    let resolution = CoarseTimer::resolution(service.options().header_read_timeout);
    let clock = tokio::task::spawn_local(async move {
        let mut tick = tokio::time::interval(resolution);
        loop {
            tick.tick().await;
            CoarseTimer::tick();
        }
    });
    let protocols = Rc::new(Protocols::new(service.options()));
    loop {
        tokio::select! {
            biased;
            _ = stop.wait_for(|stopped| *stopped) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let task = conn::serve(stream, service.clone(), protocols.clone());
                    tokio::task::spawn_local(task);
                }
                Err(e) => accept_failed(e).await,
            },
        }
    }
    drop(listener);
    // WebSockets say 1001 and event streams end; hyper finishes what is in
    // flight and closes idle keep-alive connections.
    service.begin_shutdown();
    graceful::stop();
    let grace = service.options().shutdown_grace;
    let drained = async {
        // Closing connections wake no one here; look often.
        while graceful::open_connections() > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    if tokio::time::timeout(grace, drained).await.is_err() {
        tracing::warn!(
            ?grace,
            "shutdown grace period over; closing remaining connections"
        );
    }
    clock.abort();
}

/// Out of file descriptors: back off instead of spinning on accept.
async fn accept_failed(e: std::io::Error) {
    tracing::warn!(error = %e, "accept failed");
    tokio::time::sleep(Duration::from_millis(50)).await;
}
