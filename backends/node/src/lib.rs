//! Mocket's Node.js backend: the app compiled to `wasm32-unknown-unknown`,
//! bound to `node:http` with wasm-bindgen.
//!
//! Node owns the sockets, the HTTP/1.1 parser and the event loop; the wasm
//! instance owns the app. They meet at one function per request: the host
//! (`js/host.js`, shipped as a wasm-bindgen snippet) hands over the request
//! head as one byte buffer and a handle to pull the body from, and gets
//! back the status, the headers as one byte buffer and the body. Nothing
//! crosses the boundary per header or per byte, and the body moves only when
//! the core asks for it, so Node's backpressure reaches the client.
//!
//! A request Node hands over as `'upgrade'` crosses the same way; a `101`
//! that takes the connection over (a WebSocket) gets the raw socket: the
//! host writes the head, and the upgrade runs on the socket as a
//! `futures_io` transport, one crossing per chunk in and per write out,
//! with Node's pause and drain as the backpressure (`upgrade.rs`).
//!
//! A panic is a trap on this target (`panic = abort`): the instance may be
//! inconsistent afterwards, so the host starts a fresh instance, which runs
//! `main` again, re-attaches to the running server, and answers the
//! requests the old one had in flight with 500 through the app's error
//! handler. The README explains the cost.
//!
//! Applications call `listen` from the `mocket` crate, which calls
//! `serve` on this target. Natively this crate is empty.
//!
//! ```ignore
//! let mut app = mocket_core::Mocket::new();
//! app.get("/", |_req| async { "hi" });
//! mocket_node::serve(app, "127.0.0.1:3000").unwrap(); // returns at once; Node serves
//! ```

#![forbid(unsafe_code)]

/// Declares wasm-only items: natively this crate is empty, but for the
/// request head's decoding, which is pure and built for its tests.
macro_rules! wasm_only {
    ($($item:item)*) => {
        $(#[cfg(all(target_arch = "wasm32", target_os = "unknown"))] $item)*
    };
}

#[cfg(any(test, all(target_arch = "wasm32", target_os = "unknown")))]
mod head;

wasm_only! {
    #[cfg(feature = "static-files")]
    mod fs;
    mod host;
    mod request;
    mod response;
    mod server;
    mod shared;
    mod time;
    mod upgrade;

    #[cfg(feature = "static-files")]
    pub use fs::NodeFs;
    pub use server::{env_var, exit_with_error, serve};
    pub use time::{Sleep, sleep, write_stderr};
}
