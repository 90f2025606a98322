//! The Autobahn WebSocket TestSuite, run against a server under test.
//!
//! Autobahn's cases are the standard WebSocket conformance suite: about
//! 300 cases for RFC 6455 (framing 1.–5., UTF-8 6., closing 7., limits and
//! performance 9., misc 10.) and 216 for permessage-deflate (RFC 7692: 12.
//! and 13.). Each case opens one connection to an *echo* server (text
//! comes back as text, binary as binary), sends something, sometimes
//! something invalid, and judges what came back and how the connection
//! was closed.
//!
//! The original `wstest` runs only on Python 2. This module drives the same
//! case files with [kosoku](https://pypi.org/project/kosoku/) 0.1.0
//! instead, a native runner published on PyPI:
//!
//! - **Installed once, cached.** [`kosoku`] returns a working `kosoku`:
//!   `$MOCKET_KOSOKU` if set, else the one in Mocket's tools folder
//!   (`$CARGO_HOME/mocket-tools/kosoku-0.1.0/`, `~/.cargo` by default, the
//!   folder `cargo mocket setup` keeps wasmtime in). When it is missing it
//!   is installed there with `python3 -m venv` and `pip install
//!   kosoku==0.1.0` (Python 3.10 or later), into a staging folder that is
//!   moved into place only once it runs, under a lock file
//!   (`mocket-tools/.locks/kosoku-0.1.0.lock`), so concurrent test
//!   processes install it once. `bin/kosoku` there is a small launcher of
//!   the venv's own Python, so the moved venv keeps working.
//! - **Run.** [`run`] starts `kosoku -m fuzzingclient URL` in a folder,
//!   with the [`Cases`] chosen by `-i`/`-x` globs, kills it at a deadline
//!   ([`Options`]) and reads the report kosoku writes:
//!   `reports/clients/index.json` (per case: behavior, behaviorClose,
//!   duration) and one JSON (and HTML) file per case (description,
//!   expectation, what was expected and received, the wire log).
//!
//! # Reading a failure
//!
//! [`Report::assert_passed`] panics with one paragraph per failed case:
//!
//! ```text
//! 7.1.5: FAILED, close WRONG CODE (peer sent 1002 "incomplete fragmented message"), 6 ms
//!     case:     Send message fragment1 followed by close then fragment
//!     expected: Clean close with normal code.
//!     outcome:  The close code should have been 1000 or empty
//!     closing:  The close code should have been 1000 or empty
//!     events:   expected {"OK":[]}, received []
//!     report:   /tmp/ab/reports/clients/python_3_11_websockets_17_4_case_7_1_5.html
//! ```
//!
//! *case* is what kosoku sent, *expected* what a conforming server does,
//! *outcome* and *closing* the verdicts on the messages and on the closing
//! handshake, *events* the messages, pings and pongs expected (keyed by the
//! verdict each would earn) and those received. The HTML file beside it has
//! the handshake and the whole wire log, frame by frame.
//!
//! A case passes when its behavior is `OK`, `NON-STRICT` (a SHOULD not
//! followed) or `INFORMATIONAL`, **and** its closing behavior is `OK` or
//! `INFORMATIONAL`: the verdict kosoku's exit status and summary use.
//! `UNIMPLEMENTED` (12./13. against a server without permessage-deflate) and
//! kosoku's own `ERROR` (the connection failed: nothing listens, a reset)
//! are failures: leave out the cases a server does not claim to support.
//!
//! # Times
//!
//! On this project's 2-core machine, one case at a time: 1.–10. (301
//! cases) take 15–30 s against Node's `ws` or Python's `websockets`, 9.
//! (up to 16 MiB messages, 4 MiB ones in 64-byte frames) about 4 s of it.
//! 12. and 13. (1000 compressed messages per case) take about 10 minutes
//! against `websockets` and 20 against `ws`: give them a longer
//! [`Options::deadline`]. kosoku has no opening-handshake timeout of its
//! own: a server that accepts the TCP connection and never answers holds
//! it until the deadline.
//!
//! # kosoku 0.1.0's quirks
//!
//! - No spec file: `--spec` (the original's `fuzzingclient.json`) is
//!   refused as "not implemented yet"; [`Cases`] are its `-i`/`-x` globs.
//! - It writes the report only when every case is done: a run killed at
//!   the deadline has none.
//! - In 13.x.1–13.x.3 it crashes on a short text message echoed
//!   *uncompressed* on a permessage-deflate connection (legal: RFC 7692
//!   compresses per message, and Node's `ws` leaves messages under 1 KiB
//!   alone), reporting `ERROR` with "Strings must be encoded before
//!   hashing" for 13.2, 13.5, 13.6 and 13.7. The failure's paragraph says
//!   so; a server that compresses every message passes them.
//! - The 9.x result texts say "Did not receive message within 100
//!   seconds" for any message not echoed, even one refused at once: the
//!   peer's close code and reason in the paragraph's first line tell.
//!
//! ```no_run
//! use mocket_testkit::autobahn::{self, Cases};
//! let out = std::env::temp_dir().join("autobahn-echo");
//! let report = autobahn::run("ws://127.0.0.1:9001/echo", &Cases::rfc6455(), &out)
//!     .unwrap_or_else(|e| panic!("{e}"));
//! report.assert_passed("the echo route");
//! ```

