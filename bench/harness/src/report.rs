//! Tables (terminal and Markdown), the SVG chart and docs/benchmarks.md,
//! all rendered from the JSON results, so `bench/run --report` can redo
//! them from files.

use std::fmt::Write as _;

use serde_json::Value;

use crate::servers::{self, Group};

const NOT_MEASURED: &str = "not yet measured (backend not available when run)";

/// `1234567.8` → `1,234,568`.
pub fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v);
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

fn ms(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2} ms")
    } else {
        format!("{v:.1} ms")
    }
}

fn mib(kib: f64) -> String {
    format!("{:.1} MiB", kib / 1024.0)
}

/// The servers of a group that appear in a result file, in the harness's order.
/// Each group with its servers that `results` has, groups without any left
/// out.
fn groups_measured(results: &Value) -> impl Iterator<Item = (Group, Vec<servers::Def>)> + '_ {
    Group::all()
        .into_iter()
        .map(|group| (group, group_servers(results, group)))
        .filter(|(_, servers)| !servers.is_empty())
}

fn group_servers(results: &Value, group: Group) -> Vec<servers::Def> {
    servers::all()
        .into_iter()
        .filter(|d| d.group == group)
        .filter(|d| {
            results["servers"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|s| s["name"] == d.name)
        })
        .collect()
}

/// What a server's ratios are computed against (`None`: it is the baseline).
fn reference(servers: &[servers::Def], d: &servers::Def) -> Option<&'static str> {
    if d.baseline {
        return None;
    }
    d.against
        .or_else(|| servers.iter().find(|s| s.baseline).map(|s| s.name))
}

fn server_entry<'a>(results: &'a Value, name: &str) -> Option<&'a Value> {
    results["servers"]
        .as_array()?
        .iter()
        .find(|s| s["name"] == name)
}

fn cell<'a>(results: &'a Value, route: &str, server: &str) -> Option<&'a Value> {
    results["results"].get(route)?.get(server)
}

/// A measured cell: `ok`, and at least one request completed.
fn measured(c: &Value) -> bool {
    c["ok"].as_bool() == Some(true) && c["requests"].as_u64() != Some(0)
}

fn ok_f64(results: &Value, route: &str, server: &str, key: &str) -> Option<f64> {
    let c = cell(results, route, server)?;
    if !measured(c) {
        return None;
    }
    c[key].as_f64()
}

/// Why a server has no figure for a route: unavailable, failed check, or
/// not selected.
fn missing(results: &Value, route: &str, server: &str) -> String {
    match server_entry(results, server) {
        Some(s) if s["available"].as_bool() == Some(false) => NOT_MEASURED.into(),
        Some(_) => match cell(results, route, server) {
            Some(c) if c["ok"].as_bool() == Some(true) => {
                "FAILED: stopped answering under load (wrk: 0 requests)".into()
            }
            Some(c) => format!("FAILED: {}", c["error"].as_str().unwrap_or("?")),
            None => "—".into(),
        },
        None => "—".into(),
    }
}

