//! `cargo mocket` on the WASI backends: `run --backend wasi` (wasmtime
//! serve) and `run --backend wasi-sockets` (wasmtime run) serve the bench
//! example on the PORT given, and `build` writes the component and a
//! `run.sh` that serves it. Real processes, raw TCP, a deadline on every
//! read.

mod common;

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::Command;

use common::{BUILD_TIMEOUT, Server, cargo_mocket, run_to_end, workspace_root};

/// A port nothing listens on: bound, read, released.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("its address").port()
}

/// Starts `cmd` with PORT set to a free port and waits (through any build)
/// for the `Listening on http://127.0.0.1:PORT` line on stdout.
fn start(cmd: &mut Command) -> Server {
    let port = free_port();
    cmd.env("PORT", port.to_string());
    let server = Server::listening(cmd, BUILD_TIMEOUT);
    assert_eq!(server.addr, SocketAddr::from(([127, 0, 0, 1], port)));
    server
}

/// `cargo mocket run --backend <backend> --example bench` (a release build,
/// the default) in the workspace root.
fn run_bench(backend: &str) -> Server {
    let mut cmd = cargo_mocket();
    cmd.current_dir(workspace_root())
        .args(["run", "--backend", backend, "--example", "bench"]);
    start(&mut cmd)
}

fn assert_serves_bench(server: &Server) {
    let res = server.get("/plaintext");
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "Hello, World!");
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    let res = server.get("/echo/moonbit");
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "moonbit");
}

#[test]
fn run_on_wasi_serves_the_example_under_wasmtime_serve() {
    let mut server = run_bench("wasi");
    assert_serves_bench(&server);
    // Several requests on one connection (each on a fresh instance).
    let conn = assert_keeps_alive(&server, "/echo/moonbit", "moonbit");
    // wasmtime serve waits for open connections to close before it exits.
    drop(conn);
    // wasmtime's own line became the Listening line on stdout.
    assert!(
        !server.stderr().contains("Serving HTTP on"),
        "{}",
        server.stderr()
    );
    // It says whose server this is, and what it is for.
    assert!(
        server
            .stderr()
            .contains("note: wasmtime serve is a development server"),
        "{}",
        server.stderr()
    );
    // wasmtime serve drains and exits 0 on SIGINT (Ctrl-C).
    server.signal("INT");
    assert_eq!(
        server.wait_exit(common::EXIT_TIMEOUT).code(),
        Some(0),
        "{}",
        server.stderr()
    );
}

#[test]
fn run_on_wasi_with_reuse_keeps_serving() {
    let mut cmd = cargo_mocket();
    cmd.current_dir(workspace_root()).args([
        "run",
        "--backend",
        "wasi",
        "--reuse",
        "1000",
        "--example",
        "bench",
    ]);
    let server = start(&mut cmd);
    assert_serves_bench(&server);
}

#[test]
fn run_on_wasi_sockets_serves_the_example_under_wasmtime_run() {
    let mut server = run_bench("wasi-sockets");
    assert_serves_bench(&server);
    let _idle = assert_keeps_alive(&server, "/plaintext", "Hello, World!");
    // WASI 0.2 has no signals: the CLI closes the component's stdin, and
    // it drains (closing the idle connection) and exits 0.
    server.signal("TERM");
    let status = server.wait_exit(common::EXIT_TIMEOUT);
    assert!(status.success(), "SIGTERM gave {status}");
}

/// An idle keep-alive connection's memory has a bound on wasi-sockets too
/// (measured at about 12 KiB, docs/performance.md): wasmtime, a child of
/// `cargo mocket run`, is measured with it.
#[test]
fn wasi_sockets_idle_connections_cost_bounded_memory() {
    let server = run_bench("wasi-sockets");
    let per = mocket_testkit::process::idle_connection_kib(&server, "/plaintext", 300);
    assert!(
        per < 64.0,
        "an idle connection costs {per:.1} KiB on wasi-sockets"
    );
    assert_eq!(server.get("/plaintext").status, 200, "still serving");
}

