//! The conformance suite against the WASI backend: the same app, built for
//! `wasm32-wasip2` and served by `cargo mocket run` in both of the
//! component's modes, as a user serves it:
//!
//! - mode 1, `--backend wasi`: `wasmtime serve -S cli --addr
//!   127.0.0.1:$PORT` (wasmtime's `Serving HTTP on` line is relayed as
//!   `Listening on http://ADDR`), once with a fresh instance per request
//!   (wasmtime's default) and once with `--max-instance-reuse-count`
//!   (`--reuse`), as it is deployed: pre-initialised, `main` run at build
//!   time; and once more fresh per request with `--no-preinit`, where each
//!   instance runs `main` on its first request;
//! - mode 2, `--backend wasi-sockets`: `wasmtime run -S http -S
//!   inherit-network -S tcp --env PORT=$PORT`.
//!
//! Each grants the component the static files' folder with `--dir`: mode 1
//! just `public/`, mode 2 the app's folder around it, so that a symlink out
//! of `public/` is refused once by the host's fence and once by the
//! backend's own check.
//!
//! One test per case and mode; every skip, and its reason, is in the
//! report each mode's `process` test prints.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::OnceLock;

use mocket_conformance::{
    Backend, Stop, Suite, cargo, run_against_with, target_dir, trials, workspace_root,
};

/// How mode 1 stops: `wasmtime serve` only drains on Ctrl-C.
const SERVE_STOPS_ON_SIGINT: &str = "wasmtime serve drains and exits 0 on SIGINT (Ctrl-C) only; SIGTERM kills it at once, by the signal: the host's choice, and the component is told of neither";

/// Builds `cargo-mocket`, and with it the app for `wasm32-wasip2` (debug:
/// the release profile's fat LTO only makes the test slower); returns the
/// CLI. Once per test binary: the three tests share it.
fn cli() -> &'static PathBuf {
    static CLI: OnceLock<PathBuf> = OnceLock::new();
    CLI.get_or_init(|| {
        // `cargo mocket run` would install a missing wasmtime within a
        // server's start deadline: have `cargo mocket setup` do it first.
        mocket_testkit::tools::wasmtime();
        let target = target_dir();
        let target_arg = target.to_string_lossy();
        let args = ["build", "-p", "cargo-mocket", "--target-dir", &target_arg];
        if let Err(e) = cargo(&args, &workspace_root()) {
            panic!("building cargo-mocket failed: {e}");
        }
        let cli = target.join("debug").join("cargo-mocket");
        // Building first keeps the build out of the servers' start deadline
        // (`run` then finds nothing to do); it also adds the target.
        let out = target.join("conformance-wasi");
        let built = mocket(&cli)
            .args(["build", "--backend", "wasi", "--debug", "--out"])
            .arg(&out)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", cli.display()));
        assert!(
            built.status.success(),
            "building the app for wasm32-wasip2 failed:\n{}",
            String::from_utf8_lossy(&built.stderr)
        );
        cli
    })
}

/// `cargo-mocket` in the conformance app's folder.
fn mocket(cli: &Path) -> Command {
    let mut cmd = Command::new(cli);
    cmd.current_dir(workspace_root().join("conformance").join("app"))
        .env("CARGO", env!("CARGO"));
    cmd
}

/// `cargo mocket run --debug --backend <backend> <extra>`.
fn run(backend: &str, extra: &[&str]) -> Command {
    let mut cmd = mocket(cli());
    cmd.args(["run", "--debug", "--backend", backend])
        .args(extra);
    cmd
}

/// Mode 1 grants only the static files' folder: a symlink out of it stops
/// at the host's fence.
const GRANT_PUBLIC: [&str; 2] = ["--dir", "public"];

/// Mode 2 grants the app's whole folder: the symlink out of `public/`
/// reaches a readable file, and only the backend's own check refuses it.
const GRANT_APP_FOLDER: [&str; 2] = ["--dir", "."];

/// One mode: `cargo mocket run --backend <backend> <args>`, stopped as
/// `stop` says.
fn mode(
    name: &'static str,
    backend: Backend,
    (cli_backend, args): (&'static str, &'static [&'static str]),
    stop: Stop,
) -> Suite {
    Suite::new(name, backend, move || {
        run_against_with(backend, run(cli_backend, args), stop)
    })
}

fn main() -> ExitCode {
    let interrupt = Stop::Interrupt(SERVE_STOPS_ON_SIGINT);
    trials(vec![
        mode(
            "wasi_http",
            Backend::WASI_HTTP,
            ("wasi", &GRANT_PUBLIC),
            interrupt,
        ),
        mode(
            "wasi_http_reuse",
            Backend::WASI_HTTP_REUSE,
            (
                "wasi",
                &["--reuse", "100000", GRANT_PUBLIC[0], GRANT_PUBLIC[1]],
            ),
            interrupt,
        ),
        mode(
            "wasi_http_no_preinit",
            Backend::WASI_HTTP,
            ("wasi", &["--no-preinit", GRANT_PUBLIC[0], GRANT_PUBLIC[1]]),
            interrupt,
        ),
        mode(
            "wasi_sockets",
            Backend::WASI_SOCKETS,
            // `cargo mocket run` turns SIGTERM into the end of the
            // component's stdin, its stop (WASI has no signals).
            ("wasi-sockets", &GRANT_APP_FOLDER),
            Stop::Term,
        ),
    ])
}
