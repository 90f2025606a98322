//! Node.js only: handlers that await JavaScript promises.
//!
//! A handler's future can await any JavaScript promise through
//! `wasm_bindgen_futures::JsFuture`, so Node's own APIs (timers, `fs`, a
//! database driver from npm) are one `await` away. Run it with
//!
//! ```sh
//! cd examples/node-promise && PORT=3000 cargo mocket run --backend node
//! ```
//!
//! Routes:
//!
//! - `GET /sleep/:ms`: awaits a `setTimeout` promise, then answers.
//! - `GET /files/:name`: awaits `fs.promises.readFile` on a file in the
//!   working directory; a rejected promise (no such file) becomes a 404.
//! - `GET /ticks/:n`: a streamed body of `n` lines, one per timer tick;
//!   `GET /stall` streams one line, then waits forever.
//! - `GET /count`: counts requests in app state; `/panic` panics. On
//!   wasm32-unknown-unknown a panic traps the wasm instance, and the host
//!   starts a fresh one, so the count starts again: the tests measure
//!   what a trap costs with these routes. Errors are rendered by the app's
//!   error handler (it adds `x-rendered-by: on_error`), the 500s after a
//!   trap too.
//! - `GET /wait`: waits on a promise that never settles (until a trap
//!   retires the instance); `GET /waiting` says how many requests are
//!   waiting on a promise (in `/sleep` or `/wait`).

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
mod app;

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn main() {
    use mocket::Serve;
    let port = mocket::env_var("PORT").unwrap_or_else(|| "3000".into());
    app::build().listen(&format!("127.0.0.1:{port}"));
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn main() {
    #[allow(clippy::print_stderr)] // the one line this binary has to say
    {
        eprintln!(
            "error: node-promise runs on Node.js only: run it with `cargo mocket run --backend node` in examples/node-promise"
        );
    }
    std::process::exit(1);
}
