//! What cargo knows about the project, and building with it.
//!
//! Everything comes from cargo itself (`cargo metadata`, and the JSON
//! messages of `cargo build`) rather than from guessing paths: the target
//! directory may be moved, the package may sit anywhere in a workspace, and
//! the artifact's file name depends on the target.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::Failure;

/// The package to build and its workspace.
#[derive(Debug)]
pub(crate) struct Project {
    /// The cargo to run (the one that ran us, when there is one).
    pub(crate) cargo: PathBuf,
    pub(crate) target_dir: PathBuf,
    pub(crate) package_id: String,
    pub(crate) package_name: String,
    pub(crate) manifest_path: PathBuf,
    /// `(name, kinds)` of every target of the package.
    targets: Vec<(String, Vec<String>)>,
    /// The `wasm-bindgen` version in Cargo.lock that the Node backend uses.
    pub(crate) wasm_bindgen: Option<String>,
}

/// Which binary of the package to build.
#[derive(Debug, Clone)]
pub(crate) struct Selection {
    pub(crate) example: bool,
    pub(crate) name: String,
}

/// The cargo profile to build with, chosen as cargo's own flags choose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Profile {
    /// `--release`, the default here: apps are built to be served.
    Release,
    /// `--debug` or `--profile dev`.
    Dev,
    /// `--profile NAME`.
    Named(String),
}

impl Profile {
    /// From `--release`, `--debug` and `--profile NAME` (clap has already
    /// refused them together).
    pub(crate) fn from_flags(release: bool, debug: bool, profile: Option<&str>) -> Profile {
        match (release, debug, profile) {
            (false, true, _) | (false, false, Some("dev")) => Profile::Dev,
            (true, _, _) | (false, false, Some("release") | None) => Profile::Release,
            (false, false, Some(name)) => Profile::Named(name.to_owned()),
        }
    }

    fn cargo_args(&self) -> Vec<String> {
        match self {
            Profile::Release => vec!["--release".into()],
            Profile::Dev => Vec::new(),
            Profile::Named(name) => vec!["--profile".into(), name.clone()],
        }
    }
}

pub(crate) fn cargo_command() -> PathBuf {
    std::env::var_os("CARGO").map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

impl Project {
    /// Reads `cargo metadata` (which also writes Cargo.lock if missing) for
    /// the package in the current directory, or the one named by `-p`.
    pub(crate) fn load(package: Option<&str>) -> Result<Project, Failure> {
        let cargo = cargo_command();
        let output = Command::new(&cargo)
            .args(["metadata", "--format-version", "1"])
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| Failure::failed(format!("cannot run {}: {e}", cargo.display())))?;
        if !output.status.success() {
            return Err(Failure::failed(
                "cargo metadata failed (see above): is this a cargo project?",
            ));
        }
        let meta: Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| Failure::failed(format!("cannot read cargo metadata: {e}")))?;
        let packages = meta["packages"].as_array().cloned().unwrap_or_default();
        let members: Vec<&str> = meta["workspace_members"]
            .as_array()
            .map(|m| m.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();

        let id = match package {
            Some(name) => packages
                .iter()
                .find(|p| p["name"] == name && members.contains(&p["id"].as_str().unwrap_or_default()))
                .and_then(|p| p["id"].as_str())
                .ok_or_else(|| Failure::usage(format!("no package named {name:?} in this workspace")))?
                .to_owned(),
            None => meta["resolve"]["root"].as_str().map(str::to_owned).ok_or_else(|| {
                Failure::usage("no package in the current directory: run in a package's directory or pass -p NAME")
            })?,
        };
        let pkg = packages
            .iter()
            .find(|p| p["id"] == id.as_str())
            .ok_or_else(|| Failure::failed(format!("cargo metadata does not list package {id}")))?;
        let targets = pkg["targets"]
            .as_array()
            .map(|ts| {
                ts.iter()
                    .map(|t| {
                        let kinds = t["kind"]
                            .as_array()
                            .map(|k| {
                                k.iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_owned)
                                    .collect()
                            })
                            .unwrap_or_default();
                        (t["name"].as_str().unwrap_or_default().to_owned(), kinds)
                    })
                    .collect()
            })
            .unwrap_or_default();

        Ok(Project {
            cargo,
            target_dir: PathBuf::from(meta["target_directory"].as_str().unwrap_or("target")),
            package_name: pkg["name"].as_str().unwrap_or_default().to_owned(),
            manifest_path: PathBuf::from(pkg["manifest_path"].as_str().unwrap_or("Cargo.toml")),
            targets,
            wasm_bindgen: wasm_bindgen_version(&meta, &packages),
            package_id: id,
        })
    }

    /// Checks the example or binary exists (cargo's own message for a
    /// missing one runs to many lines), or picks the only binary.
    pub(crate) fn select(
        &self,
        example: Option<&str>,
        bin: Option<&str>,
    ) -> Result<Selection, Failure> {
        let names = |kind: &str| -> Vec<&str> {
            self.targets
                .iter()
                .filter(|(_, kinds)| kinds.iter().any(|k| k == kind))
                .map(|(name, _)| name.as_str())
                .collect()
        };
        let pick = |kind: &str, name: &str| -> Result<Selection, Failure> {
            let known = names(kind);
            if known.contains(&name) {
                return Ok(Selection {
                    example: kind == "example",
                    name: name.to_owned(),
                });
            }
            let list = if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            };
            Err(Failure::usage(format!(
                "package {} has no {kind} named {name:?} (its {kind}s: {list})",
                self.package_name
            )))
        };
        match (example, bin) {
            (Some(name), _) => pick("example", name),
            (None, Some(name)) => pick("bin", name),
            (None, None) => match names("bin")[..] {
                [only] => pick("bin", only),
                [] => Err(Failure::usage(format!(
                    "package {} has no binary: pass --example NAME",
                    self.package_name
                ))),
                ref several => Err(Failure::usage(format!(
                    "package {} has several binaries ({}): pass --bin NAME",
                    self.package_name,
                    several.join(", ")
                ))),
            },
        }
    }
}

