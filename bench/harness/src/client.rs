//! A small HTTP/1.1 client over one keep-alive connection: enough to check
//! every route and to send callgrind's sequential requests, with no
//! dependency that could itself be wrong in the way a server is.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::routes::Req;

/// A response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    /// The first value of a header (name lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One connection.
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    port: u16,
    /// The server said `connection: close` (or ended the body with EOF).
    pub closed: bool,
}

fn bad(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

impl Conn {
    pub fn connect(port: u16, timeout: Duration) -> io::Result<Conn> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream,
            buf: Vec::with_capacity(32 * 1024),
            port,
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
        self.stream.write_all(bytes)?;
        self.read_response(head)
    }

    fn fill(&mut self) -> io::Result<()> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed mid-response",
            ));
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(())
    }

    fn take(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.buf.len() < n {
            self.fill()?;
        }
        Ok(self.buf.drain(..n).collect())
    }

    fn line(&mut self) -> io::Result<String> {
        loop {
            if let Some(i) = find(&self.buf, b"\r\n") {
                let line = self.take(i + 2)?;
                return String::from_utf8(line[..i].to_vec()).map_err(|_| bad("line is not UTF-8"));
            }
            self.fill()?;
        }
    }

    fn read_response(&mut self, head: bool) -> io::Result<Resp> {
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i;
            }
            self.fill()?;
        };
        let head_bytes = self.take(head_end + 4)?;
        let text = String::from_utf8(head_bytes).map_err(|_| bad("response head is not UTF-8"))?;
        let mut lines = text.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad(format!("bad status line {status_line:?}")))?;
        let headers: Vec<(String, String)> = lines
            .filter(|l| !l.is_empty())
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let get = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        if get("connection").is_some_and(|v| v.eq_ignore_ascii_case("close")) {
            self.closed = true;
        }
        let body = if head || status == 204 || status == 304 || (100..200).contains(&status) {
            Vec::new()
        } else if get("transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
        {
            let mut body = Vec::new();
            loop {
                let line = self.line()?;
                let size = usize::from_str_radix(line.split(';').next().unwrap_or("").trim(), 16)
                    .map_err(|_| bad(format!("bad chunk size {line:?}")))?;
                if size == 0 {
                    while !self.line()?.is_empty() {}
                    break;
                }
                body.extend(self.take(size)?);
                self.take(2)?;
            }
            body
        } else if let Some(len) = get("content-length") {
            let len: usize = len.parse().map_err(|_| bad("bad content-length"))?;
            self.take(len)?
        } else {
            // Delimited by the end of the connection.
            self.closed = true;
            let mut body = std::mem::take(&mut self.buf);
            self.stream.read_to_end(&mut body)?;
            body
        };
        Ok(Resp {
            status,
            headers,
            body,
        })
    }
}
