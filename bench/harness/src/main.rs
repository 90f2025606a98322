//! `bench/run`: Mocket's benchmark harness. See bench/README.md.
//!
//! A load run builds Mocket for every backend and every peer, starts them
//! all pinned to core 1, checks every route of every server, measures each
//! route with wrk (pinned to core 0) interleaving the servers, records each
//! server's peak memory, and writes bench/results/<id>.json, an SVG chart
//! and docs/benchmarks.md. `--callgrind` measures instructions per request
//! of the native servers instead.

mod callgrind;
mod client;
mod report;
mod routes;
mod servers;
mod soak;
mod util;
mod wrk;
mod ws;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::client::Conn;
use crate::routes::Route;
use crate::servers::{Built, Def, Paths, Running};

const USAGE: &str = "\
usage: bench/run [options]

  --routes a,b         only these routes (default: all of ROUTES.md)
  --servers x,y        only these servers (default: all)
  --duration 10s       measured time per route and server, split into rounds
  --rounds 5           interleaved wrk rounds per route (the best is reported)
  --warmup 1s          wrk warm-up before each measurement (0s: none)
  --connections 64     wrk connections (keep-alive)
  --threads 1          wrk threads
  --callgrind          measure instructions per request of the native servers
                       (mocket, axum, actix, hyper) instead of load
  --requests 2000      callgrind: measured requests per route
  --warmup-requests 200  callgrind: warm-up requests per route
  --runs 2             callgrind: runs per server (fresh process each)
  --out bench/results  where results (<id>.json, <id>.svg) go
  --ws                 measure WebSocket echo, fan-out and idle memory instead
                       (examples/chat against axum's ws and Node's ws package)
  --subscribers 1000   --ws: subscribers in the fan-out room
  --idle 10000         --ws: idle sockets for the memory figure; --soak: idle
                       keep-alive connections for the memory per connection
                       (default 1000 there; 0: skip it)
  --soak               one long wrk run per server on a mix of routes: socket
                       errors, non-2xx answers and memory every second; exits
                       non-zero on any error or growing memory (defaults then:
                       --servers mocket,mocket-node,mocket-wasi-sockets
                       --duration 60s --connections 256, the mix: plaintext,
                       json, echo, query, post_small, post_json, post_large)
  --timeout 2s         --soak: a request waiting longer is a timeout error
  --flat-pct 10        --soak: memory is flat if the last third's median is at
                       most this much above the first third's, after warm-up
  --check              only check every route of every server, measure nothing
  --report             only re-render docs/benchmarks.md from the latest results
  --list               list routes and servers

A run that covers every route and server also rewrites docs/benchmarks.md
and docs/benchmarks-<group>.svg; a filtered run only prints and saves its results.
";

