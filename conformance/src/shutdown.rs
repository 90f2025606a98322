//! The graceful shutdown, checked from outside on every backend that owns
//! its connections: SIGTERM arrives while a load runs, a slow request is
//! in flight, a WebSocket and an event stream are open. Nothing in flight
//! may fail: the slow request is answered, every request the load had sent
//! gets its whole response, the WebSocket hears `1001 Going Away`, the
//! event stream ends cleanly, and the process exits 0.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use mocket_testkit::http1::{Closing, Conn, ReadError, get_request, preview};
use mocket_testkit::process::Process;
use mocket_testkit::ws::Socket;

use crate::process::STOP_DEADLINE;
use crate::run::Report;

pub(crate) const CONCERN: &str = "shutdown";

/// What a backend without a graceful SIGTERM skips (the checks below are
/// one story: a shutdown under load).
pub(crate) const UNDER_LOAD: &str = "SIGTERM under load loses nothing in flight";

/// Connections the load keeps busy.
const LOAD_CONNECTIONS: usize = 8;

/// What one load connection saw.
#[derive(Default)]
struct Load {
    /// Complete responses.
    answered: usize,
    /// Requests sent on a kept-alive connection that the server closed
    /// before answering a byte: it had not read them (HTTP/1.1 lets a
    /// client retry those; RFC 9112, section 9.3.1).
    unread: usize,
    /// Responses cut short or wrong.
    failures: Vec<String>,
}

/// Runs the check against `server` at `addr`, stopping it with SIGTERM.
pub(crate) fn check(addr: SocketAddr, server: &mut Process, report: &mut Report) {
    let setup = || -> Result<_, String> {
        let mut socket = Socket::connect(addr, "/ws/echo")?;
        socket.send_text("before");
        let echoed = socket.recv();
        if echoed.payload != b"before" {
            return Err(format!("the WebSocket echoed {:?}", echoed.payload));
        }
        let mut events = Conn::connect(addr).map_err(|e| e.to_string())?;
        events.send(&get_request("/shutdown/events"));
        events.read_until(b"tick 0");
        let mut slow = Conn::connect(addr).map_err(|e| e.to_string())?;
        slow.send(&get_request("/shutdown/slow"));
        Ok((socket, events, slow))
    };
    let (mut socket, mut events, mut slow) = match setup() {
        Ok(open) => open,
        Err(e) => {
            let why = format!("  cannot open what the shutdown must close: {e}");
            return report.fail(CONCERN, "the shutdown check sets up", why);
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    let loads: Vec<_> = (0..LOAD_CONNECTIONS)
        .map(|_| {
            let stop = stop.clone();
            thread::spawn(move || load(addr, &stop))
        })
        .collect();
    // The load runs, the slow request is in flight: now the signal.
    thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    if let Err(e) = server.try_signal("TERM") {
        stop.store(true, Ordering::SeqCst);
        return report.fail(CONCERN, "SIGTERM reaches the server", format!("  {e}"));
    }

    let slow_answer = slow.read_response(false, signalled + STOP_DEADLINE);
    record(
        report,
        "a request in flight at SIGTERM is answered",
        match slow_answer {
            Ok(res) if res.status == 200 && res.text() == "finished" => Ok(()),
            Ok(res) => Err(format!("  it got {} {:?}", res.status, res.text())),
            Err(e) => Err(format!("  {e}")),
        },
    );

    let frame = socket.try_recv(STOP_DEADLINE);
    record(
        report,
        "an open WebSocket hears 1001 going away",
        match frame {
            Ok(Some(f)) if f.close_code() == Some(1001) => {
                socket.send_close(1001);
                Ok(())
            }
            Ok(Some(f)) => Err(format!(
                "  it got opcode {} code {:?}",
                f.opcode(),
                f.close_code()
            )),
            Ok(None) => Err("  the connection closed without a close frame".to_owned()),
            Err(e) => Err(format!("  {e}")),
        },
    );

    let rest = events.wait_closed(signalled + STOP_DEADLINE);
    record(
        report,
        "an open event stream ends cleanly",
        match rest {
            Ok(Closing::Closed(bytes)) if bytes.ends_with(b"\r\n0\r\n\r\n") => Ok(()),
            Ok(Closing::Closed(bytes)) => Err(format!(
                "  it closed without the end of the chunked body; last bytes {}",
                preview(&bytes[bytes.len().saturating_sub(40)..])
            )),
            Ok(Closing::StillOpen(_)) => {
                Err(format!("  still open {STOP_DEADLINE:?} after SIGTERM"))
            }
            Err(e) => Err(format!("  {e}")),
        },
    );

    let exit = server.try_wait_exit(STOP_DEADLINE);
    stop.store(true, Ordering::SeqCst);
    let mut total = Load::default();
    for handle in loads {
        match handle.join() {
            Ok(one) => {
                total.answered += one.answered;
                total.unread += one.unread;
                total.failures.extend(one.failures);
            }
            Err(_) => total.failures.push("a load thread panicked".to_owned()),
        }
    }
    // The counts behind the verdict, for the log of a passing run too.
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "shutdown under load ({}): {} answered, {} closed before being read, {} failed",
            report.backend.0,
            total.answered,
            total.unread,
            total.failures.len()
        );
    }
    record(report, "no request in flight under load fails", {
        if !total.failures.is_empty() {
            Err(format!(
                "  {} of {} failed (and {} unread), first: {}",
                total.failures.len(),
                total.answered + total.failures.len(),
                total.unread,
                total.failures[0]
            ))
        } else if total.answered == 0 {
            Err("  the load got no answer at all".to_owned())
        } else {
            Ok(())
        }
    });
    record(
        report,
        crate::process::SIGTERM_CHECK,
        match exit {
            Ok(status) if status.success() => Ok(()),
            Ok(status) => Err(format!("  it exited with {status}")),
            Err(e) => Err(format!("  {e}")),
        },
    );
}

fn record(report: &mut Report, name: &str, outcome: Result<(), String>) {
    match outcome {
        Ok(()) => report.pass(CONCERN, name),
        Err(why) => report.fail(CONCERN, name, why),
    }
}

/// Keep-alive requests, one at a time, until the server closes the
/// connection (then a new one, until connecting is refused) or `stop`.
fn load(addr: SocketAddr, stop: &AtomicBool) -> Load {
    let mut seen = Load::default();
    let request = get_request("/");
    'connections: while !stop.load(Ordering::SeqCst) {
        let Ok(mut conn) = Conn::connect(addr) else {
            break; // refused: the server stopped accepting
        };
        while !stop.load(Ordering::SeqCst) {
            if conn.try_send(&request).is_err() {
                continue 'connections;
            }
            match conn.read_response(false, Instant::now() + STOP_DEADLINE) {
                Ok(res) if res.status == 200 && res.text() == "home" => {
                    seen.answered += 1;
                    if res
                        .header("connection")
                        .is_some_and(|c| c.eq_ignore_ascii_case("close"))
                    {
                        continue 'connections;
                    }
                }
                Ok(res) => seen
                    .failures
                    .push(format!("{} {:?}", res.status, res.text())),
                // Closed before a byte of the answer: a kept-alive
                // connection closed as idle while this request travelled,
                // or one still in the listener's backlog when it closed.
                Err(ReadError::Closed { received }) if received.is_empty() => {
                    seen.unread += 1;
                    continue 'connections;
                }
                Err(e) => seen.failures.push(e.to_string()),
            }
        }
    }
    seen
}
