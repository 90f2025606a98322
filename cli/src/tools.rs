//! The programs a build needs besides cargo, found or installed.
//!
//! `wasm-bindgen`'s CLI must be exactly the version of the `wasm-bindgen`
//! crate in Cargo.lock (the two share an unversioned data format), so a
//! mismatching one on PATH is not used: the right one is installed once
//! under `$CARGO_HOME/mocket-tools/`, next to nothing else, leaving any other
//! version the user has in place.
//!
//! `wasmtime` is treated the same way, except that any version from
//! [`WASMTIME_VERSION`] on is accepted (see [`wasmtime`]).

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
    if !cargo_install(&["wasm-bindgen-cli"], version, &root) {
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

/// The wasmtime the WASI backend is tested with, and the one installed when
/// none is found.
pub(crate) const WASMTIME_VERSION: &str = "48.0.8";

/// A `wasmtime` of version [`WASMTIME_VERSION`] or newer: the one on PATH,
/// else the one in `$CARGO_HOME/bin` (where `cargo install` puts it, often
/// not on PATH in scripts), else one installed once under
/// `$CARGO_HOME/mocket-tools/`.
///
/// Newer versions are accepted, unlike for wasm-bindgen: wasmtime releases
/// a major version every month, the flags passed here (`serve -S cli
/// --addr --max-instance-reuse-count`, `run -S http -S inherit-network -S
/// tcp --env`) have stayed the same across them, and a component importing
/// WASI 0.2.x runs on every later wasmtime. Older versions are not tested,
/// so a mismatching one is left in place and 48.0.8 is installed beside it,
/// as wasm-bindgen is: a missing tool is installed rather than reported,
/// so that `cargo mocket run` works from a bare Rust setup on every backend.
pub(crate) fn wasmtime() -> Result<PathBuf, Failure> {
    let root = cargo_home()
        .join("mocket-tools")
        .join(format!("wasmtime-cli-{WASMTIME_VERSION}"));
    let private = root.join("bin").join(exe_name("wasmtime"));
    let candidates = [
        PathBuf::from(exe_name("wasmtime")),
        cargo_home().join("bin").join(exe_name("wasmtime")),
        private.clone(),
    ];
    let mut too_old = None;
    for program in candidates {
        match version_of(&program) {
            Some(v) if wasmtime_is_recent(&v) => return Ok(program),
            Some(v) => {
                too_old.get_or_insert(v);
            }
            None => {}
        }
    }
    let why = match too_old {
        Some(v) => format!("wasmtime {v} is older than {WASMTIME_VERSION}"),
        None => "wasmtime is not on PATH or in $CARGO_HOME/bin".to_owned(),
    };
    eprintln!(
        "  Installing wasmtime-cli {WASMTIME_VERSION} into {} ({why}); this takes about 10 minutes, once",
        root.display()
    );
    if !cargo_install(&["wasmtime-cli", "--locked"], WASMTIME_VERSION, &root) {
        return Err(Failure::failed(format!(
            "installing wasmtime-cli {WASMTIME_VERSION} failed (see above); install it yourself with `cargo install wasmtime-cli --version {WASMTIME_VERSION} --locked`"
        )));
    }
    match version_of(&private) {
        Some(v) if wasmtime_is_recent(&v) => Ok(private),
        Some(v) => Err(Failure::failed(format!(
            "installed wasmtime says it is {v}, not {WASMTIME_VERSION}"
        ))),
        None => Err(Failure::failed(format!("cannot run {}", private.display()))),
    }
}

/// Whether `version` (`48.0.8`, `49.0.0-dev`) is [`WASMTIME_VERSION`] or
/// newer.
pub(crate) fn wasmtime_is_recent(version: &str) -> bool {
    fn parse(v: &str) -> Option<(u64, u64, u64)> {
        let core = v.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        Some((parts.next()??, parts.next()??, parts.next()??))
    }
    match (parse(version), parse(WASMTIME_VERSION)) {
        (Some(found), Some(wanted)) => found >= wanted,
        _ => false,
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

/// `wasm-bindgen --version` prints `wasm-bindgen 0.2.130`; `wasmtime
/// --version` prints `wasmtime 48.0.8` (with a commit and date after it in
/// some builds).
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

pub(crate) fn spawn_failed(program: &OsStr, err: &std::io::Error) -> Failure {
    Failure::failed(format!(
        "cannot run {}: {err}",
        Path::new(program).display()
    ))
}

/// `cargo install ARGS --version =VERSION --root ROOT`, its output shown;
/// true when it succeeded.
fn cargo_install(args: &[&str], version: &str, root: &std::path::Path) -> bool {
    Command::new(crate::cargo::cargo_command())
        .arg("install")
        .args(args)
        .arg("--version")
        .arg(format!("={version}"))
        .arg("--root")
        .arg(root)
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .status()
        .is_ok_and(|s| s.success())
}

#[cfg(test)]
mod tests {
    use super::wasmtime_is_recent;

    #[test]
    fn wasmtime_48_0_8_and_later_are_accepted() {
        for ok in [
            "48.0.8",
            "48.0.9",
            "48.1.0",
            "49.0.0",
            "49.0.0-dev",
            "100.0.0",
        ] {
            assert!(wasmtime_is_recent(ok), "{ok}");
        }
        for old in ["48.0.7", "47.9.9", "36.0.0", "", "48", "x.y.z"] {
            assert!(!wasmtime_is_recent(old), "{old}");
        }
    }
}
