//! `bench/run --ws`: WebSocket echo round trips, pub/sub fan-out (one
//! publisher, a thousand subscribers) and memory per idle socket, for
//! Mocket's `examples/chat` natively and on Node against axum's `ws` and
//! the `ws` package.

pub mod check;
pub mod instructions;
pub mod load;
pub mod report;
pub mod room;

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};

use crate::servers::{self, Built, Group, Paths, Running};
use crate::util;

/// A server of the WebSocket benchmark: the routes of `examples/chat`.
#[derive(Clone, Debug)]
pub struct Def {
    pub name: &'static str,
    pub group: Group,
    pub about: &'static str,
    /// The server its group's ratios are computed against.
    pub baseline: bool,
}

pub fn all() -> Vec<Def> {
    let def = |name, group, about, baseline| Def {
        name,
        group,
        about,
        baseline,
    };
    vec![
        def(
            "mocket",
            Group::Native,
            "Mocket, examples/chat, native backend",
            false,
        ),
        def(
            "axum",
            Group::Native,
            "axum 0.8 `ws` (tokio-tungstenite), a broadcast channel per room",
            true,
        ),
        def(
            "mocket-node",
            Group::Node,
            "Mocket, examples/chat, Node.js backend",
            false,
        ),
        def(
            "node-ws",
            Group::Node,
            "the `ws` package 8 on node:http, a Set per room",
            true,
        ),
    ]
}

/// What a run measures, from bench/run's options.
pub struct Settings {
    /// Echo: sockets, each with one message in flight.
    pub connections: usize,
    /// Fan-out: subscribers besides the publisher.
    pub subscribers: usize,
    /// Idle sockets opened for the memory figure.
    pub idle: usize,
    /// Bytes per text message.
    pub size: usize,
    pub rounds: usize,
    pub round: Duration,
    pub warmup: Duration,
    /// Callgrind runs per native server (0: valgrind is missing).
    pub callgrind_runs: usize,
}

impl Settings {
    fn json(&self) -> Value {
        json!({
            "connections": self.connections, "subscribers": self.subscribers,
            "idle": self.idle, "message_bytes": self.size, "rounds": self.rounds,
            "round_secs": self.round.as_secs_f64(), "warmup_secs": self.warmup.as_secs_f64(),
            "window": room::WINDOW, "callgrind_runs": self.callgrind_runs,
            "echoes_counted": instructions::ECHOES, "counted_subscribers": instructions::SUBSCRIBERS,
            "published_counted": instructions::PUBLISHED,
        })
    }
}

/// Builds the selected servers (unavailable ones with the reason).
pub fn build(selected: &[Def], paths: &Paths) -> HashMap<&'static str, Built> {
    let want = |name: &str| selected.iter().any(|d| d.name == name);
    let mut built = HashMap::new();
    if want("mocket") {
        eprintln!("building mocket (examples/chat, native)");
        let r = servers::cargo_artifacts(&paths.repo, &["build", "--release", "--example", "chat"]);
        built.insert("mocket", ready(r, "chat"));
    }
    if want("axum") {
        eprintln!("building axum (bench/peers/axum-ws)");
        let r =
            servers::cargo_artifacts(&paths.bench, &["build", "--release", "-p", "peer-axum-ws"]);
        built.insert("axum", ready(r, "peer-axum-ws"));
    }
    let node = util::have("node");
    if want("node-ws") {
        let dir = paths.bench.join("peers/node");
        let b = if !node {
            Built::Unavailable("node is not installed".into())
        } else {
            match servers::npm_packages(&dir, &["ws"]) {
                Ok(()) => {
                    let mut l = servers::launch("node", &["ws.mjs"]);
                    l.cwd = Some(dir);
                    Built::Ready(l)
                }
                Err(e) => Built::Unavailable(e),
            }
        };
        built.insert("node-ws", b);
    }
    if want("mocket-node") {
        eprintln!("building mocket-node (examples/chat, cargo mocket, node backend)");
        let out = paths.work.join("mocket-node-chat");
        let b = if !node {
            Built::Unavailable("node is not installed".into())
        } else {
            match servers::cargo_mocket(paths, "node", "chat", &out) {
                Ok(()) => {
                    let index = out.join("index.js").display().to_string();
                    Built::Ready(servers::launch("node", &[&index]))
                }
                Err(e) => Built::Unavailable(e),
            }
        };
        built.insert("mocket-node", b);
    }
    built
}

fn ready(r: Result<HashMap<String, std::path::PathBuf>, String>, target: &str) -> Built {
    match r.map(|a| a.get(target).cloned()) {
        Ok(Some(exe)) => Built::Ready(servers::launch(exe, &[])),
        Ok(None) => Built::Unavailable(format!("cargo built no `{target}`")),
        Err(e) => Built::Unavailable(e),
    }
}

