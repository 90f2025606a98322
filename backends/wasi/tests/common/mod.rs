//! Helpers for the WASI tests: building the wasm apps and starting
//! wasmtime; the raw HTTP/1.1 client and the process runner are the test
//! kit's.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

#[allow(unused_imports)] // each test file uses a different part
pub use mocket_testkit::http1::{Conn, IO_TIMEOUT, Response, get, get_request, post_request};
#[allow(unused_imports)]
pub use mocket_testkit::process::{Process, Server, output};
pub use mocket_testkit::tools::wasmtime;
use mocket_testkit::workspace;

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
        let args = [
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
        ];
        let stdout = workspace::run_cargo(&args, &workspace::root())
            .unwrap_or_else(|e| panic!("building the wasm apps failed: {e}"));
        Apps {
            bench: artifact(&stdout, "bench.wasm"),
            panicky: artifact(&stdout, "panicky.wasm"),
        }
    })
}

/// The artifact `name` in cargo's JSON messages.
fn artifact(messages: &str, name: &str) -> PathBuf {
    workspace::artifact(messages, name)
        .unwrap_or_else(|| panic!("cargo built no {name}:\n{messages}"))
}

/// Pre-initialises `wasm` with `wasmtime wizer` (the README's command) and
/// returns the new component's path.
pub fn preinitialise(wasm: &Path) -> PathBuf {
    let out_path = wasm.with_extension("pre.wasm");
    output(
        Command::new(wasmtime())
            .args(["wizer", "--init-func", "run()", "-S", "cli", "-S", "http"])
            .args(["--env", "MOCKET_WASI_PREINIT=1", "-o"])
            .arg(&out_path)
            .arg(wasm),
    );
    out_path
}

/// Mode 1: `wasmtime serve -S cli --addr 127.0.0.1:0 WASM`, plus `extra`
/// arguments before the component.
pub fn serve(wasm: &Path, extra: &[&str]) -> Server {
    let mut cmd = Command::new(wasmtime());
    cmd.args(["serve", "-S", "cli", "--addr", "127.0.0.1:0"])
        .args(extra)
        .arg(wasm);
    Server::start_with(&mut cmd, "Serving HTTP on ")
}

/// Mode 2: the component as a command, `wasmtime run -S http -S
/// inherit-network -S tcp --env PORT=0 WASM`.
pub fn run(wasm: &Path) -> Server {
    Server::start(&mut run_command(wasm, "0", true))
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

/// Checks every case of bench/ROUTES.md (expected values as in
/// tests/bench_app.rs), plus 404, 405 with `Allow`, HEAD, 413 without
/// sending the body, 400 on a bad escape and on a malformed request, 431
/// and keep-alive — all over one server.
pub fn check_bench(addr: SocketAddr) {
    mocket_testkit::bench_app::check_routes(addr);
    // One connection for everything that keeps it open.
    let mut conn = Conn::open(addr);
    // A chunked request body, streamed in pieces.
    conn.send(b"POST /echo HTTP/1.1\r\nhost: mocket.test\r\ntransfer-encoding: chunked\r\n\r\n");
    conn.send(b"5\r\nhello\r\n");
    conn.send(b"6\r\n world\r\n0\r\n\r\n");
    let res = conn.final_response(false);
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
    assert_eq!(
        conn.exchange(&get_request("/plaintext")).text(),
        "Hello, World!"
    );

    // A bad escape in a parameter is the core's 400.
    let res = conn.exchange(&get_request("/echo/%zz"));
    assert_eq!(res.status, 400);
    assert_eq!(conn.exchange(&get_request("/echo/ok")).text(), "ok");

    // A body declared over the 1 MiB limit: 413 before any of it is sent.
    let mut conn = Conn::open(addr);
    conn.send(b"POST /echo HTTP/1.1\r\nhost: mocket.test\r\ncontent-length: 2000000\r\n\r\n");
    let res = conn.final_response(false);
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
        let _ = conn.try_send(&framed);
    }
    let _ = conn.try_send(b"0\r\n\r\n");
    assert_eq!(conn.final_response(false).status, 413);

    // A head over the 16 KiB cap.
    let mut conn = Conn::open(addr);
    let big = "a".repeat(20 * 1024);
    let _ = conn.try_send(
        format!("GET /plaintext HTTP/1.1\r\nhost: mocket.test\r\nx-big: {big}\r\n\r\n").as_bytes(),
    );
    assert_eq!(conn.final_response(false).status, 431);

    // Garbage instead of a request line.
    let mut conn = Conn::open(addr);
    let _ = conn.try_send(b"NOT HTTP AT ALL\r\n\r\n");
    assert_eq!(conn.final_response(false).status, 400);

    // Pipelining: three requests in one write, three answers in order.
    let mut conn = Conn::open(addr);
    let mut burst = get_request("/static/1");
    burst.extend(get_request("/static/2"));
    burst.extend(get_request("/static/3"));
    conn.send(&burst);
    for want in ["1", "2", "3"] {
        assert_eq!(conn.final_response(false).text(), want);
    }
}
