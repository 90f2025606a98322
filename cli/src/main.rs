//! `cargo mocket`: builds and runs a Mocket app on the backend you pick.
//!
//! The backend is chosen by the compilation target, and some targets need
//! more than `cargo build`: the Node.js backend needs the wasm target, a
//! `wasm-bindgen` CLI of exactly the version the project locks, and a folder
//! Node can run; the WASI backend needs the `wasm32-wasip2` target and
//! wasmtime. This tool does those steps so that one command builds or
//! serves the app anywhere:
//!
//! ```text
//! cargo mocket run --backend node --example bench          # serves on PORT (default 3000)
//! cargo mocket build --backend node --bin app --out dist   # dist/: node dist/index.js
//! cargo mocket run --backend wasi --example bench          # wasmtime serve (wasi:http)
//! cargo mocket run --backend wasi-sockets --example bench  # wasmtime run (wasi:sockets)
//! cargo mocket build --backend wasi --out dist             # dist/: the component and run.sh
//! cargo mocket run --backend native                        # cargo run --release
//! ```
//!
//! Installed with `cargo install --path cli`, cargo runs it as
//! `cargo-mocket mocket …`; this repository's alias (`.cargo/config.toml`)
//! runs it as `cargo-mocket …`. Both shapes are accepted.

// A command-line tool talks to its user on stdout and stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cargo;
mod node;
mod preinit;
mod setup;
mod supervise;
mod tools;
mod wasi;

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Builds and runs Mocket apps on the backend of your choice.
#[derive(Parser, Debug)]
#[command(name = "cargo-mocket", bin_name = "cargo mocket", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Builds the app for a backend.
    Build(Target),
    /// Builds the app and serves it; the app reads its port from PORT.
    Run(Target),
    /// Finds or installs what the backends need besides cargo: the wasm
    /// targets, wasm-bindgen (the version in Cargo.lock) and wasmtime.
    Setup(SetupArgs),
    /// Internal: relays `wasmtime serve`'s output for `run --backend wasi`.
    #[command(name = wasi::RELAY, hide = true)]
    Relay,
}

/// What to build, and for which backend.
#[derive(Args, Debug, Clone)]
struct Target {
    /// native (hyper, the default), node (Node.js, via wasm), wasi (a
    /// wasi:http component under `wasmtime serve`) or wasi-sockets (a
    /// command listening on PORT under `wasmtime run`).
    #[arg(long, default_value = "native", value_name = "BACKEND")]
    backend: String,
    /// Build this example of the package.
    #[arg(long, value_name = "NAME", conflicts_with = "bin")]
    example: Option<String>,
    /// Build this binary of the package (the default when it has only one).
    #[arg(long, value_name = "NAME")]
    bin: Option<String>,
    /// The package to build (default: the one in the current directory).
    #[arg(long, short = 'p', value_name = "SPEC")]
    package: Option<String>,
    /// Where to put the result (node: the folder Node runs; wasi,
    /// wasi-sockets: the component and a run.sh).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Build with optimizations (the default), as cargo's `--release`.
    #[arg(long, conflicts_with_all = ["debug", "profile"])]
    release: bool,
    /// Build with this cargo profile (`dev`, `release`, or one of yours).
    #[arg(long, value_name = "NAME", conflicts_with = "debug")]
    profile: Option<String>,
    /// Build without optimizations (the same as `--profile dev`).
    #[arg(long)]
    debug: bool,
    /// run --backend wasi: let each wasm instance serve up to N requests
    /// (`wasmtime serve --max-instance-reuse-count N`). Default: wasmtime's,
    /// a fresh instance per request, as Spin does, so app state does not
    /// carry over from one request to the next.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    reuse: Option<u32>,
    /// wasi: keep the component as cargo built it, without running `main`
    /// at build time (`wasmtime wizer`); each fresh instance then builds
    /// the app on its first request.
    #[arg(long)]
    no_preinit: bool,
    /// wasi, wasi-sockets: let the component read this folder (wasmtime's
    /// `--dir HOST[::GUEST]`; GUEST defaults to HOST), as `ServeDir` needs.
    /// Repeatable; `build` writes it into run.sh (relative to run.sh's
    /// folder). Native and Node.js read the host's files directly: there it
    /// changes nothing.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dirs: Vec<String>,
}

