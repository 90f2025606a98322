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

use std::fmt;
use std::fs::{self, File, TryLockError};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The kosoku release installed and expected.
pub const KOSOKU_VERSION: &str = "0.1.0";

/// The oldest Python kosoku installs on (its `Requires-Python`).
const PYTHON_MIN: (u32, u32) = (3, 10);

/// Where kosoku writes its report, relative to its working folder (its own
/// default for fuzzingclient mode, passed explicitly).
const REPORT_DIR: &str = "reports/clients";

// ---------------------------------------------------------------------------
// Installation

/// A working `kosoku` executable, installed first when missing.
///
/// Found, in order: `$MOCKET_KOSOKU` (a path, used as it is), then
/// `$CARGO_HOME/mocket-tools/kosoku-0.1.0/bin/kosoku` when that venv holds
/// kosoku 0.1.0 (checked without pip). Otherwise it is installed there:
/// `python3 -m venv` into `mocket-tools/.staging/kosoku-0.1.0`, `pip install
/// kosoku==0.1.0` in it, a check that it runs, then a rename into place,
/// all under `mocket-tools/.locks/kosoku-0.1.0.lock` so that two processes
/// never install at once (the second waits, then finds it installed). The
/// answer is kept for the rest of the process.
///
/// Errors (no `python3`, one older than 3.10, no `venv` module, pip unable
/// to reach PyPI) are one message saying what to do.
///
/// ```no_run
/// let kosoku = mocket_testkit::autobahn::kosoku().unwrap_or_else(|e| panic!("{e}"));
/// assert!(kosoku.ends_with("bin/kosoku"));
/// ```
pub fn kosoku() -> Result<PathBuf, String> {
    static FOUND: OnceLock<Mutex<Option<PathBuf>>> = OnceLock::new();
    let found = FOUND.get_or_init(Mutex::default);
    let mut found = found.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(path) = found.as_ref() {
        return Ok(path.clone());
    }
    let path = match std::env::var_os("MOCKET_KOSOKU").filter(|v| !v.is_empty()) {
        Some(given) => {
            let path = PathBuf::from(given);
            if !runs(&path) {
                return Err(format!(
                    "MOCKET_KOSOKU is {}, which does not run `kosoku --help`: unset it to use (and install) kosoku {KOSOKU_VERSION} in Mocket's tools folder",
                    path.display()
                ));
            }
            path
        }
        None => ensure_installed(&tools_folder())?,
    };
    *found = Some(path.clone());
    Ok(path)
}

/// Mocket's tools folder, as `cargo mocket setup` computes it:
/// `$CARGO_HOME/mocket-tools`, `CARGO_HOME` defaulting to `~/.cargo`.
fn tools_folder() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .filter(|v| !v.is_empty())
        .map_or_else(
            || {
                let home = std::env::var_os("HOME")
                    .or_else(|| std::env::var_os("USERPROFILE"))
                    .unwrap_or_default();
                Path::new(&home).join(".cargo")
            },
            PathBuf::from,
        );
    cargo_home.join("mocket-tools")
}

/// `kosoku-0.1.0`: the venv's folder name, and its lock's.
fn slug() -> String {
    format!("kosoku-{KOSOKU_VERSION}")
}

/// The venv's folder of executables.
fn venv_bin(venv: &Path) -> PathBuf {
    if cfg!(windows) {
        venv.join("Scripts")
    } else {
        venv.join("bin")
    }
}

/// The venv's Python.
fn venv_python(venv: &Path) -> PathBuf {
    venv_bin(venv).join(if cfg!(windows) {
        "python.exe"
    } else {
        "python"
    })
}

/// The launcher written into the venv.
fn venv_kosoku(venv: &Path) -> PathBuf {
    venv_bin(venv).join(if cfg!(windows) {
        "kosoku.cmd"
    } else {
        "kosoku"
    })
}

/// Whether `venv` holds a usable kosoku of [`KOSOKU_VERSION`].
fn installed(venv: &Path) -> bool {
    let launcher = venv_kosoku(venv);
    launcher.is_file()
        && output(
            Command::new(venv_python(venv))
                .arg("-c")
                .arg("import importlib.metadata as m; print(m.version('kosoku'))"),
        )
        .is_ok_and(|v| v.trim() == KOSOKU_VERSION)
}

/// Whether `kosoku --help` runs and is kosoku's.
fn runs(kosoku: &Path) -> bool {
    output(Command::new(kosoku).arg("--help")).is_ok_and(|help| help.contains("usage: kosoku"))
}

