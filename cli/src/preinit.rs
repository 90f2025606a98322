//! Pre-initialisation of a `wasi:http` component: the app built at build
//! time instead of in every fresh instance.
//!
//! `wasmtime serve` (by default), Spin and wasmCloud give each request a
//! fresh instance, and a Mocket instance builds its app by running `main`
//! on its first request: for the bench app's 1034 routes that is most of
//! the request. `wasmtime wizer` runs the component's `wasi:cli/run` once
//! with `MOCKET_WASI_PREINIT` set (so `listen` keeps the app and returns,
//! `backends/wasi/src/proxy.rs`) and writes a component whose memory
//! already holds the built app; wasmtime maps that memory copy-on-write,
//! so a fresh instance costs what an empty one does.
//!
//! A snapshot cannot carry what `main` took from the host: a handle to
//! stdout or a file would be stale in every later instance. A `main` that
//! wrote anything while wizer ran it (or that failed) is therefore not
//! snapshotted: the plain component is kept, and the warning says why.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::{Failure, tools};

/// What pre-initialisation made of a component.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The pre-initialised component, beside the input.
    Snapshot(PathBuf),
    /// Kept as it was, for this reason (one line for a warning).
    Plain(String),
}

/// Pre-initialises `wasm` with `wasmtime`'s wizer into `<stem>.pre.wasm`
/// beside it.
///
/// wizer writes a file of this process's own, renamed over `<stem>.pre.wasm`
/// once complete: another `cargo mocket run` may be serving that file (two
/// runs of one example at once), and must never load half of one.
pub(crate) fn run(wasmtime: &Path, wasm: &Path) -> Result<Outcome, Failure> {
    let out = wasm.with_extension("pre.wasm");
    let written = wasm.with_extension(format!("pre.{}.wasm", std::process::id()));
    match snapshot(wasmtime, wasm, &written)? {
        Outcome::Snapshot(_) => match std::fs::rename(&written, &out) {
            Ok(()) => Ok(Outcome::Snapshot(out)),
            Err(e) => {
                let _ = std::fs::remove_file(&written);
                Ok(Outcome::Plain(format!(
                    "the snapshot could not be moved to {}: {e}",
                    out.display()
                )))
            }
        },
        plain => Ok(plain),
    }
}

/// Runs wizer on `wasm` into `out`; removes `out` unless it is the snapshot.
fn snapshot(wasmtime: &Path, wasm: &Path, out: &Path) -> Result<Outcome, Failure> {
    let mut cmd = Command::new(wasmtime);
    cmd.args(["wizer", "--init-func", "run()", "-S", "cli", "-S", "http"])
        .args(["--env", "MOCKET_WASI_PREINIT=1", "-o"])
        .arg(out)
        .arg(wasm)
        .stdin(Stdio::null());
    let ran = cmd
        .output()
        .map_err(|e| tools::spawn_failed(wasmtime.as_os_str(), &e))?;
    let said = |bytes: &[u8]| String::from_utf8_lossy(bytes).trim().to_owned();
    let (stdout, stderr) = (said(&ran.stdout), said(&ran.stderr));
    if !ran.status.success() {
        let _ = std::fs::remove_file(out);
        return Ok(Outcome::Plain(format!(
            "`main` failed while pre-initialising ({})",
            first_line(&stderr, &stdout)
        )));
    }
    // wizer prints what the init function returned: `ok` for a `main`
    // that returned normally; anything else on stdout is the guest's.
    let guest_stdout = stdout.strip_suffix("ok").unwrap_or(&stdout).trim();
    if guest_stdout.ends_with("err") && stderr.is_empty() {
        let _ = std::fs::remove_file(out);
        return Ok(Outcome::Plain(
            "`main` returned a failure while pre-initialising".to_owned(),
        ));
    }
    if !guest_stdout.is_empty() || !stderr.is_empty() {
        let _ = std::fs::remove_file(out);
        return Ok(Outcome::Plain(format!(
            "`main` wrote output before `listen` (\"{}\"), and a snapshot cannot keep \
             the handle it wrote with",
            first_line(guest_stdout, &stderr)
        )));
    }
    Ok(Outcome::Snapshot(out.to_path_buf()))
}

/// The first non-empty line of `a`, else of `b`, shortened.
fn first_line(a: &str, b: &str) -> String {
    let line = a
        .lines()
        .chain(b.lines())
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("no message");
    match line.char_indices().nth(160) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::first_line;

    #[test]
    fn the_reason_names_the_first_line_said() {
        assert_eq!(first_line("\n  hello\nworld", "err"), "hello");
        assert_eq!(first_line("", "\nerror: boom\n"), "error: boom");
        assert_eq!(first_line("", ""), "no message");
        let long = "x".repeat(200);
        assert_eq!(first_line(&long, "").chars().count(), 161);
    }
}