struct Options {
    routes: Option<Vec<String>>,
    servers: Option<Vec<String>>,
    duration: String,
    warmup: String,
    connections: u32,
    threads: u32,
    callgrind: bool,
    requests: usize,
    warmup_requests: usize,
    runs: usize,
    rounds: usize,
    ws: bool,
    subscribers: usize,
    idle: usize,
    soak: bool,
    timeout: String,
    flat_pct: f64,
    out: Option<PathBuf>,
    report: bool,
    check: bool,
    list: bool,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        routes: None,
        servers: None,
        duration: "10s".into(),
        warmup: "1s".into(),
        connections: 64,
        threads: 1,
        callgrind: false,
        requests: 2000,
        warmup_requests: 200,
        runs: 2,
        rounds: 5,
        ws: false,
        subscribers: 1000,
        idle: 10_000,
        soak: false,
        timeout: "2s".into(),
        flat_pct: 10.0,
        out: None,
        report: false,
        check: false,
        list: false,
    };
    // Options whose default depends on the kind of run.
    let (mut duration_set, mut connections_set, mut idle_set) = (false, false, false);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = || -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        let list = |v: String| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let num = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: not a number: {v}"))
        };
        match flag {
            "--routes" => o.routes = Some(list(value()?)),
            "--servers" => o.servers = Some(list(value()?)),
            "--duration" => {
                o.duration = duration(&value()?)?;
                duration_set = true;
            }
            "--warmup" => o.warmup = duration(&value()?)?,
            "--connections" => {
                o.connections = num(value()?)? as u32;
                connections_set = true;
            }
            "--threads" => o.threads = num(value()?)? as u32,
            "--callgrind" => o.callgrind = true,
            "--requests" => o.requests = num(value()?)?.max(1) as usize,
            "--warmup-requests" => o.warmup_requests = num(value()?)?.max(1) as usize,
            "--runs" => o.runs = num(value()?)?.max(1) as usize,
            "--rounds" => o.rounds = num(value()?)?.max(1) as usize,
            "--ws" => o.ws = true,
            "--subscribers" => o.subscribers = num(value()?)?.max(1) as usize,
            "--idle" => {
                o.idle = num(value()?)? as usize;
                idle_set = true;
            }
            "--soak" => o.soak = true,
            "--timeout" => {
                // wrk takes whole units (2s, 1m).
                let v = value()?;
                o.timeout = match secs(&v) {
                    Some(t) if t >= 1.0 => format!("{}s", t.round()),
                    _ => return Err(format!("--timeout: at least 1s, in seconds: {v}")),
                };
            }
            "--flat-pct" => {
                let v = value()?;
                o.flat_pct = v
                    .parse()
                    .map_err(|_| format!("--flat-pct: not a number: {v}"))?;
            }
            "--out" => o.out = Some(PathBuf::from(value()?)),
            "--report" => o.report = true,
            "--check" => o.check = true,
            "--list" => o.list = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if o.soak {
        if !duration_set {
            o.duration = "60s".into();
        }
        if !connections_set {
            o.connections = 256;
        }
        if !idle_set {
            o.idle = 1000;
        }
    } else {
        o.idle = o.idle.max(1);
    }
    if o.threads == 0 || o.connections < o.threads {
        return Err("--connections must be at least --threads, and --threads at least 1".into());
    }
    Ok(o)
}

/// Validates a wrk duration (`10s`, `500ms`, `1m`) and returns it as wrk
/// takes it.
fn duration(v: &str) -> Result<String, String> {
    secs(v)
        .map(|_| v.to_owned())
        .ok_or_else(|| format!("not a duration: {v} (e.g. 10s, 1m)"))
}

fn secs(v: &str) -> Option<f64> {
    let split = v.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(v.len());
    let n: f64 = v[..split].parse().ok()?;
    Some(match &v[split..] {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return None,
    })
}

/// Seconds per wrk round: the duration split over the rounds, whole
/// seconds (wrk's unit), at least one.
fn round_secs(opts: &Options) -> f64 {
    (secs(&opts.duration).unwrap_or(10.0) / opts.rounds as f64)
        .round()
        .max(1.0)
}

fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_=.,/:".contains(c))
    {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match parse_args(&args) {
        Ok(o) => o,
        Err(e) if e.is_empty() => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(opts, &args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn locate() -> Result<Paths, String> {
    let bench = match std::env::var_os("MOCKET_BENCH_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join(".."),
    };
    let bench = bench
        .canonicalize()
        .map_err(|e| format!("cannot find bench/: {e}"))?;
    let repo = bench.parent().ok_or("bench/ has no parent")?.to_owned();
    let work = bench.join("target").join("harness-work");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    Ok(Paths { repo, bench, work })
}

fn run(opts: Options, args: &[String]) -> Result<(), String> {
    let paths = locate()?;
    let all_routes = routes::all();
    let all_servers = servers::all();
    if opts.list {
        println!("routes:");
        for r in &all_routes {
            println!("  {:<22} {} {}", r.name, r.req.method, r.req.path);
        }
        println!("servers:");
        for s in &all_servers {
            println!("  {:<22} {:<7} {}", s.name, s.group.name(), s.about);
        }
        return Ok(());
    }
    let out = opts
        .out
        .clone()
        .unwrap_or_else(|| paths.bench.join("results"));
    std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    if opts.report {
        return render_docs(&paths, &out);
    }
    if opts.ws {
        return ws_bench(&opts, &paths, &out, args);
    }
    if opts.soak {
        return soak_run(&opts, &paths, &out, args);
    }

    let routes = select(&all_routes, opts.routes.as_deref(), "route", |r| r.name)?;
    let mut selected = select(&all_servers, opts.servers.as_deref(), "server", |s| s.name)?;
    if opts.callgrind {
        selected.retain(|s| s.callgrind);
        if selected.is_empty() {
            return Err("--callgrind measures only mocket, axum, actix and hyper".into());
        }
        for tool in ["valgrind", "callgrind_control", "callgrind_annotate"] {
            if !util::have(tool) {
                return Err(format!(
                    "{tool} is not installed (apt-get install valgrind)"
                ));
            }
        }
    } else if !util::have("wrk") {
        return Err("wrk is not installed (apt-get install wrk)".into());
    }
    if !util::have("taskset") {
        return Err("taskset is not installed (util-linux)".into());
    }
    let full = opts.routes.is_none() && opts.servers.is_none();
    let id = util::date("+%Y%m%dT%H%M%SZ");
    let stamp = Stamp::now(&paths, args, full);
    eprintln!("== building ({} servers)", selected.len());
    let built = servers::build(&selected, &paths);
    for d in &selected {
        if let Some(Built::Unavailable(why)) = built.get(d.name) {
            eprintln!("  {:<20} not available: {why}", d.name);
        }
    }

    if opts.check {
        let failures = check_only(&paths, &routes, &selected, &built, &id)?;
        return if failures == 0 {
            Ok(())
        } else {
            Err(format!("{failures} route(s) answered wrongly"))
        };
    }
    let plan = Plan {
        opts: &opts,
        paths: &paths,
        routes: &routes,
        selected: &selected,
        built: &built,
        id: &id,
    };
    let mut result = if opts.callgrind {
        callgrind_run(&plan)?
    } else {
        load_run(&plan)?
    };
    stamp.apply(&mut result, &id);
    result["routes"] = json!(routes.iter().map(|r| r.name).collect::<Vec<_>>());
    let file = save(&out, &id, &result)?;
    if opts.callgrind {
        report::print_callgrind(&result);
    } else {
        report::print_load(&result);
        let svg = out.join(format!("{id}.svg"));
        std::fs::write(&svg, report::svg(&result)).map_err(|e| e.to_string())?;
        println!("\nchart: {}", svg.display());
    }
    println!("results: {}", file.display());
    if full {
        render_docs(&paths, &out)?;
    } else {
        println!("(a filtered run: docs/benchmarks.md is left as it is)");
    }
    Ok(())
}

/// What every result file records about its run.
struct Stamp {
    date: String,
    command: String,
    full: bool,
    revision: String,
}

impl Stamp {
    fn now(paths: &Paths, args: &[String], full: bool) -> Stamp {
        Stamp {
            date: util::date("+%Y-%m-%d %H:%M UTC"),
            command: std::iter::once("bench/run".to_owned())
                .chain(args.iter().map(|a| shell_quote(a)))
                .collect::<Vec<_>>()
                .join(" "),
            full,
            revision: util::revision(&paths.repo),
        }
    }

    fn apply(&self, result: &mut Value, id: &str) {
        result["id"] = json!(id);
        result["date"] = json!(self.date);
        result["command"] = json!(self.command);
        result["full"] = json!(self.full);
        result["machine"] = util::machine_info();
        result["revision"] = json!(self.revision);
    }
}

/// Writes `out/<id>.json`.
fn save(out: &Path, id: &str, result: &Value) -> Result<PathBuf, String> {
    let file = out.join(format!("{id}.json"));
    let text = serde_json::to_string_pretty(result).map_err(|e| e.to_string())?;
    std::fs::write(&file, text + "\n")
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(file)
}

/// `--soak`: one long run per server on a mix of routes (see soak.rs).
fn soak_run(opts: &Options, paths: &Paths, out: &Path, args: &[String]) -> Result<(), String> {
    if opts.callgrind || opts.check || opts.ws {
        return Err("--soak runs wrk: --callgrind, --check and --ws do not apply".into());
    }
    for tool in ["wrk", "taskset"] {
        if !util::have(tool) {
            return Err(format!("{tool} is not installed"));
        }
    }
    let default_servers: Vec<String> = soak::SERVERS.iter().map(|s| s.to_string()).collect();
    let selected = select(
        &servers::all(),
        Some(opts.servers.as_deref().unwrap_or(&default_servers)),
        "server",
        |s| s.name,
    )?;
    let default_routes: Vec<String> = soak::ROUTES.iter().map(|s| s.to_string()).collect();
    let routes = select(
        &routes::all(),
        Some(opts.routes.as_deref().unwrap_or(&default_routes)),
        "route",
        |r| r.name,
    )?;
    if let Some(r) = routes.iter().find(|r| r.non2xx_expected) {
        return Err(format!(
            "{} answers non-2xx on purpose: a soak counts every non-2xx as a failure",
            r.name
        ));
    }
    let duration = secs(&opts.duration).unwrap_or(60.0).round().max(1.0);
    let duration = Duration::from_secs(duration as u64);
    let settings = soak::Settings {
        duration,
        connections: opts.connections,
        threads: opts.threads,
        timeout: opts.timeout.clone(),
        idle: opts.idle,
        warmup: soak::warmup_for(duration),
        flat_pct: opts.flat_pct,
    };
    let id = format!("soak-{}", util::date("+%Y%m%dT%H%M%SZ"));
    let stamp = Stamp::now(paths, args, false);
    eprintln!("== building ({} servers)", selected.len());
    let built = servers::build(&selected, paths);
    let dir = paths.bench.join("target").join("logs").join(&id);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (mut result, problems) = soak::run(&settings, &selected, &built, &routes, &dir)?;
    stamp.apply(&mut result, &id);
    let file = save(out, &id, &result)?;
    print!("{}", soak::tables(&result));
    println!(
        "
results: {}",
        file.display()
    );
    println!("logs: {}", dir.display());
    if problems.is_empty() {
        println!(
            "
PASS: no socket error, no non-2xx answer, memory flat on every server"
        );
        Ok(())
    } else {
        println!(
            "
FAIL:"
        );
        for p in &problems {
            println!("  {p}");
        }
        Err(format!("the soak failed on {} count(s)", problems.len()))
    }
}

/// `--ws`: the WebSocket benchmark (see ws/mod.rs).
fn ws_bench(opts: &Options, paths: &Paths, out: &Path, args: &[String]) -> Result<(), String> {
    if opts.routes.is_some() || opts.callgrind || opts.check {
        return Err(
            "--ws measures the chat routes: --routes, --callgrind and --check do not apply".into(),
        );
    }
    if !util::have("taskset") {
        return Err("taskset is not installed (util-linux)".into());
    }
    let selected = select(
        &ws::all(),
        opts.servers.as_deref(),
        "WebSocket server",
        |s| s.name,
    )?;
    let id = format!("ws-{}", util::date("+%Y%m%dT%H%M%SZ"));
    let stamp = Stamp::now(paths, args, opts.servers.is_none());
    eprintln!("== building ({} servers)", selected.len());
    let built = ws::build(&selected, paths);
    let settings = ws::Settings {
        connections: opts.connections as usize,
        subscribers: opts.subscribers,
        idle: opts.idle,
        size: 32,
        rounds: opts.rounds,
        round: Duration::from_secs_f64(round_secs(opts)),
        warmup: Duration::from_secs_f64(secs(&opts.warmup).unwrap_or(1.0)),
        callgrind_runs: if ["valgrind", "callgrind_control"]
            .iter()
            .all(|t| util::have(t))
        {
            opts.runs
        } else {
            eprintln!(
                "valgrind is not installed: no instruction counts (apt-get install valgrind)"
            );
            0
        },
    };
    let logs = paths.bench.join("target").join("logs").join(&id);
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    let mut result = ws::measure(&settings, &selected, &built, &logs)?;
    stamp.apply(&mut result, &id);
    let file = save(out, &id, &result)?;
    print!("{}", ws::report::tables(&result));
    println!("\nresults: {}", file.display());
    if stamp.full {
        render_docs(paths, out)?;
    } else {
        println!("(a filtered run: docs/benchmarks.md is left as it is)");
    }
    Ok(())
}

fn server_json(d: &Def, built: &HashMap<&str, Built>, reason: Option<String>) -> Value {
    let reason = reason.or_else(|| match built.get(d.name) {
        Some(Built::Unavailable(why)) => Some(why.clone()),
        _ => None,
    });
    json!({
        "name": d.name, "group": d.group.name(), "about": d.about, "baseline": d.baseline,
        "available": reason.is_none(), "reason": reason,
    })
}

/// Runs every check of a route on one connection (a fresh one after a
/// `connection: close`).
fn check_route(port: u16, route: &Route) -> Result<(), String> {
    let mut conn: Option<Conn> = None;
    for check in &route.checks {
        let what = format!("{} {}", check.req.method, check.req.path);
        if conn.as_ref().is_none_or(|c| c.closed) {
            conn = Some(
                Conn::connect(port, Duration::from_secs(30)).map_err(|e| format!("{what}: {e}"))?,
            );
        }
        let res = conn
            .as_mut()
            .unwrap()
            .send(&check.req)
            .map_err(|e| format!("{what}: {e}"))?;
        routes::verify(&check.expect, &res).map_err(|e| format!("{what}: {e}"))?;
    }
    Ok(())
}

/// `--check`: starts every server, checks every route, stops them.
fn check_only(
    paths: &Paths,
    routes: &[Route],
    selected: &[Def],
    built: &HashMap<&str, Built>,
    id: &str,
) -> Result<usize, String> {
    let logs = paths.bench.join("target").join("logs").join(id);
    std::fs::create_dir_all(&logs).map_err(|e| e.to_string())?;
    let mut failures = 0;
    for d in selected {
        let Some(Built::Ready(launch)) = built.get(d.name) else {
            continue;
        };
        let mut s = Running::start(
            d.name,
            launch,
            1,
            &[],
            &[],
            logs.join(format!("{}.log", d.name)),
        )?;
        if let Err(e) = s.wait_ready(Duration::from_secs(120)) {
            eprintln!("  {:<20} did not start: {e}", d.name);
            failures += 1;
            continue;
        }
        let mut ok = 0;
        for route in routes {
            match check_route(s.port, route) {
                Ok(()) => ok += 1,
                Err(e) => {
                    failures += 1;
                    eprintln!("  {:<20} {:<22} FAILED: {e}", d.name, route.name);
                }
            }
        }
        eprintln!(
            "  {:<20} {ok}/{} routes answer correctly",
            d.name,
            routes.len()
        );
        s.stop(Duration::from_secs(5));
    }
    Ok(failures)
}

/// What a measuring run works with: the options, the folders, the routes
/// and servers chosen, what was built, and the run's id.
#[derive(Clone, Copy)]
struct Plan<'a> {
    opts: &'a Options,
    paths: &'a Paths,
    routes: &'a [Route],
    selected: &'a [Def],
    built: &'a HashMap<&'a str, Built>,
    id: &'a str,
}

impl Plan<'_> {
    /// `bench/target/<kind>/<id>`, created.
    fn folder(&self, kind: &str) -> Result<std::path::PathBuf, String> {
        let dir = self.paths.bench.join("target").join(kind).join(self.id);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        Ok(dir)
    }
}

fn load_run(plan: &Plan<'_>) -> Result<Value, String> {
    let (opts, routes, selected, built) = (plan.opts, plan.routes, plan.selected, plan.built);
    let logs = plan.folder("logs")?;
    let mut running: Vec<(Def, Running)> = Vec::new();
    let mut reasons: HashMap<&str, String> = HashMap::new();
    let mut idle: HashMap<&str, u64> = HashMap::new();

    eprintln!("== starting servers (pinned to core 1)");
    for d in selected {
        let Some(Built::Ready(launch)) = built.get(d.name) else {
            continue;
        };
        let log = logs.join(format!("{}.log", d.name));
        let started = Running::start(d.name, launch, 1, &[], &[], log).and_then(|mut s| {
            s.wait_ready(Duration::from_secs(120))?;
            Ok(s)
        });
        match started {
            Ok(s) => {
                eprintln!("  {:<20} pid {} port {}", d.name, s.pid, s.port);
                running.push((d.clone(), s));
            }
            Err(e) => {
                eprintln!("  {:<20} did not start: {e}", d.name);
                reasons.insert(d.name, format!("did not start: {e}"));
            }
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    for (d, s) in &running {
        if let Some(k) = s.rss_kib() {
            idle.insert(d.name, k);
        }
    }

    eprintln!("== checking every route of every server");
    let mut results: HashMap<&str, serde_json::Map<String, Value>> = HashMap::new();
    let mut passed: HashMap<(&str, &str), bool> = HashMap::new();
    for (d, s) in &running {
        let mut failures = 0;
        for route in routes {
            let r = check_route(s.port, route);
            if let Err(e) = &r {
                failures += 1;
                eprintln!("  {:<20} {:<22} FAILED: {e}", d.name, route.name);
                results.entry(route.name).or_default().insert(
                    d.name.into(),
                    json!({"ok": false, "error": format!("check failed: {e}")}),
                );
            }
            passed.insert((d.name, route.name), r.is_ok());
        }
        if failures == 0 {
            eprintln!(
                "  {:<20} all {} routes answer correctly",
                d.name,
                routes.len()
            );
        }
    }

    let measured: usize = passed.values().filter(|p| **p).count();
    let per = round_secs(opts) * opts.rounds as f64
        + secs(&opts.warmup).unwrap_or(1.0)
        + 0.1 * opts.rounds as f64;
    eprintln!(
        "== measuring {measured} route×server pairs, about {:.0} minutes",
        measured as f64 * per / 60.0
    );
    let load = wrk::Load {
        threads: opts.threads,
        connections: opts.connections,
        core: 0,
    };
    let scripts = plan.paths.bench.join("wrk");
    let round_duration = format!("{}s", round_secs(opts));
    let started = Instant::now();
    for (ri, route) in routes.iter().enumerate() {
        // The servers measured on this route, the order rotating from route
        // to route and from round to round.
        let n = running.len().max(1);
        let order: Vec<usize> = (0..running.len())
            .map(|k| (ri + k) % n)
            .filter(|&i| {
                passed
                    .get(&(running[i].0.name, route.name))
                    .copied()
                    .unwrap_or(false)
            })
            .collect();
        let mut rounds: HashMap<usize, Vec<wrk::Outcome>> = HashMap::new();
        let mut failed: HashMap<usize, String> = HashMap::new();
        if secs(&opts.warmup).unwrap_or(0.0) > 0.0 {
            for &i in &order {
                let _ = wrk::run(running[i].1.port, route, &load, &opts.warmup, &scripts);
            }
        }
        for round in 0..opts.rounds {
            for k in 0..order.len() {
                let i = order[(round + k) % order.len()];
                if failed.contains_key(&i) {
                    continue;
                }
                let s = &mut running[i].1;
                if !s.alive() {
                    failed.insert(i, format!("the server died: {}", s.log_tail()));
                    continue;
                }
                match wrk::run(s.port, route, &load, &round_duration, &scripts) {
                    Ok(o) => rounds.entry(i).or_default().push(o),
                    Err(e) => {
                        failed.insert(i, e);
                    }
                }
            }
        }
        for &i in &order {
            let name = running[i].0.name;
            let cell = match (failed.get(&i), rounds.get(&i)) {
                (Some(e), _) => {
                    eprintln!("  {:<22} {:<20} FAILED: {e}", route.name, name);
                    json!({"ok": false, "error": e})
                }
                (None, Some(rs)) if rs.iter().all(|o| o.requests == 0) => {
                    let e = "stopped answering under load (wrk: 0 requests)";
                    eprintln!("  {:<22} {:<20} FAILED: {e}", route.name, name);
                    json!({"ok": false, "error": e})
                }
                (None, Some(rs)) if !rs.is_empty() => {
                    let best = rs.iter().max_by(|a, b| a.rps.total_cmp(&b.rps)).unwrap();
                    let mut all_rps: Vec<f64> = rs.iter().map(|o| o.rps).collect();
                    all_rps.sort_by(f64::total_cmp);
                    let median = all_rps[all_rps.len() / 2];
                    let non2xx: u64 = rs.iter().map(|o| o.non2xx).sum();
                    let socket_errors: u64 = rs.iter().map(|o| o.socket_errors).sum();
                    let bad = if route.non2xx_expected { 0 } else { non2xx };
                    eprintln!(
                        "  {:<22} {:<20} best {:>9} req/s (median {:>9})  p99 {:>7.2} ms{}{}  [{:.0}s]",
                        route.name,
                        name,
                        report::thousands(best.rps),
                        report::thousands(median),
                        best.p99_ms,
                        if bad > 0 {
                            format!("  {bad} non-2xx!")
                        } else {
                            String::new()
                        },
                        if socket_errors > 0 {
                            format!("  {socket_errors} socket errors")
                        } else {
                            String::new()
                        },
                        started.elapsed().as_secs_f64()
                    );
                    let mut v = best.to_json();
                    v["ok"] = json!(true);
                    v["median_rps"] = json!(median);
                    v["rounds"] = json!(
                        rs.iter()
                            .map(|o| json!({"rps": o.rps, "p99_ms": o.p99_ms}))
                            .collect::<Vec<_>>()
                    );
                    v["non2xx_all_rounds"] = json!(non2xx);
                    v["socket_errors_all_rounds"] = json!(socket_errors);
                    v
                }
                _ => json!({"ok": false, "error": "not measured"}),
            };
            results
                .entry(route.name)
                .or_default()
                .insert(name.into(), cell);
        }
    }

    let mut peaks: HashMap<&str, u64> = HashMap::new();
    for (d, s) in &running {
        if let Some(k) = s.peak_rss_kib() {
            peaks.insert(d.name, k);
        }
    }
    for (_, s) in running {
        s.stop(Duration::from_secs(5));
    }

    let servers: Vec<Value> = selected
        .iter()
        .map(|d| {
            let mut v = server_json(d, built, reasons.get(d.name).cloned());
            v["peak_rss_kib"] = json!(peaks.get(d.name));
            v["idle_rss_kib"] = json!(idle.get(d.name));
            v
        })
        .collect();
    Ok(json!({
        "kind": "load",
        "settings": {
            "duration": opts.duration, "warmup": opts.warmup, "connections": opts.connections,
            "rounds": opts.rounds, "round_duration": round_duration,
            "threads": opts.threads, "server_core": 1, "wrk_core": 0,
        },
        "servers": servers,
        "results": results,
        "logs": logs.display().to_string(),
    }))
}

fn callgrind_run(plan: &Plan<'_>) -> Result<Value, String> {
    let (opts, routes, selected, built) = (plan.opts, plan.routes, plan.selected, plan.built);
    let dir = plan.folder("callgrind")?;
    let settings = callgrind::Settings {
        warmup: opts.warmup_requests,
        requests: opts.requests,
    };
    // route -> server -> per-run Ir/request
    let mut runs: HashMap<(&str, &str), Vec<f64>> = HashMap::new();
    let mut errors: HashMap<(&str, &str), String> = HashMap::new();
    let mut reasons: HashMap<&str, String> = HashMap::new();
    let mut first_dumps: HashMap<(&str, &str), PathBuf> = HashMap::new();
    eprintln!(
        "== callgrind: {} warm-up + {} measured requests per route, {} run(s) per server; dumps in {}",
        settings.warmup,
        settings.requests,
        opts.runs,
        dir.display()
    );
    for run in 1..=opts.runs {
        for d in selected {
            let Some(Built::Ready(launch)) = built.get(d.name) else {
                continue;
            };
            if reasons.contains_key(d.name) {
                continue;
            }
            eprintln!("  run {run}: {}", d.name);
            match callgrind::measure(
                d.name,
                launch,
                routes,
                &settings,
                &dir,
                &format!("run{run}"),
            ) {
                Ok(per_route) => {
                    for (route, r) in per_route {
                        match r {
                            Ok(m) => {
                                runs.entry((route, d.name))
                                    .or_default()
                                    .push(m.ir_per_request);
                                if run == 1 {
                                    first_dumps.insert((route, d.name), m.dump);
                                }
                            }
                            Err(e) => {
                                errors.insert((route, d.name), e);
                            }
                        }
                    }
                }
                Err(e) => {
                    eprintln!("  {}: {e}", d.name);
                    reasons.insert(d.name, e);
                }
            }
        }
    }

    let mut results: HashMap<&str, serde_json::Map<String, Value>> = HashMap::new();
    for route in routes {
        for d in selected {
            let key = (route.name, d.name);
            let cell = if let Some(e) = errors.get(&key) {
                json!({"ok": false, "error": e})
            } else if let Some(v) = runs.get(&key) {
                let mean = v.iter().sum::<f64>() / v.len() as f64;
                let max = v.iter().cloned().fold(f64::MIN, f64::max);
                let min = v.iter().cloned().fold(f64::MAX, f64::min);
                json!({"ok": true, "runs": v, "mean": mean, "spread_pct": (max - min) / mean * 100.0})
            } else {
                continue;
            };
            results
                .entry(route.name)
                .or_default()
                .insert(d.name.into(), cell);
        }
    }

    // Profiles: every first-run dump annotated to a text file beside it;
    // Mocket's plaintext and json summarized in the results.
    eprintln!("== annotating the first run's dumps");
    let mut profiles = serde_json::Map::new();
    let mut keys: Vec<_> = first_dumps.keys().copied().collect();
    keys.sort();
    for key in keys {
        let dump = &first_dumps[&key];
        for inclusive in [true, false] {
            let rows = callgrind::annotate(dump, inclusive, 40, settings.requests);
            let text: String = rows
                .iter()
                .map(|(ir, f)| format!("{ir:>12.1}  {f}\n"))
                .collect();
            let name = format!(
                "{}.{}.{}.txt",
                key.1,
                key.0,
                if inclusive { "inclusive" } else { "self" }
            );
            let _ = std::fs::write(dir.join(name), text);
            if key.1 == "mocket" && (key.0 == "plaintext" || key.0 == "json") {
                let entry = profiles
                    .entry(format!("mocket / {}", key.0))
                    .or_insert_with(|| json!({}));
                entry[if inclusive { "inclusive" } else { "self" }] = json!(
                    rows.iter()
                        .map(|(ir, f)| json!([ir, short_fn(f)]))
                        .collect::<Vec<_>>()
                );
            }
        }
    }

    let servers: Vec<Value> = selected
        .iter()
        .map(|d| server_json(d, built, reasons.get(d.name).cloned()))
        .collect();
    Ok(json!({
        "kind": "callgrind",
        "settings": { "warmup": settings.warmup, "requests": settings.requests, "runs": opts.runs, "server_core": 1 },
        "servers": servers,
        "results": results,
        "profiles": profiles,
        "dumps": dir.display().to_string(),
    }))
}

/// `???:foo::bar [/path/to/obj]` → `foo::bar`; keeps the object for
/// functions outside the server's binary (`libc.so.6`).
fn short_fn(f: &str) -> String {
    let (func, obj) = match f.rsplit_once(" [") {
        Some((func, obj)) => (func, obj.trim_end_matches(']')),
        None => (f, ""),
    };
    let func = func
        .split_once(':')
        .filter(|(file, _)| !file.contains("::"))
        .map_or(func, |(_, f)| f);
    let obj = Path::new(obj)
        .file_name()
        .map(|o| o.to_string_lossy().into_owned())
        .unwrap_or_default();
    if obj.starts_with("lib") || obj.starts_with("ld-") {
        format!("{func} ({obj})")
    } else {
        func.to_owned()
    }
}

/// The newest full result of a kind in `out`.
fn latest(out: &Path, kind: &str) -> Option<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files.into_iter().rev().find_map(|f| {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&f).ok()?).ok()?;
        (v["kind"] == kind && v["full"] == true).then_some(v)
    })
}

