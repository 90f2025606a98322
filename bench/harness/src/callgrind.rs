//! Instructions per request with callgrind: the server runs under
//! `valgrind --tool=callgrind`; for each route, one keep-alive connection
//! sends a warm-up, the counters are zeroed (`callgrind_control -z`), N
//! sequential requests follow, and a dump (`callgrind_control -d`) gives
//! the instructions executed for exactly those N requests, in every thread
//! of the server.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::client::Conn;
use crate::routes::{self, Route};
use crate::servers::{Launch, Running};

/// Settings.
#[derive(Clone, Debug)]
pub struct Settings {
    pub warmup: usize,
    pub requests: usize,
}

/// A route's name and its measurement (or why it failed).
pub type RouteResult = (&'static str, Result<Measured, String>);

/// One route's measurement.
pub struct Measured {
    pub ir_per_request: f64,
    pub dump: PathBuf,
}

pub fn control(flag: &str, pid: u32) -> Result<(), String> {
    let out = Command::new("callgrind_control")
        .args([flag, &pid.to_string()])
        .output()
        .map_err(|e| format!("cannot run callgrind_control: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "callgrind_control {flag} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The `totals:` (or `summary:`) Ir of a dump.
pub fn totals(dump: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(dump).ok()?;
    let pick = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
    };
    pick("totals:").or_else(|| pick("summary:"))
}

/// Dumps written for `base` so far (`base.1`, `base.2`, …).
pub fn dumps(base: &Path) -> Vec<PathBuf> {
    let Some(dir) = base.parent() else {
        return vec![];
    };
    let prefix = format!(
        "{}.",
        base.file_name().unwrap_or_default().to_string_lossy()
    );
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let n = name.strip_prefix(&prefix)?.parse().ok()?;
            Some((n, e.path()))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, p)| p).collect()
}

/// Measures every route on one server process. A route whose answers are
/// wrong is an `Err` for that route; the server itself failing to start is
/// the outer `Err`.
pub fn measure(
    name: &'static str,
    launch: &Launch,
    routes: &[Route],
    settings: &Settings,
    dir: &Path,
    tag: &str,
) -> Result<Vec<RouteResult>, String> {
    let base = dir.join(format!("{name}.{tag}.callgrind"));
    let wrapper = vec![
        "valgrind".to_owned(),
        "--tool=callgrind".into(),
        format!("--callgrind-out-file={}", base.display()),
    ];
    // One worker where the server lets us choose (the peers read WORKERS);
    // Mocket uses one per available core, and `taskset -c 1` leaves it one.
    let log = dir.join(format!("{name}.{tag}.log"));
    let mut server = Running::start(name, launch, 1, &wrapper, &[("WORKERS", "1")], log)?;
    server.wait_ready(Duration::from_secs(300))?;
    let mut results = Vec::new();
    for route in routes {
        let r = measure_route(&mut server, route, settings, &base).and_then(|(ir, dump)| {
            let kept = dir.join(format!("{name}.{}.{tag}.callgrind", route.name));
            std::fs::rename(&dump, &kept).map_err(|e| e.to_string())?;
            Ok(Measured {
                ir_per_request: ir,
                dump: kept,
            })
        });
        match &r {
            Ok(m) => eprintln!(
                "    {name:<8} {:<22} {:>10.0} Ir/request",
                route.name, m.ir_per_request
            ),
            Err(e) => eprintln!("    {name:<8} {:<22} FAILED: {e}", route.name),
        }
        results.push((route.name, r));
        if !server.alive() {
            return Err(format!("the server died: {}", server.log_tail()));
        }
    }
    server.stop(Duration::from_secs(20));
    Ok(results)
}

fn measure_route(
    server: &mut Running,
    route: &Route,
    s: &Settings,
    base: &Path,
) -> Result<(f64, PathBuf), String> {
    let mut conn =
        Conn::connect(server.port, Duration::from_secs(120)).map_err(|e| e.to_string())?;
    let bytes = conn.encode(&route.req);
    let expect = &route.checks[0].expect;
    for i in 0..s.warmup {
        let res = conn
            .send_raw(&bytes, false)
            .map_err(|e| format!("warm-up request {i}: {e}"))?;
        if i == 0 {
            routes::verify(expect, &res)?;
        }
    }
    let before = dumps(base).len();
    control("-z", server.pid)?;
    for i in 0..s.requests {
        let res = conn
            .send_raw(&bytes, false)
            .map_err(|e| format!("request {i}: {e}"))?;
        if res.status != expect.status {
            return Err(format!("request {i}: status {}", res.status));
        }
    }
    control("-d", server.pid)?;
    let all = dumps(base);
    let dump = all
        .get(before)
        .cloned()
        .filter(|_| all.len() == before + 1)
        .ok_or("no new callgrind dump")?;
    let ir = totals(&dump).ok_or_else(|| format!("no totals in {}", dump.display()))?;
    Ok((ir as f64 / s.requests as f64, dump))
}

/// `callgrind_annotate` of a dump: the top `n` functions, inclusive or self,
/// with Ir divided by `requests` (per request).
pub fn annotate(dump: &Path, inclusive: bool, n: usize, requests: usize) -> Vec<(f64, String)> {
    let out = Command::new("callgrind_annotate")
        .arg(format!(
            "--inclusive={}",
            if inclusive { "yes" } else { "no" }
        ))
        .arg("--threshold=100")
        .arg(dump)
        .output();
    let Ok(out) = out else { return vec![] };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut rows = Vec::new();
    let mut in_table = false;
    let mut total = f64::MAX;
    for line in text.lines() {
        let t = line.trim();
        if let Some(num) = t.strip_suffix("PROGRAM TOTALS") {
            let num = num.split_whitespace().next().unwrap_or("").replace(',', "");
            total = num.parse().unwrap_or(f64::MAX);
        }
        if t.starts_with("Ir") && t.contains("file:function") {
            in_table = true;
            continue;
        }
        if !in_table || t.is_empty() || t.starts_with("--") {
            continue;
        }
        // "1,234,567 (12.34%)  file:function [object]"
        let Some((num, rest)) = t.split_once(' ') else {
            continue;
        };
        let Ok(ir) = num.replace(',', "").parse::<f64>() else {
            continue;
        };
        let rest = rest.trim_start();
        let rest = if rest.starts_with('(') {
            rest.split_once(')').map_or(rest, |(_, r)| r.trim_start())
        } else {
            rest
        };
        // Frames that were already on the stack when the counters were
        // zeroed (thread starts, the runtime's loop) show their inclusive
        // cost in the self view too: skip them there.
        if !inclusive && ir >= 0.9 * total {
            continue;
        }
        rows.push((ir / requests as f64, rest.to_owned()));
        if rows.len() >= n {
            break;
        }
    }
    rows
}
