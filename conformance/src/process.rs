//! Starting the conformance app as a real process, running the suite
//! against it, and stopping it with SIGTERM (or, where the platform cannot
//! shut down gracefully on SIGTERM, as [`Stop`] says).

use std::io::{BufRead, BufReader, Read};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::case::Backend;
use crate::run::{Report, run_all};

/// How long the server may take to print its `Listening on http://…` line.
pub const START_DEADLINE: Duration = Duration::from_secs(60);

/// How long the server may take to exit after SIGTERM (its shutdown grace
/// period is 10 s by default).
pub const STOP_DEADLINE: Duration = Duration::from_secs(30);

const LISTENING: &str = "Listening on http://";

/// The concern of the checks on the server process itself.
const PROCESS: &str = "process";

/// The name of the shutdown check every backend must pass unless it says why
/// it cannot.
const SIGTERM_CHECK: &str = "SIGTERM stops the server with exit status 0";

/// How the server is stopped once the cases have run, and what is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// SIGTERM, and exit status 0 (a graceful shutdown). Every backend that
    /// can does this.
    Term,
    /// The host shuts down gracefully on SIGINT (Ctrl-C) only: the SIGTERM
    /// check is skipped with this reason, and SIGINT must give exit status
    /// 0 instead.
    Interrupt(&'static str),
    /// The platform has no graceful shutdown: the SIGTERM check is skipped
    /// with this reason, and SIGTERM must still end the process (with any
    /// status).
    Unsupported(&'static str),
}

/// Starts `command` with `PORT=0` (in `conformance/app`, unless it has a
/// directory of its own, after pinning the static-files fixture's times),
/// waits for its `Listening on http://ADDR` line, runs every case against ADDR, then sends SIGTERM and expects exit
/// status 0. Everything that goes wrong ends up in the report.
pub fn run_against(backend: Backend, command: Command) -> Report {
    run_against_with(backend, command, Stop::Term)
}

/// [`run_against`], stopping the server as `stop` says.
pub fn run_against_with(backend: Backend, mut command: Command, stop: Stop) -> Report {
    let mut report = Report::new(backend);
    // The app serves `public/` from its own folder.
    if command.get_current_dir().is_none() {
        command.current_dir(workspace_root().join("conformance").join("app"));
    }
    command
        .env("PORT", "0")
        // The suite panics handlers on purpose: one line each in the log.
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let shown = format!("{command:?}");
    // The static-files cases state each file's ETag, made of its time.
    if let Err(e) = crate::fixture::pin_fixture_times() {
        report.fail(
            PROCESS,
            "the static-files fixture is ready",
            format!("  cannot set the fixture's modification times: {e}"),
        );
    }
    let mut server = match Server::spawn(command) {
        Ok(s) => s,
        Err(e) => {
            report.fail(
                PROCESS,
                "the server starts",
                format!("  cannot run {shown}: {e}"),
            );
            return report;
        }
    };
    match server.wait_listening() {
        Ok(addr) if addr.port() == 0 => report.fail(
            PROCESS,
            "the server prints `Listening on http://ADDR` with the real port",
            format!("  with PORT=0 it printed port 0 ({addr}), not the port it bound"),
        ),
        Ok(addr) => {
            report.pass(
                PROCESS,
                "the server prints `Listening on http://ADDR` with the real port",
            );
            let cases = run_all(addr, backend);
            report.results.extend(cases.results);
            stop_server(&mut server, stop, &mut report);
        }
        Err(e) => report.fail(
            PROCESS,
            "the server prints `Listening on http://ADDR` with the real port",
            format!("  {e}\n  command: {shown}"),
        ),
    }
    report.server_log = server.log();
    report
}

/// Stops the server as `stop` says and records the checks.
fn stop_server(server: &mut Server, stop: Stop, report: &mut Report) {
    let (signal, check, graceful) = match stop {
        Stop::Term => ("TERM", SIGTERM_CHECK, true),
        Stop::Interrupt(reason) => {
            report.skip(PROCESS, SIGTERM_CHECK, reason);
            ("INT", "SIGINT stops the server with exit status 0", true)
        }
        Stop::Unsupported(reason) => {
            report.skip(PROCESS, SIGTERM_CHECK, reason);
            ("TERM", "SIGTERM ends the server", false)
        }
    };
    match server.signal(signal) {
        Ok(status) if status.success() || !graceful => report.pass(PROCESS, check),
        Ok(status) => report.fail(PROCESS, check, format!("  it exited with {status}")),
        Err(e) => report.fail(PROCESS, check, format!("  {e}")),
    }
}

/// A running server process, killed if dropped before it exits.
struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
    log: Arc<Mutex<String>>,
}

