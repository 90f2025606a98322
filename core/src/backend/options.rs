//! Settings the app carries for whichever backend serves it.
//!
//! The core does no I/O, but the limits a server enforces are part of the
//! app's contract, so they live here as plain data and every backend reads
//! them. A backend that cannot honour one says so in the README.

use std::time::Duration;

/// Limits and timeouts for serving the app.
///
/// ```
/// let opts = mocket_core::ServerOptions::default();
/// assert_eq!(opts.max_header_bytes, 16 * 1024);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerOptions {
    /// How long a client may take to send the request head before the
    /// connection is closed (a slowloris defence); also how long a
    /// kept-alive connection may wait idle for its next request. Default
    /// 30 s.
    pub header_read_timeout: Duration,
    /// The most bytes of request line and headers accepted; larger heads get
    /// 431. Default 16 KiB, like Node.js.
    pub max_header_bytes: usize,
    /// How long in-flight requests may run after a shutdown signal before
    /// the server exits anyway. Default 10 s.
    pub shutdown_grace: Duration,
    /// Worker threads for backends that have threads; `None` means one per
    /// CPU core.
    pub workers: Option<usize>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            header_read_timeout: Duration::from_secs(30),
            max_header_bytes: 16 * 1024,
            shutdown_grace: Duration::from_secs(10),
            workers: None,
        }
    }
}
