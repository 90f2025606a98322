//! `serve`: hands the app to the host and returns.
//!
//! Natively `listen` blocks until shutdown; here it cannot, because Node's
//! event loop only runs once `main` has returned. So `serve` checks what can
//! be checked synchronously (setup errors, the address), registers its
//! closures with the host (handle a request, pull a response chunk, cancel a
//! response stream, render an error, word a bind failure, run an upgrade,
//! pass an upgraded socket's events) and returns; Node then binds, prints
//! the `Listening on` line, and calls in for each request.
//!
//! The error renderer is for requests that were in flight on an instance
//! that trapped: the fresh instance answers them through the app's error
//! handler, as a panic is answered natively.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use js_sys::{Function, Promise};
use mocket_core::backend::{
    LINGER_LIMIT, LINGER_TIME, ListenError, Outgoing, Service, UnreadBodies, prepare, take_upgrade,
};
use mocket_core::{Error, Mocket};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::request::{self, BodyHint};
use crate::{host, response, shared, upgrade};

/// Serves `app` on `addr` (any form `parse_listen_addr` accepts; port 0
/// picks a free port, printed in the `Listening on` line) through Node's
/// `node:http`.
///
/// Returns once the app is registered: Node binds when `main` has returned,
/// and reports an address it cannot bind (in use, not local) itself, with one
/// `error: cannot listen on …` line on stderr and exit status 1. Under
/// `fetch.js` nothing is bound: the app only answers the exported `fetch`.
/// If a fresh instance calls this after a trap, it takes over the server
/// already listening on `addr` instead of binding again.
///
/// ```ignore
/// let mut app = mocket_core::Mocket::new();
/// app.get("/", |_req| async { "hi" });
/// if let Err(e) = mocket_node::serve(app, ":3000") {
///     mocket_node::exit_with_error(&e);
/// }
/// ```
pub fn serve(app: Mocket, addr: &str) -> Result<(), ListenError> {
    let (service, addr) = prepare(app, addr)?;
    install_panic_hook();

    let opts = service.options().clone();
    let service_limit = service.body_limit();
    let renderer = service.clone();
    // WebSockets say 1001 and event streams end when the host stops.
    let stopping = service.clone();
    let begin_shutdown = Closure::<dyn FnMut()>::new(move || stopping.begin_shutdown());
    let render_error = Closure::<dyn FnMut(String) -> JsValue>::new(move |cause: String| {
        response::encode(renderer.render_error(Error::internal(cause), false))
    });
    // Node binds after `main` returns; its failure is worded by the same
    // `ListenError` as on every other backend.
    let bind_failed = Closure::<dyn FnMut(String, String) -> String>::new(
        move |code: String, message: String| bind_error(addr, &code, message).to_string(),
    );
    // Returns the answer itself when the app has it at once (the common
    // case: no await on anything pending), or a promise of it otherwise.
    // Skipping `future_to_promise` (a promise, closures and a queued task)
    // for a ready answer is most of what a request costs on this side.
    // The host has written the head into the shared input buffer
    // (`crate::shared`), followed by the body when it collected it.
    let handle = Closure::<dyn FnMut(JsValue, u32, u32, u32) -> JsValue>::new(
        move |exchange: JsValue, head_len: u32, hint: u32, body_len: u32| {
            let hint = BodyHint::from_js(hint);
            let req = shared::with_input(head_len, body_len, |head, body| {
                request::build(head, body, exchange, hint)
            });
            // Node's server can drain a small unread rest; a fetch
            // `Request` belongs to its runtime; an upgrade's socket closes
            // unless it is taken over.
            let unread = match hint {
                BodyHint::FromHeaders | BodyHint::Collected => UnreadBodies::DrainOrClose,
                BodyHint::Absent | BodyHint::Present => UnreadBodies::DrainOrDrop,
                BodyHint::Upgrade => UnreadBodies::CloseConnection,
            };
            let mut answer = service.serve(req, unread);
            // A first poll here; a future left pending is polled again (with
            // the executor's waker) by `future_to_promise`, which is allowed:
            // a future registers the waker of its latest poll.
            let mut cx = Context::from_waker(Waker::noop());
            match std::pin::Pin::new(&mut answer).poll(&mut cx) {
                Poll::Ready(out) => encode(&service, out, hint, true),
                Poll::Pending => {
                    let service = service.clone();
                    future_to_promise(
                        async move { Ok(encode(&service, answer.await, hint, false)) },
                    )
                    .into()
                }
            }
        },
    );
    let pull = Closure::<dyn FnMut(u32) -> Promise>::new(response::pull);
    let cancel = Closure::<dyn FnMut(u32)>::new(response::cancel);
    let run_upgrade = Closure::<dyn FnMut(u32, JsValue, JsValue)>::new(upgrade::run);
    let socket_event = Closure::<dyn FnMut(u32, u32, JsValue) -> u32>::new(upgrade::event);
    let reserve = Closure::<dyn FnMut(u32)>::new(shared::reserve_input);
    host::attach(
        &addr.to_string(),
        &addr.ip().to_string(),
        addr.port(),
        opts.max_header_bytes as f64,
        millis(opts.header_read_timeout),
        millis(opts.shutdown_grace),
        LINGER_LIMIT as f64,
        millis(LINGER_TIME),
        handle.as_ref().unchecked_ref::<Function>(),
        pull.as_ref().unchecked_ref::<Function>(),
        cancel.as_ref().unchecked_ref::<Function>(),
        render_error.as_ref().unchecked_ref::<Function>(),
        bind_failed.as_ref().unchecked_ref::<Function>(),
        run_upgrade.as_ref().unchecked_ref::<Function>(),
        socket_event.as_ref().unchecked_ref::<Function>(),
        collect_limit(service_limit),
        &wasm_bindgen::memory(),
        shared::meta_address(),
        reserve.as_ref().unchecked_ref::<Function>(),
        begin_shutdown.as_ref().unchecked_ref::<Function>(),
    );
    // They live as long as the instance: the host may call them until the
    // process ends or a trap retires the instance.
    handle.forget();
    pull.forget();
    cancel.forget();
    render_error.forget();
    bind_failed.forget();
    run_upgrade.forget();
    socket_event.forget();
    reserve.forget();
    begin_shutdown.forget();
    Ok(())
}

