//! The tools the wasm backends run with, asked of `cargo mocket setup`: it
//! alone knows their versions and where they live (PATH,
//! `$CARGO_INSTALL_ROOT/bin`, `$CARGO_HOME/bin`, its own tools folder), and
//! installs one that is missing. Tests never keep a second list.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::workspace;

/// The `wasmtime` to run components with.
pub fn wasmtime() -> PathBuf {
    tool("wasmtime").unwrap_or_else(|e| panic!("{e}"))
}

/// The `wasm-bindgen` of the version in Cargo.lock.
pub fn wasm_bindgen() -> PathBuf {
    tool("wasm-bindgen").unwrap_or_else(|e| panic!("{e}"))
}

/// [`wasmtime`] for callers that go on without it (the benchmark).
pub fn try_wasmtime() -> Result<PathBuf, String> {
    tool("wasmtime")
}

/// `cargo mocket setup --path NAME`, once per process (cargo's own target
/// folder, as `cargo mocket` in this repository builds the CLI anyway).
fn tool(name: &str) -> Result<PathBuf, String> {
    static FOUND: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let found = FOUND.get_or_init(Mutex::default);
    let mut found = found.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(path) = found.get(name) {
        return Ok(path.clone());
    }
    let args = [
        "run",
        "--quiet",
        "-p",
        "cargo-mocket",
        "--",
        "setup",
        "--path",
        name,
    ];
    let printed = workspace::run_cargo(&args, &workspace::root()).map_err(|e| {
        format!("{name} is needed and `cargo mocket setup` could not provide it:\n{e}")
    })?;
    let path = PathBuf::from(printed.trim());
    if !path.is_file() {
        return Err(format!(
            "cargo mocket setup printed {path:?}, which is no file"
        ));
    }
    found.insert(name.to_owned(), path.clone());
    Ok(path)
}
