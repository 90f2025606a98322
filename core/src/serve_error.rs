//! Why a server could not start: one type for every backend that binds a
//! socket, so `listen` prints the same line whichever serves the app.

use std::fmt;
use std::io;
use std::net::SocketAddr;

use crate::app::SetupError;
use crate::options::AddrError;

/// Why a server could not start.
///
/// ```
/// use std::io;
/// let err = mocket_core::ServeError::Bind {
///     addr: "127.0.0.1:3000".parse().unwrap(),
///     source: io::ErrorKind::AddrInUse.into(),
/// };
/// assert_eq!(err.to_string(), "cannot listen on 127.0.0.1:3000: the address is already in use");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ServeError {
    /// The app has setup errors (such as a route registered twice).
    Setup(SetupError),
    /// The address does not parse.
    Addr(AddrError),
    /// The address parses but cannot be bound.
    Bind {
        /// The address that was asked for.
        addr: SocketAddr,
        /// What the OS said.
        source: io::Error,
    },
    /// Starting threads or runtimes failed.
    Io(io::Error),
}

impl fmt::Display for ServeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServeError::Setup(e) => write!(f, "the app is set up wrongly: {e}"),
            ServeError::Addr(e) => e.fmt(f),
            ServeError::Bind { addr, source } if source.kind() == io::ErrorKind::AddrInUse => {
                write!(f, "cannot listen on {addr}: the address is already in use")
            }
            ServeError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
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
