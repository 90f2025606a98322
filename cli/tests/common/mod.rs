//! Shared helpers: building apps with `cargo mocket`, running them under
//! real `node`, and talking HTTP/1.1 to them over raw TCP sockets.
//!
//! Every wait has a deadline, so a server that hangs fails the test instead
//! of hanging it; nothing waits a fixed time for something to happen.

#![allow(dead_code)] // each test file uses a different part

use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// How long a single read may wait.
pub(crate) const IO_TIMEOUT: Duration = Duration::from_secs(15);
/// How long a server may take to print its `Listening on` line.
pub(crate) const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long building an app may take (a first build compiles everything,
/// and may install the wasm-bindgen CLI).
pub(crate) const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// How long a process may take to exit when it should.
pub(crate) const EXIT_TIMEOUT: Duration = Duration::from_secs(20);

pub(crate) fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
        .to_path_buf()
}

/// The CLI under test.
pub(crate) fn cargo_mocket() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-mocket"));
    cmd.env("CARGO", env!("CARGO"));
    cmd
}

/// Builds an app once per test process (tests run in parallel threads and
/// share it): `cargo mocket build --backend node <args> --out <dir>` run in
/// `cwd`, relative to the workspace root.
pub(crate) fn build_node_app(key: &str, cwd: &str, args: &[&str]) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| Mutex::new(HashMap::new()));
    // One build at a time: cargo would serialize them anyway.
    let mut built = built.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(dir) = built.get(key) {
        return dir.clone();
    }
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("node-apps")
        .join(key);
    let mut build = cargo_mocket()
        .current_dir(workspace_root().join(cwd))
        .args(["build", "--backend", "node"])
        .args(args)
        .arg("--out")
        .arg(&out)
        .stdin(Stdio::null())
        .spawn()
        .expect("cargo-mocket runs");
    let deadline = Instant::now() + BUILD_TIMEOUT;
    let status = loop {
        if let Some(status) = build.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = build.kill();
            panic!("cargo mocket build {args:?} took longer than {BUILD_TIMEOUT:?}");
        }
        thread::sleep(Duration::from_millis(50));
    };
    assert!(
        status.success(),
        "cargo mocket build {args:?} failed: {status}"
    );
    for file in [
        "index.js",
        "fetch.js",
        "package.json",
        "app.js",
        "app_bg.wasm",
    ] {
        assert!(out.join(file).is_file(), "the build output lacks {file}");
    }
    built.insert(key.to_owned(), out.clone());
    out
}

/// The bench example, built for Node.
pub(crate) fn bench_app() -> PathBuf {
    build_node_app("bench", ".", &["--example", "bench"])
}

/// The node-promise example, built for Node.
pub(crate) fn promise_app() -> PathBuf {
    build_node_app("node-promise", "examples/node-promise", &[])
}