/// The answer as the host takes it. On Node's `'upgrade'` path a `101`
/// that takes the connection over parks its upgrade and carries its id;
/// anywhere else (the fetch export: a web `Response` cannot hand a
/// connection over) such an answer becomes a 501 through the app's error
/// handler, saying why.
///
/// `ready`: the host reads the answer as soon as the handler returns, so a
/// complete one for `node:http` may go through the shared buffers.
fn encode(service: &Service, mut out: Outgoing, hint: BodyHint, ready: bool) -> JsValue {
    if hint != BodyHint::Upgrade {
        out = service.refuse_upgrade(out, false, FETCH_CANNOT_UPGRADE);
    }
    match take_upgrade(&mut out.response) {
        Some(taken) => response::encode_upgrade(out, upgrade::park(taken)),
        None if ready && matches!(hint, BodyHint::FromHeaders | BodyHint::Collected) => {
            response::encode_ready(out)
        }
        None => response::encode(out),
    }
}

/// Why the fetch export answers a WebSocket 501.
const FETCH_CANNOT_UPGRADE: &str = "the fetch export's Response cannot take a connection over";

/// The largest body of declared length the host reads whole before calling
/// in (one copy, a ready answer) instead of streaming it chunk by chunk:
/// what the core would drain anyway, and never past the app's limit, so a
/// body the app refuses (413) is still refused before it is read.
fn collect_limit(body_limit: usize) -> f64 {
    body_limit.min(mocket_core::backend::DRAIN_LIMIT as usize) as f64
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A panic aborts the instance (`panic = abort` on this target), so the
/// message must leave before the trap: the hook hands it to the host, which
/// logs it with `console.error` and recovers.
fn install_panic_hook() {
    let generation = host::generation();
    std::panic::set_hook(Box::new(move |info| {
        host::panicked(generation, &info.to_string());
    }));
}

/// Reads `name` from `process.env`.
///
/// ```ignore
/// let port = mocket_node::env_var("PORT").unwrap_or_else(|| "3000".into());
/// ```
pub fn env_var(name: &str) -> Option<String> {
    host::env_var(name)
}

/// Prints `error: {error}` as one line on stderr and exits with status 1,
/// what a failed `listen` does on every backend. Under `fetch.js` it throws
/// the line as a JavaScript `Error` from the module load instead.
///
/// ```ignore
/// if let Err(e) = mocket_node::serve(mocket_core::Mocket::new(), "nonsense") {
///     mocket_node::exit_with_error(&e); // error: invalid listen address "nonsense": …
/// }
/// ```
pub fn exit_with_error(error: &dyn fmt::Display) -> ! {
    host::fail(&format!("error: {error}"));
    // `fail` does not return; if it ever did, stop here rather than go on.
    std::process::abort()
}

/// Node's bind error (its `code`, such as `EADDRINUSE`) as the
/// `ListenError` every backend reports.
fn bind_error(addr: SocketAddr, code: &str, message: String) -> ListenError {
    let source = match code {
        "EADDRINUSE" => io::ErrorKind::AddrInUse.into(),
        "EADDRNOTAVAIL" => io::ErrorKind::AddrNotAvailable.into(),
        "EACCES" | "EPERM" => io::ErrorKind::PermissionDenied.into(),
        _ => io::Error::other(message),
    };
    ListenError::Bind { addr, source }
}
