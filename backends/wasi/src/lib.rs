//! Mocket's WASI backend: one `wasm32-wasip2` binary that serves a Mocket
//! app in two ways, chosen by the host that runs it.
//!
//! 1. **As a `wasi:http` component** (`wasmtime serve`, Spin, wasmCloud,
//!    `jco serve`). The host owns the sockets and the HTTP parser and calls
//!    the exported `wasi:http/incoming-handler` once per request. The binary
//!    still has an ordinary `fn main` that builds the app and calls
//!    `listen`, so on the first request of an instance the handler runs
//!    `main` once; `listen` notices it is being called from there and keeps
//!    the built app instead of binding a socket. Later requests to the same
//!    instance reuse it. `src/proxy.rs` explains how and why.
//! 2. **As a command listening on a port** (`wasmtime run -S http -S
//!    inherit-network …`). The host calls `wasi:cli/run`, `main` runs as
//!    usual and `listen` binds a `wasi:sockets` TCP listener and serves
//!    HTTP/1.1 with hyper, one task per connection on a single-threaded
//!    reactor.
//!
//! The component always exports both `wasi:cli/run` and
//! `wasi:http/incoming-handler`, so it also always imports `wasi:http`: a
//! host running it as a command must provide `wasi:http` too (for
//! `wasmtime run`, `-S http`), even though mode 2 never calls it.
//!
//! Bodies stream both ways in both modes: a request body is pulled from the
//! host only as the core reads it, and a response body is written chunk by
//! chunk as the app produces it.
//!
//! A panic is a trap on this target (`panic = abort`). In mode 1 it costs
//! one instance: the request that panicked is answered 500 (by a panic
//! hook, before the trap) and the host starts a fresh instance for the next
//! request. In mode 2 it ends the process. The README explains both.
//!
//! Applications call `listen` from the `mocket` crate, which calls
//! `serve` on this target. Natively this crate is empty.
//!
//! ```ignore
//! let mut app = mocket_core::Mocket::new();
//! app.get("/", |_req| async { "hi" });
//! mocket_wasi::serve(app, "127.0.0.1:3000").unwrap();
//! ```

#![cfg(all(target_arch = "wasm32", target_os = "wasi"))]

mod executor;
#[cfg(feature = "static-files")]
mod fs;
mod incoming;
mod outgoing;
mod output;
mod proxy;
mod server;
mod socket;
mod stop;
mod timer;

pub use executor::Sleep;
#[cfg(feature = "static-files")]
pub use fs::WasiFs;
use mocket_core::Mocket;
use mocket_core::backend::{ListenError, prepare, refuse_upgrades};

/// A timer on `wasi:clocks`, awaited on the backend's executor in either
/// mode; what `mocket::time::sleep` is on this target.
///
/// ```ignore
/// mocket_wasi::sleep(std::time::Duration::from_millis(5)).await;
/// ```
pub fn sleep(duration: std::time::Duration) -> Sleep {
    Sleep::new(duration)
}

/// Serves `app`, in whichever of the two modes the host started the
/// component in.
///
/// - Run as a command (`wasmtime run`), it binds `addr` (any form
///   `parse_listen_addr` accepts; port 0 picks a free port) through
///   `wasi:sockets`, prints `Listening on http://ADDR` with the real
///   address, and serves HTTP/1.1 until the host stops the process, or,
///   with `MOCKET_STOP_ON_STDIN_CLOSE=1` in its environment, until its
///   stdin closes: then it stops gracefully and returns `Ok` (WASI has no
///   signals; `cargo mocket run` closes that pipe on SIGINT and SIGTERM).
/// - Called from `main` inside a `wasi:http` instance (see
///   `src/proxy.rs`), it keeps the built app for the
///   instance's requests and returns at once; the host owns the socket, so
///   `addr` is only checked, not bound.
///
/// Setup errors and a bad address are returned in both modes, so a
/// program that fails in one fails in the other too.
///
/// ```no_run
/// let mut app = mocket_core::Mocket::new();
/// app.get("/", |_req| async { "hi" });
/// if let Err(e) = mocket_wasi::serve(app, ":3000") {
///     eprintln!("error: {e}");
///     std::process::exit(1);
/// }
/// ```
pub fn serve(mut app: Mocket, addr: &str) -> Result<(), ListenError> {
    if proxy::building() {
        // The proxy world cannot upgrade, and its hosts strip the headers.
        refuse_upgrades(&mut app);
    }
    let (service, addr) = prepare(app, addr)?;
    if proxy::building() {
        proxy::keep(service);
        return Ok(());
    }
    server::run(service, addr)
}
