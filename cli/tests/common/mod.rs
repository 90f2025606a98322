//! Shared helpers: building apps with `cargo mocket` and running them under
//! real `node`; the raw HTTP/1.1 client and the process runner are the test
//! kit's.
//!
//! Every wait has a deadline, so a server that hangs fails the test instead
//! of hanging it; nothing waits a fixed time for something to happen.

#![allow(dead_code)] // each test file uses a different part

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

#[allow(unused_imports)] // each test file uses a different part
pub(crate) use mocket_testkit::http1::{
    Conn, IO_TIMEOUT, Response, chunked, get_request, get_request as get,
};
pub(crate) use mocket_testkit::process::{Process, Server};

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

/// `cargo mocket <verb> --debug --backend <backend> --example <example>`
/// in the workspace root (`verb` is `build` or `run`).
pub(crate) fn mocket_example(verb: &str, backend: &str, example: &str) -> Command {
    let mut cmd = cargo_mocket();
    cmd.current_dir(workspace_root()).args([
        verb,
        "--debug",
        "--backend",
        backend,
        "--example",
        example,
    ]);
    cmd
}

/// Builds an app once per test process (tests run in parallel threads and
/// share it): `cargo mocket build --backend node <args> --out <dir>` run in
/// `cwd`, relative to the workspace root.
pub(crate) fn build_node_app(key: &str, cwd: &str, args: &[&str]) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let built = BUILT.get_or_init(|| Mutex::new(HashMap::new()));
    // One build at a time: cargo would serialize them anyway.
    let mut built = built
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
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

/// Starts the Node app in `dir` on PORT=0 and waits for its `Listening on`
/// line.
pub(crate) fn start_node(dir: &Path) -> Server {
    Server::listening(&mut node_in(dir, "0"), START_TIMEOUT)
}

/// `node index.js` in `dir` with PORT set.
pub(crate) fn node_in(dir: &Path, port: &str) -> Command {
    let mut cmd = Command::new("node");
    cmd.arg("index.js").current_dir(dir).env("PORT", port);
    cmd
}

/// Runs a process to completion with a deadline: status, stdout (its
/// lines, without the last newline), stderr.
pub(crate) fn run_to_end(cmd: &mut Command) -> (ExitStatus, String, String) {
    let (status, stdout, stderr) = Process::spawn(cmd).finish();
    (status, stdout.trim_end_matches('\n').to_owned(), stderr)
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

/// Runs a Node script (CommonJS) in `dir`, returning its exit status and
/// output.
pub(crate) fn node_script(dir: &Path, script: &str) -> (ExitStatus, String, String) {
    run_to_end(Command::new("node").arg("-e").arg(script).current_dir(dir))
}