fn routes(results: &Value) -> Vec<String> {
    results["routes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str().map(str::to_owned))
        .collect()
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|")
}

/// A Markdown table for one metric of one group, ratios to the group's
/// baseline. `higher_better` only changes nothing but the header text.
fn load_table(results: &Value, group: Group, key: &str, unit: fn(f64) -> String) -> String {
    let servers = group_servers(results, group);
    if servers.is_empty() {
        return String::new();
    }
    let mut t = String::from("| route |");
    for d in &servers {
        let note = match (d.baseline, d.against) {
            (true, _) => " (baseline)".to_owned(),
            (false, Some(other)) => format!(" (vs {other})"),
            _ => String::new(),
        };
        let _ = write!(t, " {}{note} |", d.name);
    }
    t.push_str("\n| --- |");
    for _ in &servers {
        t.push_str(" ---: |");
    }
    t.push('\n');
    for route in routes(results) {
        let _ = write!(t, "| {route} |");
        for d in &servers {
            let base = reference(&servers, d).and_then(|b| ok_f64(results, &route, b, key));
            match ok_f64(results, &route, d.name, key) {
                Some(v) => {
                    let ratio = match base {
                        Some(b) if b > 0.0 => format!(" ({:.2}×)", v / b),
                        _ => String::new(),
                    };
                    let _ = write!(t, " {}{ratio} |", unit(v));
                }
                None => {
                    let _ = write!(t, " {} |", md_escape(&missing(results, &route, d.name)));
                }
            }
        }
        t.push('\n');
    }
    t
}

fn memory_table(results: &Value) -> String {
    let mut t = String::from(
        "| server | group | peak RSS (VmHWM) after all runs | RSS when idle after start |\n| --- | --- | ---: | ---: |\n",
    );
    for d in servers::all() {
        let Some(s) = server_entry(results, d.name) else {
            continue;
        };
        if s["available"].as_bool() == Some(false) {
            let _ = writeln!(t, "| {} | {} | {NOT_MEASURED} | |", d.name, d.group.name());
            continue;
        }
        let f = |k: &str| s[k].as_f64().map(mib).unwrap_or_else(|| "?".into());
        let _ = writeln!(
            t,
            "| {} | {} | {} | {} |",
            d.name,
            d.group.name(),
            f("peak_rss_kib"),
            f("idle_rss_kib")
        );
    }
    t
}

fn ir_table(cg: &Value) -> String {
    let names: Vec<&str> = ["mocket", "axum", "actix", "hyper"]
        .into_iter()
        .filter(|n| server_entry(cg, n).is_some())
        .collect();
    let mut t = String::from("| route |");
    for n in &names {
        let _ = write!(t, " {n} |");
    }
    t.push_str(" mocket / axum | mocket / hyper |\n| --- |");
    for _ in 0..names.len() + 2 {
        t.push_str(" ---: |");
    }
    t.push('\n');
    for route in routes(cg) {
        let _ = write!(t, "| {route} |");
        for n in &names {
            match cell(cg, &route, n).filter(|c| c["ok"] == true) {
                Some(c) => {
                    let _ = write!(
                        t,
                        " {} (±{:.2}%) |",
                        thousands(c["mean"].as_f64().unwrap_or(0.0)),
                        c["spread_pct"].as_f64().unwrap_or(0.0) / 2.0
                    );
                }
                None => {
                    let _ = write!(t, " {} |", md_escape(&missing(cg, &route, n)));
                }
            }
        }
        let m = ok_f64(cg, &route, "mocket", "mean");
        for other in ["axum", "hyper"] {
            match (m, ok_f64(cg, &route, other, "mean")) {
                (Some(m), Some(o)) if o > 0.0 => {
                    let _ = write!(t, " {:.2}× |", m / o);
                }
                _ => t.push_str(" — |"),
            }
        }
        t.push('\n');
    }
    t
}

/// Where Mocket stands against the project's targets: one row per route.
fn targets(load: Option<&Value>, cg: Option<&Value>) -> String {
    let mut t = String::from(
        "| route | Ir/request ÷ axum (target ≤ 0.75) | Ir/request ÷ raw hyper (≤ 1.15) | req/s ÷ the faster of axum, actix (≥ 1.0) |\n\
         | --- | ---: | ---: | ---: |\n",
    );
    let cell = |ok: bool, text: String| if ok { text } else { format!("**{text}**") };
    let names: Vec<String> = load.or(cg).map(routes).unwrap_or_default();
    let (mut met, mut total) = (0, 0);
    for route in &names {
        let mut row = format!("| {route} |");
        let ir = |other: &str| {
            let cg = cg?;
            Some(ok_f64(cg, route, "mocket", "mean")? / ok_f64(cg, route, other, "mean")?)
        };
        for (other, limit) in [("axum", 0.75), ("hyper", 1.15)] {
            match ir(other) {
                Some(r) => {
                    total += 1;
                    met += usize::from(r <= limit);
                    let _ = write!(row, " {} |", cell(r <= limit, format!("{r:.2}×")));
                }
                None => row.push_str(" — |"),
            }
        }
        let rps = load.and_then(|load| {
            let m = ok_f64(load, route, "mocket", "rps")?;
            let (b, who) = ["axum", "actix"]
                .into_iter()
                .filter_map(|s| ok_f64(load, route, s, "rps").map(|v| (v, s)))
                .max_by(|a, b| a.0.total_cmp(&b.0))?;
            Some((m / b, who))
        });
        match rps {
            Some((r, who)) => {
                total += 1;
                met += usize::from(r >= 1.0);
                let _ = write!(row, " {} |", cell(r >= 1.0, format!("{r:.2}× ({who})")));
            }
            None => row.push_str(" — |"),
        }
        t.push_str(&row);
        t.push('\n');
    }
    let mut extra = String::new();
    if let Some(load) = load {
        if let (Some(m), Some(h)) = (
            ok_f64(load, "plaintext", "mocket", "rps"),
            ok_f64(load, "plaintext", "hyper", "rps"),
        ) {
            let r = m / h;
            total += 1;
            met += usize::from(r >= 0.95);
            let _ = writeln!(
                extra,
                "- plaintext req/s ÷ raw hyper (target ≥ 0.95): {}",
                cell(r >= 0.95, format!("{r:.2}×"))
            );
        }
        let peak = |n: &str| server_entry(load, n).and_then(|s| s["peak_rss_kib"].as_f64());
        if let (Some(m), Some(a)) = (peak("mocket"), peak("actix")) {
            total += 1;
            met += usize::from(m <= a);
            let _ = writeln!(
                extra,
                "- peak memory ≤ actix-web's: {} vs {}",
                cell(m <= a, mib(m)),
                mib(a)
            );
        }
    }
    format!("{met} of {total} targets met (misses in bold).\n\n{t}\n{extra}")
}

/// The terminal summary of a load run.
pub fn print_load(load: &Value) {
    for (group, servers) in groups_measured(load) {
        let base = servers
            .iter()
            .find(|d| d.baseline)
            .map(|d| d.name)
            .unwrap_or_default();
        println!(
            "\n{} group — req/s (ratio to {base}, or to the server named) and p99",
            group.name()
        );
        print!("{:<22}", "route");
        for d in &servers {
            print!(" {:>28}", d.name);
        }
        println!();
        for route in routes(load) {
            print!("{route:<22}");
            for d in &servers {
                let b = reference(&servers, d).and_then(|r| ok_f64(load, &route, r, "rps"));
                let text = match (
                    ok_f64(load, &route, d.name, "rps"),
                    ok_f64(load, &route, d.name, "p99_ms"),
                ) {
                    (Some(v), Some(p)) => {
                        let ratio = b
                            .filter(|b| *b > 0.0)
                            .map(|b| format!("{:.2}×", v / b))
                            .unwrap_or_default();
                        format!("{} {ratio} {p:.2}ms", thousands(v))
                    }
                    _ => {
                        let m = missing(load, &route, d.name);
                        if m == NOT_MEASURED {
                            "n/a".into()
                        } else {
                            m.chars().take(28).collect()
                        }
                    }
                };
                print!(" {text:>28}");
            }
            println!();
        }
    }
    println!("\npeak memory (VmHWM)");
    for s in load["servers"].as_array().into_iter().flatten() {
        let name = s["name"].as_str().unwrap_or("?");
        match s["peak_rss_kib"].as_f64() {
            Some(k) => println!("  {name:<22} {}", mib(k)),
            None => println!("  {name:<22} {}", s["reason"].as_str().unwrap_or("n/a")),
        }
    }
}

/// The terminal summary of a callgrind run.
pub fn print_callgrind(cg: &Value) {
    println!("\ninstructions per request (callgrind; mean of runs, ± half the spread)");
    print!("{:<22}", "route");
    let names = ["mocket", "axum", "actix", "hyper"];
    for n in names {
        print!(" {n:>18}");
    }
    println!(" {:>8} {:>8}", "m/axum", "m/hyper");
    for route in routes(cg) {
        print!("{route:<22}");
        for n in names {
            let text = match cell(cg, &route, n).filter(|c| c["ok"] == true) {
                Some(c) => format!(
                    "{} ±{:.2}%",
                    thousands(c["mean"].as_f64().unwrap_or(0.0)),
                    c["spread_pct"].as_f64().unwrap_or(0.0) / 2.0
                ),
                None => {
                    if cell(cg, &route, n).is_some() {
                        "FAILED".into()
                    } else {
                        "—".into()
                    }
                }
            };
            print!(" {text:>18}");
        }
        let m = ok_f64(cg, &route, "mocket", "mean");
        for o in ["axum", "hyper"] {
            match (m, ok_f64(cg, &route, o, "mean")) {
                (Some(m), Some(o)) => print!(" {:>7.2}×", m / o),
                _ => print!(" {:>8}", "—"),
            }
        }
        println!();
    }
}

/// Chart geometry.
const LABEL_W: f64 = 170.0;
const BAR_W: f64 = 560.0;
const WIDTH: f64 = LABEL_W + BAR_W + 150.0;

/// A grouped horizontal bar chart of req/s, one panel per group.
pub fn svg(load: &Value) -> String {
    let mut body = String::new();
    let mut y = 40.0;
    for (group, servers) in groups_measured(load) {
        panel(load, group, &servers, &mut body, &mut y);
    }
    document(load, &body, y)
}

/// The file name of a group's chart in docs/.
pub fn chart_file(group: Group) -> String {
    format!("benchmarks-{}.svg", group.name())
}

/// The chart of one group ([`chart_file`]), if it was measured.
pub fn svg_group(load: &Value, group: Group) -> Option<String> {
    let servers = group_servers(load, group);
    if servers.is_empty() {
        return None;
    }
    let mut body = String::new();
    let mut y = 40.0;
    panel(load, group, &servers, &mut body, &mut y);
    Some(document(load, &body, y))
}

/// Appends one group's panel at height `y`, moving `y` past it.
fn panel(load: &Value, group: Group, servers: &[servers::Def], body: &mut String, top: &mut f64) {
    const COLORS: [&str; 6] = [
        "#d9480f", "#1971c2", "#2f9e44", "#7048e8", "#e8590c", "#0c8599",
    ];
    let (label_w, bar_w, width) = (LABEL_W, BAR_W, WIDTH);
    let bar_h = 9.0;
    let rs = routes(load);
    let mut y = *top;
    {
        let max = rs
            .iter()
            .flat_map(|r| {
                servers
                    .iter()
                    .filter_map(move |d| ok_f64(load, r, d.name, "rps"))
            })
            .fold(0.0f64, f64::max);
        let _ = writeln!(
            body,
            r#"<text x="10" y="{y}" font-size="15" font-weight="bold">{} — requests/s (higher is better)</text>"#,
            group.name()
        );
        y += 10.0;
        let mut lx = label_w;
        for (i, s) in servers.iter().map(|d| d.name).enumerate() {
            let item = 30.0 + 7.0 * s.len() as f64;
            if lx + item > width - 10.0 {
                lx = label_w;
                y += 16.0;
            }
            let _ = writeln!(
                body,
                r#"<rect x="{lx}" y="{y}" width="10" height="10" fill="{}"/><text x="{}" y="{}" font-size="11">{s}</text>"#,
                COLORS[i % COLORS.len()],
                lx + 14.0,
                y + 9.0
            );
            lx += item;
        }
        y += 22.0;
        for r in &rs {
            let block = servers.len() as f64 * (bar_h + 2.0);
            let _ = writeln!(
                body,
                r#"<text x="{}" y="{}" font-size="11" text-anchor="end">{r}</text>"#,
                label_w - 8.0,
                y + block / 2.0 + 4.0
            );
            for (i, s) in servers.iter().map(|d| d.name).enumerate() {
                let by = y + i as f64 * (bar_h + 2.0);
                match ok_f64(load, r, s, "rps") {
                    Some(v) if max > 0.0 => {
                        let w = (v / max * bar_w).max(1.0);
                        let _ = writeln!(
                            body,
                            r#"<rect x="{label_w}" y="{by}" width="{w:.1}" height="{bar_h}" fill="{}"/><text x="{:.1}" y="{:.1}" font-size="9">{}</text>"#,
                            COLORS[i % COLORS.len()],
                            label_w + w + 4.0,
                            by + bar_h - 1.0,
                            thousands(v)
                        );
                    }
                    _ => {
                        let _ = writeln!(
                            body,
                            r##"<text x="{}" y="{:.1}" font-size="9" fill="#868e96">{s}: not measured</text>"##,
                            label_w + 4.0,
                            by + bar_h - 1.0
                        );
                    }
                }
            }
            y += block + 8.0;
        }
        y += 20.0;
    }
    *top = y;
}

/// The SVG document around the panels in `body`, `height` tall.
fn document(load: &Value, body: &str, height: f64) -> String {
    let (width, y) = (WIDTH, height);
    let title = format!(
        "Mocket benchmark {} — best of {} rounds of wrk -t{} -c{} -d{}; servers on core 1, wrk on core 0",
        load["date"].as_str().unwrap_or(""),
        load["settings"]["rounds"],
        load["settings"]["threads"],
        load["settings"]["connections"],
        load["settings"]["round_duration"].as_str().unwrap_or("")
    );
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y}" viewBox="0 0 {width} {y}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="20" font-size="12" fill="#495057">{title}</text>
{body}</svg>
"##
    )
}

