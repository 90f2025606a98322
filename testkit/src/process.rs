//! A process under test: spawned with its output captured as it arrives,
//! awaited for its `Listening on http://ADDR` line, signalled and checked
//! for its exit status. Every wait has a deadline; a process still running
//! when its handle drops is killed.

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, ToSocketAddrs};
use std::ops::{Deref, DerefMut};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::http1::{self, Conn, Response};

/// How long a server may take to print its address line: wasmtime compiles
/// a debug component first, and the machine may be busy building.
pub const START_TIMEOUT: Duration = Duration::from_secs(120);

/// How long a process may take to exit when it should (a server's shutdown
/// grace period is 10 s by default).
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(30);

/// The line every Mocket backend prints once it listens.
pub const LISTENING: &str = "Listening on ";

/// What the process wrote, kept as it arrives.
#[derive(Default)]
struct Captured {
    stdout: String,
    stderr: String,
    /// Both, line by line, in arrival order.
    both: String,
}

/// A running process with stdout and stderr captured.
pub struct Process {
    child: Child,
    shown: String,
    captured: Arc<Mutex<Captured>>,
    /// Every line of stdout and stderr, for [`Process::wait_for_line`].
    lines: Receiver<String>,
    /// Stdout's lines only, for [`Process::next_line`].
    stdout_lines: Receiver<String>,
    readers: Vec<JoinHandle<()>>,
}

impl Process {
    /// Starts `cmd` (stdin empty, stdout and stderr captured).
    pub fn try_spawn(cmd: &mut Command) -> std::io::Result<Process> {
        let shown = format!("{cmd:?}");
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let captured = Arc::new(Mutex::new(Captured::default()));
        let (all_tx, lines) = mpsc::channel();
        let (out_tx, stdout_lines) = mpsc::channel();
        let mut readers = Vec::new();
        if let Some(out) = child.stdout.take() {
            let sinks = (captured.clone(), all_tx.clone(), Some(out_tx));
            readers.push(thread::spawn(move || read_lines(out, true, sinks)));
        }
        if let Some(err) = child.stderr.take() {
            let sinks = (captured.clone(), all_tx, None);
            readers.push(thread::spawn(move || read_lines(err, false, sinks)));
        }
        Ok(Process {
            child,
            shown,
            captured,
            lines,
            stdout_lines,
            readers,
        })
    }

    /// Starts `cmd`, failing the test if it cannot be run.
    pub fn spawn(cmd: &mut Command) -> Process {
        let shown = format!("{cmd:?}");
        Process::try_spawn(cmd).unwrap_or_else(|e| panic!("cannot run {shown}: {e}"))
    }

    /// The operating system's id of the process.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether it is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    fn captured(&self) -> std::sync::MutexGuard<'_, Captured> {
        self.captured.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Everything it printed so far, stdout and stderr interleaved by line.
    pub fn output(&self) -> String {
        self.captured().both.clone()
    }

    /// What it wrote to stdout so far.
    pub fn stdout(&self) -> String {
        self.captured().stdout.clone()
    }