/// The venv in `folder`, installed first if it is not there.
#[allow(
    clippy::print_stderr,
    reason = "an install of a minute or so says what it does, as `cargo mocket setup` does"
)]
fn ensure_installed(folder: &Path) -> Result<PathBuf, String> {
    let slug = slug();
    let root = folder.join(&slug);
    if installed(&root) {
        return Ok(venv_kosoku(&root));
    }

    let locks = folder.join(".locks");
    fs::create_dir_all(&locks).map_err(|e| cannot("create", &locks, &e))?;
    let lock_path = locks.join(format!("{slug}.lock"));
    let lock = File::create(&lock_path).map_err(|e| cannot("create", &lock_path, &e))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            eprintln!(
                "  Waiting for another process that is installing kosoku {KOSOKU_VERSION} (lock: {})",
                lock_path.display()
            );
            lock.lock().map_err(|e| cannot("lock", &lock_path, &e))?;
        }
        Err(TryLockError::Error(e)) => return Err(cannot("lock", &lock_path, &e)),
    }
    // Whoever held the lock may have installed it meanwhile.
    if installed(&root) {
        return Ok(venv_kosoku(&root));
    }

    let python = python3()?;
    eprintln!(
        "  Installing kosoku {KOSOKU_VERSION} (the Autobahn TestSuite runner) into {} with {python} -m venv and pip; this happens once",
        root.display()
    );
    let staging = folder.join(".staging").join(&slug);
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(|e| cannot("remove", &staging, &e))?;
    }
    if let Some(parent) = staging.parent() {
        fs::create_dir_all(parent).map_err(|e| cannot("create", parent, &e))?;
    }
    output(Command::new(&python).arg("-m").arg("venv").arg(&staging)).map_err(|e| {
        format!(
            "installing kosoku failed: `{python} -m venv {}` did not work (on Debian and Ubuntu: apt-get install python3-venv):\n{e}",
            staging.display()
        )
    })?;
    output(
        Command::new(venv_python(&staging))
            .args(["-m", "pip", "install", "--no-input", "--disable-pip-version-check"])
            .arg(format!("kosoku=={KOSOKU_VERSION}")),
    )
    .map_err(|e| {
        format!(
            "installing kosoku failed: pip install kosoku=={KOSOKU_VERSION} did not work (PyPI must be reachable; a proxy is set with PIP_INDEX_URL):\n{e}"
        )
    })?;
    write_launcher(&staging)?;
    if !installed(&staging) || !runs(&venv_kosoku(&staging)) {
        return Err(format!(
            "installing kosoku failed: pip installed it, but {} does not run `kosoku --help`",
            venv_kosoku(&staging).display()
        ));
    }
    // Nothing usable is there (it would have been found): replace it.
    if root.exists() {
        fs::remove_dir_all(&root).map_err(|e| cannot("remove", &root, &e))?;
    }
    fs::rename(&staging, &root).map_err(|e| cannot("move into place", &staging, &e))?;
    let kosoku = venv_kosoku(&root);
    if !runs(&kosoku) {
        let _ = fs::remove_dir_all(&root);
        return Err(format!(
            "installing kosoku failed: the venv does not run once moved to {}",
            root.display()
        ));
    }
    eprintln!("  Installed {}", kosoku.display());
    Ok(kosoku)
}

/// Replaces pip's `kosoku` script, whose first line names the staging
/// folder's Python, with one that runs the Python beside it, wherever the
/// venv has been moved.
fn write_launcher(venv: &Path) -> Result<(), String> {
    const MAIN: &str = "from kosoku._cli import main; main()";
    let launcher = venv_kosoku(venv);
    let text = if cfg!(windows) {
        format!("@\"%~dp0python.exe\" -c \"{MAIN}\" %*\r\n")
    } else {
        format!(
            "#!/bin/sh\n# kosoku {KOSOKU_VERSION}, installed by mocket-testkit: the venv's own Python, found beside this file.\nexec \"$(dirname \"$0\")/python\" -c '{MAIN}' \"$@\"\n"
        )
    };
    fs::write(&launcher, text).map_err(|e| cannot("write", &launcher, &e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&launcher, fs::Permissions::from_mode(0o755))
            .map_err(|e| cannot("make executable", &launcher, &e))?;
    }
    Ok(())
}

/// The `python3` to create the venv with, checked to be 3.10 or later.
fn python3() -> Result<String, String> {
    let python = if cfg!(windows) { "python" } else { "python3" }.to_owned();
    let said = output(Command::new(&python).arg("--version")).map_err(|e| {
        format!(
            "kosoku (the Autobahn TestSuite runner) is installed with Python {}.{} or later, and `{python} --version` did not work: install Python 3 (apt-get install python3 python3-venv), or set MOCKET_KOSOKU to a kosoku executable\n{e}",
            PYTHON_MIN.0, PYTHON_MIN.1
        )
    })?;
    let version = said.trim().trim_start_matches("Python ").to_owned();
    let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if found < PYTHON_MIN {
        return Err(format!(
            "kosoku needs Python {}.{} or later, and `{python}` is {version}: install a newer Python 3, or set MOCKET_KOSOKU to a kosoku executable",
            PYTHON_MIN.0, PYTHON_MIN.1
        ));
    }
    Ok(python)
}

