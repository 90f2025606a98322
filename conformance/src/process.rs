//! Starting the conformance app as a real process, running the suite
//! against it, and stopping it with SIGTERM (or, where the platform cannot
//! shut down gracefully on SIGTERM, as [`Stop`] says).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use mocket_testkit::process::{LISTENING, Process};

use crate::case::Backend;
use crate::run::{Report, run_all};

/// How long the server may take to print its `Listening on http://…` line.
pub const START_DEADLINE: Duration = Duration::from_secs(60);

/// How long the server may take to exit after SIGTERM (its shutdown grace
/// period is 10 s by default).
pub const STOP_DEADLINE: Duration = Duration::from_secs(30);

/// The concern of the checks on the server process itself.
pub(crate) const PROCESS: &str = "process";

/// The name of the shutdown check every backend must pass unless it says why
/// it cannot.
pub(crate) const SIGTERM_CHECK: &str = "SIGTERM stops the server with exit status 0";

/// How the server is stopped once the cases have run, and what is expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// SIGTERM, and exit status 0 (a graceful shutdown). Every backend that
    /// can does this.
    Term,
    /// The host shuts down gracefully on SIGINT (Ctrl-C) only: the SIGTERM
    /// check is skipped with this reason, and SIGINT must give exit status
    /// 0 instead.
    Interrupt(&'static str),
    /// The platform has no graceful shutdown: the SIGTERM check is skipped
    /// with this reason, and SIGTERM must still end the process (with any
    /// status).
    Unsupported(&'static str),
}

/// Starts `command` with `PORT=0` (in `conformance/app`, unless it has a
/// directory of its own, after pinning the static-files fixture's times),
/// waits for its `Listening on http://ADDR` line, runs every case against ADDR, then sends SIGTERM and expects exit
/// status 0. Everything that goes wrong ends up in the report.
pub fn run_against(backend: Backend, command: Command) -> Report {
    run_against_with(backend, command, Stop::Term)
}

/// [`run_against`], stopping the server as `stop` says.
pub fn run_against_with(backend: Backend, mut command: Command, stop: Stop) -> Report {
    let mut report = Report::new(backend);
    // The app serves `public/` from its own folder.
    if command.get_current_dir().is_none() {
        command.current_dir(workspace_root().join("conformance").join("app"));
    }
    command
        .env("PORT", "0")
        // The suite panics handlers on purpose: one line each in the log.
        .env("RUST_BACKTRACE", "0");
    let shown = format!("{command:?}");
    // The static-files cases state each file's ETag, made of its time.
    if let Err(e) = crate::fixture::pin_fixture_times() {
        report.fail(
            PROCESS,
            "the static-files fixture is ready",
            format!("  cannot set the fixture's modification times: {e}"),
        );
    }
    let mut server = match Process::try_spawn(&mut command) {
        Ok(s) => s,
        Err(e) => {
            report.fail(
                PROCESS,
                "the server starts",
                format!("  cannot run {shown}: {e}"),
            );
            return report;
        }
    };
    match server.try_wait_for_addr(LISTENING, START_DEADLINE) {
        Ok(addr) if addr.port() == 0 => report.fail(
            PROCESS,
            "the server prints `Listening on http://ADDR` with the real port",
            format!("  with PORT=0 it printed port 0 ({addr}), not the port it bound"),
        ),
        Ok(addr) => {
            report.pass(
                PROCESS,
                "the server prints `Listening on http://ADDR` with the real port",
            );
            let cases = run_all(addr, backend);
            report.results.extend(cases.results);
            stop_server(&mut server, addr, stop, &mut report);
        }
        Err(e) => report.fail(
            PROCESS,
            "the server prints `Listening on http://ADDR` with the real port",
            format!("  {e}\n  command: {shown}"),
        ),
    }
    report.server_log = server.output();
    report
}

/// Stops the server as `stop` says and records the checks: a backend that
/// stops on SIGTERM is stopped under load ([`crate::shutdown`]).
fn stop_server(server: &mut Process, addr: SocketAddr, stop: Stop, report: &mut Report) {
    let (signal, check, graceful) = match stop {
        Stop::Term => return crate::shutdown::check(addr, server, report),
        Stop::Interrupt(reason) => {
            report.skip(
                crate::shutdown::CONCERN,
                crate::shutdown::UNDER_LOAD,
                reason,
            );
            report.skip(PROCESS, SIGTERM_CHECK, reason);
            ("INT", "SIGINT stops the server with exit status 0", true)
        }
        Stop::Unsupported(reason) => {
            report.skip(
                crate::shutdown::CONCERN,
                crate::shutdown::UNDER_LOAD,
                reason,
            );
            report.skip(PROCESS, SIGTERM_CHECK, reason);
            ("TERM", "SIGTERM ends the server", false)
        }
    };
    let stopped = server
        .try_signal(signal)
        .and_then(|()| server.try_wait_exit(STOP_DEADLINE));
    match stopped {
        Ok(status) if status.success() || !graceful => report.pass(PROCESS, check),
        Ok(status) => report.fail(PROCESS, check, format!("  it exited with {status}")),
        Err(e) => report.fail(PROCESS, check, format!("  {e}")),
    }
}

/// The workspace's root directory.
pub fn workspace_root() -> PathBuf {
    mocket_testkit::workspace::root()
}

/// The target directory the tests were built in (so nested builds reuse it).
pub fn target_dir() -> PathBuf {
    mocket_testkit::workspace::target_dir()
}

/// Runs `cargo <args>` in `dir` with the cargo that runs the tests;
/// on failure, the error carries cargo's output.
pub fn cargo(args: &[&str], dir: &Path) -> Result<(), String> {
    mocket_testkit::workspace::run_cargo(args, dir).map(drop)
}
