//! `listen` as a real process: the bench example run with `cargo run`, its
//! one-line errors and exit codes, the `Listening on` line, and a graceful
//! exit on SIGTERM and SIGINT.

#![cfg(all(unix, not(target_family = "wasm")))]

use std::net::{TcpListener, TcpStream};
use std::process::{Command, ExitStatus};
use std::sync::OnceLock;
use std::time::Duration;

use mocket_testkit::http1::IO_TIMEOUT;
use mocket_testkit::process::{EXIT_TIMEOUT, Process, Server};
use mocket_testkit::workspace;

/// Builds the example once per test binary, so that the `cargo run`s below
/// only start it and their stderr holds nothing but the program's own.
fn build_once() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let built =
            workspace::run_cargo(&["build", "-q", "--example", "bench"], &workspace::root());
        built.unwrap_or_else(|e| panic!("building the bench example failed: {e}"));
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
        .env("RUST_BACKTRACE", "1");
    cmd
}

/// Runs `cmd` to completion: exit status, stdout, stderr.
fn run_to_exit(mut cmd: Command) -> (ExitStatus, String, String) {
    Process::spawn(&mut cmd).finish()
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

/// Starts the server on a free port; its address is read from the
/// `Listening on` line, which must be its first line.
fn start_server() -> Server {
    let mut server = Server::start(&mut bench("0"));
    let first = server.next_line(IO_TIMEOUT).unwrap_or_default();
    assert!(
        first.starts_with("Listening on http://127.0.0.1:"),
        "{first}"
    );
    assert_ne!(server.addr.port(), 0, "PORT=0 must print the port picked");
    server
}

fn serve_then_signal(signal: &str) {
    let mut server = start_server();
    let mut conn = server.conn();
    conn.send(b"GET /plaintext HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n");
    let raw = String::from_utf8_lossy(&conn.closed_within(IO_TIMEOUT)).into_owned();
    assert!(raw.starts_with("HTTP/1.1 200 OK\r\n"), "{raw}");
    assert!(raw.ends_with("\r\n\r\nHello, World!"), "{raw}");

    server.signal(signal);
    let status = server.wait_exit(EXIT_TIMEOUT);
    let stderr = server.stderr();
    assert_eq!(
        status.code(),
        Some(0),
        "after SIG{signal}: {status:?}; stderr:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The port is released.
    assert!(
        TcpStream::connect_timeout(&server.addr, Duration::from_secs(2)).is_err(),
        "{} still accepts connections after the process exited",
        server.addr
    );
}

#[test]
fn port_0_listens_serves_and_exits_0_on_sigterm() {
    serve_then_signal("TERM");
}

#[test]
fn sigint_also_exits_0() {
    serve_then_signal("INT");
}