/// Runs `cmd` to its end: its stdout (and stderr, which `python --version`
/// of old Pythons writes to), or an error that quotes its output's end.
fn output(cmd: &mut Command) -> Result<String, String> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        Ok(format!("{stdout}{stderr}"))
    } else {
        Err(format!(
            "{shown} exited with {}:\n{}",
            out.status,
            tail(&format!("{stdout}{stderr}"), 30)
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

// ---------------------------------------------------------------------------
// Choosing cases

/// Which cases to run: kosoku's `-i` (include) and `-x` (exclude) options,
/// each a case id (`7.1.5`) or a `*` glob (`9.*`, `12.2.*`).
///
/// An include pattern that matches no case is an error of kosoku's (`no
/// cases match pattern`); an exclude pattern that matches none is fine.
/// kosoku 0.1.0 takes no spec file (`--spec` says "not implemented yet"),
/// so `fuzzingclient.json`'s `cases` and `exclude-cases` are these.
///
/// ```
/// use mocket_testkit::autobahn::Cases;
/// let cases = Cases::only(&["1.*", "2.*"]).except(&["2.10"]);
/// assert_eq!(cases.args(), ["-i", "1.*", "-i", "2.*", "-x", "2.10"]);
/// assert_eq!(Cases::all_but(&["12.*", "13.*"]), Cases::rfc6455());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cases {
    /// `None`: the whole suite.
    include: Option<Vec<String>>,
    exclude: Vec<String>,
}

impl Cases {
    /// Every case: 1.–10. and the permessage-deflate ones, 12. and 13. (517
    /// in kosoku 0.1.0).
    ///
    /// ```
    /// assert!(mocket_testkit::autobahn::Cases::all().args().is_empty());
    /// ```
    pub fn all() -> Cases {
        Cases::default()
    }

    /// RFC 6455 without compression: every case but 12. and 13. (301).
    ///
    /// ```
    /// let cases = mocket_testkit::autobahn::Cases::rfc6455();
    /// assert_eq!(cases.args(), ["-x", "12.*", "-x", "13.*"]);
    /// ```
    pub fn rfc6455() -> Cases {
        Cases::all_but(&["12.*", "13.*"])
    }

    /// Only the cases `patterns` match. At least one pattern is needed:
    /// [`run`] refuses an empty list rather than run the whole suite.
    ///
    /// ```
    /// let cases = mocket_testkit::autobahn::Cases::only(&["1.*", "7.1.5"]);
    /// assert_eq!(cases.args(), ["-i", "1.*", "-i", "7.1.5"]);
    /// ```
    pub fn only(patterns: &[&str]) -> Cases {
        Cases {
            include: Some(patterns.iter().map(|p| (*p).to_owned()).collect()),
            exclude: Vec::new(),
        }
    }

    /// Every case but those `patterns` match.
    ///
    /// ```
    /// let cases = mocket_testkit::autobahn::Cases::all_but(&["9.*"]);
    /// assert_eq!(cases.args(), ["-x", "9.*"]);
    /// ```
    pub fn all_but(patterns: &[&str]) -> Cases {
        Cases::all().except(patterns)
    }

    /// These cases less those `patterns` match.
    ///
    /// ```
    /// let cases = mocket_testkit::autobahn::Cases::rfc6455().except(&["9.*"]);
    /// assert_eq!(cases.args(), ["-x", "12.*", "-x", "13.*", "-x", "9.*"]);
    /// ```
    pub fn except(mut self, patterns: &[&str]) -> Cases {
        self.exclude
            .extend(patterns.iter().map(|p| (*p).to_owned()));
        self
    }

    /// kosoku's arguments for this selection.
    ///
    /// ```
    /// let cases = mocket_testkit::autobahn::Cases::only(&["5.*"]);
    /// assert_eq!(cases.args(), ["-i", "5.*"]);
    /// ```
    pub fn args(&self) -> Vec<String> {
        let include = self.include.iter().flatten().map(|p| ("-i", p));
        let exclude = self.exclude.iter().map(|p| ("-x", p));
        include
            .chain(exclude)
            .flat_map(|(flag, p)| [flag.to_owned(), p.clone()])
            .collect()
    }

    /// Why kosoku would not take this selection, if it would not.
    fn check(&self) -> Result<(), String> {
        if self.include.as_ref().is_some_and(Vec::is_empty) {
            return Err(
                "Cases::only was given no pattern: say which cases, or use Cases::all".into(),
            );
        }
        let all = self.include.iter().flatten().chain(&self.exclude);
        match all
            .into_iter()
            .find(|p| p.trim().is_empty() || p.starts_with('-'))
        {
            Some(p) => Err(format!("{p:?} is no case id or glob (like 7.1.5 or 9.*)")),
            None => Ok(()),
        }
    }
}

impl fmt::Display for Cases {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.include {
            None => f.write_str("all cases")?,
            Some(p) => write!(f, "cases {}", p.join(" "))?,
        }
        if !self.exclude.is_empty() {
            write!(f, " but {}", self.exclude.join(" "))?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Running

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

// ---------------------------------------------------------------------------
// The report

/// A case's verdict on the messages exchanged (`behavior`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Behavior {
    /// `OK`: exactly as the case requires.
    Ok,
    /// `NON-STRICT`: acceptable, but a SHOULD was not followed.
    NonStrict,
    /// `INFORMATIONAL`: behavior the RFC leaves open, recorded.
    Informational,
    /// `UNIMPLEMENTED`: the feature (permessage-deflate) was not offered.
    Unimplemented,
    /// `FAILED`: a MUST was broken (or the echo never came).
    Failed,
    /// `ERROR`: kosoku could not run the case (connection refused, reset).
    Error,
    /// Any other label.
    Other(String),
}

impl Behavior {
    /// From the report's label.
    ///
    /// ```
    /// use mocket_testkit::autobahn::Behavior;
    /// assert_eq!(Behavior::parse("NON-STRICT"), Behavior::NonStrict);
    /// assert_eq!(Behavior::parse("NON-STRICT").label(), "NON-STRICT");
    /// ```
    pub fn parse(label: &str) -> Behavior {
        match label {
            "OK" => Behavior::Ok,
            "NON-STRICT" => Behavior::NonStrict,
            "INFORMATIONAL" => Behavior::Informational,
            "UNIMPLEMENTED" => Behavior::Unimplemented,
            "FAILED" => Behavior::Failed,
            "ERROR" => Behavior::Error,
            other => Behavior::Other(other.to_owned()),
        }
    }

    /// The report's label.
    ///
    /// ```
    /// assert_eq!(mocket_testkit::autobahn::Behavior::Failed.label(), "FAILED");
    /// ```
    pub fn label(&self) -> &str {
        match self {
            Behavior::Ok => "OK",
            Behavior::NonStrict => "NON-STRICT",
            Behavior::Informational => "INFORMATIONAL",
            Behavior::Unimplemented => "UNIMPLEMENTED",
            Behavior::Failed => "FAILED",
            Behavior::Error => "ERROR",
            Behavior::Other(label) => label,
        }
    }

    /// `OK`, `NON-STRICT` or `INFORMATIONAL`.
    ///
    /// ```
    /// use mocket_testkit::autobahn::Behavior;
    /// assert!(Behavior::NonStrict.acceptable());
    /// assert!(!Behavior::Unimplemented.acceptable());
    /// ```
    pub fn acceptable(&self) -> bool {
        matches!(
            self,
            Behavior::Ok | Behavior::NonStrict | Behavior::Informational
        )
    }
}

impl fmt::Display for Behavior {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A case's verdict on the closing handshake (`behaviorClose`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BehaviorClose {
    /// `OK`: closed as required.
    Ok,
    /// `INFORMATIONAL`: left open by the RFC, recorded.
    Informational,
    /// `WRONG CODE`: the peer's close code is not one the case accepts.
    WrongCode,
    /// `UNCLEAN`: no clean close where the RFC requires one.
    Unclean,
    /// `FAILED BY CLIENT`: kosoku had to drop the TCP connection, which
    /// the server should have.
    FailedByClient,
    /// `FAILED`: the wrong endpoint closed, or the handshake never
    /// completed.
    Failed,
    /// Any other label.
    Other(String),
}

impl BehaviorClose {
    /// From the report's label.
    ///
    /// ```
    /// use mocket_testkit::autobahn::BehaviorClose;
    /// assert_eq!(BehaviorClose::parse("WRONG CODE"), BehaviorClose::WrongCode);
    /// ```
    pub fn parse(label: &str) -> BehaviorClose {
        match label {
            "OK" => BehaviorClose::Ok,
            "INFORMATIONAL" => BehaviorClose::Informational,
            "WRONG CODE" => BehaviorClose::WrongCode,
            "UNCLEAN" => BehaviorClose::Unclean,
            "FAILED BY CLIENT" => BehaviorClose::FailedByClient,
            "FAILED" => BehaviorClose::Failed,
            other => BehaviorClose::Other(other.to_owned()),
        }
    }

    /// The report's label.
    ///
    /// ```
    /// use mocket_testkit::autobahn::BehaviorClose;
    /// assert_eq!(BehaviorClose::FailedByClient.label(), "FAILED BY CLIENT");
    /// ```
    pub fn label(&self) -> &str {
        match self {
            BehaviorClose::Ok => "OK",
            BehaviorClose::Informational => "INFORMATIONAL",
            BehaviorClose::WrongCode => "WRONG CODE",
            BehaviorClose::Unclean => "UNCLEAN",
            BehaviorClose::FailedByClient => "FAILED BY CLIENT",
            BehaviorClose::Failed => "FAILED",
            BehaviorClose::Other(label) => label,
        }
    }

    /// `OK` or `INFORMATIONAL`.
    ///
    /// ```
    /// use mocket_testkit::autobahn::BehaviorClose;
    /// assert!(BehaviorClose::Informational.acceptable());
    /// assert!(!BehaviorClose::WrongCode.acceptable());
    /// ```
    pub fn acceptable(&self) -> bool {
        matches!(self, BehaviorClose::Ok | BehaviorClose::Informational)
    }
}

impl fmt::Display for BehaviorClose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One case's line of `index.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    /// The case id, `7.1.5`.
    pub id: String,
    /// The verdict on the messages.
    pub behavior: Behavior,
    /// The verdict on the closing handshake.
    pub behavior_close: BehaviorClose,
    /// How long the case ran.
    pub duration: Duration,
    /// The close code the server sent, if it sent one.
    pub remote_close_code: Option<u16>,
    /// The case's own JSON report (description, events, wire log); the
    /// HTML one is beside it.
    pub report_file: PathBuf,
}

impl CaseResult {
    /// Both verdicts acceptable: the case passed.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mocket_testkit::autobahn::{Behavior, BehaviorClose, CaseResult};
    /// let case = CaseResult {
    ///     id: "7.1.5".into(),
    ///     behavior: Behavior::Ok,
    ///     behavior_close: BehaviorClose::WrongCode,
    ///     duration: Duration::from_millis(6),
    ///     remote_close_code: Some(1002),
    ///     report_file: "x.json".into(),
    /// };
    /// assert!(!case.passed());
    /// ```
    pub fn passed(&self) -> bool {
        self.behavior.acceptable() && self.behavior_close.acceptable()
    }
}

/// A failed case with the words of its own report: why it failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The case's line of the index.
    pub case: CaseResult,
    /// What kosoku sent (the case's `description`).
    pub description: String,
    /// What a conforming server does (`expectation`).
    pub expectation: String,
    /// The verdict on the messages, in words (`result`).
    pub result: String,
    /// The verdict on the closing handshake, in words (`resultClose`).
    pub result_close: String,
    /// The close reason the server sent, if any.
    pub remote_close_reason: Option<String>,
    /// Why the close was not clean, if kosoku says.
    pub not_clean_reason: Option<String>,
    /// The events expected, by verdict, as compact JSON (cut at 300
    /// characters).
    pub expected: String,
    /// The events received, likewise.
    pub received: String,
}

impl Failure {
    /// Reads `case`'s own report for the words; a report that cannot be
    /// read leaves them saying so.
    fn read(case: &CaseResult) -> Failure {
        let parsed = fs::read_to_string(&case.report_file)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()));
        let (json, unreadable) = match parsed {
            Ok(json) => (json, None),
            Err(e) => (
                Value::Null,
                Some(format!(
                    "(its report {} cannot be read: {e})",
                    case.report_file.display()
                )),
            ),
        };
        let text = |key: &str| {
            json.get(key)
                .and_then(Value::as_str)
                .map(clean)
                .unwrap_or_default()
        };
        let optional = |key: &str| json.get(key).and_then(Value::as_str).map(clean);
        let events = |key: &str| {
            json.get(key)
                .map(|v| cut(&v.to_string(), 300))
                .unwrap_or_default()
        };
        Failure {
            case: case.clone(),
            description: unreadable.unwrap_or_else(|| text("description")),
            expectation: text("expectation"),
            result: text("result"),
            result_close: text("resultClose"),
            remote_close_reason: optional("remoteCloseReason").filter(|r| !r.is_empty()),
            not_clean_reason: optional("wasNotCleanReason"),
            expected: events("expected"),
            received: events("received"),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let case = &self.case;
        write!(
            f,
            "{}: {}, close {}",
            case.id, case.behavior, case.behavior_close
        )?;
        match (case.remote_close_code, &self.remote_close_reason) {
            (Some(code), Some(reason)) => write!(f, " (peer sent {code} {reason:?})")?,
            (Some(code), None) => write!(f, " (peer sent {code})")?,
            (None, _) => f.write_str(" (peer sent no close code)")?,
        }
        writeln!(f, ", {} ms", case.duration.as_millis())?;
        let indent = "\n              ";
        let field = |f: &mut fmt::Formatter<'_>, name: &str, value: &str| {
            if value.is_empty() {
                return Ok(());
            }
            writeln!(f, "    {name:<9} {}", value.replace('\n', indent))
        };
        field(f, "case:", &self.description)?;
        field(f, "expected:", &self.expectation)?;
        field(f, "outcome:", &self.result)?;
        field(f, "closing:", &self.result_close)?;
        if let Some(why) = &self.not_clean_reason {
            field(f, "unclean:", why)?;
        }
        let nothing = |events: &str| matches!(events, "" | "{}" | "[]");
        if !nothing(&self.expected) || !nothing(&self.received) {
            field(
                f,
                "events:",
                &format!("expected {}, received {}", self.expected, self.received),
            )?;
        }
        if self.case.behavior == Behavior::Error
            && self.result.contains("must be encoded before hashing")
        {
            field(
                f,
                "note:",
                "a crash of kosoku 0.1.0 on a text message echoed uncompressed with permessage-deflate, which RFC 7692 allows: compress every message to pass, or leave the case out",
            )?;
        }
        write!(
            f,
            "    report:   {}",
            case.report_file.with_extension("html").display()
        )
    }
}

