//! The servers: what they are, how each is built, started, checked and
//! stopped.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::client::Conn;
use crate::routes::Req;
use crate::util;

/// Which comparison a server belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Group {
    Native,
    Node,
    Wasi,
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Native => "native",
            Group::Node => "node",
            Group::Wasi => "wasi",
        }
    }

    pub fn all() -> [Group; 3] {
        [Group::Native, Group::Node, Group::Wasi]
    }
}

/// A server in the benchmark.
#[derive(Clone, Debug)]
pub struct Def {
    pub name: &'static str,
    pub group: Group,
    pub about: &'static str,
    /// The server its group's ratios are computed against.
    pub baseline: bool,
    /// Compared with this server instead of the group's baseline.
    pub against: Option<&'static str>,
    /// Measured in instructions per request (native Rust servers only).
    pub callgrind: bool,
}

/// `wasmtime serve`'s instance reuse for the `-reuse` variants: a WASIp2
/// component gets a fresh instance per request by default; with this, one
/// instance serves up to this many requests in turn.
pub const WASI_REUSE: &str = "1000";

pub fn all() -> Vec<Def> {
    let def = |name, group, about, baseline, callgrind| Def {
        name,
        group,
        about,
        baseline,
        against: None,
        callgrind,
    };
    let vs = |mut d: Def, other| {
        d.against = Some(other);
        d
    };
    vec![
        def(
            "mocket",
            Group::Native,
            "Mocket, native backend (hyper 1, tokio current-thread per core)",
            false,
            true,
        ),
        def(
            "axum",
            Group::Native,
            "axum 0.8 (hyper 1, tokio multi-thread)",
            true,
            true,
        ),
        def("actix", Group::Native, "actix-web 4", false, true),
        def(
            "hyper",
            Group::Native,
            "raw hyper 1 + hyper-util, hand-written match (tokio multi-thread)",
            false,
            true,
        ),
        def(
            "mocket-node",
            Group::Node,
            "Mocket, Node.js backend (wasm + node:http)",
            false,
            false,
        ),
        def(
            "node-raw",
            Group::Node,
            "raw node:http, hand-written switch",
            true,
            false,
        ),
        def(
            "hono",
            Group::Node,
            "Hono 4 on @hono/node-server",
            false,
            false,
        ),
        def(
            "mocket-wasi",
            Group::Wasi,
            "Mocket, WASI backend as a wasi:http component (wasmtime serve, a fresh instance per request)",
            false,
            false,
        ),
        vs(
            def(
                "mocket-wasi-reuse",
                Group::Wasi,
                "the same, instances reused (wasmtime serve --max-instance-reuse-count 1000)",
                false,
                false,
            ),
            "wasi-raw-reuse",
        ),
        vs(
            def(
                "mocket-wasi-sockets",
                Group::Wasi,
                "Mocket, WASI backend listening through wasi:sockets (wasmtime run)",
                false,
                false,
            ),
            "wasi-sockets-raw",
        ),
        def(
            "wasi-raw",
            Group::Wasi,
            "raw wasi:http component (the wasi crate), hand-written match (wasmtime serve, a fresh instance per request)",
            true,
            false,
        ),
        def(
            "wasi-raw-reuse",
            Group::Wasi,
            "the same, instances reused (wasmtime serve --max-instance-reuse-count 1000)",
            false,
            false,
        ),
        def(
            "wasi-sockets-raw",
            Group::Wasi,
            "raw HTTP/1.1 server on wasi:sockets (httparse on its own small executor), hand-written match (wasmtime run)",
            false,
            false,
        ),
    ]
}

/// How to start a built server. `{port}` in an argument is replaced by the
/// port; `PORT` is always set in the environment too.
#[derive(Clone, Debug)]
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub cwd: Option<PathBuf>,
}

/// The outcome of building a server.
#[derive(Clone, Debug)]
pub enum Built {
    Ready(Launch),
    Unavailable(String),
}

/// Where things are.
pub struct Paths {
    /// The Mocket repository: the parent of `bench/`.
    pub repo: PathBuf,
    /// bench/.
    pub bench: PathBuf,
    /// bench/target/: build outputs of the harness (node and wasm folders).
    pub work: PathBuf,
}

pub fn launch(program: impl Into<PathBuf>, args: &[&str]) -> Launch {
    Launch {
        program: program.into(),
        args: args.iter().map(|s| s.to_string()).collect(),
        cwd: None,
    }
}

