//! The functions the JavaScript host (`js/host.js`) provides.
//!
//! Kept to a handful of coarse calls: each crossing of the wasm boundary has
//! a cost, so a request costs one call in (the handler), one call per body
//! chunk it reads, and one promise resolution out. An upgraded socket's
//! functions (one crossing per chunk in, one per write out) are in
//! `crate::upgrade`, beside its snippet `js/upgrade.js`.

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/host.js")]
extern "C" {
    /// Serves the app on `addr` (or, when loaded through `fetch.js`, only
    /// registers it), or re-attaches a fresh instance to the server already
    /// listening there. Returns at once: Node binds asynchronously and
    /// reports a failure itself (one `error:` line, exit status 1).
    #[wasm_bindgen(js_name = attach)]
    pub(crate) fn attach(
        addr: &str,
        ip: &str,
        port: u16,
        max_header_bytes: f64,
        header_timeout_ms: f64,
        shutdown_grace_ms: f64,
        linger_bytes: f64,
        linger_ms: f64,
        handle: &Function,
        pull: &Function,
        cancel: &Function,
        render_error: &Function,
        bind_failed: &Function,
        run_upgrade: &Function,
        socket_event: &Function,
        collect_limit: f64,
        memory: &JsValue,
        shared_meta: u32,
        reserve_input: &Function,
        begin_shutdown: &Function,
    );

    /// The number of the instance being run; the panic hook reports it so
    /// the host knows which instance trapped.
    #[wasm_bindgen(js_name = generation)]
    pub(crate) fn generation() -> u32;

    /// Logs a panic message with `console.error` and retires the instance:
    /// its requests in flight get 500 and a fresh instance takes over.
    #[wasm_bindgen(js_name = panicked)]
    pub(crate) fn panicked(generation: u32, message: &str);

    /// The next chunk of a request body: a `Uint8Array`, or `undefined` at
    /// the end. Node reads from the socket only when asked.
    #[wasm_bindgen(js_name = readChunk)]
    pub(crate) fn read_chunk(exchange: &JsValue) -> Promise;

    /// A promise resolved after `ms` milliseconds (`setTimeout`).
    #[wasm_bindgen(js_name = sleep)]
    pub(crate) fn sleep(ms: f64) -> Promise;

    /// `process.stderr.write(bytes)`.
    #[wasm_bindgen(js_name = writeStderr)]
    pub(crate) fn write_stderr(bytes: &[u8]);

    /// `process.env[name]`.
    #[wasm_bindgen(js_name = envVar)]
    pub(crate) fn env_var(name: &str) -> Option<String>;

    /// Prints `line` to stderr and exits with status 1 (in fetch mode,
    /// throws it as an `Error` instead: the process is not ours to end).
    #[wasm_bindgen(js_name = fail)]
    pub(crate) fn fail(line: &str);
}

/// A JavaScript error or rejection as an `io::Error`: its `message`, or
/// what it was. (The message only: JS values cannot leave this thread, and
/// errors must be `Send`.)
pub(crate) fn js_error(value: &JsValue) -> std::io::Error {
    let message = value
        .as_string()
        .or_else(|| {
            js_sys::Reflect::get(value, &JsValue::from_str("message"))
                .ok()?
                .as_string()
        })
        .unwrap_or_else(|| format!("{value:?}"));
    std::io::Error::other(message)
}