/// The report of one kosoku run: every case's verdicts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The server's name, from its `Server` header (or `HOST:PORT` without
    /// one): the key of `index.json`.
    pub agent: String,
    /// The report's folder (`index.json`, `index.html`, a file per case).
    pub dir: PathBuf,
    /// Every case, in case order (1.1.1, 1.1.2, … 1.2.1, … 10.1.1, …).
    pub cases: Vec<CaseResult>,
    /// How long kosoku ran (`None` for a report read with
    /// [`Report::from_dir`]).
    pub elapsed: Option<Duration>,
}

impl Report {
    /// Reads the report kosoku wrote into `dir` (`…/reports/clients`).
    ///
    /// `index.json` is `{AGENT: {CASE_ID: {"behavior", "behaviorClose",
    /// "duration" (ms), "remoteCloseCode", "reportfile"}}}`, one agent per
    /// fuzzingclient run; `reportfile` names the case's JSON report in the
    /// same folder.
    ///
    /// ```no_run
    /// let report = mocket_testkit::autobahn::Report::from_dir("/tmp/ab/reports/clients".as_ref())
    ///     .unwrap_or_else(|e| panic!("{e}"));
    /// eprintln!("{}", report.summary());
    /// ```
    pub fn from_dir(dir: &Path) -> Result<Report, String> {
        let index_path = dir.join("index.json");
        let text = fs::read_to_string(&index_path).map_err(|e| cannot("read", &index_path, &e))?;
        let index: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is no JSON: {e}", index_path.display()))?;
        let agents = index
            .as_object()
            .ok_or_else(|| format!("{} is not an object of agents", index_path.display()))?;
        let mut cases = Vec::new();
        for (agent, agent_cases) in agents {
            let agent_cases = agent_cases.as_object().ok_or_else(|| {
                format!(
                    "{}: agent {agent:?} holds no object of cases",
                    index_path.display()
                )
            })?;
            for (id, entry) in agent_cases {
                let label = |key: &str| {
                    entry.get(key).and_then(Value::as_str).ok_or_else(|| {
                        format!("{}: case {id} has no {key:?}", index_path.display())
                    })
                };
                cases.push(CaseResult {
                    id: id.clone(),
                    behavior: Behavior::parse(label("behavior")?),
                    behavior_close: BehaviorClose::parse(label("behaviorClose")?),
                    duration: Duration::from_millis(
                        entry.get("duration").and_then(Value::as_u64).unwrap_or(0),
                    ),
                    remote_close_code: entry
                        .get("remoteCloseCode")
                        .and_then(Value::as_u64)
                        .and_then(|c| u16::try_from(c).ok()),
                    report_file: dir.join(label("reportfile")?),
                });
            }
        }
        cases.sort_by_key(|c| case_order(&c.id));
        Ok(Report {
            agent: agents.keys().cloned().collect::<Vec<_>>().join(", "),
            dir: dir.to_path_buf(),
            cases,
            elapsed: None,
        })
    }