impl Server {
    fn spawn(mut command: Command) -> std::io::Result<Server> {
        let mut child = command.spawn()?;
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, lines) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            let log = log.clone();
            thread::spawn(move || {
                let mut reader = BufReader::new(stdout);
                let mut raw = Vec::new();
                while matches!(reader.read_until(b'\n', &mut raw), Ok(n) if n > 0) {
                    let line = String::from_utf8_lossy(&raw).trim_end().to_owned();
                    raw.clear();
                    append(&log, &line);
                    // Nobody listens once the address is known; keep draining.
                    let _ = tx.send(line);
                }
            });
        }
        if let Some(mut stderr) = child.stderr.take() {
            let log = log.clone();
            thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = stderr.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut log) = log.lock() {
                        log.push_str(&String::from_utf8_lossy(&buf[..n]));
                    }
                }
            });
        }
        Ok(Server { child, lines, log })
    }

    /// The address of the first `Listening on http://…` line.
    fn wait_listening(&mut self) -> Result<SocketAddr, String> {
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.trim().strip_prefix(LISTENING) {
                        return parse_addr(rest.trim_end_matches('/'))
                            .ok_or_else(|| format!("cannot parse the address in {line:?}"));
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!("no `{LISTENING}…` line within {START_DEADLINE:?}"));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.wait_exit(Duration::from_secs(5));
                    return Err(format!(
                        "the server closed its output without printing `{LISTENING}…` (exit: {})",
                        match status {
                            Ok(s) => s.to_string(),
                            Err(e) => e,
                        }
                    ));
                }
            }
        }
    }

    /// Sends SIG`name` (`TERM`, `INT`) and waits for the exit status.
    fn signal(&mut self, name: &str) -> Result<ExitStatus, String> {
        let pid = self.child.id().to_string();
        let flag = format!("-{name}");
        let sent = Command::new("kill")
            .args([&flag, &pid])
            .status()
            .map_err(|e| format!("cannot run `kill {flag} {pid}`: {e}"))?;
        if !sent.success() {
            return Err(format!("`kill {flag} {pid}` failed: {sent}"));
        }
        self.wait_exit(STOP_DEADLINE)
    }

    fn wait_exit(&mut self, within: Duration) -> Result<ExitStatus, String> {
        let deadline = Instant::now() + within;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) if Instant::now() >= deadline => {
                    return Err(format!("the server is still running {within:?} later"));
                }
                Ok(None) => thread::sleep(Duration::from_millis(20)),
                Err(e) => return Err(format!("cannot wait for the server: {e}")),
            }
        }
    }

    fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn append(log: &Mutex<String>, line: &str) {
    if let Ok(mut log) = log.lock() {
        log.push_str(line);
        log.push('\n');
    }
}

fn parse_addr(text: &str) -> Option<SocketAddr> {
    text.parse()
        .ok()
        .or_else(|| text.to_socket_addrs().ok()?.next())
}

/// The workspace's root directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// The target directory the tests were built in (so nested builds reuse
/// it): the test binary lives in `<target>/<profile>/deps/`.
pub fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Runs `cargo <args>` in `dir` with the cargo that runs the tests;
/// on failure, the error carries cargo's output.
pub fn cargo(args: &[&str], dir: &Path) -> Result<(), String> {
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo {}: {e}", args.join(" ")))?;
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "`cargo {}` in {} failed ({}):\n{}{}",
        args.join(" "),
        dir.display(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}
