//! The workspace's folders, and cargo run the way the tests' own build ran
//! it (same cargo, same target folder, so nothing is built twice).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace's root folder.
///
/// ```
/// assert!(mocket_testkit::workspace::root().join("Cargo.lock").is_file());
/// ```
pub fn root() -> PathBuf {
    let testkit = Path::new(env!("CARGO_MANIFEST_DIR"));
    testkit.parent().unwrap_or(testkit).to_path_buf()
}

/// The target folder the running test was built in: a test binary lives
/// in `<target>/<profile>/deps/`.
pub fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| root().join("target"))
}

/// `cargo` (the one that builds the tests) with `--target-dir` unset: add
/// the subcommand, then [`target_args`] where it takes them.
pub fn cargo() -> Command {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.current_dir(root()).stdin(Stdio::null());
    cmd
}

/// `--target-dir <the tests' target folder>`.
pub fn target_args() -> [String; 2] {
    ["--target-dir".into(), target_dir().display().to_string()]
}

/// Runs `cargo <args>` in `dir`: its stdout, or an error that carries
/// cargo's output.
pub fn run_cargo(args: &[&str], dir: &Path) -> Result<String, String> {
    crate::process::try_output(cargo().args(args).current_dir(dir))
}

/// The path of the artifact whose file name is `name` in cargo's
/// `--message-format=json` output.
///
/// ```
/// let json = r#"{"reason":"compiler-artifact","executable":"/t/debug/examples/bench.wasm"}"#;
/// assert_eq!(
///     mocket_testkit::workspace::artifact(json, "bench.wasm"),
///     Some(std::path::PathBuf::from("/t/debug/examples/bench.wasm"))
/// );
/// ```
pub fn artifact(messages: &str, name: &str) -> Option<PathBuf> {
    const KEY: &str = "\"executable\":\"";
    messages
        .lines()
        .filter_map(|line| {
            let start = line.find(KEY)? + KEY.len();
            let len = line[start..].find('"')?;
            Some(PathBuf::from(&line[start..start + len]))
        })
        .find(|path| path.file_name().is_some_and(|f| f == name))
}