/// Pins this process (the load client) to core 0; the servers run on 1.
fn pin_client() -> Result<(), String> {
    util::run_captured(std::process::Command::new("taskset").args([
        "-a",
        "-p",
        "-c",
        "0",
        &std::process::id().to_string(),
    ]))
    .map(|_| ())
}

/// Measures every built server: checks, echo and fan-out rounds (servers
/// take turns, the order rotating), then idle memory one server at a time.
pub fn measure(
    settings: &Settings,
    selected: &[Def],
    built: &HashMap<&'static str, Built>,
    logs: &std::path::Path,
) -> Result<Value, String> {
    pin_client()?;
    let mut reasons: HashMap<&str, String> = HashMap::new();
    let mut running: Vec<(Def, Running)> = Vec::new();
    eprintln!("== starting servers (pinned to core 1)");
    for d in selected {
        match built.get(d.name) {
            Some(Built::Ready(launch)) => {
                let log = logs.join(format!("ws-{}.log", d.name));
                let started = Running::start(d.name, launch, 1, &[], &[], log).and_then(|mut s| {
                    s.wait_ready(Duration::from_secs(120))?;
                    Ok(s)
                });
                match started.and_then(|s| check::routes(s.port).map(|()| s)) {
                    Ok(s) => {
                        eprintln!(
                            "  {:<12} pid {} port {}: routes answer correctly",
                            d.name, s.pid, s.port
                        );
                        running.push((d.clone(), s));
                    }
                    Err(e) => {
                        eprintln!("  {:<12} FAILED: {e}", d.name);
                        reasons.insert(d.name, e);
                    }
                }
            }
            Some(Built::Unavailable(why)) => {
                reasons.insert(d.name, why.clone());
            }
            None => {}
        }
    }

    let mut echo: HashMap<&str, Vec<Value>> = HashMap::new();
    let mut fanout: HashMap<&str, Vec<Value>> = HashMap::new();
    for round in 0..settings.rounds {
        eprintln!("== round {} of {}", round + 1, settings.rounds);
        let n = running.len().max(1);
        for i in 0..running.len() {
            let (d, s) = &running[(i + round) % n];
            let r = load::block_on(load::echo(
                s.port,
                "/ws/echo",
                settings.connections,
                settings.size,
                settings.warmup,
                settings.round,
                || util::cpu_secs(s.pid),
            ));
            eprintln!("  {:<12} echo    {}", d.name, shown(&r));
            echo.entry(d.name).or_default().push(measured_json(r));
            let room = format!("/ws/room/bench-{round}");
            let r = load::block_on(room::fanout(
                s.port,
                &room,
                settings.subscribers,
                settings.size,
                settings.warmup,
                settings.round,
                || util::cpu_secs(s.pid),
            ));
            eprintln!("  {:<12} fan-out {}", d.name, shown(&r));
            fanout.entry(d.name).or_default().push(measured_json(r));
        }
    }

    let peaks: HashMap<&str, u64> = running
        .iter()
        .filter_map(|(d, s)| Some((d.name, s.peak_rss_kib()?)))
        .collect();
    let measured: Vec<Def> = running.iter().map(|(d, _)| d.clone()).collect();
    for (_, s) in running {
        s.stop(Duration::from_secs(3));
    }

    // A fresh process each: after the load runs, an allocator keeps memory
    // that idle sockets would reuse, and the figure would flatter.
    eprintln!(
        "== {} idle sockets per server, each in a fresh process",
        settings.idle
    );
    let mut idle = serde_json::Map::new();
    for d in &measured {
        let Some(Built::Ready(launch)) = built.get(d.name) else {
            continue;
        };
        let log = logs.join(format!("ws-{}-idle.log", d.name));
        let v = match idle_memory(d.name, launch, settings.idle, log) {
            Ok((before, after)) => {
                let per = (after.saturating_sub(before) * 1024) as f64 / settings.idle as f64;
                eprintln!("  {:<12} {:.0} bytes per idle socket", d.name, per);
                json!({"ok": true, "rss_before_kib": before, "rss_after_kib": after, "bytes_per_socket": per})
            }
            Err(e) => {
                eprintln!("  {:<12} FAILED: {e}", d.name);
                json!({"ok": false, "error": e})
            }
        };
        idle.insert(d.name.into(), v);
    }

    let counted = count_instructions(settings, &measured, built, logs);

    let servers: Vec<Value> = selected
        .iter()
        .map(|d| {
            json!({
                "name": d.name, "group": d.group.name(), "about": d.about, "baseline": d.baseline,
                "available": !reasons.contains_key(d.name), "reason": reasons.get(d.name),
                "peak_rss_kib": peaks.get(d.name),
            })
        })
        .collect();
    Ok(json!({
        "kind": "ws",
        "settings": settings.json(),
        "servers": servers,
        "echo": best_of(echo),
        "fanout": best_of(fanout),
        "idle": idle,
        "instructions": counted,
    }))
}