/// A running `node index.js`.
pub(crate) struct Server {
    child: Child,
    pub(crate) addr: SocketAddr,
    stdout: Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Starts the app in `dir` on PORT=0 and waits for its `Listening on`
    /// line.
    pub(crate) fn start(dir: &Path) -> Server {
        let mut cmd = node_in(dir, "0");
        let mut started = Server::spawn(&mut cmd);
        let line = started
            .next_line(START_TIMEOUT)
            .unwrap_or_else(|| panic!("no Listening line; stderr: {}", started.stderr()));
        let addr = line
            .strip_prefix("Listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .parse()
            .unwrap_or_else(|e| panic!("bad address in {line:?}: {e}"));
        started.addr = addr;
        started
    }

    /// Spawns `cmd` with stdout and stderr captured, without waiting.
    pub(crate) fn spawn(cmd: &mut Command) -> Server {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("node runs");
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped");
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = stderr.clone();
        let mut pipe = child.stderr.take().expect("piped");
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                sink.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push_str(&text);
            }
        });
        Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            stdout: rx,
            stderr,
        }
    }

    /// The next stdout line, if one comes within `timeout`.
    pub(crate) fn next_line(&mut self, timeout: Duration) -> Option<String> {
        self.stdout.recv_timeout(timeout).ok()
    }

    /// Everything written to stderr so far.
    pub(crate) fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Waits until stderr contains `needle`.
    pub(crate) fn wait_for_stderr(&self, needle: &str) -> String {
        let deadline = Instant::now() + IO_TIMEOUT;
        loop {
            let text = self.stderr();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "stderr never said {needle:?}: {text}"
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends a signal to this server's process (by its pid).
    pub(crate) fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.pid().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits for the process to exit, with a deadline.
    pub(crate) fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + EXIT_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the process did not exit; stderr: {}",
                self.stderr()
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    pub(crate) fn conn(&self) -> Conn {
        Conn::open(self.addr)
    }

    /// One request on a fresh connection.
    pub(crate) fn get(&self, path: &str) -> Response {
        let mut conn = self.conn();
        conn.send(&get(path));
        conn.response()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Our own child, by its handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `node index.js` in `dir` with PORT set.
pub(crate) fn node_in(dir: &Path, port: &str) -> Command {
    let mut cmd = Command::new("node");
    cmd.arg("index.js").current_dir(dir).env("PORT", port);
    cmd
}

/// Runs a process to completion with a deadline, capturing its output.
pub(crate) fn run_to_end(cmd: &mut Command) -> (ExitStatus, String, String) {
    let mut server = Server::spawn(cmd);
    let status = server.wait_exit();
    let mut stdout = Vec::new();
    while let Some(line) = server.next_line(Duration::from_secs(5)) {
        stdout.push(line);
    }
    // The stderr thread ends at EOF, which follows the exit closely.
    let deadline = Instant::now() + IO_TIMEOUT;
    let mut stderr = server.stderr();
    while Instant::now() < deadline && Arc::strong_count(&server.stderr) > 1 {
        thread::sleep(Duration::from_millis(10));
        stderr = server.stderr();
    }
    (status, stdout.join("\n"), stderr)
}

/// A parsed HTTP/1.1 response.
#[derive(Debug)]
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A client connection that reads responses one at a time.
pub(crate) struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    eof: bool,
}

impl Conn {
    pub(crate) fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT).expect("connect");
        stream.set_read_timeout(Some(IO_TIMEOUT)).expect("timeout");
        stream.set_write_timeout(Some(IO_TIMEOUT)).expect("timeout");
        let _ = stream.set_nodelay(true);
        Conn {
            stream,
            buf: Vec::new(),
            eof: false,
        }
    }

    pub(crate) fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("send");
    }

    /// Sends, ignoring a peer that already closed (it may answer first).
    pub(crate) fn try_send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    fn fill(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 64 * 1024];
        let n = self.stream.read(&mut chunk)?;
        if n == 0 {
            self.eof = true;
        }
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    /// The next response (of a GET-like request).
    pub(crate) fn response(&mut self) -> Response {
        self.response_to(false)
    }

    /// The next response; `head` for a HEAD request (no body follows).
    pub(crate) fn response_to(&mut self, head: bool) -> Response {
        let deadline = Instant::now() + IO_TIMEOUT;
        loop {
            if let Some((res, used)) = parse_response(&self.buf, head, self.eof) {
                self.buf.drain(..used);
                return res;
            }
            assert!(
                !self.eof,
                "the server closed before a whole response: {:?}",
                String::from_utf8_lossy(&self.buf)
            );
            assert!(Instant::now() < deadline, "no response in time");
            match self.fill() {
                Ok(_) => {}
                Err(e) if is_reset(&e) => self.eof = true,
                Err(e) => panic!(
                    "read failed: {e}; got {:?}",
                    String::from_utf8_lossy(&self.buf)
                ),
            }
        }
    }

    /// Reads until the bytes received so far contain `needle`.
    pub(crate) fn read_until(&mut self, needle: &[u8]) -> Vec<u8> {
        let deadline = Instant::now() + IO_TIMEOUT;
        while find(&self.buf, needle).is_none() {
            assert!(
                !self.eof,
                "closed before {:?}",
                String::from_utf8_lossy(needle)
            );
            assert!(
                Instant::now() < deadline,
                "{:?} never came",
                String::from_utf8_lossy(needle)
            );
            if let Err(e) = self.fill() {
                panic!("read failed: {e}");
            }
        }
        self.buf.clone()
    }

    /// Reads until the server closes the connection; returns all the bytes
    /// received on it.
    pub(crate) fn read_to_close(&mut self) -> Vec<u8> {
        let deadline = Instant::now() + IO_TIMEOUT;
        while !self.eof {
            assert!(Instant::now() < deadline, "the connection stayed open");
            match self.fill() {
                Ok(_) => {}
                Err(e) if is_reset(&e) => self.eof = true,
                Err(e) => panic!("read failed: {e}"),
            }
        }
        self.buf.clone()
    }

    /// Waits for the server to close the connection (EOF or reset), with
    /// nothing more sent.
    pub(crate) fn expect_closed(&mut self) {
        let deadline = Instant::now() + IO_TIMEOUT;
        while !self.eof {
            assert!(Instant::now() < deadline, "the connection stayed open");
            match self.fill() {
                Ok(_) => {}
                Err(e) if is_reset(&e) => self.eof = true,
                Err(e) => panic!("read failed: {e}"),
            }
        }
        assert!(
            self.buf.is_empty(),
            "unexpected bytes before close: {:?}",
            String::from_utf8_lossy(&self.buf)
        );
    }
}