/// `cargo mocket setup`'s options.
#[derive(Args, Debug, Clone)]
struct SetupArgs {
    /// Only say what is there and what would be installed (exit status 1
    /// when something is missing).
    #[arg(long, conflicts_with = "path")]
    check: bool,
    /// Print the absolute path of a usable TOOL (wasmtime or wasm-bindgen),
    /// installing it first when it is missing.
    #[arg(long, value_name = "TOOL")]
    path: Option<String>,
}

/// The backends this tool knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Native,
    Node,
    Wasi(wasi::Mode),
}

impl Backend {
    fn parse(name: &str) -> Result<Backend, Failure> {
        match name {
            "native" => Ok(Backend::Native),
            "node" | "nodejs" => Ok(Backend::Node),
            "wasi" | "wasi-http" => Ok(Backend::Wasi(wasi::Mode::Http)),
            "wasi-sockets" => Ok(Backend::Wasi(wasi::Mode::Sockets)),
            other => Err(Failure::usage(format!(
                "unknown backend {other:?}: expected native, node, wasi or wasi-sockets"
            ))),
        }
    }
}

/// An error for the user: one line, and the exit status.
#[derive(Debug)]
pub(crate) struct Failure {
    message: String,
    code: u8,
}

impl Failure {
    /// Bad input: exit status 2.
    pub(crate) fn usage(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 2,
        }
    }

    /// Something failed: exit status 1.
    pub(crate) fn failed(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            code: 1,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn main() -> ExitCode {
    // A bug here must still end in one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: cargo mocket failed unexpectedly: {info}");
    }));
    let mut args: Vec<OsString> = std::env::args_os().collect();
    // `cargo mocket …` runs `cargo-mocket mocket …`.
    if args.get(1).is_some_and(|a| a == "mocket") {
        args.remove(1);
    }
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let rendered = e.render().to_string();
            let line = rendered
                .lines()
                .next()
                .unwrap_or("error: invalid arguments");
            eprintln!("{line} (see cargo mocket --help)");
            return ExitCode::from(2);
        }
    };
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.code)
        }
    }
}

