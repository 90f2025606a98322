//! Helpers for the WASI tests: building the wasm apps, starting wasmtime,
//! and a raw HTTP/1.1 client in which every read has a deadline.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// How long one socket read or write may block before the test fails.
pub const IO_TIMEOUT: Duration = Duration::from_secs(20);

/// How long wasmtime may take to compile the component and start serving:
/// debug builds are large and the machine may be busy.
pub const START_TIMEOUT: Duration = Duration::from_secs(120);

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The wasmtime executable: on `PATH`, else in `~/.cargo/bin`. Fails the
/// test with a hint when it is in neither.
pub fn wasmtime() -> PathBuf {
    static FOUND: OnceLock<Option<PathBuf>> = OnceLock::new();
    let found = FOUND.get_or_init(|| {
        let on_path = std::env::var_os("PATH")
            .into_iter()
            .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .map(|dir| dir.join("wasmtime"));
        let in_cargo = std::env::var_os("HOME")
            .map(|home| Path::new(&home).join(".cargo/bin/wasmtime"))
            .into_iter();
        on_path.chain(in_cargo).find(|p| p.is_file())
    });
    match found {
        Some(path) => path.clone(),
        None => panic!(
            "wasmtime is not installed (looked on PATH and in ~/.cargo/bin): \
             run scripts/test, which installs it"
        ),
    }
}

/// The wasm apps the tests run, built once per test binary.
pub struct Apps {
    /// `examples/bench` of the `mocket` package: the routes of ROUTES.md.
    pub bench: PathBuf,
    /// `backends/wasi/examples/panicky.rs`: `/`, `/panic`, `/count`.
    pub panicky: PathBuf,
}

/// Builds both apps for `wasm32-wasip2` (debug) with the same cargo that
/// runs the tests.
pub fn apps() -> &'static Apps {
    // Without wasmtime there is no point in building: say so first.
    wasmtime();
    static APPS: OnceLock<Apps> = OnceLock::new();
    APPS.get_or_init(|| {
        let out = Command::new(env!("CARGO"))
            .args([
                "build",
                "--target",
                "wasm32-wasip2",
                "--message-format=json",
                "-p",
                "mocket",
                "--example",
                "bench",
                "-p",
                "mocket-wasi",
                "--example",
                "panicky",
            ])
            .current_dir(workspace())
            .stdin(Stdio::null())
            .output()
            .expect("run cargo build");
        assert!(
            out.status.success(),
            "building the wasm apps failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        Apps {
            bench: artifact(&stdout, "bench.wasm"),
            panicky: artifact(&stdout, "panicky.wasm"),
        }
    })
}

/// Finds the `executable` path ending in `/name` in cargo's JSON messages.
fn artifact(messages: &str, name: &str) -> PathBuf {
    const KEY: &str = "\"executable\":\"";
    messages
        .lines()
        .filter_map(|line| {
            let start = line.find(KEY)? + KEY.len();
            let len = line[start..].find('"')?;
            Some(PathBuf::from(&line[start..start + len]))
        })
        .find(|path| path.ends_with(name))
        .unwrap_or_else(|| panic!("cargo built no {name}:\n{messages}"))
}

/// Pre-initialises `wasm` with `wasmtime wizer` (the README's command) and
/// returns the new component's path.
pub fn preinitialise(wasm: &Path) -> PathBuf {
    let out_path = wasm.with_extension("pre.wasm");
    let out = Command::new(wasmtime())
        .args(["wizer", "--init-func", "run()", "-S", "cli", "-S", "http"])
        .args(["--env", "MOCKET_WASI_PREINIT=1", "-o"])
        .arg(&out_path)
        .arg(wasm)
        .stdin(Stdio::null())
        .output()
        .expect("run wasmtime wizer");
    assert!(
        out.status.success(),
        "wasmtime wizer failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out_path
}

/// A running wasmtime process, killed when dropped; its output is collected
/// as it arrives.
pub struct Process {
    child: Child,
    output: Arc<Mutex<String>>,
    lines: mpsc::Receiver<String>,
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Process {
    /// Starts `cmd` with its stdout and stderr captured.
    pub fn spawn(mut cmd: Command) -> Process {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start wasmtime");
        let output = Arc::new(Mutex::new(String::new()));
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");
        for stream in [Box::new(stdout) as Box<dyn Read + Send>, Box::new(stderr)] {
            let output = output.clone();
            let tx = tx.clone();
            thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    output.lock().unwrap().push_str(&format!("{line}\n"));
                    let _ = tx.send(line);
                }
            });
        }
        Process {
            child,
            output,
            lines,
        }
    }

    /// Everything the process printed so far.
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Waits for a line containing `marker`, then parses the address that
    /// follows it (`http://ADDR`). Fails the test after `START_TIMEOUT` or if
    /// the process exits first.
    pub fn wait_for_addr(&mut self, marker: &str) -> SocketAddr {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no {marker:?} line within {START_TIMEOUT:?}; output:\n{}",
                self.output()
            );
            match self
                .lines
                .recv_timeout(left.min(Duration::from_millis(200)))
            {
                Ok(line) => {
                    if let Some(rest) = line.split(marker).nth(1) {
                        let addr = rest
                            .trim()
                            .trim_start_matches("http://")
                            .trim_end_matches('/');
                        return addr
                            .parse()
                            .unwrap_or_else(|_| panic!("bad address in {line:?}"));
                    }
                }
                Err(_) => {
                    if let Some(status) = self.child.try_wait().expect("try_wait") {
                        // Let the reader threads finish collecting output.
                        thread::sleep(Duration::from_millis(200));
                        panic!(
                            "wasmtime exited ({status}) before {marker:?}; output:\n{}",
                            self.output()
                        );
                    }
                }
            }
        }
    }

    /// Waits for the process to exit, failing the test after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // Let the reader threads drain what is left.
                thread::sleep(Duration::from_millis(200));
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the process did not exit within {timeout:?}; output:\n{}",
                self.output()
            );
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

