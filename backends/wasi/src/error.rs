//! Why `serve` could not start, worded like the native backend's errors so
//! that `listen` prints the same line on every backend.

use std::fmt;
use std::io;
use std::net::SocketAddr;

use mocket_core::{AddrError, SetupError};

/// Why a server could not start.
///
/// ```ignore
/// let e = mocket_wasi::serve(mocket_core::Mocket::new(), "nope").unwrap_err();
/// assert!(e.to_string().starts_with("invalid listen address"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ServeError {
    /// The app has setup errors (such as a route registered twice).
    Setup(SetupError),
    /// The address does not parse.
    Addr(AddrError),
    /// The address parses but cannot be bound. A host that grants no
    /// network access (`wasmtime run` without `-S inherit-network`) is
    /// reported here as [`io::ErrorKind::PermissionDenied`].
    Bind {
        /// The address that was asked for.
        addr: SocketAddr,
        /// What the host said.
        source: io::Error,
    },
    /// Accepting or reading the bound address failed.
    Io(io::Error),
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::Setup(e) => write!(f, "the app is set up wrongly: {e}"),
            ServeError::Addr(e) => e.fmt(f),
            ServeError::Bind { addr, source } => match source.kind() {
                io::ErrorKind::AddrInUse => {
                    write!(f, "cannot listen on {addr}: the address is already in use")
                }
                io::ErrorKind::PermissionDenied => write!(
                    f,
                    "cannot listen on {addr}: the host grants no network access \
                     (with wasmtime: `wasmtime run -S http -S inherit-network`)"
                ),
                _ => write!(f, "cannot listen on {addr}: {source}"),
            },
            ServeError::Io(e) => write!(f, "server failed: {e}"),
        }
    }
}

impl std::error::Error for ServeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServeError::Setup(e) => Some(e),
            ServeError::Addr(e) => Some(e),
            ServeError::Bind { source, .. } | ServeError::Io(source) => Some(source),
        }
    }
}