    /// How many cases ran.
    ///
    /// ```no_run
    /// # let report = mocket_testkit::autobahn::Report::from_dir("r".as_ref()).unwrap_or_else(|e| panic!("{e}"));
    /// assert_eq!(report.count(), 301);
    /// ```
    pub fn count(&self) -> usize {
        self.cases.len()
    }

    /// The case `id`, if it ran.
    ///
    /// ```no_run
    /// # let report = mocket_testkit::autobahn::Report::from_dir("r".as_ref()).unwrap_or_else(|e| panic!("{e}"));
    /// assert!(report.case("7.1.5").is_some_and(|c| c.passed()));
    /// ```
    pub fn case(&self, id: &str) -> Option<&CaseResult> {
        self.cases.iter().find(|c| c.id == id)
    }

    /// Every case that did not pass (a behavior other than `OK`,
    /// `NON-STRICT` or `INFORMATIONAL`, or a closing behavior other than
    /// `OK` or `INFORMATIONAL`), with the words of its own report.
    ///
    /// ```no_run
    /// # let report = mocket_testkit::autobahn::Report::from_dir("r".as_ref()).unwrap_or_else(|e| panic!("{e}"));
    /// for failure in report.failures() {
    ///     eprintln!("{failure}");
    /// }
    /// ```
    pub fn failures(&self) -> Vec<Failure> {
        self.cases
            .iter()
            .filter(|c| !c.passed())
            .map(Failure::read)
            .collect()
    }

