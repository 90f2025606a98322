//! `cargo mocket setup`: everything the backends need besides cargo, found
//! or installed, in one command that scripts and tests call instead of
//! keeping their own copy of the versions and the places to look.
//!
//! ```text
//! cargo mocket setup                 install what is missing; one line per tool
//! cargo mocket setup --check         say what is there and what would be installed; exit 1 if anything is missing
//! cargo mocket setup --path wasmtime print the path of a usable wasmtime (installing it first)
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::Failure;
use crate::tools::{self, Finding, Places, Tool};

/// The rustup targets of the Node.js and WASI backends.
const TARGETS: [&str; 2] = ["wasm32-unknown-unknown", "wasm32-wasip2"];

/// What `setup` was asked to do.
#[derive(Debug, Clone, Default)]
pub(crate) struct Request {
    /// Decide only: install nothing.
    pub(crate) check: bool,
    /// Print only this tool's path.
    pub(crate) path: Option<String>,
}

pub(crate) fn run(request: &Request) -> Result<ExitCode, Failure> {
    let places = Places::from_env();
    let bindgen = locked_wasm_bindgen();
    if let Some(name) = &request.path {
        let tool = match name.as_str() {
            "wasmtime" => Tool::Wasmtime,
            "wasm-bindgen" => Tool::WasmBindgen(bindgen.map_err(Failure::failed)?),
            other => {
                return Err(Failure::usage(format!(
                    "unknown tool {other:?}: expected wasmtime or wasm-bindgen"
                )));
            }
        };
        let path = tools::ensure(&tool, &places)?;
        println!("{}", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut tools = vec![Tool::Wasmtime];
    match bindgen {
        Ok(version) => tools.push(Tool::WasmBindgen(version)),
        Err(why) => println!("wasm-bindgen: not needed here ({why})"),
    }
    if request.check {
        return Ok(check(&tools, &places));
    }
    for target in TARGETS {
        tools::ensure_target(target)?;
        println!("{target}: installed");
    }
    for tool in &tools {
        tools::ensure(tool, &places)?;
        println!("{}: {}", tool.program(), tools::find(tool, &places));
    }
    Ok(ExitCode::SUCCESS)
}

/// Reports without installing; exit status 1 when something is missing.
fn check(tools: &[Tool], places: &Places) -> ExitCode {
    let mut missing = false;
    for target in TARGETS {
        match tools::target_installed(target) {
            Some(true) => println!("{target}: installed"),
            Some(false) => {
                missing = true;
                println!("{target}: missing; would run rustup target add {target}");
            }
            None => {
                println!("{target}: unknown (no rustup on PATH; cargo will say if it is missing)");
            }
        }
    }
    for tool in tools {
        match tools::find(tool, places) {
            found @ Finding::Found { .. } => println!("{}: {found}", tool.program()),
            missing_one @ Finding::Missing { .. } => {
                missing = true;
                println!(
                    "{}: {missing_one}; would install {} {} into {} ({})",
                    tool.program(),
                    tool.crate_name(),
                    tool.version(),
                    places.tools_folder().join(tool.slug()).display(),
                    tools::install_plan(tool)
                );
            }
        }
    }
    if missing {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The `wasm-bindgen` version of the Cargo.lock of the project in the
/// current directory: the one `mocket-node` depends on when there are
/// several. `Err` says why there is none.
pub(crate) fn locked_wasm_bindgen() -> Result<String, String> {
    let cwd = std::env::current_dir().map_err(|e| format!("no current directory: {e}"))?;
    let lock = find_lock(&cwd).ok_or("no Cargo.lock in this folder or above")?;
    let text = std::fs::read_to_string(&lock)
        .map_err(|e| format!("cannot read {}: {e}", lock.display()))?;
    wasm_bindgen_in(&text).ok_or_else(|| format!("{} locks no wasm-bindgen", lock.display()))
}

fn find_lock(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join("Cargo.lock"))
        .find(|lock| lock.is_file())
}

/// One `[[package]]` of a Cargo.lock: name, version, dependencies.
#[derive(Default)]
struct Locked {
    name: String,
    version: String,
    dependencies: Vec<String>,
}

/// Reads the few Cargo.lock fields needed: Cargo.lock is TOML with one
/// `key = "value"` per line, and `dependencies` a list of quoted strings.
fn wasm_bindgen_in(lock: &str) -> Option<String> {
    let mut packages: Vec<Locked> = Vec::new();
    let mut in_deps = false;
    for line in lock.lines() {
        let line = line.trim();
        if line == "[[package]]" {
            packages.push(Locked::default());
            in_deps = false;
            continue;
        }
        let Some(package) = packages.last_mut() else {
            continue;
        };
        let quoted = |s: &str| {
            s.trim()
                .trim_matches(',')
                .trim()
                .trim_matches('"')
                .to_owned()
        };
        if in_deps {
            if line.starts_with(']') {
                in_deps = false;
            } else {
                package.dependencies.push(quoted(line));
            }
        } else if let Some(v) = line.strip_prefix("name = ") {
            package.name = quoted(v);
        } else if let Some(v) = line.strip_prefix("version = ") {
            package.version = quoted(v);
        } else if line.starts_with("dependencies = [") {
            in_deps = !line.ends_with(']');
        }
    }
    let versions: Vec<&Locked> = packages
        .iter()
        .filter(|p| p.name == "wasm-bindgen")
        .collect();
    if let [only] = versions[..] {
        return Some(only.version.clone());
    }
    // Several: the one mocket-node names (`wasm-bindgen 0.2.130`).
    let node = packages.iter().find(|p| p.name == "mocket-node")?;
    node.dependencies
        .iter()
        .find_map(|d| d.strip_prefix("wasm-bindgen "))
        .map(|v| v.split(' ').next().unwrap_or(v).to_owned())
}

#[cfg(test)]
mod tests {
    use super::wasm_bindgen_in;

    #[test]
    fn reads_the_locked_wasm_bindgen() {
        let one = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(wasm_bindgen_in(one).as_deref(), Some("0.2.130"));
        let two = "[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.99\"\n\n\
                   [[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n\n\
                   [[package]]\nname = \"mocket-node\"\nversion = \"0.1.0\"\ndependencies = [\n \"js-sys\",\n \"wasm-bindgen 0.2.130\",\n]\n";
        assert_eq!(wasm_bindgen_in(two).as_deref(), Some("0.2.130"));
        assert_eq!(wasm_bindgen_in("[[package]]\nname = \"serde\"\n"), None);
    }
}