use std::fs::{self, File};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

mod cases;
mod failure;
mod install;
mod report;

pub use cases::Cases;
pub use failure::Failure;
pub use install::{KOSOKU_VERSION, kosoku};
pub use report::{Behavior, BehaviorClose, CaseResult, Report};

/// Where kosoku writes its report, relative to its working folder (its own
/// default for fuzzingclient mode, passed explicitly).
const REPORT_DIR: &str = "reports/clients";

/// How [`run_with`] runs kosoku.
///
/// ```
/// use std::time::Duration;
/// let options = mocket_testkit::autobahn::Options {
///     deadline: Duration::from_secs(20 * 60),
///     ..Default::default()
/// };
/// assert_eq!(options.parallelism, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// How long kosoku may run before it is killed (and [`run_with`] says
    /// so). kosoku writes its report only at its end, so a killed run has
    /// none. Default: 10 minutes, room for 1.–10. against a debug build
    /// (they take 15–30 s against a fast server); 12. and 13. need 10 to
    /// 20 more.
    pub deadline: Duration,
    /// How many cases kosoku runs at once (its `-p`). Default: 1, as the
    /// timings of 9. mean most one at a time.
    pub parallelism: u32,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            deadline: Duration::from_secs(10 * 60),
            parallelism: 1,
        }
    }
}

/// Runs `cases` against the WebSocket echo server at `url` (already
/// listening) with the default [`Options`]: see [`run_with`].
///
/// ```no_run
/// use mocket_testkit::autobahn::{self, Cases};
/// let out = std::env::temp_dir().join("autobahn-framing");
/// let report = autobahn::run("ws://127.0.0.1:9001/", &Cases::only(&["1.*", "2.*"]), &out)
///     .unwrap_or_else(|e| panic!("{e}"));
/// assert_eq!(report.count(), 27);
/// report.assert_passed("framing and pings");
/// ```
pub fn run(url: &str, cases: &Cases, out_dir: &Path) -> Result<Report, String> {
    run_with(url, cases, out_dir, &Options::default())
}

/// Runs `kosoku -m fuzzingclient URL` with `cases` in `out_dir` (created;
/// its `reports/clients` is emptied first) and reads the report it writes
/// there. Its output goes to `out_dir/kosoku.log`.
///
/// An error, not a report, when kosoku cannot be had ([`kosoku`]), nothing
/// listens at `url`, kosoku outlives [`Options::deadline`] (it is killed),
/// or it ends without a report (its output's end is quoted). Failed cases
/// are no error: they are in the report ([`Report::assert_passed`]).
///
/// ```no_run
/// use std::time::Duration;
/// use mocket_testkit::autobahn::{self, Cases, Options};
/// let options = Options { deadline: Duration::from_secs(30 * 60), parallelism: 2 };
/// let out = std::env::temp_dir().join("autobahn-deflate");
/// let report = autobahn::run_with("ws://127.0.0.1:9001/", &Cases::only(&["12.*", "13.*"]), &out, &options)
///     .unwrap_or_else(|e| panic!("{e}"));
/// report.assert_passed("permessage-deflate");
/// ```
#[allow(
    clippy::print_stderr,
    reason = "a run of minutes says, once, what it runs and where its report goes"
)]
pub fn run_with(
    url: &str,
    cases: &Cases,
    out_dir: &Path,
    options: &Options,
) -> Result<Report, String> {
    cases.check()?;
    check_listening(url)?;
    let kosoku = kosoku()?;

    fs::create_dir_all(out_dir).map_err(|e| cannot("create", out_dir, &e))?;
    let report_dir = out_dir.join(REPORT_DIR);
    if report_dir.exists() {
        fs::remove_dir_all(&report_dir).map_err(|e| cannot("empty", &report_dir, &e))?;
    }
    let log_path = out_dir.join("kosoku.log");
    let log = File::create(&log_path).map_err(|e| cannot("create", &log_path, &e))?;
    let log_err = log
        .try_clone()
        .map_err(|e| cannot("share", &log_path, &e))?;

    let mut cmd = Command::new(&kosoku);
    cmd.args(["-m", "fuzzingclient", "-o", REPORT_DIR, "-p"])
        .arg(options.parallelism.max(1).to_string())
        .args(cases.args())
        .arg(url)
        .current_dir(out_dir)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    eprintln!(
        "autobahn: kosoku against {url}, {cases}, deadline {} s; report in {}",
        options.deadline.as_secs(),
        report_dir.display()
    );
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", kosoku.display()))?;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() >= options.deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "kosoku did not finish within the deadline of {} s against {url} ({cases}), so it was killed; it writes its report only at its end, so there is none. Either the server stopped answering (kosoku has no handshake timeout: a server that accepts a connection and never answers holds it), or the run needs a longer Options::deadline. Its output so far ({}):\n{}",
                    options.deadline.as_secs(),
                    log_path.display(),
                    tail(&fs::read_to_string(&log_path).unwrap_or_default(), 20)
                ));
            }
            Ok(None) => thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(format!("cannot wait for kosoku: {e}")),
        }
    };
    let elapsed = started.elapsed();
    if !report_dir.join("index.json").is_file() {
        let printed = fs::read_to_string(&log_path).unwrap_or_default();
        let last = printed.trim_end().lines().last().unwrap_or("(no output)");
        return Err(format!(
            "kosoku exited with {status} after {:.1} s and wrote no report: {last}\n(an include pattern that matches no case ends it so.) Its output ({}):\n{}",
            elapsed.as_secs_f64(),
            log_path.display(),
            tail(&printed, 20)
        ));
    }
    let mut report = Report::from_dir(&report_dir)?;
    report.elapsed = Some(elapsed);
    Ok(report)
}