    /// A headline, then a line per behavior and per unacceptable closing
    /// behavior, with the ids of the cases that are not plain `OK`:
    ///
    /// ```text
    /// Python/3.11 websockets/17.4: 247 cases, 246 passed, 1 failed (12.8 s)
    ///   OK: 232
    ///   NON-STRICT: 11 (3.2 3.3 3.4 4.1.3 …)
    ///   INFORMATIONAL: 3 (7.1.6 7.13.1 7.13.2)
    ///   FAILED: 1 (7.1.5)
    ///   close WRONG CODE: 1 (7.1.5)
    /// ```
    ///
    /// ```no_run
    /// # let report = mocket_testkit::autobahn::Report::from_dir("r".as_ref()).unwrap_or_else(|e| panic!("{e}"));
    /// assert!(report.summary().lines().nth(1).is_some_and(|l| l.starts_with("  OK: ")));
    /// ```
    pub fn summary(&self) -> String {
        let failed = self.cases.iter().filter(|c| !c.passed()).count();
        let mut out = format!(
            "{}: {} cases, {} passed, {failed} failed",
            self.agent,
            self.count(),
            self.count() - failed
        );
        if let Some(elapsed) = self.elapsed {
            out.push_str(&format!(" ({:.1} s)", elapsed.as_secs_f64()));
        }
        let mut behaviors: Vec<(&Behavior, Vec<&str>)> = Vec::new();
        for case in &self.cases {
            match behaviors.iter_mut().find(|(b, _)| **b == case.behavior) {
                Some((_, ids)) => ids.push(&case.id),
                None => behaviors.push((&case.behavior, vec![&case.id])),
            }
        }
        behaviors.sort_by_key(|(b, _)| *b);
        let mut closes: Vec<(&BehaviorClose, Vec<&str>)> = Vec::new();
        for case in self.cases.iter().filter(|c| !c.behavior_close.acceptable()) {
            match closes.iter_mut().find(|(b, _)| **b == case.behavior_close) {
                Some((_, ids)) => ids.push(&case.id),
                None => closes.push((&case.behavior_close, vec![&case.id])),
            }
        }
        closes.sort_by_key(|(b, _)| *b);
        for (behavior, ids) in behaviors {
            out.push_str(&format!("\n  {behavior}: {}", ids.len()));
            if *behavior != Behavior::Ok {
                out.push_str(&format!(" ({})", id_list(&ids)));
            }
        }
        for (close, ids) in closes {
            out.push_str(&format!(
                "\n  close {close}: {} ({})",
                ids.len(),
                id_list(&ids)
            ));
        }
        out
    }

