//! `bench/run --soak`: one long wrk run per server on a mix of routes,
//! counting every socket error and non-2xx answer, and sampling the
//! server's memory every second to say whether it stays flat.
//!
//! Each server runs alone (one at a time, pinned to core 1, wrk on core 0):
//! first a fresh process for the memory of idle keep-alive connections,
//! then a fresh process for the soak itself.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::client::Conn;
use crate::report::thousands;
use crate::routes::{Req, Route};
use crate::servers::{Built, Def, Launch, Running};
use crate::{util, wrk};

/// The servers a soak covers by default: Mocket on each backend that owns
/// its connections.
pub const SERVERS: [&str; 3] = ["mocket", "mocket-node", "mocket-wasi-sockets"];

/// The default mix: GET routes of different shapes and POST bodies small,
/// JSON and 16 KiB, sent in turn.
pub const ROUTES: [&str; 7] = [
    "plaintext",
    "json",
    "echo",
    "query",
    "post_small",
    "post_json",
    "post_large",
];

/// What a soak does, from bench/run's options.
pub struct Settings {
    pub duration: Duration,
    pub connections: u32,
    pub threads: u32,
    /// wrk's `--timeout`: a request waiting longer counts as a timeout error.
    pub timeout: String,
    /// Idle keep-alive connections for the memory figure (0: skip it).
    pub idle: usize,
    /// The memory samples before this are warm-up, not judged.
    pub warmup: Duration,
    /// Flat: the last third's median at most this many percent above the
    /// first third's.
    pub flat_pct: f64,
}

impl Settings {
    pub fn json(&self) -> Value {
        json!({
            "duration_secs": self.duration.as_secs(), "connections": self.connections,
            "threads": self.threads, "timeout": self.timeout, "idle": self.idle,
            "warmup_secs": self.warmup.as_secs(), "flat_pct": self.flat_pct,
            "server_core": 1, "wrk_core": 0,
        })
    }
}

/// The warm-up before memory is judged: 10 s, or a sixth of a short soak.
pub fn warmup_for(duration: Duration) -> Duration {
    Duration::from_secs((duration.as_secs() / 6).clamp(1, 10))
}

/// A Lua string literal for `bytes` (printable ASCII kept, the rest as
/// decimal escapes, which every Lua reads).
fn lua_string(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() + 2);
    s.push('"');
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                s.push('\\');
                s.push(b as char);
            }
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\{b:03}")),
        }
    }
    s.push('"');
    s
}

/// The wrk script of the mix: each wrk thread hands its connections the
/// routes' requests in turn, so every route gets an equal share.
pub fn lua_mix(routes: &[Route]) -> String {
    let mut lua = String::from(
        "-- Written by bench/run --soak: the routes' requests, one after another.\n\
         local requests = {}\nlocal turn = 0\n\nfunction init(args)\n",
    );
    for r in routes {
        lua.push_str(&format!("  -- {}\n", r.name));
        let headers = match r.req.content_type {
            Some(ct) => format!("{{[\"Content-Type\"] = {}}}", lua_string(ct.as_bytes())),
            None => "{}".into(),
        };
        let body = if r.req.body.is_empty() && r.req.method == "GET" {
            "nil".into()
        } else {
            lua_string(&r.req.body)
        };
        lua.push_str(&format!(
            "  table.insert(requests, wrk.format({}, {}, {headers}, {body}))\n",
            lua_string(r.req.method.as_bytes()),
            lua_string(r.req.path.as_bytes()),
        ));
    }
    lua.push_str(
        "end\n\nfunction request()\n  turn = turn % #requests + 1\n  return requests[turn]\nend\n",
    );
    lua
}

/// One second's sample of the server's memory.
#[derive(Clone, Copy, Debug)]
struct Sample {
    secs: f64,
    rss_kib: u64,
}

