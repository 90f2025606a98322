//! Mode 1: the `wasi:http/incoming-handler` export.
//!
//! A `wasi:http` host (`wasmtime serve`, Spin, wasmCloud, `jco serve`)
//! never calls `main`: it instantiates the component and calls `handle` for
//! each request, on a fresh instance or a reused one as it sees fit. But a
//! Mocket program builds its app in `main` and hands it to `listen`, and the
//! application must not name the backend or carry a `cfg`. So on the first
//! request an instance sees, the handler runs the program's `main` itself,
//! with a flag set that makes `listen` keep the built app in this instance
//! instead of binding a socket ([`building`], [`keep`]). `main` then returns
//! and the handler serves the request; later requests to the same instance
//! reuse the app.
//!
//! The same flag can be raised from outside with the environment variable
//! `MOCKET_WASI_PREINIT`, for `wasmtime wizer`, which `cargo mocket build
//! --backend wasi` runs by default: it calls `wasi:cli/run` once at build
//! time, `listen` keeps the app, and the snapshot it takes starts every
//! instance with the app built, so the handler never runs `main`. Before
//! the snapshot, `keep` makes wasi-libc forget the environment and the
//! preopened folders it cached while `main` ran (the build's, not the
//! host's): the first read after the snapshot asks the host again, so a
//! handler's `env_var` sees the deployment's environment.
//!
//! ## The `unsafe` calls
//!
//! `main` is reached through the C-level entry point rustc generates for
//! every binary, which on WASI targets is named `__main_void` (wasi-libc's
//! `_start` calls it; it runs the Rust runtime's start-up and then the
//! program's `fn main`). Calling a foreign function is `unsafe`, and these
//! are the only `unsafe` calls in the project: there is no safe way to
//! reach a binary's `main` from a library, and the alternatives all leak
//! into the application (a macro on `main`, a second entry point, a `cfg`).
//! It is sound because the symbol has exactly the declared type (`() ->
//! i32`, what rustc emits for this target), it is called at most once per
//! instance, before anything else in the instance has started the runtime
//! (`wasi:cli/run` is never called in a `wasi:http` instance), and outside
//! any other borrow of this module's state. The two wasi-libc resets
//! (`__wasilibc_deinitialize_environ`, `__wasilibc_reset_preopens`, both
//! `void (void)`, which wasi-libc exports for exactly this: tools that
//! snapshot an instance) run once, from `listen` inside `main`, while no
//! environment or file call is in progress.
//!
//! ## Panics
//!
//! `wasm32-wasip2` aborts on panic, and an abort is a trap that ends the
//! instance. Left alone, the host would answer the request itself
//! (`wasmtime serve` sends its own HTML 500 page; `jco serve` sends
//! nothing), so [`keep`] installs a panic hook that answers the request in
//! flight with a 500 rendered by the app's error handler, as a caught panic
//! is natively, before the trap happens. The next request gets a fresh
//! instance, which builds the app again.

use std::cell::{Cell, RefCell};
use std::time::Instant;

use http::StatusCode;
use mocket_core::backend::{Leftover, Outgoing, Service, UnreadBodies};
use mocket_core::{Error, IntoResponse};
use wasip2::exports::http::incoming_handler::Guest;
use wasip2::http::types::{IncomingRequest, ResponseOutparam};

use crate::{executor, incoming, outgoing};

thread_local! {
    /// True while the handler runs `main`.
    static BUILDING: Cell<bool> = const { Cell::new(false) };
    /// The app of this instance, once `main` has run.
    static APP: RefCell<Instance> = const { RefCell::new(Instance::Fresh) };
    /// The answer slot of the request in flight until a response is set:
    /// the panic hook answers through it.
    static PENDING: RefCell<Option<ResponseOutparam>> = const { RefCell::new(None) };
}

enum Instance {
    /// `main` has not run yet.
    Fresh,
    /// `main` called `listen`.
    Serving(Service),
    /// `main` returned without calling `listen`.
    NoApp,
}

/// Whether `listen` must keep the app instead of binding a socket: it is
/// being called from `main` run by the handler, or while `wasmtime wizer`
/// pre-initialises the component (`MOCKET_WASI_PREINIT` set).
pub(crate) fn building() -> bool {
    BUILDING.get() || std::env::var_os("MOCKET_WASI_PREINIT").is_some()
}

/// Keeps the app `main` built for this instance's requests, and installs
/// the panic hook that answers 500 before a trap (after any hook `main`
/// installed, which still runs first).
pub(crate) fn keep(service: Service) {
    APP.set(Instance::Serving(service));
    install_panic_hook();
    if !BUILDING.get() {
        forget_build_environment();
    }
}

// Declaring foreign functions is part of the unsafe calls below.
#[allow(unsafe_code)]
unsafe extern "C" {
    /// The entry point rustc generates for the binary's `fn main` on WASI
    /// targets: runs the Rust runtime's start-up, then `main`, and returns
    /// the exit status.
    fn __main_void() -> i32;
    /// wasi-libc: drops the cached environment; the next read asks the host.
    fn __wasilibc_deinitialize_environ();
    /// wasi-libc: drops the cached preopened folders; the next path
    /// operation asks the host.
    fn __wasilibc_reset_preopens();
}

