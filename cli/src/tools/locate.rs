//! Where a tool is, decided in one place: every `cargo mocket` command and
//! `cargo mocket setup` (which scripts and tests call) ask this module.
//!
//! A tool is looked for, in order, on `PATH`, in `$CARGO_INSTALL_ROOT/bin`,
//! in `$CARGO_HOME/bin` (where `cargo install` puts it, often not on `PATH`
//! in scripts; `~/.cargo` by default), and in Mocket's own tools folder
//! (`$CARGO_HOME/mocket-tools/<crate>-<version>/bin`). The first that runs
//! and qualifies is used; one that runs but does not qualify (too old, or
//! not the exact version wasm-bindgen needs) is left in place and noted.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The wasmtime the WASI backend is tested with, and the one installed when
/// none is found. Newer ones are accepted: wasmtime releases a major
/// version every month, the flags `cargo mocket` passes have stayed the
/// same across them, and a component importing WASI 0.2.x runs on every
/// later wasmtime.
pub(crate) const WASMTIME_VERSION: &str = "48.0.8";

/// A program `cargo mocket` needs besides cargo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tool {
    /// `wasmtime`, [`WASMTIME_VERSION`] or newer.
    Wasmtime,
    /// `wasm-bindgen`, exactly the version of the `wasm-bindgen` crate in
    /// Cargo.lock (the CLI and the crate share an unversioned format).
    WasmBindgen(String),
}

impl Tool {
    /// The executable's name, without the platform's suffix.
    pub(crate) fn program(&self) -> &'static str {
        match self {
            Tool::Wasmtime => "wasmtime",
            Tool::WasmBindgen(_) => "wasm-bindgen",
        }
    }

    /// The crate `cargo install` builds it from.
    pub(crate) fn crate_name(&self) -> &'static str {
        match self {
            Tool::Wasmtime => "wasmtime-cli",
            Tool::WasmBindgen(_) => "wasm-bindgen-cli",
        }
    }

    /// The version installed when none qualifies.
    pub(crate) fn version(&self) -> &str {
        match self {
            Tool::Wasmtime => WASMTIME_VERSION,
            Tool::WasmBindgen(v) => v,
        }
    }

    /// `wasmtime-cli-48.0.8`: its folder under the tools folder, its lock.
    pub(crate) fn slug(&self) -> String {
        format!("{}-{}", self.crate_name(), self.version())
    }

    /// Whether `found` (what `--version` said) will do.
    pub(crate) fn accepts(&self, found: &str) -> bool {
        match self {
            Tool::Wasmtime => at_least(found, WASMTIME_VERSION),
            Tool::WasmBindgen(wanted) => found == wanted,
        }
    }

    /// What a tool that will not do is, in words.
    fn refusal(&self, found: &str) -> String {
        match self {
            Tool::Wasmtime => format!("{found} is older than {WASMTIME_VERSION}"),
            Tool::WasmBindgen(wanted) => {
                format!("{found} is not {wanted}, the version in Cargo.lock")
            }
        }
    }
}

/// The environment a lookup reads: the process's, or a test's.
#[derive(Clone, Debug, Default)]
pub(crate) struct Places {
    path: Option<OsString>,
    cargo_install_root: Option<PathBuf>,
    cargo_home: PathBuf,
}

impl Places {
    /// From the process environment.
    pub(crate) fn from_env() -> Places {
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .unwrap_or_default();
        Places {
            path: std::env::var_os("PATH"),
            cargo_install_root: std::env::var_os("CARGO_INSTALL_ROOT")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            cargo_home: std::env::var_os("CARGO_HOME")
                .filter(|v| !v.is_empty())
                .map_or_else(|| Path::new(&home).join(".cargo"), PathBuf::from),
        }
    }

    /// Mocket's own tools folder: `$CARGO_HOME/mocket-tools`.
    pub(crate) fn tools_folder(&self) -> PathBuf {
        self.cargo_home.join("mocket-tools")
    }