fn machine(v: &Value) -> String {
    let m = &v["machine"];
    let s = |k: &str| m[k].as_str().unwrap_or("?").to_owned();
    format!(
        "- CPU: {} ({} logical CPUs in /proc/cpuinfo, `nproc` = {}, cache {}, {} MHz at the time)\n\
         - kernel: {}\n- memory: {}\n- {}; node {}; {}; {}; {}\n",
        s("cpu"),
        m["logical_cpus_in_cpuinfo"],
        s("nproc"),
        s("cache"),
        s("cpu_mhz"),
        s("kernel"),
        s("memory"),
        s("rustc"),
        s("node"),
        s("wasmtime"),
        s("wrk"),
        s("valgrind")
    )
}

fn profile_section(cg: &Value) -> String {
    let mut out = String::new();
    let Some(profiles) = cg["profiles"].as_object() else {
        return out;
    };
    for (key, p) in profiles {
        let _ = writeln!(
            out,
            "\n#### {key}\n\n| Ir/request (inclusive) | function |\n| ---: | --- |"
        );
        // The stack's roots (thread start, the worker's loop) hold all of it.
        let rows = p["inclusive"].as_array().cloned().unwrap_or_default();
        let total = rows.first().and_then(|r| r[0].as_f64()).unwrap_or(0.0);
        for row in rows
            .iter()
            .filter(|r| r[0].as_f64().unwrap_or(0.0) < 0.97 * total)
            .take(25)
        {
            let _ = writeln!(
                out,
                "| {} | `{}` |",
                thousands(row[0].as_f64().unwrap_or(0.0)),
                row[1].as_str().unwrap_or("")
            );
        }
        let _ = writeln!(out, "\n| Ir/request (self) | function |\n| ---: | --- |");
        for row in p["self"].as_array().into_iter().flatten().take(25) {
            let _ = writeln!(
                out,
                "| {} | `{}` |",
                thousands(row[0].as_f64().unwrap_or(0.0)),
                row[1].as_str().unwrap_or("")
            );
        }
    }
    out
}

