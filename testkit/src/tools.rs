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
    tool("wasmtime")
}

/// The `wasm-bindgen` of the version in Cargo.lock.
pub fn wasm_bindgen() -> PathBuf {
    tool("wasm-bindgen")
}

/// `cargo mocket setup --path NAME`, once per test process; fails the test
/// with the CLI's own message when the tool cannot be had.
fn tool(name: &str) -> PathBuf {
    static FOUND: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let found = FOUND.get_or_init(Mutex::default);
    let mut found = found.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(path) = found.get(name) {
        return path.clone();
    }
    let target = workspace::target_args();
    let args = [
        "run",
        "--quiet",
        "-p",
        "cargo-mocket",
        &target[0],
        &target[1],
    ];
    let printed = workspace::run_cargo(
        &[&args[..], &["--", "setup", "--path", name]].concat(),
        &workspace::root(),
    )
    .unwrap_or_else(|e| {
        panic!("{name} is needed and `cargo mocket setup` could not provide it:\n{e}")
    });
    let path = PathBuf::from(printed.trim());
    assert!(
        path.is_file(),
        "cargo mocket setup printed {path:?}, which is no file"
    );
    found.insert(name.to_owned(), path.clone());
    path
}
