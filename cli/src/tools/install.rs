//! Installing a missing tool into the tools folder, safely.
//!
//! - **One at a time.** Each install holds a lock file in the tools folder
//!   (`.locks/<crate>-<version>.lock`); a second `cargo mocket` wanting the
//!   same tool says it is waiting, waits, then finds the tool the first one
//!   installed instead of building it again.
//! - **Interrupt-safe.** The tool is installed into a staging folder and
//!   moved into place only once it runs, so a half-done install never looks
//!   installed; `cargo install` builds in a persistent folder
//!   (`.build/<crate>-<version>`), so a run stopped midway resumes its
//!   compile instead of starting over. That folder is removed after success.
//! - **Prebuilt first.** The official release archive is tried first
//!   (`download.rs`); `cargo install` is the fallback.
//! - **Says what it does.** What is installed, from where, and how long it
//!   usually takes; a failure is one line saying what to do.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::download;
use super::locate::{Finding, Places, Tool, exe, find, version_of};
use crate::Failure;

/// A usable `tool`: the one found, or one installed now.
pub(crate) fn ensure(tool: &Tool, places: &Places) -> Result<PathBuf, Failure> {
    match find(tool, places) {
        Finding::Found { path, .. } => Ok(path),
        Finding::Missing { refused } => install(tool, places, &refused),
    }
}

/// How a missing `tool` would be installed, in words.
pub(crate) fn plan(tool: &Tool) -> String {
    let source = format!("cargo install, {}", usual_time(tool));
    match download::url(tool) {
        Some(url) => format!("prebuilt from {url}, else {source}"),
        None => source,
    }
}

/// How long a source install usually takes, for the line that announces it.
fn usual_time(tool: &Tool) -> &'static str {
    match tool {
        Tool::Wasmtime => "about 10 minutes on 2 cores",
        Tool::WasmBindgen(_) => "about 2 minutes",
    }
}

fn install(tool: &Tool, places: &Places, refused: &[String]) -> Result<PathBuf, Failure> {
    let folder = places.tools_folder();
    let slug = tool.slug();
    let locks = folder.join(".locks");
    fs::create_dir_all(&locks).map_err(|e| cannot("create", &locks, &e))?;
    let lock_path = locks.join(format!("{slug}.lock"));
    let lock = File::create(&lock_path).map_err(|e| cannot("create", &lock_path, &e))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            eprintln!(
                "  Waiting for another cargo mocket that is installing {} {} (lock: {})",
                tool.crate_name(),
                tool.version(),
                lock_path.display()
            );
            lock.lock().map_err(|e| cannot("lock", &lock_path, &e))?;
        }
        Err(TryLockError::Error(e)) => return Err(cannot("lock", &lock_path, &e)),
    }
    // Whoever held the lock may have installed it meanwhile.
    let installed = places.installed(tool);
    if version_of(&installed).is_some_and(|v| tool.accepts(&v)) {
        return Ok(installed);
    }

    let why = if refused.is_empty() {
        format!(
            "{} is not on PATH, in $CARGO_INSTALL_ROOT/bin or $CARGO_HOME/bin",
            tool.program()
        )
    } else {
        refused.join("; ")
    };
    let root = folder.join(&slug);
    eprintln!(
        "  Installing {} {} into {} ({why}); this happens once",
        tool.crate_name(),
        tool.version(),
        root.display()
    );
    let staging = folder.join(".staging").join(&slug);
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| cannot("remove", &staging, &e))?;
    }
    fs::create_dir_all(&staging).map_err(|e| cannot("create", &staging, &e))?;

    let prebuilt = match download::url(tool) {
        Some(url) => {
            eprintln!("  Downloading the official release: {url}");
            match download::fetch(tool, &url, &staging) {
                Ok(()) => true,
                Err(why) => {
                    eprintln!(
                        "  The prebuilt release could not be used ({why}); building it from source with cargo install instead, {} (an interrupted build resumes where it stopped)",
                        usual_time(tool)
                    );
                    false
                }
            }
        }
        None => {
            eprintln!(
                "  Building it from source with cargo install, {} (an interrupted build resumes where it stopped)",
                usual_time(tool)
            );
            false
        }
    };
    let build = folder.join(".build").join(&slug);
    if !prebuilt {
        cargo_install(tool, &staging, &build)?;
    }
    let staged = staging.join("bin").join(exe(tool.program()));
    match version_of(&staged) {
        Some(v) if tool.accepts(&v) => {}
        Some(v) => {
            return Err(failed(tool, &format!("the installed one says it is {v}")));
        }
        None => return Err(failed(tool, &format!("{} does not run", staged.display()))),
    }
    // Nothing usable is there (it would have been found): replace it.
    if root.exists() {
        fs::remove_dir_all(&root).map_err(|e| cannot("remove", &root, &e))?;
    }
    fs::rename(&staging, &root).map_err(|e| cannot("move into place", &staging, &e))?;
    if build.exists() {
        let _ = fs::remove_dir_all(&build);
    }
    eprintln!("  Installed {}", installed.display());
    Ok(installed)
}

/// `cargo install CRATE --version =V --root STAGING --target-dir BUILD`,
/// its output shown.
fn cargo_install(tool: &Tool, staging: &Path, build: &Path) -> Result<(), Failure> {
    let cargo = crate::cargo::cargo_command();
    let mut cmd = Command::new(&cargo);
    cmd.arg("install").arg(tool.crate_name());
    // wasmtime's lock file is what its release was built with;
    // wasm-bindgen-cli's own lock files do not always build.
    if *tool == Tool::Wasmtime {
        cmd.arg("--locked");
    }
    cmd.arg("--version")
        .arg(format!("={}", tool.version()))
        .arg("--root")
        .arg(staging)
        .arg("--target-dir")
        .arg(build)
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit());
    let status = cmd
        .status()
        .map_err(|e| failed(tool, &format!("cannot run {}: {e}", cargo.display())))?;
    if status.success() {
        Ok(())
    } else {
        Err(failed(
            tool,
            &format!("cargo install exited with {status}; its output is above"),
        ))
    }
}

fn failed(tool: &Tool, why: &str) -> Failure {
    let locked = if *tool == Tool::Wasmtime {
        " --locked"
    } else {
        ""
    };
    Failure::failed(format!(
        "installing {name} {v} failed ({why}): retry with `cargo mocket setup`, or install it yourself: cargo install {name} --version {v}{locked}",
        name = tool.crate_name(),
        v = tool.version(),
    ))
}

fn cannot(what: &str, path: &Path, e: &std::io::Error) -> Failure {
    Failure::failed(format!("cannot {what} {}: {e}", path.display()))
}
