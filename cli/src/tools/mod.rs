//! The programs a build needs besides cargo: found where they are, or
//! installed once (`locate.rs` decides, `install.rs` installs, trying the
//! official release first: `download.rs`); rustup targets and Node.js are
//! checked here.

mod download;
mod install;
mod locate;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use crate::Failure;
pub(crate) use install::{ensure, plan as install_plan};
pub(crate) use locate::{Finding, Places, Tool, WASMTIME_VERSION, find};

/// A usable `wasmtime`, installed first if none is found.
pub(crate) fn wasmtime() -> Result<PathBuf, Failure> {
    ensure(&Tool::Wasmtime, &Places::from_env())
}

/// A `wasm-bindgen` CLI of exactly `version`, installed first if none is
/// found.
pub(crate) fn wasm_bindgen(version: &str) -> Result<PathBuf, Failure> {
    ensure(&Tool::WasmBindgen(version.to_owned()), &Places::from_env())
}

/// The oldest Node.js the backend supports (global `Request`/`Response`,
/// `http.createServer` options it passes).
const NODE_MAJOR: u32 = 20;

/// Checks `node` is on PATH and recent enough.
pub(crate) fn check_node() -> Result<(), Failure> {
    let version = output_of(Command::new("node").arg("--version")).ok_or_else(|| {
        Failure::failed(format!(
            "node was not found on PATH: install Node.js {NODE_MAJOR} or later (https://nodejs.org) to use the node backend"
        ))
    })?;
    let major = version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(m) if m >= NODE_MAJOR => Ok(()),
        _ => Err(Failure::failed(format!(
            "node {} is too old: the node backend needs Node.js {NODE_MAJOR} or later",
            version.trim()
        ))),
    }
}

/// Whether rustup has `target` installed; `None` without rustup (a
/// toolchain installed otherwise: cargo will say if the target is missing).
pub(crate) fn target_installed(target: &str) -> Option<bool> {
    let installed = output_of(Command::new("rustup").args(["target", "list", "--installed"]))?;
    Some(installed.lines().any(|l| l.trim() == target))
}

/// Adds the rustup target when it is missing.
pub(crate) fn ensure_target(target: &str) -> Result<(), Failure> {
    if target_installed(target) != Some(false) {
        return Ok(());
    }
    eprintln!("  Installing the {target} target (rustup target add {target})");
    let ok = Command::new("rustup")
        .args(["target", "add", target])
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        Ok(())
    } else {
        Err(Failure::failed(format!(
            "rustup target add {target} failed (see above): check the network, then retry"
        )))
    }
}

/// The program's stdout, if it ran and succeeded.
fn output_of(cmd: &mut Command) -> Option<String> {
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Runs `cmd` in place of this process where the OS allows, so signals
/// (Ctrl-C, SIGTERM) and the exit status are the program's own.
pub(crate) fn exec(mut cmd: Command) -> Result<ExitCode, Failure> {
    let program = cmd.get_program().to_owned();
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = cmd.exec();
        Err(spawn_failed(&program, &err))
    }
    #[cfg(not(unix))]
    {
        let status = cmd.status().map_err(|e| spawn_failed(&program, &e))?;
        Ok(ExitCode::from(
            status.code().unwrap_or(1).clamp(0, 255) as u8
        ))
    }
}

pub(crate) fn spawn_failed(program: &OsStr, err: &std::io::Error) -> Failure {
    Failure::failed(format!(
        "cannot run {}: {err}",
        Path::new(program).display()
    ))
}