fn render_docs(paths: &Paths, out: &Path) -> Result<(), String> {
    let load = latest(out, "load");
    let cg = latest(out, "callgrind");
    let ws = latest(out, "ws");
    if load.is_none() && cg.is_none() && ws.is_none() {
        return Err(format!(
            "no full results in {} yet: run bench/run first",
            out.display()
        ));
    }
    let docs = paths.repo.join("docs");
    // A chart per backend group, each above its group's tables.
    if let Some(l) = &load {
        for group in servers::Group::all() {
            if let Some(chart) = report::svg_group(l, group) {
                std::fs::write(docs.join(report::chart_file(group)), chart)
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    let md = report::markdown(load.as_ref(), cg.as_ref(), ws.as_ref(), load.is_some());
    let file = docs.join("benchmarks.md");
    // Results live in the (ignored) results folder, so a machine may hold
    // some kinds only: what it has no result for keeps the section in place.
    let old = std::fs::read_to_string(&file).unwrap_or_default();
    let md = report::keep_sections(
        md,
        &old,
        &[
            (report::LOAD_SECTION, load.is_none()),
            (report::CALLGRIND_SECTION, cg.is_none()),
            (report::WS_SECTION, ws.is_none()),
            (report::TARGETS_SECTION, load.is_none() && cg.is_none()),
        ],
    );
    std::fs::write(&file, md).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    println!("docs: {}", util::display_rel(&file, &paths.repo));
    Ok(())
}

/// The items `names` asks for (all when `None`), in table order; an
/// unknown name is an error that says which.
fn select<T: Clone>(
    all: &[T],
    names: Option<&[String]>,
    what: &str,
    name_of: impl Fn(&T) -> &str,
) -> Result<Vec<T>, String> {
    let Some(names) = names else {
        return Ok(all.to_vec());
    };
    if let Some(unknown) = names
        .iter()
        .find(|n| !all.iter().any(|t| name_of(t) == n.as_str()))
    {
        return Err(format!("unknown {what} {unknown} (see --list)"));
    }
    Ok(all
        .iter()
        .filter(|t| names.iter().any(|n| n == name_of(t)))
        .cloned()
        .collect())
}
