//! `listen`: the one call whose implementation the target chooses.

/// Serves an app on the backend chosen for the compilation target.
///
/// ```no_run
/// use mocket::prelude::*;
/// let mut app = Mocket::new();
/// app.get("/", |_req| async { "hi" });
/// app.listen("127.0.0.1:3000");
/// ```
pub trait Serve {
    /// Serves until the process is told to stop (SIGINT/SIGTERM natively),
    /// after printing `Listening on http://ADDR`. On a bad address, a port
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

/// Why `listen` could not serve.
#[cfg(not(target_family = "wasm"))]
pub type ListenError = mocket_native::ServeError;

#[cfg(not(target_family = "wasm"))]
impl Serve for mocket_core::Mocket {
    fn listen(self, addr: &str) {
        if let Err(e) = self.try_listen(addr) {
            #[allow(clippy::print_stderr)] // the one line a failed start prints
            {
                eprintln!("error: {e}");
            }
            std::process::exit(1);
        }
    }

    fn try_listen(self, addr: &str) -> Result<(), ListenError> {
        let server = mocket_native::Server::bind(self, addr)?;
        #[allow(clippy::print_stdout)] // tools wait for this line to know the port
        {
            println!("Listening on http://{}", server.local_addr());
        }
        server.run()
    }
}

#[cfg(not(target_family = "wasm"))]
pub(crate) fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Why `listen` could not serve.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub type ListenError = mocket_node::ServeError;

/// On Node.js `listen` registers the app with `node:http` and returns at
/// once: Node's event loop runs after `main` returns, and serves from then
/// on. A port Node cannot bind is reported by Node (one `error:` line, exit
/// status 1); `try_listen` returns only the errors found before binding.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
impl Serve for mocket_core::Mocket {
    fn listen(self, addr: &str) {
        if let Err(e) = self.try_listen(addr) {
            mocket_node::exit_with_error(&e);
        }
    }

    fn try_listen(self, addr: &str) -> Result<(), ListenError> {
        mocket_node::serve(self, addr)
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub(crate) fn env_var(name: &str) -> Option<String> {
    mocket_node::env_var(name)
}

/// Why `listen` could not serve.
#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
pub type ListenError = mocket_wasi::ServeError;

/// On WASI the same binary serves in two ways. Run as a command with network
/// access (`wasmtime run -S http -S inherit-network`), `listen` binds through
/// `wasi:sockets`, prints `Listening on http://ADDR` and serves like the
/// native backend. Run as a `wasi:http` component (`wasmtime serve`, Spin,
/// wasmCloud), the host calls `main` on an instance's first request and
/// `listen` keeps the app for that instance's requests and returns at once.
#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
impl Serve for mocket_core::Mocket {
    fn listen(self, addr: &str) {
        if let Err(e) = self.try_listen(addr) {
            #[allow(clippy::print_stderr)] // the one line a failed start prints
            {
                eprintln!("error: {e}");
            }
            std::process::exit(1);
        }
    }

    fn try_listen(self, addr: &str) -> Result<(), ListenError> {
        mocket_wasi::serve(self, addr)
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
pub(crate) fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok()
}