/// Instructions per message of the native servers, `callgrind_runs` fresh
/// processes each: the mean per figure, and every run.
fn count_instructions(
    settings: &Settings,
    measured: &[Def],
    built: &HashMap<&'static str, Built>,
    dir: &std::path::Path,
) -> Value {
    let mut out = serde_json::Map::new();
    let native: Vec<&Def> = measured
        .iter()
        .filter(|d| d.group == Group::Native)
        .collect();
    if settings.callgrind_runs == 0 || native.is_empty() {
        return Value::Object(out);
    }
    eprintln!(
        "== instructions per message under callgrind ({} runs per native server)",
        settings.callgrind_runs
    );
    for d in native {
        let Some(Built::Ready(launch)) = built.get(d.name) else {
            continue;
        };
        let runs: Result<Vec<Value>, String> = (1..=settings.callgrind_runs)
            .map(|run| {
                instructions::measure(d.name, launch, settings.size, dir, &format!("run{run}"))
            })
            .collect();
        let v = match runs {
            Ok(runs) => {
                let mut v = json!({"ok": true, "runs": runs});
                for what in instructions::FIGURES {
                    let all: Vec<f64> = runs.iter().filter_map(|r| r[what].as_f64()).collect();
                    v[what] = json!(all.iter().sum::<f64>() / all.len().max(1) as f64);
                }
                v
            }
            Err(e) => {
                eprintln!("  {:<12} FAILED: {e}", d.name);
                json!({"ok": false, "error": e})
            }
        };
        out.insert(d.name.into(), v);
    }
    Value::Object(out)
}

/// A fresh server's VmRSS (KiB) before and with `n` idle sockets open.
fn idle_memory(
    name: &'static str,
    launch: &servers::Launch,
    n: usize,
    log: std::path::PathBuf,
) -> Result<(u64, u64), String> {
    let mut s = Running::start(name, launch, 1, &[], &[], log)?;
    s.wait_ready(Duration::from_secs(120))?;
    check::routes(s.port)?;
    std::thread::sleep(Duration::from_millis(500));
    let before = s.rss_kib().ok_or("no /proc status for the server")?;
    let after = load::block_on(load::idle(s.port, "/ws/echo", n, || s.rss_kib()))?
        .ok_or("no /proc status for the server")?;
    s.stop(Duration::from_secs(3));
    Ok((before, after))
}

fn shown(r: &Result<load::Measured, String>) -> String {
    match r {
        Ok(m) => format!(
            "{} msg/s{}{}{}",
            crate::report::thousands(m.per_sec),
            m.cpu_us
                .map(|c| format!(", {c:.2} µs CPU each"))
                .unwrap_or_default(),
            m.p99_ms
                .map(|p| format!(", p99 {p:.2} ms"))
                .unwrap_or_default(),
            if m.closed > 0 {
                format!(", {} sockets closed by the server", m.closed)
            } else {
                String::new()
            }
        ),
        Err(e) => format!("FAILED: {e}"),
    }
}

fn measured_json(r: Result<load::Measured, String>) -> Value {
    match r {
        Ok(m) => {
            json!({"ok": m.closed == 0, "per_sec": m.per_sec, "p99_ms": m.p99_ms, "closed": m.closed, "cpu_us": m.cpu_us,
                        "error": (m.closed > 0).then(|| format!("the server closed {} sockets", m.closed))})
        }
        Err(e) => json!({"ok": false, "error": e}),
    }
}

/// Per server: the best successful round (interference only slows a round
/// down), with every round kept.
fn best_of(rounds: HashMap<&str, Vec<Value>>) -> Value {
    let mut out = serde_json::Map::new();
    for (name, rs) in rounds {
        let best = rs
            .iter()
            .filter(|r| r["ok"] == true)
            .max_by(|a, b| {
                a["per_sec"]
                    .as_f64()
                    .partial_cmp(&b["per_sec"].as_f64())
                    .unwrap()
            })
            .cloned();
        let v = match best {
            Some(mut b) => {
                // CPU per message hardly depends on the noise: the least of
                // the rounds is the steadiest estimate.
                let cpu = rs
                    .iter()
                    .filter(|r| r["ok"] == true)
                    .filter_map(|r| r["cpu_us"].as_f64())
                    .fold(None, |m: Option<f64>, c| Some(m.map_or(c, |m| m.min(c))));
                b["cpu_us_min"] = json!(cpu);
                b["rounds"] = json!(rs);
                b
            }
            None => {
                json!({"ok": false, "error": rs.iter().find_map(|r| r["error"].as_str()).unwrap_or("no round"), "rounds": rs})
            }
        };
        out.insert(name.into(), v);
    }
    Value::Object(out)
}
