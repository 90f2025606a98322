//! The app's log lines reach the host's standard error on every backend:
//! the rest_api example (`init_logging` and `request_logger`) served by
//! `cargo mocket run`, one request, and its line read from the process's
//! stderr. On Node.js the lines were once lost; on `wasi:http` wasmtime
//! prefixes the guest's output.

mod common;

use common::{BUILD_TIMEOUT, Server, build_node_app, mocket_example, start_node};

/// `cargo mocket run --debug --backend <backend> --example rest_api` on a
/// free port.
fn run_rest_api(backend: &str) -> Server {
    let mut cmd = mocket_example("run", backend, "rest_api");
    cmd.env("PORT", "0").env_remove("RUST_LOG");
    Server::listening(&mut cmd, BUILD_TIMEOUT)
}

/// One request, then its log line on stderr (or the test fails with what
/// the process printed).
fn assert_logs_the_request(server: &Server, backend: &str) {
    assert_eq!(server.get("/todos").status, 200, "{backend}");
    let output = server.wait_for_output("mocket::request");
    let line = output
        .lines()
        .find(|l| l.contains("mocket::request"))
        .unwrap_or_default();
    assert!(line.contains("INFO"), "{backend}: {line}");
    assert!(line.contains("method=GET"), "{backend}: {line}");
    assert!(line.contains("/todos"), "{backend}: {line}");
    assert!(line.contains("status=200"), "{backend}: {line}");
    // An RFC 3339 time in UTC first, from the portable clock.
    let time = line
        .split_whitespace()
        .find(|w| w.ends_with('Z'))
        .unwrap_or_default();
    assert!(
        time.len() >= 20 && time.as_bytes()[4] == b'-' && time.contains('T'),
        "{backend}: {line}"
    );
}

#[test]
fn node_prints_the_apps_log_lines_on_stderr() {
    let dir = build_node_app("rest_api", ".", &["--debug", "--example", "rest_api"]);
    let server = start_node(&dir);
    assert_logs_the_request(&server, "node");
}

#[test]
fn native_prints_the_apps_log_lines_on_stderr() {
    let server = run_rest_api("native");
    assert_logs_the_request(&server, "native");
}

#[test]
fn wasi_sockets_prints_the_apps_log_lines_on_stderr() {
    let server = run_rest_api("wasi-sockets");
    assert_logs_the_request(&server, "wasi-sockets");
}

#[test]
fn wasi_http_prints_the_apps_log_lines_on_stderr() {
    let server = run_rest_api("wasi");
    assert_logs_the_request(&server, "wasi");
}