/// A server under test: mode 1 (`wasmtime serve`) or mode 2 (`wasmtime run`).
pub struct Server {
    pub process: Process,
    pub addr: SocketAddr,
}

/// Mode 1: `wasmtime serve -S cli --addr 127.0.0.1:0 WASM`, plus `extra`
/// arguments before the component.
pub fn serve(wasm: &Path, extra: &[&str]) -> Server {
    let mut cmd = Command::new(wasmtime());
    cmd.args(["serve", "-S", "cli", "--addr", "127.0.0.1:0"])
        .args(extra)
        .arg(wasm);
    let mut process = Process::spawn(cmd);
    let addr = process.wait_for_addr("Serving HTTP on ");
    Server { process, addr }
}

/// Mode 2: the component as a command, `wasmtime run -S http -S
/// inherit-network -S tcp --env PORT=0 WASM`.
pub fn run(wasm: &Path) -> Server {
    let mut process = Process::spawn(run_command(wasm, "0", true));
    let addr = process.wait_for_addr("Listening on ");
    Server { process, addr }
}

/// The mode 2 command line, with or without network access.
pub fn run_command(wasm: &Path, port: &str, network: bool) -> Command {
    let mut cmd = Command::new(wasmtime());
    cmd.args(["run", "-S", "http"]);
    if network {
        cmd.args(["-S", "inherit-network", "-S", "tcp"]);
    }
    cmd.arg("--env").arg(format!("PORT={port}")).arg(wasm);
    cmd
}

