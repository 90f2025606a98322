//! `serve`: hands the app to the host and returns.
//!
//! Natively `listen` blocks until shutdown; here it cannot, because Node's
//! event loop only runs once `main` has returned. So `serve` checks what can
//! be checked synchronously (setup errors, the address), registers four
//! closures with the host (handle a request, pull a response chunk, cancel a
//! response stream, render an error) and returns; Node then binds, prints
//! the `Listening on` line, and calls in for each request.
//!
//! The error renderer is for requests that were in flight on an instance
//! that trapped: the fresh instance answers them through the app's error
//! handler, as a panic is answered natively.

use std::fmt;
use std::future::Future;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use js_sys::{Function, Promise, Uint8Array};
use mocket_core::http::Method;
use mocket_core::{AddrError, Error, Mocket, SetupError, parse_listen_addr};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::request::{self, BodyHint};
use crate::{host, response};

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
pub fn serve(app: Mocket, addr: &str) -> Result<(), ServeError> {
    let service = app.into_service().map_err(ServeError::Setup)?;
    let addr = parse_listen_addr(addr).map_err(ServeError::Addr)?;
    install_panic_hook();

    let opts = service.options().clone();
    let renderer = service.clone();
    let render_error = Closure::<dyn FnMut(String) -> JsValue>::new(move |cause: String| {
        response::encode(renderer.render_error(Error::internal(cause)), false)
    });
    // Returns the answer itself when the app has it at once (the common
    // case: no await on anything pending), or a promise of it otherwise.
    // Skipping `future_to_promise` (a promise, closures and a queued task)
    // for a ready answer is most of what a request costs on this side.
    let handle = Closure::<dyn FnMut(JsValue, Uint8Array, u32) -> JsValue>::new(
        move |exchange: JsValue, head: Uint8Array, hint: u32| {
            let req = request::build(&head.to_vec(), exchange, BodyHint::from_js(hint));
            let is_head = req.method() == Method::HEAD;
            let mut answer = Box::pin(service.call(req));
            // A first poll here; a future left pending is polled again (with
            // the executor's waker) by `future_to_promise`, which is allowed:
            // a future registers the waker of its latest poll.
            let mut cx = Context::from_waker(Waker::noop());
            match answer.as_mut().poll(&mut cx) {
                Poll::Ready(res) => response::encode(res, is_head),
                Poll::Pending => {
                    future_to_promise(async move { Ok(response::encode(answer.await, is_head)) })
                        .into()
                }
            }
        },
    );
    let pull = Closure::<dyn FnMut(u32) -> Promise>::new(response::pull);
    let cancel = Closure::<dyn FnMut(u32)>::new(response::cancel);
    host::attach(
        &addr.to_string(),
        &addr.ip().to_string(),
        addr.port(),
        opts.max_header_bytes as f64,
        millis(opts.header_read_timeout),
        millis(opts.shutdown_grace),
        handle.as_ref().unchecked_ref::<Function>(),
        pull.as_ref().unchecked_ref::<Function>(),
        cancel.as_ref().unchecked_ref::<Function>(),
        render_error.as_ref().unchecked_ref::<Function>(),
    );
    // They live as long as the instance: the host may call them until the
    // process ends or a trap retires the instance.
    handle.forget();
    pull.forget();
    cancel.forget();
    render_error.forget();
    Ok(())
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

/// Why `serve` refused the app. Failing to bind is reported by the host
/// when Node tries, after `main` has returned.
///
/// ```ignore
/// let e = mocket_node::serve(mocket_core::Mocket::new(), "nope").unwrap_err();
/// assert!(e.to_string().starts_with("invalid listen address"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ServeError {
    /// The app has setup errors (such as a route registered twice).
    Setup(SetupError),
    /// The address does not parse.
    Addr(AddrError),
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::Setup(e) => write!(f, "the app is set up wrongly: {e}"),
            ServeError::Addr(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ServeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServeError::Setup(e) => Some(e),
            ServeError::Addr(e) => Some(e),
        }
    }
}