/// Three requests on one connection, each answered `want`; the connection
/// is returned still open.
fn assert_keeps_alive(server: &Server, path: &str, want: &str) -> common::Conn {
    let mut conn = server.conn();
    for _ in 0..3 {
        conn.send(&common::get(path));
        assert_eq!(conn.response().text(), want, "{path}");
    }
    conn
}

/// `cargo mocket build --backend <backend> --debug --example bench --out
/// <dir>`; returns the folder.
fn build_bench(backend: &str) -> std::path::PathBuf {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("wasi-builds")
        .join(backend);
    let _ = std::fs::remove_dir_all(&out);
    let mut cmd = cargo_mocket();
    cmd.current_dir(workspace_root())
        .args([
            "build",
            "--backend",
            backend,
            "--debug",
            "--example",
            "bench",
        ])
        .arg("--out")
        .arg(&out);
    let (status, _, stderr) = run_to_end(&mut cmd);
    assert!(status.success(), "build failed: {stderr}");
    assert!(
        stderr.contains(&format!("Finished {}", out.display())),
        "{stderr}"
    );
    out
}

/// A component: the wasm magic and the component-model layer (a core
/// module would have version 1, layer 0).
fn assert_is_component(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..4], b"\0asm", "{} is not wasm", path.display());
    assert_eq!(
        &bytes[6..8],
        &[1, 0],
        "{} is not a component",
        path.display()
    );
}

#[test]
fn build_on_wasi_writes_the_component_and_a_run_script() {
    let out = build_bench("wasi");
    assert_is_component(&out.join("bench.wasm"));
    let script = std::fs::read_to_string(out.join("run.sh")).expect("run.sh");
    assert!(
        script.contains(
            "exec \"$wasmtime\" serve -S cli --addr \"127.0.0.1:${PORT:-3000}\" \"$@\" 'bench.wasm'"
        ),
        "{script}"
    );
}

#[test]
fn build_on_wasi_sockets_writes_a_run_script_that_serves() {
    let out = build_bench("wasi-sockets");
    assert_is_component(&out.join("bench.wasm"));
    // The folder serves on its own, from anywhere.
    let mut cmd = Command::new("sh");
    cmd.arg(out.join("run.sh"))
        .current_dir(env!("CARGO_TARGET_TMPDIR"));
    // No PATH help: run.sh names the wasmtime the CLI found when it is not
    // on PATH, so it serves with the PATH the CLI itself had.
    let mut server = start(&mut cmd);
    assert_serves_bench(&server);
    // Ctrl-C reaches the script, which closes the component's stdin: a
    // graceful stop, exit 0.
    let _idle = assert_keeps_alive(&server, "/plaintext", "Hello, World!");
    server.signal("INT");
    let status = server.wait_exit(common::EXIT_TIMEOUT);
    assert!(status.success(), "SIGINT gave {status}");
}

/// The stop on stdin's end is opt-in: a server started by hand, without
/// `MOCKET_STOP_ON_STDIN_CLOSE=1` and with stdin already at its end (as
/// `< /dev/null` or a service manager gives it), keeps serving.
#[test]
fn without_the_opt_in_a_closed_stdin_does_not_stop_wasi_sockets() {
    let out = build_bench("wasi-sockets");
    // The wasmtime that run.sh names, else the one on PATH.
    let script = std::fs::read_to_string(out.join("run.sh")).expect("run.sh");
    let wasmtime = script
        .lines()
        .find_map(|l| l.strip_prefix("wasmtime='"))
        .and_then(|l| l.strip_suffix('\''))
        .unwrap_or("wasmtime")
        .to_owned();
    let port = free_port();
    let mut cmd = Command::new(wasmtime);
    cmd.args([
        "run",
        "-S",
        "http",
        "-S",
        "inherit-network",
        "-S",
        "tcp",
        "--env",
    ])
    .arg(format!("PORT={port}"))
    .arg(out.join("bench.wasm"))
    .stdin(std::process::Stdio::null());
    let server = Server::listening(&mut cmd, BUILD_TIMEOUT);
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_serves_bench(&server);
}
