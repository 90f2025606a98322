//! The bench's HTTP/1.1 client: the test kit's raw client (no dependency
//! that could itself be wrong in the way a server is), over one keep-alive
//! connection, with requests encoded from the route table.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mocket_testkit::http1;

use crate::routes::Req;

/// A response.
pub type Resp = http1::Response;

/// One connection.
pub struct Conn {
    conn: http1::Conn,
    port: u16,
    timeout: Duration,
    /// The server said `connection: close` (or ended the body with EOF).
    pub closed: bool,
}

impl Conn {
    /// Connects to 127.0.0.1:`port`; each response may take `timeout`.
    pub fn connect(port: u16, timeout: Duration) -> io::Result<Conn> {
        let conn = http1::Conn::connect(SocketAddr::from(([127, 0, 0, 1], port)))?;
        Ok(Conn {
            conn,
            port,
            timeout,
            closed: false,
        })
    }

    /// Serializes a request (the same bytes every time for the same `Req`).
    pub fn encode(&self, req: &Req) -> Vec<u8> {
        let mut out = format!(
            "{} {} HTTP/1.1\r\nhost: 127.0.0.1:{}\r\n",
            req.method, req.path, self.port
        );
        if let Some(ct) = req.content_type {
            out.push_str(&format!("content-type: {ct}\r\n"));
        }
        if req.method != "GET" || !req.body.is_empty() {
            out.push_str(&format!("content-length: {}\r\n", req.body.len()));
        }
        out.push_str("\r\n");
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&req.body);
        bytes
    }

    /// Sends one request and reads its response.
    pub fn send(&mut self, req: &Req) -> io::Result<Resp> {
        let bytes = self.encode(req);
        self.send_raw(&bytes, req.method == "HEAD")
    }

    /// Sends pre-encoded bytes and reads one response.
    pub fn send_raw(&mut self, bytes: &[u8], head: bool) -> io::Result<Resp> {
        if self.closed {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the server closed the connection",
            ));
        }
        self.conn.try_send(bytes)?;
        let res = self
            .conn
            .read_response(head, Instant::now() + self.timeout)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
        let framed = res.header("content-length").is_some()
            || res.header("transfer-encoding").is_some()
            || head
            || matches!(res.status, 100..=199 | 204 | 304);
        if !framed
            || res
                .header("connection")
                .is_some_and(|v| v.eq_ignore_ascii_case("close"))
        {
            self.closed = true;
        }
        Ok(res)
    }
}