    /// Panics unless every case passed (and at least one ran), with the
    /// summary and every failure's paragraph ([`Failure`]), `what` naming
    /// what was tested.
    ///
    /// ```no_run
    /// use mocket_testkit::autobahn::{self, Cases};
    /// let out = std::env::temp_dir().join("autobahn-utf8");
    /// autobahn::run("ws://127.0.0.1:9001/", &Cases::only(&["6.*"]), &out)
    ///     .unwrap_or_else(|e| panic!("{e}"))
    ///     .assert_passed("UTF-8 handling of the native backend");
    /// ```
    #[track_caller]
    pub fn assert_passed(&self, what: &str) {
        if self.cases.is_empty() {
            panic!(
                "{what}: kosoku ran no Autobahn case (report: {})",
                self.dir.display()
            );
        }
        let failures = self.failures();
        if failures.is_empty() {
            return;
        }
        let paragraphs: Vec<String> = failures.iter().map(ToString::to_string).collect();
        panic!(
            "{what}: {} of {} Autobahn cases failed (all of them: {}):\n\n{}\n\n{}",
            failures.len(),
            self.count(),
            self.dir.join("index.html").display(),
            paragraphs.join("\n\n"),
            self.summary()
        );
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

/// `7.13.2` as numbers, so that 1.2.10 sorts after 1.2.9.
fn case_order(id: &str) -> Vec<u32> {
    id.split('.')
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect()
}

/// At most 12 ids, then how many more.
fn id_list(ids: &[&str]) -> String {
    const SHOWN: usize = 12;
    let mut out = ids[..ids.len().min(SHOWN)].join(" ");
    if ids.len() > SHOWN {
        out.push_str(&format!(" … and {} more", ids.len() - SHOWN));
    }
    out
}

/// Autobahn's texts are HTML fragments: `<br>` becomes a line break, `<b>`
/// goes.
fn clean(text: &str) -> String {
    text.replace("<br>", "\n")
        .replace("<b>", "")
        .replace("</b>", "")
        .trim()
        .to_owned()
}

/// `text` cut to `max` characters, marked when cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{} …", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report folder as kosoku writes it, with two cases (one failed).
    fn fixture(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("mocket-autobahn-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("a temporary folder");
        let index = r#"{
           "Echo/1.0": {
              "1.2.10": {"behavior": "OK", "behaviorClose": "OK", "duration": 3,
                         "remoteCloseCode": 1000, "reportfile": "echo_1_0_case_1_2_10.json"},
              "1.2.9": {"behavior": "NON-STRICT", "behaviorClose": "OK", "duration": 1,
                        "remoteCloseCode": 1000, "reportfile": "echo_1_0_case_1_2_9.json"},
              "7.1.5": {"behavior": "FAILED", "behaviorClose": "WRONG CODE", "duration": 6,
                        "remoteCloseCode": 1002, "reportfile": "echo_1_0_case_7_1_5.json"}
           }
        }"#;
        fs::write(dir.join("index.json"), index).expect("index.json written");
        let case = r#"{
           "description": "Send message fragment1 followed by close then fragment",
           "expectation": "Clean close with <b>normal</b> code.",
           "result": "The close code should have been 1000 or empty",
           "resultClose": "The close code should have been 1000 or empty",
           "remoteCloseReason": "incomplete fragmented message",
           "wasNotCleanReason": null,
           "expected": {"OK": []},
           "received": []
        }"#;
        fs::write(dir.join("echo_1_0_case_7_1_5.json"), case).expect("case report written");
        dir
    }