/// What the memory samples say.
#[derive(Clone, Debug, PartialEq)]
pub struct Memory {
    pub at_warmup_kib: u64,
    pub end_kib: u64,
    pub max_kib: u64,
    pub first_third_kib: u64,
    pub last_third_kib: u64,
    pub change_pct: f64,
    /// `None`: too few samples after the warm-up to judge.
    pub flat: Option<bool>,
}

fn median(v: &[u64]) -> u64 {
    let mut v = v.to_vec();
    v.sort_unstable();
    v[v.len() / 2]
}

/// Judges a series of (seconds, KiB) samples: after `warmup`, the median
/// of the last third against the median of the first.
pub fn judge(samples: &[(f64, u64)], warmup: Duration, flat_pct: f64) -> Option<Memory> {
    let (_, end_kib) = *samples.last()?;
    let max_kib = samples.iter().map(|s| s.1).max()?;
    let after: Vec<u64> = samples
        .iter()
        .filter(|s| s.0 >= warmup.as_secs_f64())
        .map(|s| s.1)
        .collect();
    let at_warmup_kib = after.first().copied().unwrap_or(end_kib);
    let third = after.len() / 3;
    if third == 0 {
        return Some(Memory {
            at_warmup_kib,
            end_kib,
            max_kib,
            first_third_kib: at_warmup_kib,
            last_third_kib: end_kib,
            change_pct: 0.0,
            flat: None,
        });
    }
    let first = median(&after[..third]);
    let last = median(&after[after.len() - third..]);
    let change_pct = (last as f64 - first as f64) / first.max(1) as f64 * 100.0;
    Some(Memory {
        at_warmup_kib,
        end_kib,
        max_kib,
        first_third_kib: first,
        last_third_kib: last,
        change_pct,
        flat: Some(change_pct <= flat_pct),
    })
}

/// Starts a fresh `d` and waits until it answers.
fn start(d: &Def, launch: &Launch, log: &Path) -> Result<Running, String> {
    let mut s = Running::start(d.name, launch, 1, &[], &[], log.to_owned())?;
    s.wait_ready(Duration::from_secs(120))?;
    Ok(s)
}

/// A fresh server's memory (whole process tree, KiB) before and with `n`
/// idle keep-alive connections, each having had one answer.
fn idle_memory(d: &Def, launch: &Launch, n: usize, log: &Path) -> Result<(u64, u64), String> {
    let s = start(d, launch, log)?;
    let probe = Req {
        method: "GET",
        path: "/plaintext".into(),
        content_type: None,
        body: vec![],
    };
    // Warm up on one connection: the first allocations are not the
    // connections'.
    let mut warm = Conn::connect(s.port, Duration::from_secs(10)).map_err(|e| e.to_string())?;
    for _ in 0..200 {
        warm.send(&probe).map_err(|e| format!("warm-up: {e}"))?;
    }
    drop(warm);
    std::thread::sleep(Duration::from_millis(500));
    let before = util::tree_rss_kib(s.pid).ok_or("no /proc status for the server")?;
    let mut open = Vec::with_capacity(n);
    for i in 0..n {
        let mut c = Conn::connect(s.port, Duration::from_secs(10))
            .map_err(|e| format!("idle connection {i}: {e}"))?;
        let res = c
            .send(&probe)
            .map_err(|e| format!("idle connection {i}: {e}"))?;
        if res.status != 200 {
            return Err(format!("idle connection {i}: status {}", res.status));
        }
        open.push(c);
    }
    std::thread::sleep(Duration::from_millis(500));
    let after = util::tree_rss_kib(s.pid).ok_or("no /proc status for the server")?;
    drop(open);
    s.stop(Duration::from_secs(5));
    Ok((before, after))
}

