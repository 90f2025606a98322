//! Load with wrk: one run, its output parsed.

use std::path::Path;
use std::process::Command;

use crate::routes::Route;

/// What one wrk run measured.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub rps: f64,
    pub avg_ms: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub requests: u64,
    pub socket_errors: u64,
    /// `socket_errors` by kind, as wrk reports them.
    pub errors: SocketErrors,
    pub non2xx: u64,
}

/// wrk's `Socket errors:` line: failed connects, reads, writes, and
/// requests over `--timeout` (counted on wrk's 2 s timeout sweep).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SocketErrors {
    pub connect: u64,
    pub read: u64,
    pub write: u64,
    pub timeout: u64,
}

impl Outcome {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "rps": self.rps, "avg_ms": self.avg_ms, "p50_ms": self.p50_ms, "p90_ms": self.p90_ms,
            "p99_ms": self.p99_ms, "max_ms": self.max_ms, "requests": self.requests,
            "socket_errors": self.socket_errors, "non2xx": self.non2xx,
        })
    }
}

/// Load settings.
#[derive(Clone, Debug)]
pub struct Load {
    pub threads: u32,
    pub connections: u32,
    /// Pinned to this core.
    pub core: u32,
}

/// Runs wrk against `port` for `duration` (wrk syntax: `5s`).
pub fn run(
    port: u16,
    route: &Route,
    load: &Load,
    duration: &str,
    scripts: &Path,
) -> Result<Outcome, String> {
    let mut cmd = Command::new("taskset");
    cmd.args(["-c", &load.core.to_string(), "wrk"]);
    cmd.args([
        "-t",
        &load.threads.to_string(),
        "-c",
        &load.connections.to_string(),
        "-d",
        duration,
    ]);
    cmd.args(["--timeout", "5s", "--latency"]);
    if let Some(script) = route.script {
        cmd.arg("-s").arg(scripts.join(script));
    }
    cmd.arg(format!("http://127.0.0.1:{port}{}", route.req.path));
    let out = cmd.output().map_err(|e| format!("cannot run wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!(
            "wrk failed: {}{}",
            text.trim(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    parse(&text).ok_or_else(|| format!("cannot parse wrk's output:\n{text}"))
}

/// `1.23ms`, `456.00us`, `1.02s`, `2.00m` → milliseconds.
fn duration_ms(s: &str) -> Option<f64> {
    let split = s.find(|c: char| c.is_ascii_alphabetic())?;
    let (num, unit) = s.split_at(split);
    let v: f64 = num.parse().ok()?;
    Some(match unit {
        "us" => v / 1000.0,
        "ms" => v,
        "s" => v * 1000.0,
        "m" => v * 60_000.0,
        "h" => v * 3_600_000.0,
        _ => return None,
    })
}

pub fn parse(text: &str) -> Option<Outcome> {
    let mut o = Outcome::default();
    let mut got_rps = false;
    for line in text.lines() {
        let t = line.trim();
        let words: Vec<&str> = t.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", v] => {
                o.rps = v.parse().ok()?;
                got_rps = true;
            }
            ["Latency", avg, _stdev, max, ..] => {
                o.avg_ms = duration_ms(avg)?;
                o.max_ms = duration_ms(max)?;
            }
            ["50%", v] => o.p50_ms = duration_ms(v)?,
            ["90%", v] => o.p90_ms = duration_ms(v)?,
            ["99%", v] => o.p99_ms = duration_ms(v)?,
            [n, "requests", "in", ..] => o.requests = n.parse().ok()?,
            ["Non-2xx", "or", "3xx", "responses:", n] => o.non2xx = n.parse().ok()?,
            ["Socket", "errors:", rest @ ..] => {
                // connect 0, read 0, write 0, timeout 0
                for pair in rest.chunks(2) {
                    let [kind, n] = pair else { continue };
                    let Ok(n) = n.trim_end_matches(',').parse::<u64>() else {
                        continue;
                    };
                    o.socket_errors += n;
                    match *kind {
                        "connect" => o.errors.connect = n,
                        "read" => o.errors.read = n,
                        "write" => o.errors.write = n,
                        "timeout" => o.errors.timeout = n,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    got_rps.then_some(o)
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_wrk_output() {
        let text = "Running 5s test @ http://127.0.0.1:1/plaintext
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   410.17us   75.62us   2.89ms   83.18%
    Req/Sec   156.31k     4.24k  161.64k    84.00%
  Latency Distribution
     50%  396.00us
     75%  433.00us
     90%  493.00us
     99%    1.02ms
  777777 requests in 5.00s, 97.91MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec: 155555.12
Transfer/sec:     19.58MB
";
        let o = super::parse(text).unwrap();
        assert_eq!(o.rps, 155555.12);
        assert_eq!(o.p99_ms, 1.02);
        assert!((o.p50_ms - 0.396).abs() < 1e-9);
        assert_eq!(o.requests, 777777);
        assert_eq!(o.socket_errors, 3);
        let errors = super::SocketErrors {
            connect: 0,
            read: 2,
            write: 0,
            timeout: 1,
        };
        assert_eq!(o.errors, errors);
        assert_eq!(o.non2xx, 5);
    }
}
