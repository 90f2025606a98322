//! The WebSocket results as a table (terminal and Markdown) and as the
//! "WebSocket" section of docs/benchmarks.md.

use std::fmt::Write as _;

use serde_json::Value;

use crate::report::thousands;
use crate::servers::Group;

/// A figure of `server` for `metric` (`echo`, `fanout`, `idle`).
fn figure(ws: &Value, metric: &str, server: &str, key: &str) -> Option<f64> {
    let c = ws[metric].get(server)?;
    (c["ok"] == true).then(|| c[key].as_f64()).flatten()
}

fn why_missing(ws: &Value, metric: &str, server: &str) -> String {
    let entry = ws["servers"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["name"] == server);
    match entry {
        Some(s) if s["available"] == false => {
            format!("not measured: {}", s["reason"].as_str().unwrap_or("?"))
        }
        _ => match ws[metric].get(server) {
            Some(c) => format!("FAILED: {}", c["error"].as_str().unwrap_or("?")),
            None => "—".into(),
        },
    }
}

/// `value (ratio×)` against the group's baseline.
fn with_ratio(v: f64, base: Option<f64>, unit: &str) -> String {
    match base {
        Some(b) if b > 0.0 => format!("{}{unit} ({:.2}×)", thousands(v), v / b),
        _ => format!("{}{unit}", thousands(v)),
    }
}

/// One table per backend group: echo msg/s and p99, fan-out deliveries/s,
/// bytes per idle socket, peak memory.
pub fn tables(ws: &Value) -> String {
    let mut md = String::new();
    let servers: Vec<&Value> = ws["servers"].as_array().into_iter().flatten().collect();
    for group in Group::all() {
        let in_group: Vec<&&Value> = servers
            .iter()
            .filter(|s| s["group"] == group.name())
            .collect();
        if in_group.is_empty() {
            continue;
        }
        let base = in_group
            .iter()
            .find(|s| s["baseline"] == true)
            .and_then(|s| s["name"].as_str());
        let base_of = |metric: &str, key: &str| base.and_then(|b| figure(ws, metric, b, key));
        let _ = write!(
            md,
            "\n### {} — WebSocket (ratio to {}; higher is better, but for p99 and memory)\n\n\
             | server | echo msg/s | echo p99 | echo CPU per message | fan-out deliveries/s | fan-out CPU per delivery | bytes per idle socket | peak memory |\n\
             | --- | --- | --- | --- | --- | --- | --- | --- |\n",
            group.name(),
            base.unwrap_or("the baseline"),
        );
        for s in in_group {
            let name = s["name"].as_str().unwrap_or("?");
            let cell = |metric: &str, key: &str, unit: &str| match figure(ws, metric, name, key) {
                Some(v) => with_ratio(v, base_of(metric, key), unit),
                None => why_missing(ws, metric, name).replace('|', "\\|"),
            };
            let p99 = match figure(ws, "echo", name, "p99_ms") {
                Some(v) => match base_of("echo", "p99_ms") {
                    Some(b) if b > 0.0 => format!("{v:.2} ms ({:.2}×)", v / b),
                    _ => format!("{v:.2} ms"),
                },
                None => "—".into(),
            };
            let peak = s["peak_rss_kib"]
                .as_f64()
                .map(|k| format!("{:.1} MiB", k / 1024.0))
                .unwrap_or_else(|| "—".into());
            let cpu = |metric: &str| match figure(ws, metric, name, "cpu_us_min") {
                Some(v) => match base_of(metric, "cpu_us_min") {
                    Some(b) if b > 0.0 => format!("{v:.2} µs ({:.2}×)", v / b),
                    _ => format!("{v:.2} µs"),
                },
                None => "—".into(),
            };
            let _ = writeln!(
                md,
                "| {name} | {} | {p99} | {} | {} | {} | {} | {peak} |",
                cell("echo", "per_sec", ""),
                cpu("echo"),
                cell("fanout", "per_sec", ""),
                cpu("fanout"),
                cell("idle", "bytes_per_socket", " B"),
            );
        }
    }
    md.push_str(&instructions_table(ws));
    md
}

