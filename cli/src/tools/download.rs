//! Official prebuilt releases, where one can be fetched: minutes saved on
//! a first run (wasmtime from source takes about ten on two cores).
//!
//! Both projects publish archives on their GitHub releases. The base URL
//! is `https://github.com`, or `MOCKET_TOOLS_DOWNLOAD_URL` (a mirror, or a
//! local server in tests; empty: never download). Downloads use `curl`
//! and `tar` when the machine has them, with short time limits, and the
//! binary is kept only if it runs and says the right version; anything
//! else falls back to `cargo install`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::locate::{Tool, exe, version_of};

/// The environment variable naming another download base.
pub(crate) const BASE_VAR: &str = "MOCKET_TOOLS_DOWNLOAD_URL";

/// The release archive of `tool` for this machine, if the project
/// publishes one: its URL.
pub(crate) fn url(tool: &Tool) -> Option<String> {
    let base = match std::env::var(BASE_VAR) {
        Ok(base) if base.trim().is_empty() => return None,
        Ok(base) => base.trim_end_matches('/').to_owned(),
        Err(_) => "https://github.com".to_owned(),
    };
    let (arch, os) = (std::env::consts::ARCH, std::env::consts::OS);
    let v = tool.version();
    match tool {
        Tool::Wasmtime => {
            let os = match os {
                "linux" | "macos" => os,
                _ => return None, // Windows ships a zip.
            };
            let arch = matches!(arch, "x86_64" | "aarch64").then_some(arch)?;
            Some(format!(
                "{base}/bytecodealliance/wasmtime/releases/download/v{v}/wasmtime-v{v}-{arch}-{os}.tar.xz"
            ))
        }
        Tool::WasmBindgen(_) => {
            let triple = match (arch, os) {
                ("x86_64", "linux") => "x86_64-unknown-linux-musl",
                ("aarch64", "linux") => "aarch64-unknown-linux-gnu",
                ("x86_64", "macos") => "x86_64-apple-darwin",
                ("aarch64", "macos") => "aarch64-apple-darwin",
                ("x86_64", "windows") => "x86_64-pc-windows-msvc",
                _ => return None,
            };
            Some(format!(
                "{base}/wasm-bindgen/wasm-bindgen/releases/download/{v}/wasm-bindgen-{v}-{triple}.tar.gz"
            ))
        }
    }
}

/// Fetches `url` and puts `tool`'s executable into `staging/bin`. `Err`
/// says why not, in a few words, for the line that announces the
/// fallback.
pub(crate) fn fetch(tool: &Tool, url: &str, staging: &Path) -> Result<(), String> {
    let work = staging.join("download");
    fs::create_dir_all(&work).map_err(|e| format!("cannot create {}: {e}", work.display()))?;
    let archive = work.join("release");
    let fetched = Command::new("curl")
        .args(["--fail", "--location", "--silent", "--show-error"])
        .args(["--connect-timeout", "10", "--max-time", "600"])
        .arg("--output")
        .arg(&archive)
        .arg(url)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    if !fetched.status.success() {
        let why = String::from_utf8_lossy(&fetched.stderr);
        return Err(why
            .trim()
            .lines()
            .last()
            .unwrap_or("curl failed")
            .to_owned());
    }
    let unpacked = work.join("unpacked");
    fs::create_dir_all(&unpacked).map_err(|e| e.to_string())?;
    let untar = Command::new("tar")
        .arg("-xf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpacked)
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    if !untar.status.success() {
        return Err(format!(
            "tar could not unpack it: {}",
            String::from_utf8_lossy(&untar.stderr).trim()
        ));
    }
    let found = find_file(&unpacked, &exe(tool.program()))
        .ok_or_else(|| format!("the archive holds no {}", tool.program()))?;
    let bin = staging.join("bin");
    fs::create_dir_all(&bin).map_err(|e| e.to_string())?;
    let dest = bin.join(exe(tool.program()));
    fs::copy(&found, &dest).map_err(|e| format!("cannot copy it: {e}"))?;
    make_executable(&dest)?;
    let _ = fs::remove_dir_all(&work);
    match version_of(&dest) {
        Some(v) if tool.accepts(&v) => Ok(()),
        Some(v) => Err(format!("it says it is {v}, not {}", tool.version())),
        None => Err("it does not run on this machine".to_owned()),
    }
}

/// The first file named `name` below `dir`.
fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in fs::read_dir(&dir).ok()?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else if entry.file_name() == name {
                return Some(path);
            }
        }
    }
    None
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<(), String> {
    Ok(())
}