/// The soak of one server: wrk's outcome and the memory samples.
struct Soaked {
    outcome: Option<wrk::Outcome>,
    /// Why the run is not a clean one, besides the counts (the server died,
    /// wrk failed).
    failure: Option<String>,
    samples: Vec<Sample>,
    /// Seconds during which a compiler ran on the machine.
    contended_secs: u32,
    /// CPU time the rest of the machine used meanwhile (neither the server
    /// nor wrk), as a share of one core.
    others_cpu_share: Option<f64>,
}

fn soak_one(
    d: &Def,
    launch: &Launch,
    settings: &Settings,
    script: &Path,
    log: &Path,
) -> Result<Soaked, String> {
    let mut s = start(d, launch, log)?;
    let mut cmd = Command::new("taskset");
    cmd.args(["-c", "0", "wrk"])
        .args(["-t", &settings.threads.to_string()])
        .args(["-c", &settings.connections.to_string()])
        .args(["-d", &format!("{}s", settings.duration.as_secs())])
        .args(["--timeout", &settings.timeout])
        .arg("--latency")
        .arg("-s")
        .arg(script)
        .arg(format!("http://127.0.0.1:{}/", s.port))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut wrk = cmd.spawn().map_err(|e| format!("cannot run wrk: {e}"))?;
    let began = Instant::now();
    let (server_pid, wrk_pid) = (s.pid, wrk.id());
    let cpu = move || -> Option<f64> {
        Some(util::machine_busy_secs()? - util::cpu_secs(server_pid)? - util::cpu_secs(wrk_pid)?)
    };
    let others_before = cpu();
    let mut others_after = None;
    let mut samples = Vec::new();
    let mut contended_secs = 0;
    let mut failure = None;
    let mut tick = 1u32;
    loop {
        if let Ok(Some(_)) = wrk.try_wait() {
            break;
        }
        let next = Duration::from_secs(tick.into());
        let now = began.elapsed();
        if now < next {
            std::thread::sleep((next - now).min(Duration::from_millis(100)));
            continue;
        }
        tick += 1;
        if !s.alive() {
            failure = Some(format!("the server died: {}", s.log_tail()));
            let _ = wrk.kill();
            break;
        }
        if let Some(kib) = util::tree_rss_kib(s.pid) {
            samples.push(Sample {
                secs: began.elapsed().as_secs_f64(),
                rss_kib: kib,
            });
        }
        if util::building() {
            contended_secs += 1;
        }
        // wrk's figures vanish with it: keep the last reading taken alive.
        others_after = cpu().or(others_after);
    }
    let others_cpu_share = others_before
        .zip(others_after)
        .map(|(b, a)| ((a - b) / began.elapsed().as_secs_f64()).max(0.0));
    let status = wrk.wait().map_err(|e| e.to_string())?;
    let mut text = String::new();
    let mut err = String::new();
    if let Some(mut out) = wrk.stdout.take() {
        let _ = out.read_to_string(&mut text);
    }
    if let Some(mut e) = wrk.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let outcome = wrk::parse(&text);
    if failure.is_none() && (!status.success() || outcome.is_none()) {
        failure = Some(format!(
            "wrk failed ({status}): {}{}",
            text.trim(),
            err.trim()
        ));
    }
    if failure.is_none() && !s.alive() {
        failure = Some(format!("the server died: {}", s.log_tail()));
    }
    s.stop(Duration::from_secs(5));
    Ok(Soaked {
        outcome,
        failure,
        samples,
        contended_secs,
        others_cpu_share,
    })
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Soaks every selected server; the result, and whether every server
/// passed (no socket error, no non-2xx answer, memory flat).
pub fn run(
    settings: &Settings,
    selected: &[Def],
    built: &HashMap<&str, Built>,
    routes: &[Route],
    dir: &Path,
) -> Result<(Value, Vec<String>), String> {
    let script = dir.join("mix.lua");
    std::fs::write(&script, lua_mix(routes)).map_err(|e| e.to_string())?;
    let mut problems = Vec::new();
    let mut servers = Vec::new();
    for d in selected {
        let launch = match built.get(d.name) {
            Some(Built::Ready(l)) => l,
            Some(Built::Unavailable(why)) => {
                problems.push(format!("{}: not available: {why}", d.name));
                servers.push(json!({"name": d.name, "ok": false, "error": why}));
                continue;
            }
            None => continue,
        };
        eprintln!("== {}: checking the mix's routes", d.name);
        let checked = start(d, launch, &dir.join(format!("{}-check.log", d.name))).and_then(|s| {
            let r = routes.iter().try_for_each(|r| {
                crate::check_route(s.port, r).map_err(|e| format!("{}: {e}", r.name))
            });
            s.stop(Duration::from_secs(5));
            r
        });
        if let Err(e) = checked {
            eprintln!("  FAILED: {e}");
            problems.push(format!("{}: {e}", d.name));
            servers.push(json!({"name": d.name, "ok": false, "error": e}));
            continue;
        }
        let idle = if settings.idle > 0 {
            eprintln!(
                "== {}: {} idle keep-alive connections",
                d.name, settings.idle
            );
            let r = idle_memory(
                d,
                launch,
                settings.idle,
                &dir.join(format!("{}-idle.log", d.name)),
            );
            match &r {
                Ok((before, after)) => eprintln!(
                    "  {} → {}: {:.1} KiB per connection",
                    mib(*before),
                    mib(*after),
                    after.saturating_sub(*before) as f64 / settings.idle as f64
                ),
                Err(e) => eprintln!("  FAILED: {e}"),
            }
            Some(r)
        } else {
            None
        };
        eprintln!(
            "== {}: soaking for {} s at {} connections",
            d.name,
            settings.duration.as_secs(),
            settings.connections
        );
        if util::building() {
            eprintln!("  (a compiler is running: CPU contention may cause timeouts)");
        }
        let log = dir.join(format!("{}.log", d.name));
        let soaked = soak_one(d, launch, settings, &script, &log)?;
        let series: Vec<(f64, u64)> = soaked.samples.iter().map(|s| (s.secs, s.rss_kib)).collect();
        let memory = judge(&series, settings.warmup, settings.flat_pct);
        if let Some(f) = &soaked.failure {
            problems.push(format!("{}: {f}", d.name));
        }
        if let Some(o) = &soaked.outcome {
            if o.socket_errors > 0 {
                let e = o.errors;
                problems.push(format!(
                    "{}: {} socket errors (connect {}, read {}, write {}, timeout {})",
                    d.name, o.socket_errors, e.connect, e.read, e.write, e.timeout
                ));
            }
            if o.non2xx > 0 {
                problems.push(format!("{}: {} non-2xx answers", d.name, o.non2xx));
            }
            if o.requests == 0 {
                problems.push(format!("{}: no request answered", d.name));
            }
        }
        if let Some(Memory {
            flat: Some(false),
            change_pct,
            ..
        }) = &memory
        {
            problems.push(format!(
                "{}: memory not flat: {change_pct:+.1}% (the last third's median against the \
                 first's, after warm-up; flat is at most {:+.1}%)",
                d.name, settings.flat_pct
            ));
        }
        if soaked.contended_secs > 0 {
            eprintln!(
                "  a compiler ran during {} s of the soak",
                soaked.contended_secs
            );
        }
        servers.push(json!({
            "name": d.name,
            "ok": soaked.failure.is_none(),
            "error": soaked.failure,
            "wrk": soaked.outcome.as_ref().map(|o| {
                let mut v = o.to_json();
                v["errors"] = json!({
                    "connect": o.errors.connect, "read": o.errors.read,
                    "write": o.errors.write, "timeout": o.errors.timeout,
                });
                v
            }),
            "memory": memory.as_ref().map(|m| json!({
                "at_warmup_kib": m.at_warmup_kib, "end_kib": m.end_kib, "max_kib": m.max_kib,
                "first_third_median_kib": m.first_third_kib,
                "last_third_median_kib": m.last_third_kib,
                "change_pct": m.change_pct, "flat": m.flat,
            })),
            "rss_kib_per_second": series.iter().map(|s| s.1).collect::<Vec<_>>(),
            "idle": idle.map(|r| match r {
                Ok((before, after)) => json!({
                    "ok": true, "connections": settings.idle,
                    "rss_before_kib": before, "rss_after_kib": after,
                    "kib_per_connection": after.saturating_sub(before) as f64 / settings.idle as f64,
                }),
                Err(e) => json!({"ok": false, "error": e}),
            }),
            "contended_secs": soaked.contended_secs,
            "others_cpu_share": soaked.others_cpu_share,
            "log": log.display().to_string(),
        }));
    }
    let result = json!({
        "kind": "soak",
        "settings": settings.json(),
        "routes": routes.iter().map(|r| r.name).collect::<Vec<_>>(),
        "servers": servers,
        "problems": problems,
        "logs": dir.display().to_string(),
    });
    Ok((result, problems))
}

/// The soak's tables: errors, then memory.
pub fn tables(result: &Value) -> String {
    let s = &result["settings"];
    let mut out = format!(
        "\nsoak: {} s, wrk -t{} -c{} --timeout {} (server on core 1, wrk on core 0)\nmix: {}\n\n",
        s["duration_secs"],
        s["threads"],
        s["connections"],
        s["timeout"].as_str().unwrap_or("?"),
        result["routes"]
            .as_array()
            .map(|r| r
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "))
            .unwrap_or_default(),
    );
    out.push_str(&format!(
        "{:<20} {:>11} {:>8} {:>8} {:>6} {:>6} {:>8} {:>8} {:>9} {:>9} {:>7}\n",
        "server",
        "requests",
        "req/s",
        "connect",
        "read",
        "write",
        "timeout",
        "non-2xx",
        "p99",
        "max",
        "others"
    ));
    let servers = result["servers"].as_array().cloned().unwrap_or_default();
    for v in &servers {
        let name = v["name"].as_str().unwrap_or("?");
        let w = &v["wrk"];
        if w.is_null() {
            out.push_str(&format!(
                "{name:<20} {}\n",
                v["error"].as_str().unwrap_or("not measured")
            ));
            continue;
        }
        let n = |k: &str| w["errors"][k].as_u64().unwrap_or(0);
        out.push_str(&format!(
            "{name:<20} {:>11} {:>8} {:>8} {:>6} {:>6} {:>8} {:>8} {:>9} {:>9} {:>7}{}\n",
            thousands(w["requests"].as_f64().unwrap_or(0.0)),
            thousands(w["rps"].as_f64().unwrap_or(0.0)),
            n("connect"),
            n("read"),
            n("write"),
            n("timeout"),
            w["non2xx"].as_u64().unwrap_or(0),
            format!("{:.1} ms", w["p99_ms"].as_f64().unwrap_or(0.0)),
            format!("{:.0} ms", w["max_ms"].as_f64().unwrap_or(0.0)),
            v["others_cpu_share"]
                .as_f64()
                .map(|c| format!("{:.0}%", c * 100.0))
                .unwrap_or_else(|| "?".into()),
            v["error"]
                .as_str()
                .map(|e| format!("  {e}"))
                .unwrap_or_default(),
        ));
    }
    out.push_str(&format!(
        "\n{:<20} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8}  {}\n",
        "server",
        "idle/conn",
        format!("RSS @{}s", s["warmup_secs"]),
        "RSS end",
        "RSS max",
        "1st third",
        "last third",
        "change",
        "memory"
    ));
    let kib = |v: &Value| v.as_u64().map(mib).unwrap_or_else(|| "–".into());
    for v in &servers {
        let m = &v["memory"];
        if m.is_null() {
            continue;
        }
        let idle = v["idle"]["kib_per_connection"]
            .as_f64()
            .map(|k| format!("{k:.1} KiB"))
            .unwrap_or_else(|| "–".into());
        let verdict = match m["flat"].as_bool() {
            Some(true) => "flat",
            Some(false) => "GROWING",
            None => "too short to judge",
        };
        out.push_str(&format!(
            "{:<20} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>7.1}%  {verdict}\n",
            v["name"].as_str().unwrap_or("?"),
            idle,
            kib(&m["at_warmup_kib"]),
            kib(&m["end_kib"]),
            kib(&m["max_kib"]),
            kib(&m["first_third_median_kib"]),
            kib(&m["last_third_median_kib"]),
            m["change_pct"].as_f64().unwrap_or(0.0),
        ));
    }
    out.push_str(
        "\n(others: CPU the rest of the machine used during the soak, in % of one core)\n",
    );
    let contended: Vec<String> = servers
        .iter()
        .filter(|v| v["contended_secs"].as_u64().unwrap_or(0) > 0)
        .map(|v| {
            format!(
                "{} ({} s)",
                v["name"].as_str().unwrap_or("?"),
                v["contended_secs"]
            )
        })
        .collect();
    if !contended.is_empty() {
        out.push_str(&format!(
            "\na compiler ran on the machine during the soak of {}: timeouts may be contention\n",
            contended.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: &[u64]) -> Vec<(f64, u64)> {
        values
            .iter()
            .enumerate()
            .map(|(i, &v)| ((i + 1) as f64, v))
            .collect()
    }

    #[test]
    fn steady_memory_is_flat_and_warmup_is_ignored() {
        // A climb during the first 3 s, then level.
        let mut v = vec![1000, 5000, 9000];
        v.extend(std::iter::repeat_n(10_000, 12));
        let m = judge(&series(&v), Duration::from_secs(4), 10.0).unwrap();
        assert_eq!(m.flat, Some(true));
        assert_eq!((m.first_third_kib, m.last_third_kib), (10_000, 10_000));
        assert_eq!(
            (m.at_warmup_kib, m.end_kib, m.max_kib),
            (10_000, 10_000, 10_000)
        );
    }

    #[test]
    fn a_steady_climb_is_not_flat() {
        let v: Vec<u64> = (0..30).map(|i| 10_000 + i * 100).collect();
        let m = judge(&series(&v), Duration::from_secs(1), 10.0).unwrap();
        assert_eq!(m.flat, Some(false), "{m:?}");
        assert!(m.change_pct > 10.0);
        assert_eq!(m.max_kib, 12_900);
    }

    #[test]
    fn memory_given_back_is_flat() {
        let v: Vec<u64> = (0..30).map(|i| 20_000 - i * 100).collect();
        let m = judge(&series(&v), Duration::from_secs(1), 10.0).unwrap();
        assert_eq!(m.flat, Some(true));
        assert!(m.change_pct < 0.0);
    }

    #[test]
    fn too_few_samples_are_not_judged() {
        let m = judge(&series(&[1, 2, 3]), Duration::from_secs(2), 10.0).unwrap();
        assert_eq!(m.flat, None);
        assert!(judge(&[], Duration::ZERO, 10.0).is_none());
    }

    #[test]
    fn the_mix_writes_every_request_exactly() {
        let routes: Vec<Route> = crate::routes::all()
            .into_iter()
            .filter(|r| ["plaintext", "post_json"].contains(&r.name))
            .collect();
        let lua = lua_mix(&routes);
        assert!(
            lua.contains(r#"wrk.format("GET", "/plaintext", {}, nil)"#),
            "{lua}"
        );
        assert!(
            lua.contains(
                r#"wrk.format("POST", "/json-echo", {["Content-Type"] = "application/json"}, "{\"message\":\"Hello, World!\",\"items\":[1,2,3,4]}")"#
            ),
            "{lua}"
        );
        assert_eq!(lua_string(b"a\n\\"), r#""a\010\\""#);
    }
}