/// `cargo build --message-format=json…`: the artifacts built, by target name
/// (executables, or the `.wasm` for a cdylib).
pub fn cargo_artifacts(dir: &Path, args: &[&str]) -> Result<HashMap<String, PathBuf>, String> {
    eprintln!("  $ (cd {} && cargo {})", dir.display(), args.join(" "));
    let out = Command::new("cargo")
        .current_dir(dir)
        .args(args)
        .arg("--message-format=json-render-diagnostics")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!("`cargo {}` failed (see above)", args.join(" ")));
    }
    let mut found = HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        let name = msg["target"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if let Some(exe) = msg["executable"].as_str() {
            found.insert(name, PathBuf::from(exe));
        } else if let Some(wasm) = msg["filenames"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f.as_str())
            .find(|f| f.ends_with(".wasm"))
        {
            found.insert(name, PathBuf::from(wasm));
        }
    }
    Ok(found)
}

/// The wasmtime `cargo mocket setup` finds (or installs): the one the
/// README's commands run.
fn wasmtime() -> Option<PathBuf> {
    mocket_testkit::tools::try_wasmtime()
        .map_err(|e| eprintln!("bench: the WASI servers are left out: {e}"))
        .ok()
}

/// Compiles a component ahead of time (`wasmtime compile`), so that the
/// server's memory and start-up reflect serving rather than Cranelift.
/// Falls back to the `.wasm` itself.
fn precompile(wasmtime: &Path, wasm: &Path) -> (PathBuf, bool) {
    let cwasm = wasm.with_extension("cwasm");
    let ok = Command::new(wasmtime)
        .arg("compile")
        .arg(wasm)
        .arg("-o")
        .arg(&cwasm)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        (cwasm, true)
    } else {
        (wasm.to_owned(), false)
    }
}

fn serve_component(wasmtime: &Path, wasm: &Path, reuse: bool) -> Launch {
    let mut args = vec!["serve", "-S", "cli", "--addr", "127.0.0.1:{port}"];
    if reuse {
        args.extend(["--max-instance-reuse-count", WASI_REUSE]);
    }
    wasmtime_launch(wasmtime, wasm, &args)
}

fn run_component(wasmtime: &Path, wasm: &Path) -> Launch {
    let args = [
        "run",
        "-S",
        "http",
        "-S",
        "inherit-network",
        "-S",
        "tcp",
        "--env",
        "PORT={port}",
    ];
    wasmtime_launch(wasmtime, wasm, &args)
}

/// `wasmtime <args> <component>`, precompiled when wasmtime can.
fn wasmtime_launch(wasmtime: &Path, wasm: &Path, args: &[&str]) -> Launch {
    let (file, pre) = precompile(wasmtime, wasm);
    let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    if pre {
        args.push("--allow-precompiled".into());
    }
    args.push(file.display().to_string());
    Launch {
        program: wasmtime.to_owned(),
        args,
        cwd: None,
    }
}

/// The newest `.wasm` in `out` (or `out` itself).
fn find_wasm(out: &Path) -> Option<PathBuf> {
    if out.extension().is_some_and(|e| e == "wasm") && out.is_file() {
        return Some(out.to_owned());
    }
    let mut stack = vec![out.to_owned()];
    let mut best: Option<(std::time::SystemTime, PathBuf)> = None;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).ok()?.flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "wasm") {
                let t = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .unwrap_or(std::time::UNIX_EPOCH);
                if best.as_ref().is_none_or(|(bt, _)| t > *bt) {
                    best = Some((t, p));
                }
            }
        }
    }
    best.map(|(_, p)| p)
}

/// `cargo mocket build --backend B --example E --out DIR`, in the repo.
/// `Err` is the reason the backend is not available.
pub fn cargo_mocket(paths: &Paths, backend: &str, example: &str, out: &Path) -> Result<(), String> {
    let args = [
        "mocket",
        "build",
        "--backend",
        backend,
        "--example",
        example,
        "--out",
    ];
    eprintln!(
        "  $ (cd {} && cargo {} {})",
        paths.repo.display(),
        args.join(" "),
        out.display()
    );
    let _ = std::fs::create_dir_all(out);
    util::run_captured(
        Command::new("cargo")
            .current_dir(&paths.repo)
            .args(args)
            .arg(out),
    )
    .map(|_| ())
    .map_err(|e| format!("`cargo mocket build --backend {backend}` failed: {e}"))
}

/// The Node peers' npm packages: `npm ci` in `node_dir` unless `packages`
/// are all installed there.
pub fn npm_packages(node_dir: &Path, packages: &[&str]) -> Result<(), String> {
    let modules = node_dir.join("node_modules");
    if packages.iter().all(|p| modules.join(p).exists()) {
        return Ok(());
    }
    eprintln!("  $ (cd {} && npm ci)", node_dir.display());
    util::run_captured(Command::new("npm").current_dir(node_dir).args([
        "ci",
        "--no-audit",
        "--no-fund",
    ]))
    .map(|_| ())
    .map_err(|e| format!("npm ci failed: {e}"))
}