    #[test]
    fn reads_index_in_case_order() {
        let dir = fixture("order");
        let report = Report::from_dir(&dir).expect("the fixture parses");
        assert_eq!(report.agent, "Echo/1.0");
        let ids: Vec<&str> = report.cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["1.2.9", "1.2.10", "7.1.5"]);
        let failed = report.case("7.1.5").expect("7.1.5 is there");
        assert_eq!(failed.behavior_close, BehaviorClose::WrongCode);
        assert_eq!(failed.remote_close_code, Some(1002));
        assert_eq!(failed.duration, Duration::from_millis(6));
        assert_eq!(report.count(), 3);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn failures_carry_the_case_words() {
        let dir = fixture("failures");
        let report = Report::from_dir(&dir).expect("the fixture parses");
        let failures = report.failures();
        assert_eq!(failures.len(), 1);
        let text = failures[0].to_string();
        assert!(text.starts_with("7.1.5: FAILED, close WRONG CODE (peer sent 1002 \"incomplete fragmented message\"), 6 ms"), "{text}");
        assert!(
            text.contains("expected: Clean close with normal code."),
            "{text}"
        );
        assert!(
            text.contains("events:   expected {\"OK\":[]}, received []"),
            "{text}"
        );
        let summary = report.summary();
        assert_eq!(
            summary,
            "Echo/1.0: 3 cases, 2 passed, 1 failed\n  OK: 1\n  NON-STRICT: 1 (1.2.9)\n  FAILED: 1 (7.1.5)\n  close WRONG CODE: 1 (7.1.5)"
        );
        let panic = std::panic::catch_unwind(|| report.assert_passed("the fixture"))
            .expect_err("a failed case panics");
        let message = panic
            .downcast_ref::<String>()
            .expect("the panic carries a String");
        assert!(
            message.starts_with("the fixture: 1 of 3 Autobahn cases failed"),
            "{message}"
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn unreadable_case_report_says_so() {
        let dir = fixture("unreadable");
        fs::remove_file(dir.join("echo_1_0_case_7_1_5.json")).expect("removed");
        let report = Report::from_dir(&dir).expect("the fixture parses");
        let failure = &report.failures()[0];
        assert!(failure.description.contains("cannot be read"), "{failure}");
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn selections() {
        assert!(Cases::only(&[]).check().is_err());
        assert!(Cases::only(&["-p"]).check().is_err());
        assert!(Cases::rfc6455().except(&["9.*"]).check().is_ok());
        assert_eq!(
            Cases::only(&["1.*"]).except(&["1.1.8"]).to_string(),
            "cases 1.* but 1.1.8"
        );
    }

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
