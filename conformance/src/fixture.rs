//! The static-files fixture (`conformance/app/public/`): git does not keep
//! modification times, so before the app starts every file there (and the
//! secret beside it) is given one fixed time. `ETag` and `Last-Modified`
//! are then known in advance, and the cases can state them exactly.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::process::workspace_root;

/// The modification time every fixture file gets: 2023-11-14T22:13:20Z.
pub const FIXTURE_MTIME_SECS: u64 = 1_700_000_000;

/// `Last-Modified` of every fixture file.
pub const FIXTURE_LAST_MODIFIED: &str = "Tue, 14 Nov 2023 22:13:20 GMT";

/// The strong `ETag` the app gives a fixture file of `len` bytes
/// (`suffix`: `""`, `"-br"` or `"-gz"` for a precompressed sibling).
///
/// ```
/// assert_eq!(mocket_conformance::fixture_etag(21, ""), "\"6553f10000000000-15\"");
/// ```
pub fn fixture_etag(len: u64, suffix: &str) -> String {
    format!("\"{FIXTURE_MTIME_SECS:x}{:08x}-{len:x}{suffix}\"", 0)
}

/// Sets the modification time of every regular file under
/// `conformance/app/public` and of `conformance/app/secret.txt`.
pub fn pin_fixture_times() -> std::io::Result<()> {
    let app = workspace_root().join("conformance").join("app");
    let at = UNIX_EPOCH + Duration::from_secs(FIXTURE_MTIME_SECS);
    pin(&app.join("secret.txt"), at)?;
    pin_tree(&app.join("public"), at)
}

fn pin_tree(dir: &Path, at: SystemTime) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        if kind.is_dir() {
            pin_tree(&entry.path(), at)?;
        } else if kind.is_file() {
            pin(&entry.path(), at)?;
        }
    }
    Ok(())
}

fn pin(path: &Path, at: SystemTime) -> std::io::Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)?
        .set_modified(at)
}