    /// Where `tool` is installed in the tools folder.
    pub(crate) fn installed(&self, tool: &Tool) -> PathBuf {
        self.tools_folder()
            .join(tool.slug())
            .join("bin")
            .join(exe(tool.program()))
    }

    /// Every place to look, in order, with what to call it.
    fn candidates(&self, tool: &Tool) -> Vec<(PathBuf, String)> {
        let name = exe(tool.program());
        let mut out: Vec<(PathBuf, String)> = self
            .path
            .iter()
            .flat_map(std::env::split_paths)
            .map(|dir| (dir.join(&name), "PATH".to_owned()))
            .collect();
        if let Some(root) = &self.cargo_install_root {
            out.push((
                root.join("bin").join(&name),
                "$CARGO_INSTALL_ROOT/bin".into(),
            ));
        }
        out.push((
            self.cargo_home.join("bin").join(&name),
            "$CARGO_HOME/bin".into(),
        ));
        out.push((self.installed(tool), "the tools folder".into()));
        out
    }
}

/// What a lookup found.
#[derive(Clone, Debug)]
pub(crate) enum Finding {
    /// A tool that will do.
    Found {
        path: PathBuf,
        version: String,
        /// Which place it was found in.
        place: String,
    },
    /// None will do; what was seen that did not (`wasmtime 36.0.0 at /x is
    /// older than 48.0.8`).
    Missing { refused: Vec<String> },
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Found {
                path,
                version,
                place,
            } => write!(f, "{version} at {} (from {place})", path.display()),
            Finding::Missing { refused } if refused.is_empty() => f.write_str(
                "missing (not on PATH, in $CARGO_INSTALL_ROOT/bin, $CARGO_HOME/bin or the tools folder)",
            ),
            Finding::Missing { refused } => write!(f, "missing ({})", refused.join("; ")),
        }
    }
}

/// Looks for `tool` in `places`.
pub(crate) fn find(tool: &Tool, places: &Places) -> Finding {
    let mut refused = Vec::new();
    for (path, place) in places.candidates(tool) {
        if !path.is_file() {
            continue;
        }
        match version_of(&path) {
            Some(v) if tool.accepts(&v) => {
                return Finding::Found {
                    path,
                    version: v,
                    place,
                };
            }
            Some(v) => refused.push(format!(
                "{} {} at {}",
                tool.program(),
                tool.refusal(&v),
                path.display()
            )),
            None => refused.push(format!("{} does not run", path.display())),
        }
    }
    Finding::Missing { refused }
}

/// `wasm-bindgen --version` prints `wasm-bindgen 0.2.130`; `wasmtime
/// --version` prints `wasmtime 48.0.8` (with a commit and date after it in
/// some builds).
pub(crate) fn version_of(program: &Path) -> Option<String> {
    let out = Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace().nth(1).map(str::to_owned)
}

/// Whether `version` (`48.0.8`, `49.0.0-dev`) is `wanted` or newer.
pub(crate) fn at_least(version: &str, wanted: &str) -> bool {
    fn parse(v: &str) -> Option<(u64, u64, u64)> {
        let core = v.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u64>().ok());
        Some((parts.next()??, parts.next()??, parts.next()??))
    }
    match (parse(version), parse(wanted)) {
        (Some(found), Some(wanted)) => found >= wanted,
        _ => false,
    }
}

/// `name` with the platform's executable suffix.
pub(crate) fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

#[cfg(test)]
mod tests {
    use super::{Tool, at_least};

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
            assert!(Tool::Wasmtime.accepts(ok), "{ok}");
        }
        for old in ["48.0.7", "47.9.9", "36.0.0", "", "48", "x.y.z"] {
            assert!(!Tool::Wasmtime.accepts(old), "{old}");
        }
        assert!(at_least("1.2.3", "1.2.3"));
    }

    #[test]
    fn wasm_bindgen_must_match_exactly() {
        let tool = Tool::WasmBindgen("0.2.130".into());
        assert!(tool.accepts("0.2.130"));
        assert!(!tool.accepts("0.2.131") && !tool.accepts("0.2.129"));
        assert_eq!(tool.slug(), "wasm-bindgen-cli-0.2.130");
    }
}