/// Builds every selected server. Servers that cannot be built are reported
/// as unavailable, with the reason.
pub fn build(selected: &[Def], paths: &Paths) -> HashMap<&'static str, Built> {
    let want = |name: &str| selected.iter().any(|d| d.name == name);
    let mut built = HashMap::new();

    if want("mocket") {
        eprintln!("building mocket (native)");
        let r = cargo_artifacts(&paths.repo, &["build", "--release", "--example", "bench"]);
        built.insert(
            "mocket",
            match r.map(|a| a.get("bench").cloned()) {
                Ok(Some(exe)) => Built::Ready(launch(exe, &[])),
                Ok(None) => Built::Unavailable("cargo built no `bench` example".into()),
                Err(e) => Built::Unavailable(e),
            },
        );
    }

    let rust_peers: Vec<&str> = ["axum", "actix", "hyper"]
        .into_iter()
        .filter(|n| want(n))
        .collect();
    if !rust_peers.is_empty() {
        eprintln!("building the Rust peers ({})", rust_peers.join(", "));
        let mut args = vec!["build".to_owned(), "--release".into()];
        for p in &rust_peers {
            args.push("-p".into());
            args.push(format!("peer-{p}"));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = cargo_artifacts(&paths.bench, &args);
        for p in rust_peers {
            let b = match &r {
                Ok(a) => match a.get(&format!("peer-{p}")) {
                    Some(exe) => Built::Ready(launch(exe, &[])),
                    None => Built::Unavailable(format!("cargo built no peer-{p} binary")),
                },
                Err(e) => Built::Unavailable(e.clone()),
            };
            built.insert(p, b);
        }
    }

    let wasm_target =
        util::run_captured(Command::new("rustup").args(["target", "list", "--installed"]))
            .map(|t| t.lines().any(|l| l.trim() == "wasm32-wasip2"))
            .unwrap_or(true);
    let wasmtime = wasmtime();
    let wasi_missing = || -> Option<String> {
        if wasmtime.is_none() {
            Some("wasmtime is not installed".into())
        } else if !wasm_target {
            Some(
                "the wasm32-wasip2 target is not installed (rustup target add wasm32-wasip2)"
                    .into(),
            )
        } else {
            None
        }
    };

    // The raw WASI peers, in one cargo build for wasm32-wasip2.
    let raw_components = want("wasi-raw") || want("wasi-raw-reuse");
    let raw_sockets = want("wasi-sockets-raw");
    if raw_components || raw_sockets {
        let mut packages = Vec::new();
        if raw_components {
            packages.push("peer-wasi-raw");
        }
        if raw_sockets {
            packages.push("peer-wasi-sockets-raw");
        }
        eprintln!("building {} (wasm32-wasip2)", packages.join(", "));
        let mut args = vec!["build", "--release"];
        for p in &packages {
            args.extend(["-p", p]);
        }
        args.extend(["--target", "wasm32-wasip2"]);
        let artifacts = match wasi_missing() {
            Some(why) => Err(why),
            None => cargo_artifacts(&paths.bench, &args),
        };
        // The component is a cdylib (`peer_wasi_raw`), the sockets server a
        // binary (`peer-wasi-sockets-raw`): cargo names each by its target.
        let wasm = |target: &str| match &artifacts {
            Ok(a) => a
                .get(target)
                .cloned()
                .ok_or_else(|| format!("cargo built no {target}.wasm")),
            Err(e) => Err(e.clone()),
        };
        for (name, reuse) in [("wasi-raw", false), ("wasi-raw-reuse", true)] {
            if want(name) {
                let b = match wasm("peer_wasi_raw") {
                    Ok(w) => Built::Ready(serve_component(wasmtime.as_deref().unwrap(), &w, reuse)),
                    Err(e) => Built::Unavailable(e),
                };
                built.insert(name, b);
            }
        }
        if raw_sockets {
            let b = match wasm("peer-wasi-sockets-raw") {
                Ok(w) => Built::Ready(run_component(wasmtime.as_deref().unwrap(), &w)),
                Err(e) => Built::Unavailable(e),
            };
            built.insert("wasi-sockets-raw", b);
        }
    }

    let node = util::have("node");
    let node_dir = paths.bench.join("peers/node");
    if want("node-raw") {
        let b = if node {
            let mut l = launch("node", &["raw.mjs"]);
            l.cwd = Some(node_dir.clone());
            Built::Ready(l)
        } else {
            Built::Unavailable("node is not installed".into())
        };
        built.insert("node-raw", b);
    }
    if want("hono") {
        let b = if !node {
            Built::Unavailable("node is not installed".into())
        } else {
            match npm_packages(&node_dir, &["hono", "@hono/node-server"]) {
                Ok(_) => {
                    let mut l = launch("node", &["hono.mjs"]);
                    l.cwd = Some(node_dir.clone());
                    Built::Ready(l)
                }
                Err(e) => Built::Unavailable(e),
            }
        };
        built.insert("hono", b);
    }

    if want("mocket-node") {
        eprintln!("building mocket-node (cargo mocket, node backend)");
        let out = paths.work.join("mocket-node");
        let b = if !node {
            Built::Unavailable("node is not installed".into())
        } else {
            match cargo_mocket(paths, "node", "bench", &out) {
                Ok(()) if out.join("index.js").exists() => Built::Ready(launch(
                    "node",
                    &[&out.join("index.js").display().to_string()],
                )),
                Ok(()) => Built::Unavailable(format!(
                    "cargo mocket wrote no {}",
                    out.join("index.js").display()
                )),
                Err(e) => Built::Unavailable(e),
            }
        };
        built.insert("mocket-node", b);
    }

    let mut wasi_built: HashMap<&str, Result<PathBuf, String>> = HashMap::new();
    for (name, backend, mode) in [
        ("mocket-wasi", "wasi", "serve"),
        ("mocket-wasi-reuse", "wasi", "reuse"),
        ("mocket-wasi-sockets", "wasi-sockets", "run"),
    ] {
        if !want(name) {
            continue;
        }
        let wasm = wasi_built
            .entry(backend)
            .or_insert_with(|| {
                eprintln!("building mocket for {backend} (cargo mocket)");
                let out = paths.work.join(format!("mocket-{backend}"));
                if let Some(why) = wasi_missing() {
                    return Err(why);
                }
                cargo_mocket(paths, backend, "bench", &out)?;
                find_wasm(&out)
                    .ok_or_else(|| format!("cargo mocket wrote no .wasm under {}", out.display()))
            })
            .clone();
        let b = match wasm {
            Ok(wasm) => {
                let wt = wasmtime.as_deref().unwrap();
                Built::Ready(match mode {
                    "run" => run_component(wt, &wasm),
                    m => serve_component(wt, &wasm, m == "reuse"),
                })
            }
            Err(e) => Built::Unavailable(e),
        };
        built.insert(name, b);
    }
    built
}