/// docs/benchmarks.md's sections, by heading.
pub const LOAD_SECTION: &str = "## Throughput and latency";
pub const CALLGRIND_SECTION: &str = "## Instructions per request (callgrind)";
pub const WS_SECTION: &str = "## WebSocket";
pub const TARGETS_SECTION: &str = "## Where Mocket stands against its targets";

/// The section of `md` under `heading`, up to the next `## ` heading.
fn section<'a>(md: &'a str, heading: &str) -> Option<&'a str> {
    let start = md.find(&format!("\n{heading}\n"))? + 1;
    let end = md[start + 1..]
        .find("\n## ")
        .map_or(md.len(), |i| start + 1 + i + 1);
    Some(&md[start..end])
}

/// `new` with each section flagged `true` replaced by the same section of
/// `old`, when `old` has it.
pub fn keep_sections(new: String, old: &str, sections: &[(&str, bool)]) -> String {
    let mut md = new;
    for (heading, keep) in sections {
        if let (true, Some(was), Some(now)) = (*keep, section(old, heading), section(&md, heading))
        {
            md = md.replacen(now, was, 1);
        }
    }
    md
}

/// docs/benchmarks.md from the latest load, callgrind and WebSocket results.
pub fn markdown(
    load: Option<&Value>,
    cg: Option<&Value>,
    ws: Option<&Value>,
    charts: bool,
) -> String {
    let mut md = String::from(
        "# Benchmarks\n\n\
         Generated by `bench/run` (see [bench/README.md](../bench/README.md)); do not edit by hand.\n\
         Every server implements exactly the routes of bench/ROUTES.md (the same list as\n\
         `examples/bench`), and every route of every server is checked for the right status,\n\
         body and headers before it is measured: a server that answers a route wrongly is\n\
         reported as FAILED for it, never measured.\n\n\
         Servers: Mocket on each backend, and for each backend group the peers it is\n\
         compared with — native: axum 0.8 (the baseline), actix-web 4 and raw hyper 1;\n\
         Node.js: raw `node:http` (the baseline) and Hono; WASI: a raw `wasi:http` component\n\
         (the baseline) and a raw HTTP/1.1 server on `wasi:sockets` (what `mocket-wasi-sockets`\n\
         is compared with). Ratios are to the group's baseline, or to the server named.\n",
    );
    if let Some(load) = load {
        let st = &load["settings"];
        let _ = write!(
            md,
            "\n{LOAD_SECTION}\n\n\
             Run {date} on Mocket {rev}. Command:\n\n```sh\n{cmd}\n```\n\n\
             Settings: for each route, every server gets a {w} wrk warm-up, then {rounds} rounds of \
             `wrk -t{t} -c{c} -d{rd} --latency` over keep-alive connections; within a round the \
             servers take turns (the order rotates from round to round and route to route), so \
             that the machine's drift and the other work on it spread over everyone. Each table \
             shows a server's **best round** (its req/s and that round's p99): on a shared machine \
             interference only ever slows a round down, so the best round is the steadiest \
             estimate (the median and every round are in the JSON). The servers run side by side \
             pinned to core 1 (`taskset -c 1`: one worker thread each, as every server sizes \
             its pool from the cores it may use), wrk pinned to core 0.\n\nMachine:\n\n{machine}\n\
             This machine is small and noisy (2 cores, shared with other work, such as compilers, \
             during the run): differences of 10–20 % between single figures are within noise; the \
             instruction counts below are the precise comparison.\n",
            date = load["date"].as_str().unwrap_or("?"),
            rev = load["revision"]
                .as_str()
                .unwrap_or("(revision not recorded)"),
            cmd = load["command"].as_str().unwrap_or("?"),
            t = st["threads"],
            c = st["connections"],
            rd = st["round_duration"].as_str().unwrap_or("?"),
            rounds = st["rounds"],
            w = st["warmup"].as_str().unwrap_or("?"),
            machine = machine(load),
        );
        for group in Group::all() {
            let t = load_table(load, group, "rps", thousands);
            if t.is_empty() {
                continue;
            }
            let _ = write!(
                md,
                "\n### {} — requests/s (ratio to the baseline; higher is better)\n\n",
                group.name()
            );
            if charts {
                let _ = write!(
                    md,
                    "![{}: requests per second, by route and server]({})\n\n",
                    group.name(),
                    chart_file(group)
                );
            }
            md.push_str(&t);
            let t = load_table(load, group, "p99_ms", ms);
            let _ = write!(
                md,
                "\n### {} — p99 latency (ratio to the baseline; lower is better)\n\n{t}",
                group.name()
            );
        }
        let _ = write!(
            md,
            "\n### Peak memory\n\nVmHWM from `/proc/PID/status` after all of the server's runs.\n\n{}",
            memory_table(load)
        );
        let unavailable: Vec<String> = load["servers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["available"] == false)
            .map(|s| {
                format!(
                    "- {}: {}",
                    s["name"].as_str().unwrap_or("?"),
                    s["reason"].as_str().unwrap_or("?")
                )
            })
            .collect();
        if !unavailable.is_empty() {
            let _ = write!(
                md,
                "\nNot measured in this run, and why:\n\n{}\n",
                unavailable.join("\n")
            );
        }
    } else {
        let _ = write!(md, "\n{LOAD_SECTION}\n\nNo load run yet.\n");
    }
    if let Some(cg) = cg {
        let st = &cg["settings"];
        let _ = write!(
            md,
            "\n{CALLGRIND_SECTION}\n\n\
             Run {date} on Mocket {rev}. Command:\n\n```sh\n{cmd}\n```\n\n\
             Each native server runs under `valgrind --tool=callgrind` (pinned to core 1, one \
             worker: `WORKERS=1` for the peers; Mocket sizes its workers from the cores it may \
             use, which `taskset` makes one). For each route, one keep-alive connection sends {w} \
             warm-up requests, the counters are zeroed (`callgrind_control -z`), {n} sequential \
             requests follow, and `callgrind_control -d` dumps the count; the table shows the \
             dump's total Ir (all threads, user space) divided by {n}. Each server was measured \
             {runs} times, each time in a fresh process; the figure is the mean, ± half the \
             spread between runs. Instruction counts do not depend on the machine's noise.\n\n{table}",
            date = cg["date"].as_str().unwrap_or("?"),
            rev = cg["revision"].as_str().unwrap_or("(revision not recorded)"),
            cmd = cg["command"].as_str().unwrap_or("?"),
            w = st["warmup"],
            n = st["requests"],
            runs = st["runs"],
            table = ir_table(cg),
        );
        let p = profile_section(cg);
        if !p.is_empty() {
            let _ = write!(
                md,
                "\n### Where Mocket's instructions go\n\n`callgrind_annotate` of Mocket's dumps \
                 (first run), in Ir per request; inclusive counts include callees.\n{p}"
            );
        }
    } else {
        let _ = write!(md, "\n{CALLGRIND_SECTION}\n\nNo callgrind run yet.\n");
    }
    match ws {
        Some(ws) => md.push_str(&crate::ws::report::section(ws)),
        None => {
            let _ = write!(
                md,
                "\n{WS_SECTION}\n\nNo WebSocket run yet (`bench/run --ws`).\n"
            );
        }
    }
    let _ = write!(md, "\n{TARGETS_SECTION}\n\n{}", targets(load, cg));
    md.push_str(
        "\n## How the peers are kept honest\n\n\
         - Each peer is written the way its framework's own documentation writes apps (axum: \
         `Router` + extractors + `middleware::from_fn`; actix-web: `App` + scopes + \
         `middleware::from_fn`; Hono: `app.get`/`app.use`), small enough to read in one sitting, in \
         `bench/peers/`.\n\
         - The Rust peers are built with the same release profile as Mocket (fat LTO, one \
         codegen unit, `panic = \"unwind\"`) and all set `TCP_NODELAY`, like Mocket.\n\
         - Before any measurement, every route of every server is checked (status, body byte for \
         byte, content type, the middleware and custom headers, and the extra cases of ROUTES.md: \
         query validation 400s, `repeat` missing, percent-decoding, invalid JSON 400, \
         `/static/0` and `/static/1000`).\n\
         - wrk's non-2xx responses and socket errors are recorded for every run (bench/results/*.json).\n\
         - The raw baselines have no framework: raw hyper's \"middlewares\" are plain async \
         function calls around the handler, and its 1000 static routes are a `HashMap` built once; \
         raw `node:http` is a `switch` and a `Map`; the raw component is a `match` and a \
         `HashMap` that, like every per-instance state under `wasmtime serve` (one instance per \
         request), is built for every request; the raw `wasi:sockets` server routes through the \
         same code, behind a hand-written HTTP/1.1 loop (`httparse`) on a small executor of its own: \
         wstd 0.6's runtime livelocks under load on this wasmtime (see its module doc).\n",
    );
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_without_a_new_result_keeps_its_old_text() {
        let old = "# B\n\n## WebSocket\n\nold ws\n\n### native\n\nt\n\n## Where\n\nold where\n";
        let new = "# B\n\n## WebSocket\n\nNo run yet.\n\n## Where\n\nnew where\n".to_owned();
        let kept = keep_sections(
            new.clone(),
            old,
            &[("## WebSocket", true), ("## Where", false)],
        );
        assert_eq!(
            kept,
            "# B\n\n## WebSocket\n\nold ws\n\n### native\n\nt\n\n## Where\n\nnew where\n"
        );
        // The last section, and a section the old file lacks.
        let kept = keep_sections(new.clone(), old, &[("## Where", true), ("## Other", true)]);
        assert!(kept.ends_with("## Where\n\nold where\n"), "{kept}");
        assert_eq!(
            keep_sections(new.clone(), "", &[("## WebSocket", true)]),
            new
        );
    }
}