/// Pre-initialising (`MOCKET_WASI_PREINIT` under `wasmtime wizer`): what
/// wasi-libc cached of the build's environment and folders must not be in
/// the snapshot.
fn forget_build_environment() {
    // SAFETY: both are wasi-libc's own `void (void)` functions for
    // snapshotting tools; they run here once, inside `listen`, while no
    // environment or path call is in progress on this (only) thread.
    #[allow(unsafe_code)]
    unsafe {
        __wasilibc_deinitialize_environ();
        __wasilibc_reset_preopens();
    }
}

/// Runs the program's `main` with [`building`] set, once per instance.
fn run_main() {
    BUILDING.set(true);
    let started = Instant::now();
    // SAFETY: `__main_void` is the `() -> i32` entry point rustc emits for
    // the binary being served (this code only runs inside it, when the host
    // calls the handler export). This is its only call in a wasi:http
    // instance: `APP` is no longer `Fresh` afterwards, and the host never
    // calls `wasi:cli/run` on an instance it serves requests with. No
    // borrow of this module's thread-locals is held across the call.
    #[allow(unsafe_code)]
    let status = unsafe { __main_void() };
    BUILDING.set(false);
    tracing::debug!(
        micros = started.elapsed().as_micros() as u64,
        status,
        "ran main to build the app for this instance"
    );
    APP.with_borrow_mut(|app| {
        if matches!(app, Instance::Fresh) {
            *app = Instance::NoApp;
        }
    });
}

/// The app of this instance, building it on the first call.
fn service() -> Option<Service> {
    if APP.with_borrow(|app| matches!(app, Instance::Fresh)) {
        run_main();
    }
    current()
}

/// Wraps the current panic hook (the default one prints the message to
/// stderr) in one that first answers the request in flight with 500,
/// rendered by the app's error handler as natively: the answer goes out
/// even if printing then fails.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if let Some(out) = take_pending() {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("(no message)");
            let error = Error::internal(format!("handler panicked: {message}"));
            let answer = match current() {
                // The request's method is out of reach here; a HEAD
                // answer's body is dropped by the host anyway.
                Some(service) => service.render_error(error, false),
                None => internal_error(),
            };
            outgoing::answer_now(out, answer);
        }
        previous(info);
    }));
}

/// The app of this instance, if it has one; `None` also while the state is
/// borrowed (a panic inside this module).
fn current() -> Option<Service> {
    APP.try_with(|app| match &*app.try_borrow().ok()? {
        Instance::Serving(service) => Some(service.clone()),
        Instance::Fresh | Instance::NoApp => None,
    })
    .ok()
    .flatten()
}

/// What the core's default error rendering answers for a 500, for an
/// instance without an app.
fn internal_error() -> Outgoing {
    let error = Error::from_status(StatusCode::INTERNAL_SERVER_ERROR);
    Outgoing::new(error.default_response(), false)
}

/// Takes the request's answer slot out of the panic hook's reach: from now
/// on the response is the handler's to set.
pub(crate) fn take_pending() -> Option<ResponseOutparam> {
    PENDING
        .try_with(|slot| slot.try_borrow_mut().ok().and_then(|mut slot| slot.take()))
        .ok()
        .flatten()
}

struct Handler;

impl Guest for Handler {
    fn handle(request: IncomingRequest, out: ResponseOutparam) {
        // From here on, a panic is answered through the slot (once `main`
        // has installed the hook by calling `listen`).
        PENDING.set(Some(out));
        let Some(service) = service() else {
            #[allow(clippy::print_stderr)] // the operator's only clue
            {
                eprintln!(
                    "error: `main` returned without calling `listen`: there is no app to serve"
                );
            }
            if let Some(out) = take_pending() {
                outgoing::answer_now(out, internal_error());
            }
            return;
        };
        executor::block_on(async move {
            let req = match incoming::convert(request, &service) {
                Ok(req) => req,
                Err(status) => {
                    if let Some(out) = take_pending() {
                        outgoing::answer_now(out, Outgoing::new(status.into_response(), false));
                    }
                    return;
                }
            };
            let is_head = req.method() == http::Method::HEAD;
            let answer = service.serve(req, UnreadBodies::DrainOrDrop).await;
            // No upgrade in this world: an accepted WebSocket is the app's 501.
            let answer = service.refuse_upgrade(answer, is_head, PROXY_CANNOT_UPGRADE);
            let leftover = answer.leftover;
            if let Some(out) = take_pending() {
                outgoing::send(out, answer).await;
            }
            // The response is out: what the app left of the request body.
            incoming::finish_leftover(leftover == Leftover::Drain);
        });
    }
}

/// Why a WebSocket is answered 501 here.
const PROXY_CANNOT_UPGRADE: &str = "the wasi:http proxy world cannot hand a connection over";

wasip2::http::proxy::export!(Handler with_types_in wasip2);