/// A server process the harness started.
pub struct Running {
    pub port: u16,
    pub pid: u32,
    pub log: PathBuf,
    child: Child,
}

impl Running {
    /// Starts `launch` pinned to `core`, optionally under a wrapper command
    /// (valgrind), with output to `log`.
    pub fn start(
        name: &'static str,
        launch: &Launch,
        core: u32,
        wrapper: &[String],
        env: &[(&str, &str)],
        log: PathBuf,
    ) -> Result<Running, String> {
        let port = util::free_port();
        let file = std::fs::File::create(&log)
            .map_err(|e| format!("cannot write {}: {e}", log.display()))?;
        let err = file.try_clone().map_err(|e| e.to_string())?;
        let mut cmd = Command::new("taskset");
        cmd.arg("-c").arg(core.to_string());
        cmd.args(wrapper);
        cmd.arg(&launch.program);
        cmd.args(
            launch
                .args
                .iter()
                .map(|a| OsString::from(a.replace("{port}", &port.to_string()))),
        );
        cmd.env("PORT", port.to_string());
        for (k, v) in env {
            cmd.env(k, v);
        }
        if let Some(dir) = &launch.cwd {
            cmd.current_dir(dir);
        }
        cmd.stdin(Stdio::null()).stdout(file).stderr(err);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        Ok(Running {
            port,
            pid: child.id(),
            log,
            child,
        })
    }

    /// Waits until the server answers HTTP.
    pub fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let start = Instant::now();
        let probe = Req {
            method: "GET",
            path: "/plaintext".into(),
            content_type: None,
            body: vec![],
        };
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "exited ({status}) before serving: {}",
                    self.log_tail()
                ));
            }
            if let Ok(mut c) = Conn::connect(self.port, Duration::from_secs(30))
                && c.send(&probe).is_ok()
            {
                return Ok(());
            }
            if start.elapsed() > timeout {
                return Err(format!(
                    "did not answer within {}s: {}",
                    timeout.as_secs(),
                    self.log_tail()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The last line of the server's output.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let last = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("(no output)");
        format!("{} (log: {})", last.trim(), self.log.display())
    }

    /// Peak resident memory so far (VmHWM), KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        util::proc_status_kib(self.pid, "VmHWM")
    }

    pub fn rss_kib(&self) -> Option<u64> {
        util::proc_status_kib(self.pid, "VmRSS")
    }

    /// SIGTERM, then SIGKILL after `grace`.
    pub fn stop(mut self, grace: Duration) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        let start = Instant::now();
        while start.elapsed() < grace {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
