//! Starting a server: the listen addresses every backend accepts, and
//! [`ListenError`], the one type for why a server could not start. It is
//! the same type with the same variants and words on every target, so an
//! app that matches `ListenError::Bind { .. }` compiles for all of them and
//! prints the same line whichever backend serves it.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use super::Service;
use crate::app::{Mocket, SetupError};

/// Why a server could not start, on every backend.
///
/// On Node.js the socket is bound after `main` returns (Node's event loop
/// runs only then), so `try_listen` there returns `Setup` and `Addr` errors
/// but never `Bind`: a failed bind is printed as the same line
/// (`error: cannot listen on …`) and the process exits with status 1.
///
/// ```
/// use std::io;
/// let err = mocket_core::ListenError::Bind {
///     addr: "127.0.0.1:3000".parse().unwrap(),
///     source: io::ErrorKind::AddrInUse.into(),
/// };
/// assert_eq!(err.to_string(), "cannot listen on 127.0.0.1:3000: the address is already in use");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum ListenError {
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

impl fmt::Display for ListenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListenError::Setup(e) => write!(f, "the app is set up wrongly: {e}"),
            ListenError::Addr(e) => e.fmt(f),
            ListenError::Bind { addr, source } => match source.kind() {
                io::ErrorKind::AddrInUse => {
                    write!(f, "cannot listen on {addr}: the address is already in use")
                }
                io::ErrorKind::AddrNotAvailable => write!(
                    f,
                    "cannot listen on {addr}: the address is not available on this machine"
                ),
                io::ErrorKind::PermissionDenied if source.get_ref().is_none() => {
                    write!(f, "cannot listen on {addr}: permission denied")
                }
                _ => write!(f, "cannot listen on {addr}: {source}"),
            },
            ListenError::Io(e) => write!(f, "server failed: {e}"),
        }
    }
}

impl std::error::Error for ListenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ListenError::Setup(e) => Some(e),
            ListenError::Addr(e) => Some(e),
            ListenError::Bind { source, .. } | ListenError::Io(source) => Some(source),
        }
    }
}

/// What every backend's `listen` does first, in this order: refuse an app
/// with setup errors, then an address that does not parse.
///
/// ```
/// use mocket_core::{ListenError, Mocket};
/// let (service, addr) = mocket_core::backend::prepare(Mocket::new(), ":3000").unwrap();
/// assert_eq!(addr.to_string(), "127.0.0.1:3000");
/// # let _ = service;
/// let err = mocket_core::backend::prepare(Mocket::new(), "nope").unwrap_err();
/// assert!(matches!(err, ListenError::Addr(_)));
/// ```
pub fn prepare(app: Mocket, addr: &str) -> Result<(Service, SocketAddr), ListenError> {
    let service = app.into_service().map_err(ListenError::Setup)?;
    let addr = parse_listen_addr(addr).map_err(ListenError::Addr)?;
    Ok((service, addr))
}

/// Parses the address forms `listen` accepts: `":3000"` and `"3000"` (both
/// on 127.0.0.1: loopback unless you ask for more), `"127.0.0.1:3000"`,
/// `"0.0.0.0:3000"`, `"[::1]:3000"` and `"localhost:3000"`.
///
/// ```
/// use mocket_core::backend::parse_listen_addr;
/// assert_eq!(parse_listen_addr(":3000").unwrap().to_string(), "127.0.0.1:3000");
/// assert_eq!(parse_listen_addr("[::1]:8080").unwrap().to_string(), "[::1]:8080");
/// assert!(parse_listen_addr("127.0.0.1:99999").is_err());
/// ```
pub fn parse_listen_addr(addr: &str) -> Result<SocketAddr, AddrError> {
    let err = |reason: &'static str| AddrError {
        input: addr.to_owned(),
        reason,
    };
    let trimmed = addr.trim();
    let port_only = trimmed.strip_prefix(':').unwrap_or(trimmed);
    if !port_only.is_empty() && port_only.bytes().all(|b| b.is_ascii_digit()) {
        let port = port_only
            .parse::<u16>()
            .map_err(|_| err("the port must be 0 to 65535"))?;
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    if let Ok(sock) = trimmed.parse::<SocketAddr>() {
        return Ok(sock);
    }
    let Some((host, port)) = trimmed.rsplit_once(':') else {
        return Err(err("expected HOST:PORT, :PORT or PORT"));
    };
    let port = port
        .parse::<u16>()
        .map_err(|_| err("the port must be 0 to 65535"))?;
    match host {
        "localhost" => Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)),
        _ if host.contains(':') && !host.starts_with('[') => {
            Err(err("an IPv6 host must be in brackets, as in [::1]:3000"))
        }
        _ => Err(err("the host must be an IP address or localhost")),
    }
}

/// An address `listen` cannot use.
///
/// ```
/// let e = mocket_core::backend::parse_listen_addr("nope").unwrap_err();
/// assert_eq!(e.to_string(), "invalid listen address \"nope\": expected HOST:PORT, :PORT or PORT");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrError {
    input: String,
    reason: &'static str,
}

impl fmt::Display for AddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid listen address {:?}: {}",
            self.input, self.reason
        )
    }
}

impl std::error::Error for AddrError {}

#[cfg(test)]
mod tests {
    use super::parse_listen_addr;

    #[test]
    fn accepts_every_documented_form() {
        for (input, want) in [
            (":3000", "127.0.0.1:3000"),
            ("3000", "127.0.0.1:3000"),
            ("127.0.0.1:3000", "127.0.0.1:3000"),
            ("0.0.0.0:80", "0.0.0.0:80"),
            ("[::1]:3000", "[::1]:3000"),
            ("localhost:0", "127.0.0.1:0"),
        ] {
            assert_eq!(
                parse_listen_addr(input).unwrap().to_string(),
                want,
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_bad_addresses_with_a_reason() {
        for input in [
            "",
            ":",
            "abc",
            ":70000",
            "1.2.3.4",
            "::1:3000",
            "example.com:80",
            "1.2.3.4:x",
        ] {
            let err = parse_listen_addr(input).unwrap_err().to_string();
            assert!(err.starts_with("invalid listen address"), "{input}: {err}");
        }
    }
}
