//! Small helpers: running commands, reading /proc, time.

use std::path::Path;
use std::process::{Command, Stdio};

/// Runs a command to completion, its output captured. `Err` carries the
/// last lines of stderr (or why it could not start).
pub fn run_captured(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        Err(summarize_failure(&stderr, &out.status.to_string()))
    }
}

/// The most telling line of a failed command's stderr: its first `error`
/// line, or its last line.
pub fn summarize_failure(stderr: &str, status: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let pick = lines
        .iter()
        .find(|l| l.starts_with("error"))
        .or(lines.last())
        .map(|l| l.to_string())
        .unwrap_or_else(|| format!("failed ({status})"));
    pick.chars().take(300).collect()
}

/// Whether `program` can be run (found on PATH).
pub fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program} >/dev/null 2>&1")])
        .status()
        .is_ok_and(|s| s.success())
}

/// A command's first line of output, for the report ("unknown" if none).
pub fn version_of(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()
        .map(|o| {
            let mut s = String::from_utf8_lossy(&o.stdout).into_owned();
            s.push_str(&String::from_utf8_lossy(&o.stderr));
            s.lines().next().unwrap_or("").trim().to_owned()
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// A field of /proc/PID/status in KiB (`VmHWM`, `VmRSS`).
pub fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
}

/// CPU time a process has used so far (user + system, all threads), in
/// seconds, from /proc/PID/stat (clock ticks: 10 ms).
pub fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let per_sec = std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .parse::<f64>()
                .ok()
        })
        .unwrap_or(100.0);
    Some(ticks as f64 / per_sec)
}

/// `date -u` in the given format.
pub fn date(fmt: &str) -> String {
    Command::new("date")
        .args(["-u", fmt])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// A free TCP port on 127.0.0.1 (the OS picks; the socket is closed again).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(0)
}

/// The machine, for the report.
pub fn machine_info() -> serde_json::Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |name: &str| {
        cpuinfo
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_once(':'))
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mem_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:").map(|v| v.trim().to_owned()))
        })
        .and_then(|v| v.trim_end_matches("kB").trim().parse::<f64>().ok())
        .map(|kib| format!("{:.1} GiB", kib / 1024.0 / 1024.0))
        .unwrap_or_default();
    serde_json::json!({
        "cpu": field("model name"),
        "cpu_mhz": field("cpu MHz"),
        "cache": field("cache size"),
        "logical_cpus_in_cpuinfo": cpuinfo.lines().filter(|l| l.starts_with("processor")).count(),
        "nproc": version_of("nproc", &[]),
        "kernel": version_of("uname", &["-srm"]),
        "memory": mem_kib,
        "rustc": version_of("rustc", &["-V"]),
        "node": version_of("node", &["--version"]),
        "wasmtime": version_of("wasmtime", &["--version"]),
        "wrk": version_of("wrk", &["-v"]),
        "valgrind": version_of("valgrind", &["--version"]),
    })
}

/// `path` relative to `base` when inside it, for display.
pub fn display_rel(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// The repository's commit, `+ uncommitted changes` when the tree is dirty:
/// the figures describe the code as it was built, not the commit alone.
pub fn revision(repo: &Path) -> String {
    let git = |args: &[&str]| {
        Command::new("git")
            .current_dir(repo)
            .args(args)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let head = git(&["rev-parse", "--short", "HEAD"]);
    let dirty = !git(&["status", "--porcelain", "--untracked-files=no"]).is_empty();
    if head.is_empty() {
        "unknown".into()
    } else if dirty {
        format!("{head} + uncommitted changes")
    } else {
        head
    }
}

/// Resident memory (VmRSS, KiB) of `pid` and all its descendants: a server
/// may be a wrapper around its worker processes.
pub fn tree_rss_kib(pid: u32) -> Option<u64> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(p) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{p}/stat")) else {
            continue;
        };
        // The field after the command name (in parentheses) is the state,
        // then the parent's pid.
        if let Some(ppid) = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse().ok())
        {
            parents.push((p, ppid));
        }
    }
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, pp)| *pp == parent)
                .map(|(p, _)| *p),
        );
        i += 1;
    }
    let own = proc_status_kib(pid, "VmRSS")?;
    Some(
        own + tree[1..]
            .iter()
            .filter_map(|&p| proc_status_kib(p, "VmRSS"))
            .sum::<u64>(),
    )
}

/// Whether a compiler is running on this machine (another build competing
/// for the cores).
pub fn building() -> bool {
    Command::new("pgrep")
        .args(["-x", "rustc"])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// CPU time the whole machine has spent busy so far (every core: user,
/// nice, system, interrupts, steal), in seconds, from /proc/stat.
pub fn machine_busy_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat
        .lines()
        .next()?
        .strip_prefix("cpu ")?
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    // user nice system idle iowait irq softirq steal
    let busy: u64 = [0, 1, 2, 5, 6, 7]
        .iter()
        .filter_map(|&i| fields.get(i))
        .sum();
    Some(busy as f64 / 100.0)
}
