//! `listen`: the one call whose implementation the target chooses.

use mocket_core::ListenError;

/// Serves an app on the backend chosen for the compilation target.
///
/// ```no_run
/// use mocket::prelude::*;
/// let mut app = Mocket::new();
/// app.get("/", |_req| async { "hi" });
/// app.listen("127.0.0.1:3000");
/// ```
pub trait Serve {
    /// Serves until the process is told to stop (SIGINT/SIGTERM natively
    /// and on Node.js; the end of stdin on WASI sockets, see
    /// `backends/wasi/README.md`), after printing `Listening on
    /// http://ADDR`, then stops gracefully within the grace period. On a bad address, a port
    /// in use or setup errors it prints one `error:` line and exits with
    /// status 1.
    fn listen(self, addr: &str);

    /// Like [`Serve::listen`], but returns errors instead of exiting.
    ///
    /// ```no_run
    /// use mocket::prelude::*;
    /// if let Err(e) = Mocket::new().try_listen("nonsense") {
    ///     eprintln!("{e}");
    /// }
    /// ```
    fn try_listen(self, addr: &str) -> Result<(), ListenError>;
}

/// Each backend's `listen`. `listen` returns at once on Node.js (its event
/// loop serves after `main` returns) and under a `wasi:http` host (which
/// calls `main` to build the app, then sends requests); natively and as a
/// WASI command it blocks until shutdown. The backends' READMEs say more.
impl Serve for mocket_core::Mocket {
    fn listen(self, addr: &str) {
        if let Err(e) = self.try_listen(addr) {
            backend::exit_with_error(&e);
        }
    }

    fn try_listen(self, addr: &str) -> Result<(), ListenError> {
        backend::serve(self, addr)
    }
}

#[cfg(feature = "static-files")]
pub(crate) use backend::HostFs;
pub(crate) use backend::{env_var, write_stderr};

/// Native: hyper 1 + tokio.
#[cfg(not(target_family = "wasm"))]
pub(crate) mod backend {
    pub(crate) use super::std_host::{env_var, exit_with_error, write_stderr};
    #[cfg(feature = "static-files")]
    pub(crate) use mocket_native::NativeFs as HostFs;
    pub(crate) use mocket_native::{Sleep, serve, sleep};
}

/// Node.js: `wasm32-unknown-unknown` + wasm-bindgen on `node:http`.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub(crate) mod backend {
    #[cfg(feature = "static-files")]
    pub(crate) use mocket_node::NodeFs as HostFs;
    pub(crate) use mocket_node::{Sleep, env_var, exit_with_error, serve, sleep, write_stderr};
}

/// WASI: `wasm32-wasip2`, as a `wasi:http` component or a command on `wasi:sockets`.
#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
pub(crate) mod backend {
    pub(crate) use super::std_host::{env_var, exit_with_error, write_stderr};
    #[cfg(feature = "static-files")]
    pub(crate) use mocket_wasi::WasiFs as HostFs;
    pub(crate) use mocket_wasi::{Sleep, serve, sleep};
}

/// Hosts with a process environment and standard error.
#[cfg(any(not(target_family = "wasm"), target_os = "wasi"))]
mod std_host {
    pub(crate) fn env_var(name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    pub(crate) fn write_stderr(bytes: &[u8]) {
        use std::io::Write;
        // Nothing to do if standard error is gone.
        let _ = std::io::stderr().write_all(bytes);
    }

    #[allow(clippy::print_stderr)] // the one line a failed start prints
    pub(crate) fn exit_with_error(error: &dyn std::fmt::Display) -> ! {
        eprintln!("error: {error}");
        std::process::exit(1)
    }
}