fn run(command: Command) -> Result<ExitCode, Failure> {
    let (target, serve) = match command {
        Command::Build(t) => (t, false),
        Command::Run(t) => (t, true),
        Command::Relay => return Ok(wasi::relay_stdin()),
        Command::Setup(args) => {
            return setup::run(&setup::Request {
                check: args.check,
                path: args.path,
            });
        }
    };
    let backend = Backend::parse(&target.backend)?;
    let profile =
        cargo::Profile::from_flags(target.release, target.debug, target.profile.as_deref());
    if target.reuse.is_some() && !(serve && backend == Backend::Wasi(wasi::Mode::Http)) {
        return Err(Failure::usage(
            "--reuse only applies to `cargo mocket run --backend wasi` (wasmtime serve)",
        ));
    }
    if target.no_preinit && backend != Backend::Wasi(wasi::Mode::Http) {
        return Err(Failure::usage(
            "--no-preinit only applies to --backend wasi (a wasi:http component)",
        ));
    }
    // Before a long build, not after it.
    if backend == Backend::Node && serve {
        tools::check_node()?;
    }
    let wasi_run = match backend {
        Backend::Wasi(_) if serve => Some((wasi::port()?, tools::wasmtime()?)),
        _ => None,
    };
    // Pre-initialising runs `wasmtime wizer`: found (or installed) first.
    let preinit_with = match (backend, &wasi_run) {
        (Backend::Wasi(wasi::Mode::Http), _) if target.no_preinit => None,
        (Backend::Wasi(wasi::Mode::Http), Some((_, wasmtime))) => Some(wasmtime.clone()),
        (Backend::Wasi(wasi::Mode::Http), None) => Some(tools::wasmtime()?),
        _ => None,
    };
    let project = cargo::Project::load(target.package.as_deref())?;
    let selection = project.select(target.example.as_deref(), target.bin.as_deref())?;
    match backend {
        Backend::Native => {
            let exe = cargo::build(&project, &selection, None, &profile)?;
            let exe = match &target.out {
                Some(dir) => copy_into(&exe, dir)?,
                None => exe,
            };
            if serve {
                return tools::exec(std::process::Command::new(&exe));
            }
            eprintln!("    Finished {}", exe.display());
            Ok(ExitCode::SUCCESS)
        }
        Backend::Node => {
            let out = target.out.clone().unwrap_or_else(|| {
                project
                    .target_dir
                    .join("mocket")
                    .join("node")
                    .join(&selection.name)
            });
            node::build(&project, &selection, &out, &profile)?;
            if serve {
                let mut node = std::process::Command::new("node");
                node.arg(out.join("index.js"));
                return tools::exec(node);
            }
            eprintln!(
                "    Finished {} (start it with `node {}` or `npm start` there)",
                out.display(),
                out.join("index.js").display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Backend::Wasi(mode) => {
            let mut wasm = wasi::build(&project, &selection, &profile)?;
            let mut preinitialised = false;
            if let Some(wasmtime) = &preinit_with {
                match preinit::run(wasmtime, &wasm)? {
                    preinit::Outcome::Snapshot(snapshot) => {
                        wasm = snapshot;
                        preinitialised = true;
                    }
                    preinit::Outcome::Plain(why) => eprintln!(
                        "warning: {} is not pre-initialised: {why}; each fresh instance \
                         runs `main` on its first request instead (--no-preinit silences this)",
                        selection.name
                    ),
                }
            }
            // `run` serves the component where cargo put it, unless --out.
            let out = match (&target.out, serve) {
                (Some(dir), _) => Some(dir.clone()),
                (None, true) => None,
                (None, false) => Some(
                    project
                        .target_dir
                        .join("mocket")
                        .join(mode.backend())
                        .join(&selection.name),
                ),
            };
            // Found without installing (`build --backend wasi-sockets`
            // needs no wasmtime), but run.sh names the one that is there
            // when it is off PATH.
            let found = tools::find(&tools::Tool::Wasmtime, &tools::Places::from_env());
            let off_path = match &found {
                tools::Finding::Found { path, place, .. } if place != "PATH" => Some(path.clone()),
                _ => None,
            };
            let mut script = None;
            if let Some(out) = &out {
                let how = wasi::Packaging {
                    mode,
                    preinitialised,
                    dirs: &target.dirs,
                    wasmtime: off_path.as_deref(),
                };
                let (copied, written) = wasi::package(&wasm, &selection, out, &how)?;
                wasm = copied;
                script = Some(written);
            }
            if let Some((port, wasmtime)) = wasi_run {
                return wasi::serve(&wasmtime, &wasm, mode, port, target.reuse, &target.dirs);
            }
            if let (Some(out), Some(script)) = (&out, &script) {
                eprintln!("{}", wasi::finished(out, script, mode, &found));
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn copy_into(exe: &std::path::Path, dir: &std::path::Path) -> Result<PathBuf, Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::failed(format!("cannot create {}: {e}", dir.display())))?;
    let name = exe.file_name().unwrap_or_default();
    let dest = dir.join(name);
    std::fs::copy(exe, &dest).map_err(|e| {
        Failure::failed(format!(
            "cannot copy {} to {}: {e}",
            exe.display(),
            dest.display()
        ))
    })?;
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::{Cli, Command, cargo::Profile};
    use clap::Parser;

    /// The profile `cargo mocket run` would build with, or clap's refusal.
    fn profile(args: &[&str]) -> Result<Profile, String> {
        let argv = ["cargo-mocket", "run"].iter().chain(args);
        let cli = Cli::try_parse_from(argv).map_err(|e| e.kind().to_string())?;
        let Command::Run(t) = cli.command else {
            unreachable!("parsed run")
        };
        Ok(Profile::from_flags(
            t.release,
            t.debug,
            t.profile.as_deref(),
        ))
    }

    #[test]
    fn profiles_are_chosen_with_cargos_flags() {
        assert_eq!(profile(&[]), Ok(Profile::Release));
        assert_eq!(profile(&["--release"]), Ok(Profile::Release));
        assert_eq!(profile(&["--profile", "release"]), Ok(Profile::Release));
        assert_eq!(profile(&["--debug"]), Ok(Profile::Dev));
        assert_eq!(profile(&["--profile", "dev"]), Ok(Profile::Dev));
        assert_eq!(
            profile(&["--profile", "bench-lto"]),
            Ok(Profile::Named("bench-lto".into()))
        );
    }

    #[test]
    fn contradictory_profile_flags_are_refused_as_cargo_does() {
        for args in [
            &["--release", "--debug"][..],
            &["--release", "--profile", "dev"],
            &["--debug", "--profile", "release"],
        ] {
            assert!(profile(args).is_err(), "{args:?} was accepted");
        }
    }
}
