//! `listen` as a real process: the bench example run with `cargo run`, its
//! one-line errors and exit codes, the `Listening on` line, and a graceful
//! exit on SIGTERM and SIGINT.

#![cfg(all(unix, not(target_family = "wasm")))]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

/// How long a process may take to start or stop. `cargo run` checks that
/// the build is fresh first, which can be slow on a busy machine.
const PROCESS_TIMEOUT: Duration = Duration::from_secs(120);

/// Builds the example once per test binary, so that the `cargo run`s below
/// only start it and their stderr holds nothing but the program's own.
fn build_once() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let out = Command::new(env!("CARGO"))
            .args(["build", "-q", "--example", "bench"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .output()
            .expect("run cargo build");
        assert!(
            out.status.success(),
            "building the bench example failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    });
}

/// `cargo run -q --example bench` with `PORT` set. On Unix `cargo run`
/// replaces itself with the program, so the child's pid is the server's.
fn bench(port: &str) -> Command {
    build_once();
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["run", "-q", "--example", "bench"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PORT", port)
        // A panic would print a backtrace, which the tests would then see.
        .env("RUST_BACKTRACE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// A child process that is killed if the test fails before it exits.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

impl Running {
    fn pid(&self) -> String {
        self.0.id().to_string()
    }

    /// Waits for the process to exit, failing the test after `timeout`.
    fn wait(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.0.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the process did not exit within {timeout:?}"
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Reads a pipe to its end on a thread; the result arrives on the channel.
fn drain(mut pipe: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        let _ = tx.send(text);
    });
    rx
}

/// Runs `cmd` to completion: exit status, stdout, stderr.
fn run_to_exit(mut cmd: Command) -> (ExitStatus, String, String) {
    let mut child = Running(cmd.spawn().expect("start cargo run"));
    let stdout = drain(child.0.stdout.take().expect("stdout"));
    let stderr = drain(child.0.stderr.take().expect("stderr"));
    let status = child.wait(PROCESS_TIMEOUT);
    let stdout = stdout
        .recv_timeout(Duration::from_secs(10))
        .expect("stdout");
    let stderr = stderr
        .recv_timeout(Duration::from_secs(10))
        .expect("stderr");
    (status, stdout, stderr)
}

fn assert_one_error_line(stderr: &str, starts_with: &str, contains: &str) {
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "expected exactly one line on stderr, got:\n{stderr}"
    );
    assert!(lines[0].starts_with(starts_with), "{stderr}");
    assert!(lines[0].contains(contains), "{stderr}");
    for noise in ["panicked", "backtrace", "RUST_BACKTRACE", "thread '"] {
        assert!(
            !stderr.contains(noise),
            "stderr mentions {noise:?}:\n{stderr}"
        );
    }
}

#[test]
fn invalid_address_prints_one_error_line_and_exits_1() {
    let (status, stdout, stderr) = run_to_exit(bench("nonsense"));
    assert_eq!(status.code(), Some(1), "stdout: {stdout}\nstderr: {stderr}");
    assert_one_error_line(&stderr, "error: invalid listen address", "nonsense");
    assert!(!stdout.contains("Listening"), "{stdout}");
}

#[test]
fn port_in_use_prints_one_error_line_and_exits_1() {
    let holder = TcpListener::bind("127.0.0.1:0").expect("hold a port");
    let port = holder.local_addr().expect("held address").port();
    let (status, stdout, stderr) = run_to_exit(bench(&port.to_string()));
    assert_eq!(status.code(), Some(1), "stdout: {stdout}\nstderr: {stderr}");
    assert_one_error_line(&stderr, "error: ", "already in use");
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(!stdout.contains("Listening"), "{stdout}");
    drop(holder);
}

/// Starts the server on a free port and returns it with its address, read
/// from the `Listening on` line.
fn start_server() -> (Running, SocketAddr, mpsc::Receiver<String>) {
    let mut child = Running(bench("0").spawn().expect("start cargo run"));
    let stderr = drain(child.0.stderr.take().expect("stderr"));
    let stdout = child.0.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let line = match rx.recv_timeout(PROCESS_TIMEOUT) {
        Ok(line) => line,
        Err(e) => {
            let status = child.0.try_wait().ok().flatten();
            drop(child);
            let err = stderr
                .recv_timeout(Duration::from_secs(10))
                .unwrap_or_default();
            panic!("no Listening line ({e}); exit status {status:?}; stderr:\n{err}");
        }
    };
    let addr = line
        .strip_prefix("Listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
    assert!(addr.starts_with("127.0.0.1:"), "{line}");
    let addr: SocketAddr = addr.parse().unwrap_or_else(|e| panic!("{line:?}: {e}"));
    assert_ne!(addr.port(), 0, "PORT=0 must print the port picked");
    (child, addr, stderr)
}

fn get_plaintext(addr: SocketAddr) -> String {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("read timeout");
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .expect("write timeout");
    stream
        .write_all(b"GET /plaintext HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n")
        .expect("send request");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    String::from_utf8_lossy(&response).into_owned()
}

fn serve_then_signal(signal: &str) {
    let (mut child, addr, stderr) = start_server();
    let response = get_plaintext(addr);
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("\r\n\r\nHello, World!"), "{response}");

    let killed = Command::new("kill")
        .args([signal, &child.pid()])
        .status()
        .expect("run kill");
    assert!(killed.success(), "kill {signal} failed");
    let status = child.wait(PROCESS_TIMEOUT);
    let stderr = stderr
        .recv_timeout(Duration::from_secs(10))
        .unwrap_or_default();
    assert_eq!(
        status.code(),
        Some(0),
        "after {signal}: {status:?}; stderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The port is released.
    assert!(
        TcpStream::connect_timeout(&addr, Duration::from_secs(2)).is_err(),
        "{addr} still accepts connections after the process exited"
    );
}

#[test]
fn port_0_listens_serves_and_exits_0_on_sigterm() {
    serve_then_signal("-TERM");
}

#[test]
fn sigint_also_exits_0() {
    serve_then_signal("-INT");
}
