//! `cargo mocket run --backend wasi-sockets`: wasmtime as a child that
//! stops gracefully on SIGINT and SIGTERM.
//!
//! WASI 0.2 gives a component no signals (`wasmtime run` dies at once on
//! SIGTERM), so the server stops when its stdin closes
//! (`backends/wasi/src/stop.rs`, opted in with [`STOP_ON_STDIN_CLOSE`]).
//! Here wasmtime runs in a process group of its own, so that a Ctrl-C in
//! the terminal reaches only us, with its stdin a pipe that the first
//! signal closes; a second signal kills it. If we die, the pipe closes
//! and the server still drains and exits.

use std::process::{Command, ExitCode, Stdio};

use crate::{Failure, tools};

/// Makes the server stop when its stdin closes; the same name as in
/// `backends/wasi/src/stop.rs`.
pub(crate) const STOP_ON_STDIN_CLOSE: &str = "MOCKET_STOP_ON_STDIN_CLOSE";

/// Runs `cmd` (a `wasmtime run` of a server) to its end and exits as it
/// did.
#[cfg(unix)]
pub(crate) fn run_stoppable(mut cmd: Command) -> Result<ExitCode, Failure> {
    use std::os::unix::process::CommandExt;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use signal_hook::consts::{SIGINT, SIGTERM};
    use signal_hook::iterator::Signals;

    // Installed before the child exists: a signal in between still counts.
    let mut signals = Signals::new([SIGINT, SIGTERM])
        .map_err(|e| Failure::failed(format!("cannot handle SIGINT and SIGTERM: {e}")))?;
    let received = Arc::new(AtomicUsize::new(0));
    let counter = received.clone();
    std::thread::spawn(move || {
        for _ in signals.forever() {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    let program = cmd.get_program().to_owned();
    let mut child = cmd
        .stdin(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(|e| tools::spawn_failed(&program, &e))?;
    let mut stdin = child.stdin.take();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) => {}
            Err(e) => return Err(Failure::failed(format!("wasmtime did not finish: {e}"))),
        }
        match received.load(Ordering::SeqCst) {
            0 => {}
            // Closing its stdin is the component's SIGTERM.
            1 => drop(stdin.take()),
            _ => {
                let _ = child.kill();
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ok(ExitCode::from(
        status.code().unwrap_or(1).clamp(0, 255) as u8
    ))
}

/// Elsewhere: no signals to turn into a stop; wasmtime runs as it is.
#[cfg(not(unix))]
pub(crate) fn run_stoppable(cmd: Command) -> Result<ExitCode, Failure> {
    tools::exec(cmd)
}