fn is_reset(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe
    )
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Parses one response from the front of `buf`, `None` while incomplete.
pub(crate) fn parse_response(
    buf: &[u8],
    head_request: bool,
    eof: bool,
) -> Option<(Response, usize)> {
    let head_end = find(buf, b"\r\n\r\n")? + 4;
    let head = String::from_utf8_lossy(&buf[..head_end - 4]).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let rest = &buf[head_end..];
    let no_body = head_request || status == 204 || status == 304 || (100..200).contains(&status);
    let (body, used) = if no_body {
        (Vec::new(), 0)
    } else if let Some(len) = get("content-length") {
        let len: usize = len.parse().expect("numeric content-length");
        if rest.len() < len {
            return None;
        }
        (rest[..len].to_vec(), len)
    } else if get("transfer-encoding").is_some_and(|te| te.eq_ignore_ascii_case("chunked")) {
        decode_chunked(rest)?
    } else if eof {
        (rest.to_vec(), rest.len())
    } else {
        return None;
    };
    Some((
        Response {
            status,
            headers,
            body,
        },
        head_end + used,
    ))
}

fn decode_chunked(mut buf: &[u8]) -> Option<(Vec<u8>, usize)> {
    let total = buf.len();
    let mut body = Vec::new();
    loop {
        let line_end = find(buf, b"\r\n")?;
        let size_text = String::from_utf8_lossy(&buf[..line_end]).into_owned();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .expect("chunk size");
        buf = &buf[line_end + 2..];
        if size == 0 {
            let end = find(buf, b"\r\n")?; // no trailers expected
            buf = &buf[end + 2..];
            return Some((body, total - buf.len()));
        }
        if buf.len() < size + 2 {
            return None;
        }
        body.extend_from_slice(&buf[..size]);
        buf = &buf[size + 2..];
    }
}

/// A bodiless GET for `path`.
pub(crate) fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nhost: test\r\n\r\n").into_bytes()
}

/// A request with a content-length body.
pub(crate) fn with_body(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Vec<u8> {
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nhost: test\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// `body` in chunked encoding, `chunk` bytes per chunk, with the last chunk.
pub(crate) fn chunked(body: &[u8], chunk: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for part in body.chunks(chunk) {
        out.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        out.extend_from_slice(part);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

/// Runs a Node script (CommonJS) in `dir`, returning its exit status and
/// output.
pub(crate) fn node_script(dir: &Path, script: &str) -> (ExitStatus, String, String) {
    run_to_end(Command::new("node").arg("-e").arg(script).current_dir(dir))
}
