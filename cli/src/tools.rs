//! The programs a build needs besides cargo, found or installed.
//!
//! `wasm-bindgen`'s CLI must be exactly the version of the `wasm-bindgen`
//! crate in Cargo.lock (the two share an unversioned data format), so a
//! mismatching one on PATH is not used: the right one is installed once
//! under `$CARGO_HOME/mocket-tools/`, next to nothing else, leaving any other
//! version the user has in place.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use crate::Failure;

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

/// Adds the rustup target when it is missing.
pub(crate) fn ensure_target(target: &str) -> Result<(), Failure> {
    let Some(installed) = output_of(Command::new("rustup").args(["target", "list", "--installed"]))
    else {
        // No rustup: a toolchain installed otherwise; cargo will say if the
        // target is missing.
        return Ok(());
    };
    if installed.lines().any(|l| l.trim() == target) {
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
            "rustup target add {target} failed (see above)"
        )))
    }
}

/// A `wasm-bindgen` CLI of exactly `version`: the one on PATH if it
/// matches, else one installed under `$CARGO_HOME/mocket-tools`.
pub(crate) fn wasm_bindgen(version: &str) -> Result<PathBuf, Failure> {
    let on_path = PathBuf::from("wasm-bindgen");
    if version_of(&on_path).as_deref() == Some(version) {
        return Ok(on_path);
    }
    let root = cargo_home()
        .join("mocket-tools")
        .join(format!("wasm-bindgen-cli-{version}"));
    let private = root.join("bin").join(exe_name("wasm-bindgen"));
    if version_of(&private).as_deref() == Some(version) {
        return Ok(private);
    }
    eprintln!(
        "  Installing wasm-bindgen-cli {version} (the version in Cargo.lock) into {}; this happens once",
        root.display()
    );
    // Not `--locked`: some releases' own lock files do not build.
    let ok = Command::new(crate::cargo::cargo_command())
        .args(["install", "wasm-bindgen-cli", "--version"])
        .arg(format!("={version}"))
        .arg("--root")
        .arg(&root)
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return Err(Failure::failed(format!(
            "installing wasm-bindgen-cli {version} failed (see above)"
        )));
    }
    match version_of(&private) {
        Some(v) if v == version => Ok(private),
        Some(v) => Err(Failure::failed(format!(
            "installed wasm-bindgen says it is {v}, not {version}"
        ))),
        None => Err(Failure::failed(format!("cannot run {}", private.display()))),
    }
}

fn cargo_home() -> PathBuf {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(home);
    }
    let home = std::env::var_os("HOME")
        .or_else(|| std::env::var_os("USERPROFILE"))
        .unwrap_or_default();
    Path::new(&home).join(".cargo")
}

fn exe_name(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// `wasm-bindgen --version` prints `wasm-bindgen 0.2.130`.
fn version_of(program: &Path) -> Option<String> {
    let out = output_of(Command::new(program).arg("--version"))?;
    out.split_whitespace().nth(1).map(str::to_owned)
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

fn spawn_failed(program: &OsStr, err: &std::io::Error) -> Failure {
    Failure::failed(format!(
        "cannot run {}: {err}",
        Path::new(program).display()
    ))
}