/// The locked `wasm-bindgen`: the only one, or the one `mocket-node` uses.
fn wasm_bindgen_version(meta: &Value, packages: &[Value]) -> Option<String> {
    let versions: Vec<&Value> = packages
        .iter()
        .filter(|p| p["name"] == "wasm-bindgen")
        .collect();
    if let [only] = versions[..] {
        return only["version"].as_str().map(str::to_owned);
    }
    let node_id = packages.iter().find(|p| p["name"] == "mocket-node")?["id"].as_str()?;
    let node = meta["resolve"]["nodes"]
        .as_array()?
        .iter()
        .find(|n| n["id"] == node_id)?;
    let dep = node["deps"]
        .as_array()?
        .iter()
        .find(|d| d["name"] == "wasm_bindgen")?;
    let dep_id = dep["pkg"].as_str()?;
    packages.iter().find(|p| p["id"] == dep_id)?["version"]
        .as_str()
        .map(str::to_owned)
}

/// Runs `cargo build` for the selection and returns the artifact it made
/// (the executable natively, the `.wasm` file for a wasm target).
pub(crate) fn build(
    project: &Project,
    sel: &Selection,
    target: Option<&str>,
    profile: &Profile,
) -> Result<PathBuf, Failure> {
    let mut cmd = Command::new(&project.cargo);
    cmd.arg("build")
        .arg("--message-format=json-render-diagnostics")
        .arg("--manifest-path")
        .arg(&project.manifest_path);
    cmd.args(profile.cargo_args());
    if let Some(target) = target {
        cmd.args(["--target", target]);
    }
    cmd.arg(if sel.example { "--example" } else { "--bin" })
        .arg(&sel.name);
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut child = cmd
        .spawn()
        .map_err(|e| Failure::failed(format!("cannot run {}: {e}", project.cargo.display())))?;

    let kind = if sel.example { "example" } else { "bin" };
    let mut artifact = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Ok(msg) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            if msg["reason"] != "compiler-artifact"
                || msg["package_id"] != project.package_id.as_str()
                || msg["target"]["name"] != sel.name.as_str()
                || !msg["target"]["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|k| k == kind))
            {
                continue;
            }
            artifact = msg["executable"].as_str().map(PathBuf::from).or_else(|| {
                msg["filenames"]
                    .as_array()
                    .and_then(|f| {
                        f.iter()
                            .filter_map(Value::as_str)
                            .find(|f| f.ends_with(".wasm"))
                    })
                    .map(PathBuf::from)
            });
        }
    }
    let status = child
        .wait()
        .map_err(|e| Failure::failed(format!("cargo build did not finish: {e}")))?;
    if !status.success() {
        return Err(Failure::failed("cargo build failed (see above)"));
    }
    artifact.ok_or_else(|| {
        Failure::failed(format!(
            "cargo build did not report the {kind} {}",
            sel.name
        ))
    })
}