    /// What it wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.captured().stderr.clone()
    }

    /// The next line of stdout, if one comes within `timeout`.
    pub fn next_line(&mut self, timeout: Duration) -> Option<String> {
        self.stdout_lines.recv_timeout(timeout).ok()
    }

    /// Waits until its output (either stream) contains `needle`; returns it.
    pub fn wait_for_output(&self, needle: &str) -> String {
        let deadline = Instant::now() + http1::IO_TIMEOUT;
        loop {
            let text = self.output();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{} never printed {needle:?}; it printed:\n{text}",
                self.shown
            );
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// Waits for a line (on either stream) containing `marker` and parses
    /// the address after it (`http://ADDR/` or `ADDR`).
    pub fn try_wait_for_addr(
        &mut self,
        marker: &str,
        timeout: Duration,
    ) -> Result<SocketAddr, String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.split_once(marker).map(|(_, rest)| rest) {
                        let text = rest.trim().trim_start_matches("http://");
                        return parse_addr(text.trim_end_matches('/'))
                            .ok_or_else(|| format!("cannot parse the address in {line:?}"));
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!("no {marker:?} line within {timeout:?}"));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.try_wait_exit(Duration::from_secs(5));
                    return Err(format!(
                        "its output closed before a {marker:?} line (exit: {})",
                        status.map_or_else(|e| e, |s| s.to_string())
                    ));
                }
            }
        }
    }

    /// [`Process::try_wait_for_addr`] within [`START_TIMEOUT`], failing the
    /// test with the process's output.
    pub fn wait_for_addr(&mut self, marker: &str) -> SocketAddr {
        self.try_wait_for_addr(marker, START_TIMEOUT)
            .unwrap_or_else(|e| panic!("{}: {e}; output:\n{}", self.shown, self.output()))
    }

    /// Sends SIG`name` (`TERM`, `INT`, …).
    pub fn try_signal(&self, name: &str) -> Result<(), String> {
        let pid = self.pid().to_string();
        let flag = format!("-{name}");
        let sent = Command::new("kill")
            .args([&flag, &pid])
            .status()
            .map_err(|e| format!("cannot run `kill {flag} {pid}`: {e}"))?;
        if sent.success() {
            Ok(())
        } else {
            Err(format!("`kill {flag} {pid}` failed: {sent}"))
        }
    }

    /// Sends SIG`name`, failing the test if it cannot.
    pub fn signal(&self, name: &str) {
        self.try_signal(name).unwrap_or_else(|e| panic!("{e}"));
    }

    /// Waits up to `within` for the exit status; the output is complete
    /// when it returns (the readers reached the end of both pipes).
    pub fn try_wait_exit(&mut self, within: Duration) -> Result<ExitStatus, String> {
        let deadline = Instant::now() + within;
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    return Err(format!("it is still running {within:?} later"));
                }
                Ok(None) => thread::sleep(Duration::from_millis(10)),
                Err(e) => return Err(format!("cannot wait for it: {e}")),
            }
        };
        // A grandchild may hold the pipes open: wait for the readers only
        // until the deadline, then report what arrived.
        while self.readers.iter().any(|r| !r.is_finished()) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
        Ok(status)
    }

    /// Waits up to `within` for the exit status, failing the test (with the
    /// output) if the process is still running.
    pub fn wait_exit(&mut self, within: Duration) -> ExitStatus {
        self.try_wait_exit(within)
            .unwrap_or_else(|e| panic!("{}: {e}; output:\n{}", self.shown, self.output()))
    }

    /// Runs to the end (within [`EXIT_TIMEOUT`]): the exit status, stdout
    /// and stderr.
    pub fn finish(mut self) -> (ExitStatus, String, String) {
        let status = self.wait_exit(EXIT_TIMEOUT);
        (status, self.stdout(), self.stderr())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Copies one pipe into the captured text and the line channels.
fn read_lines(
    pipe: impl Read,
    is_stdout: bool,
    (captured, all, stdout_only): (Arc<Mutex<Captured>>, Sender<String>, Option<Sender<String>>),
) {
    let mut reader = BufReader::new(pipe);
    let mut raw = Vec::new();
    while matches!(reader.read_until(b'\n', &mut raw), Ok(n) if n > 0) {
        let text = String::from_utf8_lossy(&raw).into_owned();
        raw.clear();
        let line = text.trim_end_matches(['\r', '\n']).to_owned();
        if let Ok(mut c) = captured.lock() {
            if is_stdout {
                c.stdout.push_str(&text);
            } else {
                c.stderr.push_str(&text);
            }
            c.both.push_str(&line);
            c.both.push('\n');
        }
        // Nobody may be listening any more; keep draining the pipe.
        let _ = all.send(line.clone());
        if let Some(tx) = &stdout_only {
            let _ = tx.send(line);
        }
    }
}

fn parse_addr(text: &str) -> Option<SocketAddr> {
    text.parse()
        .ok()
        .or_else(|| text.to_socket_addrs().ok()?.next())
}

/// Runs `cmd` to its end (stdin empty): its stdout, or an error naming
/// the command and its status, with both outputs.
pub fn try_output(cmd: &mut Command) -> Result<String, String> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    Err(format!(
        "{shown} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

/// [`try_output`], failing the test.
pub fn output(cmd: &mut Command) -> String {
    try_output(cmd).unwrap_or_else(|e| panic!("{e}"))
}

/// A server process and the address it printed.
pub struct Server {
    /// The process.
    pub process: Process,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Server {
    /// Starts `cmd` and waits for its `Listening on http://ADDR` line.
    /// Set `PORT=0` on `cmd` to let it choose a free port.
    pub fn start(cmd: &mut Command) -> Server {
        Server::start_with(cmd, LISTENING)
    }

    /// Starts `cmd` and waits for a line with `marker` before the address
    /// (`wasmtime serve` prints `Serving HTTP on http://ADDR/`).
    pub fn start_with(cmd: &mut Command, marker: &str) -> Server {
        let mut process = Process::spawn(cmd);
        let addr = process.wait_for_addr(marker);
        Server { process, addr }
    }

    /// Starts `cmd` and waits up to `within` (a build may come first) for
    /// its first line of stdout, which must be `Listening on http://ADDR`:
    /// what every Mocket backend prints before anything else.
    pub fn listening(cmd: &mut Command, within: Duration) -> Server {
        let mut process = Process::spawn(cmd);
        let line = process.next_line(within).unwrap_or_else(|| {
            panic!(
                "no first line within {within:?}; output:\n{}",
                process.output()
            )
        });
        let addr = line
            .strip_prefix("Listening on http://")
            .and_then(|text| parse_addr(text.trim_end_matches('/')))
            .unwrap_or_else(|| {
                panic!(
                    "the first line is not `Listening on http://ADDR`: {line:?}; output:\n{}",
                    process.output()
                )
            });
        Server { process, addr }
    }

    /// A new connection to it.
    pub fn conn(&self) -> Conn {
        Conn::open(self.addr)
    }

    /// GET `target` on a new connection.
    pub fn get(&self, target: &str) -> Response {
        http1::get(self.addr, target)
    }
}

impl Deref for Server {
    type Target = Process;
    fn deref(&self) -> &Process {
        &self.process
    }
}

impl DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Process {
        &mut self.process
    }
}

/// The resident memory of process `pid` and of its descendants (a CLI
/// that runs the server as a child), in KiB, from Linux's `/proc`.
///
/// ```no_run
/// let kib = mocket_testkit::process::tree_rss_kib(std::process::id());
/// assert!(kib > 0);
/// ```
pub fn tree_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let own: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let children =
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
    own + children
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .map(tree_rss_kib)
        .sum::<u64>()
}

/// What `n` idle keep-alive connections to `server` cost in resident
/// memory, in KiB each: `path` is warmed up first, then each connection
/// has one `GET path` answered and stays open while the server's process
/// tree is measured. Returns the connections' cost and keeps them open
/// until it has measured.
pub fn idle_connection_kib(server: &Server, path: &str, n: usize) -> f64 {
    for _ in 0..200 {
        assert_eq!(server.get(path).status, 200, "warming up {path}");
    }
    thread::sleep(Duration::from_millis(500));
    let pid = server.pid();
    let before = tree_rss_kib(pid);
    let mut idle: Vec<Conn> = (0..n).map(|_| server.conn()).collect();
    for conn in &mut idle {
        assert_eq!(conn.exchange(&http1::get_request(path)).status, 200);
    }
    thread::sleep(Duration::from_millis(500));
    let after = tree_rss_kib(pid);
    let per = after.saturating_sub(before) as f64 / n as f64;
    #[allow(clippy::print_stdout)] // the measure behind the verdict, in the test's log
    {
        println!("{n} idle keep-alive connections: {before} KiB → {after} KiB, {per:.1} KiB each");
    }
    drop(idle);
    per
}