/// Native servers' instructions per message (callgrind), ratios to the
/// baseline (lower is better).
fn instructions_table(ws: &Value) -> String {
    let Some(counted) = ws["instructions"].as_object().filter(|c| !c.is_empty()) else {
        return String::new();
    };
    let base = ws["servers"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["group"] == "native" && s["baseline"] == true)
        .and_then(|s| s["name"].as_str())
        .unwrap_or("axum");
    let mut md = format!(
        "\n### native — instructions per message (callgrind; ratio to {base}; lower is better)\n\n\
         | server | per echoed message | per delivery, one message at a time | per delivery, {} ahead |\n\
         | --- | --- | --- | --- |\n",
        ws["settings"]["window"]
    );
    for (name, c) in counted {
        let cells: Vec<String> = super::instructions::FIGURES
            .iter()
            .map(|what| match (c["ok"] == true, c[*what].as_f64()) {
                (true, Some(v)) => match counted.get(base).and_then(|b| b[*what].as_f64()) {
                    Some(b) if b > 0.0 && name != base => {
                        format!("{} ({:.2}×)", thousands(v), v / b)
                    }
                    _ => thousands(v),
                },
                _ => format!("FAILED: {}", c["error"].as_str().unwrap_or("?")).replace('|', "\\|"),
            })
            .collect();
        let _ = writeln!(md, "| {name} | {} |", cells.join(" | "));
    }
    md
}

/// docs/benchmarks.md's WebSocket section.
pub fn section(ws: &Value) -> String {
    let st = &ws["settings"];
    let mut md = format!(
        "\n{heading}\n\n\
         Run {date} on Mocket {rev}. Command:\n\n```sh\n{cmd}\n```\n\n\
         The routes of `examples/chat` (`/ws/echo`, `/ws/room/:name`) on Mocket, against axum's \
         `ws` (tokio-tungstenite; a `broadcast` channel per room, as axum's chat example has it) \
         natively and against the `ws` package on Node (a `Set` of sockets per room), in \
         `bench/peers/axum-ws` and `bench/peers/node/ws.mjs`. Each server is checked first (text \
         and binary echo, a room message reaching every subscriber). The load client is the \
         harness itself, on one thread pinned to core 0 (servers on core 1), with frames \
         encoded once and counted by their headers, so that it is not what is measured. \
         Messages are {size}-byte text frames, no compression.\n\n\
         - **echo**: {c} sockets, each sending a message and waiting for its echo; messages \
         echoed per second, and the p99 round trip.\n\
         - **CPU per message**: the server's CPU time (user + system, all threads, from \
         `/proc/PID/stat`) over a measured run, per echo or per delivery; the least of the \
         rounds. It depends far less on the machine's noise than the rates do.\n\
         - **fan-out**: {subs} subscribers and one publisher in one room (the publisher receives \
         its own messages too, as in the chat); the publisher sends as fast as the slowest \
         subscriber allows (at most {window} messages ahead), and the figure is messages \
         delivered per second, summed over the {all} receivers.\n\
         - **idle**: {idle} sockets opened on `/ws/echo` and left idle; the server's resident \
         memory (VmRSS) after, less before, per socket.\n\
         - **instructions** (native): each server under `valgrind --tool=callgrind`, one worker, \
         {cg_runs} fresh processes; counters zeroed after a warm-up and dumped after {echoes} \
         echoes on one socket, and after {published} messages to a room of {cg_subs} subscribers \
         and the publisher, sent one at a time (each reaches everyone before the next) and \
         {window} ahead; the server's instructions (all threads) per echo or per delivery, the \
         mean of the runs. Unlike the rates, these do not depend on the machine's noise.\n\n\
         Each of {rounds} rounds gives every server {warmup} s of warm-up and {round} s measured, \
         the servers taking turns; the tables show each server's best round.\n",
        heading = crate::report::WS_SECTION,
        date = ws["date"].as_str().unwrap_or("?"),
        rev = ws["revision"].as_str().unwrap_or("?"),
        cmd = ws["command"].as_str().unwrap_or("?"),
        size = st["message_bytes"],
        c = st["connections"],
        subs = st["subscribers"],
        all = st["subscribers"].as_u64().unwrap_or(0) + 1,
        window = st["window"],
        idle = st["idle"],
        cg_runs = st["callgrind_runs"],
        echoes = st["echoes_counted"],
        published = st["published_counted"],
        cg_subs = st["counted_subscribers"],
        rounds = st["rounds"],
        warmup = st["warmup_secs"],
        round = st["round_secs"],
    );
    md.push_str(&tables(ws));
    md.push_str(&goals(ws));
    md.push_str(
        "\nReading the figures: a published message is encoded as a frame once for the \
         whole room, and a subscriber with several messages waiting writes them in one vectored \
         write; the peers encode and write every message for every subscriber (axum's \
         `sink.send` flushes each one), which is what the fan-out column measures. axum's idle \
         sockets each hold tungstenite's default 128 KiB read buffer \
         (`WebSocketUpgrade::read_buffer_size` lowers it), and zero-fills it before each \
         read: that `memset` is nearly all of axum's instructions per echo, and valgrind counts \
         its `rep stosb` byte by byte where hardware clears 128 KiB in a few microseconds, so \
         for echo the rates are the fairer comparison and the instruction counts of fan-out the \
         telling ones. Mocket's sockets read through one \
         buffer per worker thread, so an idle one holds only its own state and its \
         connection's. On Node, an echo costs either server one write system call per message \
         (`writeBuffer` for Mocket, `writev` for `ws`), most of its busy time in a \
         `node --cpu-prof` profile; what Mocket adds is two crossings between JavaScript and \
         wasm per message (the chunk in, the frame out, each copied once).\n",
    );
    md
}

