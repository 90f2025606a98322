//! `cargo mocket`'s own behaviour: one clear line for bad input, both argv
//! shapes, and the native backend. (The Node.js and WASI backends have
//! their own files.)

mod common;

use common::{Server, cargo_mocket, mocket_example, run_to_end, workspace_root};

/// Runs the CLI in the workspace root; returns (exit code, stdout, stderr).
fn cli(args: &[&str]) -> (Option<i32>, String, String) {
    let mut cmd = cargo_mocket();
    cmd.current_dir(workspace_root()).args(args);
    let (status, stdout, stderr) = run_to_end(&mut cmd);
    (status.code(), stdout, stderr)
}

/// One `error:` line, the last; cargo's own progress lines (downloading
/// crates for `cargo metadata`) may come before it.
fn assert_one_error_line(stderr: &str, starts: &str) {
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "exactly one error line: {stderr:?}");
    assert!(errors[0].starts_with(starts), "{stderr:?}");
    assert_eq!(stderr.lines().last(), Some(errors[0]), "{stderr:?}");
    assert!(!stderr.contains("panicked"), "{stderr:?}");
}

#[test]
fn an_unknown_backend_is_one_line_and_exit_2() {
    let (code, _, stderr) = cli(&["build", "--backend", "jvm", "--example", "bench"]);
    assert_eq!(code, Some(2));
    assert_one_error_line(&stderr, "error: unknown backend \"jvm\"");
}

#[test]
fn reuse_applies_only_to_run_on_wasi() {
    for args in [
        &[
            "run",
            "--backend",
            "node",
            "--reuse",
            "5",
            "--example",
            "bench",
        ][..],
        &[
            "run",
            "--backend",
            "wasi-sockets",
            "--reuse",
            "5",
            "--example",
            "bench",
        ],
        &[
            "build",
            "--backend",
            "wasi",
            "--reuse",
            "5",
            "--example",
            "bench",
        ],
    ] {
        let (code, _, stderr) = cli(args);
        assert_eq!(code, Some(2), "{args:?}");
        assert_one_error_line(
            &stderr,
            "error: --reuse only applies to `cargo mocket run --backend wasi`",
        );
    }
    let (code, _, stderr) = cli(&["run", "--backend", "wasi", "--reuse", "0"]);
    assert_eq!(code, Some(2));
    assert_one_error_line(&stderr, "error: invalid value '0' for '--reuse <N>'");
}

#[test]
fn run_on_wasi_with_a_bad_port_is_one_line_and_exit_2() {
    for backend in ["wasi", "wasi-sockets"] {
        let mut cmd = cargo_mocket();
        cmd.current_dir(workspace_root())
            .args(["run", "--backend", backend, "--example", "bench"])
            .env("PORT", "http");
        let (status, _, stderr) = run_to_end(&mut cmd);
        assert_eq!(status.code(), Some(2));
        assert_one_error_line(
            &stderr,
            "error: PORT must be a port number (0 to 65535), not \"http\"",
        );
    }
}

#[test]
fn a_missing_example_is_one_line_naming_the_ones_there_are() {
    // The installed-subcommand shape: `cargo-mocket mocket build …`.
    let (code, _, stderr) = cli(&["mocket", "build", "--backend", "node", "--example", "nope"]);
    assert_eq!(code, Some(2));
    assert_one_error_line(
        &stderr,
        "error: package mocket has no example named \"nope\"",
    );
    assert!(stderr.contains("bench"), "{stderr}");
}

#[test]
fn bad_arguments_are_one_line_and_exit_2() {
    let (code, _, stderr) = cli(&["build", "--frobnicate"]);
    assert_eq!(code, Some(2));
    assert_one_error_line(&stderr, "error: unexpected argument");
    let (code, _, stderr) = cli(&["build", "--example", "a", "--bin", "b"]);
    assert_eq!(code, Some(2));
    assert_one_error_line(&stderr, "error:");
}

#[test]
fn run_on_node_without_node_on_path_is_one_line_and_exit_1() {
    let empty = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("empty-path");
    std::fs::create_dir_all(&empty).expect("a temp dir");
    let mut cmd = cargo_mocket();
    cmd.current_dir(workspace_root())
        .args(["run", "--backend", "node", "--example", "bench"])
        .env("PATH", &empty);
    let (status, _, stderr) = run_to_end(&mut cmd);
    assert_eq!(status.code(), Some(1));
    assert_one_error_line(&stderr, "error: node was not found on PATH");
}

#[test]
fn help_lists_the_subcommands() {
    let (code, stdout, _) = cli(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains("build") && stdout.contains("run"),
        "{stdout}"
    );
}

#[test]
fn the_native_backend_runs_the_example_too() {
    let mut cmd = mocket_example("run", "native", "bench");
    cmd.env("PORT", "0");
    let mut server = Server::listening(&mut cmd, std::time::Duration::from_secs(600));
    assert_eq!(server.get("/plaintext").text(), "Hello, World!");
    server.signal("TERM");
    assert_eq!(server.wait_exit(common::EXIT_TIMEOUT).code(), Some(0));
}
