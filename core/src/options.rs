//! Settings the app carries for whichever backend serves it.
//!
//! The core does no I/O, but the limits a server enforces are part of the
//! app's contract, so they live here as plain data and every backend reads
//! them. A backend that cannot honour one says so in the README.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
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
    /// connection is closed (a slowloris defence). Default 30 s.
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

/// Parses the address forms `listen` accepts: `":3000"` and `"3000"` (both
/// on 127.0.0.1: loopback unless you ask for more), `"127.0.0.1:3000"`,
/// `"0.0.0.0:3000"`, `"[::1]:3000"` and `"localhost:3000"`.
///
/// ```
/// use mocket_core::parse_listen_addr;
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
/// let e = mocket_core::parse_listen_addr("nope").unwrap_err();
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