/// The issue's goals, met or not, from the figures: ahead of both peers,
/// and at most 8 KiB per idle socket natively.
fn goals(ws: &Value) -> String {
    let ratio = |metric: &str, ours: &str, theirs: &str| {
        Some(figure(ws, metric, ours, "per_sec")? / figure(ws, metric, theirs, "per_sec")?)
    };
    let mut lines = Vec::new();
    for (ours, theirs) in [("mocket", "axum"), ("mocket-node", "node-ws")] {
        for metric in ["echo", "fanout"] {
            if let Some(r) = ratio(metric, ours, theirs) {
                let verdict = if r >= 1.0 { "ahead" } else { "behind" };
                lines.push(format!("- {ours} {metric}: {r:.2}× {theirs} ({verdict})"));
            }
        }
    }
    for (ours, theirs) in [("mocket", "axum"), ("mocket-node", "node-ws")] {
        if let (Some(a), Some(b)) = (
            figure(ws, "echo", ours, "cpu_us_min"),
            figure(ws, "echo", theirs, "cpu_us_min"),
        ) {
            let verdict = if a <= b { "ahead" } else { "behind" };
            lines.push(format!(
                "- {ours} echo, CPU per message: {a:.2} µs against {b:.2} µs, {:.2}× ({verdict})",
                a / b
            ));
        }
    }
    if let Some(b) = figure(ws, "idle", "mocket", "bytes_per_socket") {
        let verdict = if b <= 8192.0 { "met" } else { "not met" };
        lines.push(format!(
            "- mocket, memory per idle socket: {} B (goal ≤ 8 KiB: {verdict})",
            thousands(b)
        ));
    }
    if lines.is_empty() {
        return String::new();
    }
    format!(
        "\nGoals (ahead of both peers; ≤ 8 KiB per idle socket natively):\n\n{}\n",
        lines.join("\n")
    )
}