/// An error unless something accepts TCP connections at `url`'s host and
/// port (a `ws://` URL; others are left to kosoku), so that a server that
/// is not there is one message, not 300 failed cases.
fn check_listening(url: &str) -> Result<(), String> {
    let Some(rest) = url.strip_prefix("ws://") else {
        return Ok(());
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let with_port = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let addrs: Vec<_> = with_port
        .to_socket_addrs()
        .map_err(|e| format!("{url}: cannot resolve {with_port}: {e}"))?
        .collect();
    let reached = addrs
        .iter()
        .any(|a| TcpStream::connect_timeout(a, Duration::from_secs(5)).is_ok());
    if reached {
        Ok(())
    } else {
        Err(format!(
            "nothing accepts connections at {with_port} ({url}): start the server under test first"
        ))
    }
}

/// The last `lines` lines of `text`.
fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.trim_end().lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn cannot(what: &str, path: &Path, e: &std::io::Error) -> String {
    format!("cannot {what} {}: {e}", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_listening_is_one_message() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = listener.local_addr().expect("its address").port();
        drop(listener);
        let err = check_listening(&format!("ws://127.0.0.1:{port}/echo"))
            .expect_err("nothing listens there");
        assert!(err.contains("nothing accepts connections"), "{err}");
    }

    /// A server that accepts connections and never answers the handshake
    /// holds kosoku (it has no handshake timeout) until the deadline.
    #[test]
    #[ignore = "needs python (installs kosoku)"]
    fn deadline_kills_kosoku() {
        let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let url = format!("ws://{}/", silent.local_addr().expect("its address"));
        let out =
            std::env::temp_dir().join(format!("mocket-autobahn-deadline-{}", std::process::id()));
        let options = Options {
            deadline: Duration::from_secs(3),
            ..Options::default()
        };
        let started = Instant::now();
        let err = run_with(&url, &Cases::only(&["1.1.1"]), &out, &options)
            .expect_err("kosoku cannot finish against a silent server");
        assert!(
            err.contains("did not finish within the deadline of 3 s"),
            "{err}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "killed in time"
        );
        drop(silent);
        let _ = fs::remove_dir_all(&out);
    }

    /// The runner against a server already running at `$MOCKET_AUTOBAHN_URL`
    /// (an echo server: `websockets`, Node's `ws`, or a Mocket route), the
    /// cases in `$MOCKET_AUTOBAHN_CASES` (kosoku's globs, `!` before one to
    /// exclude it; default: 1.–10. without 9.):
    ///
    /// ```text
    /// MOCKET_AUTOBAHN_URL=ws://127.0.0.1:9001/ MOCKET_AUTOBAHN_CASES='1.* 2.* !2.10' \
    ///   cargo test -p mocket-testkit autobahn -- --ignored --nocapture
    /// ```
    #[test]
    #[ignore = "needs python and a reference server"]
    fn against_a_running_server() {
        let url = std::env::var("MOCKET_AUTOBAHN_URL")
            .expect("set MOCKET_AUTOBAHN_URL to the ws:// URL of a running echo server");
        let spec = std::env::var("MOCKET_AUTOBAHN_CASES").unwrap_or_default();
        let (exclude, include): (Vec<&str>, Vec<&str>) =
            spec.split_whitespace().partition(|p| p.starts_with('!'));
        let exclude: Vec<&str> = exclude.iter().map(|p| &p[1..]).collect();
        let cases = if include.is_empty() && exclude.is_empty() {
            Cases::rfc6455().except(&["9.*"])
        } else if include.is_empty() {
            Cases::all_but(&exclude)
        } else {
            Cases::only(&include).except(&exclude)
        };
        let out = std::env::temp_dir().join(format!("mocket-autobahn-{}", std::process::id()));
        let report = run(&url, &cases, &out).unwrap_or_else(|e| panic!("{e}"));
        eprintln!("{report}");
        report.assert_passed(&url);
    }
}