/// One response, as read off the wire.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as UTF-8 text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A client connection that never blocks longer than [`IO_TIMEOUT`].
pub struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    pub fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT).expect("connect");
        stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        stream.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
        let _ = stream.set_nodelay(true);
        Conn {
            stream,
            buf: Vec::new(),
        }
    }

    /// Writes raw bytes.
    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write the request");
    }

    /// Writes raw bytes, ignoring failures (the server may already have
    /// answered and closed).
    pub fn send_lossy(&mut self, bytes: &[u8]) {
        let _ = self.stream.write_all(bytes);
    }

    /// Reads more bytes into the buffer; `false` at end of stream.
    fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                panic!("no response within {IO_TIMEOUT:?}")
            }
            // A reset after the response arrived counts as an end of stream.
            Err(_) => false,
        }
    }

    /// Reads one response; `head` says it answers a HEAD request (no body).
    /// Skips interim 1xx responses.
    pub fn read_response(&mut self, head: bool) -> Response {
        loop {
            let res = self.read_one(head);
            if !(100..200).contains(&res.status) {
                return res;
            }
        }
    }

    fn read_one(&mut self, head: bool) -> Response {
        let end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i;
            }
            assert!(
                self.fill(),
                "connection closed before a full response head; got {:?}",
                String::from_utf8_lossy(&self.buf)
            );
        };
        let head_text = String::from_utf8_lossy(&self.buf[..end]).into_owned();
        self.buf.drain(..end + 4);
        let mut lines = head_text.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let status: u16 = status_line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let mut res = Response {
            status,
            headers,
            body: Vec::new(),
        };
        if head || (100..200).contains(&status) || status == 204 || status == 304 {
            return res;
        }
        if let Some(len) = res.header("content-length") {
            let len: usize = len.parse().expect("numeric content-length");
            while self.buf.len() < len {
                assert!(self.fill(), "connection closed inside a body");
            }
            res.body = self.buf.drain(..len).collect();
        } else if res
            .header("transfer-encoding")
            .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
        {
            res.body = self.read_chunked();
        } else {
            while self.fill() {}
            res.body = std::mem::take(&mut self.buf);
        }
        res
    }

    fn read_chunked(&mut self) -> Vec<u8> {
        let mut body = Vec::new();
        loop {
            let line_end = loop {
                if let Some(i) = find(&self.buf, b"\r\n") {
                    break i;
                }
                assert!(self.fill(), "connection closed inside a chunk size");
            };
            let size_text = String::from_utf8_lossy(&self.buf[..line_end]).into_owned();
            let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16)
                .unwrap_or_else(|_| panic!("bad chunk size {size_text:?}"));
            self.buf.drain(..line_end + 2);
            if size == 0 {
                // Trailers, then the empty line.
                loop {
                    if let Some(i) = find(&self.buf, b"\r\n") {
                        let empty = i == 0;
                        self.buf.drain(..i + 2);
                        if empty {
                            return body;
                        }
                    } else {
                        assert!(self.fill(), "connection closed inside trailers");
                    }
                }
            }
            while self.buf.len() < size + 2 {
                assert!(self.fill(), "connection closed inside a chunk");
            }
            body.extend(self.buf.drain(..size));
            self.buf.drain(..2);
        }
    }

    /// Sends one request and reads its response.
    pub fn exchange(&mut self, request: &[u8]) -> Response {
        self.send(request);
        self.read_response(request.starts_with(b"HEAD "))
    }

    /// Whether the server closes the connection (or resets it) within the
    /// read timeout, with nothing more to read.
    pub fn closed_by_server(&mut self) -> bool {
        !self.fill() && self.buf.is_empty()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A keep-alive GET request.
pub fn get_request(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nhost: mocket.test\r\n\r\n").into_bytes()
}

/// A request with a body and `content-length`.
pub fn post_request(target: &str, content_type: Option<&str>, body: &[u8]) -> Vec<u8> {
    let mut req = format!(
        "POST {target} HTTP/1.1\r\nhost: mocket.test\r\ncontent-length: {}\r\n",
        body.len()
    );
    if let Some(ct) = content_type {
        req.push_str(&format!("content-type: {ct}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// GET on a new connection.
pub fn get(addr: SocketAddr, target: &str) -> Response {
    Conn::open(addr).exchange(&get_request(target))
}

/// Checks every case of bench/ROUTES.md (expected values as in
/// tests/bench_app.rs), plus 404, 405 with `Allow`, HEAD, 413 without
/// sending the body, 400 on a bad escape and on a malformed request, 431
/// and keep-alive — all over one server.
pub fn check_bench(addr: SocketAddr) {
    // One connection for everything that keeps it open.
    let mut conn = Conn::open(addr);
    for target in ["/plaintext", "/middleware/plaintext", "/api/plaintext"] {
        let res = conn.exchange(&get_request(target));
        assert_eq!(res.status, 200, "{target}");
        assert_eq!(
            res.header("content-type"),
            Some("text/plain; charset=utf-8"),
            "{target}"
        );
        assert_eq!(
            res.header("x-middleware").is_some(),
            target == "/middleware/plaintext",
            "{target}"
        );
        assert_eq!(res.text(), "Hello, World!", "{target}");
    }
    let text = |conn: &mut Conn, target: &str| {
        let res = conn.exchange(&get_request(target));
        assert_eq!(res.status, 200, "{target}: {}", res.text());
        res.text()
    };
    assert_eq!(
        text(&mut conn, "/api/v1/users/current/profile/settings"),
        "settings"
    );
    assert_eq!(text(&mut conn, "/static/999"), "999");
    assert_eq!(text(&mut conn, "/static/0"), "0");
    assert_eq!(conn.exchange(&get_request("/static/1000")).status, 404);

    let res = conn.exchange(&get_request("/json"));
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.text(), r#"{"message":"Hello, World!"}"#);

    assert_eq!(text(&mut conn, "/echo/moonbit"), "moonbit");
    assert_eq!(text(&mut conn, "/echo/hello%20world"), "hello world");
    assert_eq!(text(&mut conn, "/users/42/posts/99/comments/7"), "42,99,7");
    assert_eq!(text(&mut conn, "/wild/a/b/c/d"), "a/b/c/d");

    assert_eq!(
        text(&mut conn, "/query?name=moonbit&repeat=4"),
        "moonbitmoonbitmoonbitmoonbit"
    );
    assert_eq!(text(&mut conn, "/query?name=moonbit"), "moonbit");
    assert_eq!(
        conn.exchange(&get_request("/query?name=x&repeat=abc"))
            .status,
        400
    );
    assert_eq!(
        conn.exchange(&get_request("/query?name=x&repeat=1001"))
            .status,
        400
    );
    assert_eq!(text(&mut conn, "/query?name=x&repeat=1000").len(), 1000);

    let res = conn.exchange(&get_request("/headers"));
    assert_eq!(res.header("x-powered-by"), Some("bench"));
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(res.text(), "ok");
    assert_eq!(conn.exchange(&get_request("/missing")).status, 404);

    let res = conn.exchange(&post_request("/echo", None, b"hello moonbit"));
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "hello moonbit");

    let large: Vec<u8> = (0..16 * 1024).map(|i| b'a' + (i % 26) as u8).collect();
    let res = conn.exchange(&post_request("/echo", None, &large));
    assert_eq!(res.status, 200);
    assert_eq!(res.body, large);
    let res = conn.exchange(&post_request("/consume", None, &large));
    assert_eq!(res.text(), "ok");

    let sent = br#"{"message":"Hello, World!","items":[1,2,3,4]}"#;
    let res = conn.exchange(&post_request("/json-echo", Some("application/json"), sent));
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.body, sent);
    let res = conn.exchange(&post_request(
        "/json-echo",
        Some("application/json"),
        b"{nope",
    ));
    assert_eq!(res.status, 400);

    // A chunked request body, streamed in pieces.
    conn.send(b"POST /echo HTTP/1.1\r\nhost: mocket.test\r\ntransfer-encoding: chunked\r\n\r\n");
    conn.send(b"5\r\nhello\r\n");
    conn.send(b"6\r\n world\r\n0\r\n\r\n");
    let res = conn.read_response(false);
    assert_eq!(res.text(), "hello world");

    // 405 with Allow, and HEAD answered by the GET route.
    let res = conn.exchange(b"DELETE /plaintext HTTP/1.1\r\nhost: mocket.test\r\n\r\n");
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("GET, HEAD"));
    let res = conn.exchange(b"HEAD /plaintext HTTP/1.1\r\nhost: mocket.test\r\n\r\n");
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-length"), Some("13"));
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    // The connection is still in sync after HEAD: no body was sent.
    assert_eq!(text(&mut conn, "/plaintext"), "Hello, World!");

    // A bad escape in a parameter is the core's 400.
    let res = conn.exchange(&get_request("/echo/%zz"));
    assert_eq!(res.status, 400);
    assert_eq!(text(&mut conn, "/echo/ok"), "ok");

    // A body declared over the 1 MiB limit: 413 before any of it is sent.
    let mut conn = Conn::open(addr);
    conn.send(b"POST /echo HTTP/1.1\r\nhost: mocket.test\r\ncontent-length: 2000000\r\n\r\n");
    let res = conn.read_response(false);
    assert_eq!(res.status, 413);
    assert!(res.text().contains("limit"), "{}", res.text());

    // A chunked body over the limit: cut off at the limit, 413.
    let mut conn = Conn::open(addr);
    conn.send(b"POST /echo HTTP/1.1\r\nhost: mocket.test\r\ntransfer-encoding: chunked\r\n\r\n");
    let chunk = vec![b'x'; 64 * 1024];
    let mut framed = format!("{:x}\r\n", chunk.len()).into_bytes();
    framed.extend_from_slice(&chunk);
    framed.extend_from_slice(b"\r\n");
    for _ in 0..17 {
        conn.send_lossy(&framed);
    }
    conn.send_lossy(b"0\r\n\r\n");
    assert_eq!(conn.read_response(false).status, 413);

    // A head over the 16 KiB cap.
    let mut conn = Conn::open(addr);
    let big = "a".repeat(20 * 1024);
    conn.send_lossy(
        format!("GET /plaintext HTTP/1.1\r\nhost: mocket.test\r\nx-big: {big}\r\n\r\n").as_bytes(),
    );
    assert_eq!(conn.read_response(false).status, 431);

    // Garbage instead of a request line.
    let mut conn = Conn::open(addr);
    conn.send_lossy(b"NOT HTTP AT ALL\r\n\r\n");
    assert_eq!(conn.read_response(false).status, 400);

    // Pipelining: three requests in one write, three answers in order.
    let mut conn = Conn::open(addr);
    let mut burst = get_request("/static/1");
    burst.extend(get_request("/static/2"));
    burst.extend(get_request("/static/3"));
    conn.send(&burst);
    for want in ["1", "2", "3"] {
        assert_eq!(conn.read_response(false).text(), want);
    }
}
