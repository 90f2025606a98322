//! Running every case against a listening server and reporting all failures.

use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::case::{Backend, Case, Connection as Which, Expect, HttpStep, Step};
use crate::cases;
use crate::session::{Action, Session, describe};
use mocket_testkit::http1::{Closing, Conn, ReadError, Response, preview};
use mocket_testkit::ws::{Handshake, Socket, encode, encode_unmasked};

/// How long the server has to send each complete response, or to close a
/// connection it must close.
pub const RESPONSE_DEADLINE: Duration = Duration::from_secs(10);

/// How one case went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every step matched.
    Passed,
    /// Every step matched, one or more of them by the backend's
    /// alternative answer (see [`Expect::instead_on`]), for this reason.
    PassedInstead(&'static str),
    /// The case was not run on this backend, for this reason.
    Skipped(&'static str),
    /// What went wrong, precisely.
    Failed(String),
}

/// One case's result.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The case's concern.
    pub concern: &'static str,
    /// The case's name.
    pub name: String,
    /// How it went.
    pub outcome: Outcome,
}

/// The results of a run, every failure included.
#[derive(Debug, Clone)]
pub struct Report {
    /// Which backend was tested.
    pub backend: Backend,
    /// One result per case, in suite order, then checks of the server
    /// process itself (start, shutdown) when run through
    /// [`run_against`](crate::run_against).
    pub results: Vec<CaseResult>,
    /// The server's output (stdout and stderr), shown when something failed.
    pub server_log: String,
}

impl Report {
    /// An empty report.
    pub fn new(backend: Backend) -> Report {
        Report {
            backend,
            results: Vec::new(),
            server_log: String::new(),
        }
    }

    /// Records a failure outside any case (the server did not start, or did
    /// not exit cleanly).
    pub fn fail(&mut self, concern: &'static str, name: &str, why: String) {
        self.results.push(CaseResult {
            concern,
            name: name.to_owned(),
            outcome: Outcome::Failed(why),
        });
    }

    /// Records a check outside any case that the backend cannot meet, and
    /// why.
    pub fn skip(&mut self, concern: &'static str, name: &str, reason: &'static str) {
        self.results.push(CaseResult {
            concern,
            name: name.to_owned(),
            outcome: Outcome::Skipped(reason),
        });
    }

    /// Records a check outside any case that passed.
    pub fn pass(&mut self, concern: &'static str, name: &str) {
        self.results.push(CaseResult {
            concern,
            name: name.to_owned(),
            outcome: Outcome::Passed,
        });
    }

    /// The failed results.
    pub fn failures(&self) -> impl Iterator<Item = &CaseResult> {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed(_)))
    }

    /// Whether nothing failed.
    pub fn is_success(&self) -> bool {
        self.failures().next().is_none()
    }

    fn count(&self, want: fn(&Outcome) -> bool) -> usize {
        self.results.iter().filter(|r| want(&r.outcome)).count()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let instead = self.count(|o| matches!(o, Outcome::PassedInstead(_)));
        let passed = self.count(|o| *o == Outcome::Passed) + instead;
        let skipped = self.count(|o| matches!(o, Outcome::Skipped(_)));
        let failed = self.count(|o| matches!(o, Outcome::Failed(_)));
        let of_them = if instead > 0 {
            format!(" ({instead} of them by the backend's alternative answer)")
        } else {
            String::new()
        };
        writeln!(
            f,
            "conformance on {}: {passed} passed{of_them}, {failed} failed, {skipped} skipped",
            self.backend
        )?;
        let mut concerns: Vec<&str> = Vec::new();
        for r in &self.results {
            if !concerns.contains(&r.concern) {
                concerns.push(r.concern);
            }
        }
        for concern in concerns {
            let of = |want: fn(&Outcome) -> bool| {
                self.results
                    .iter()
                    .filter(|r| r.concern == concern && want(&r.outcome))
                    .count()
            };
            let total = of(|_| true);
            let instead = of(|o| matches!(o, Outcome::PassedInstead(_)));
            let ok = of(|o| *o == Outcome::Passed) + instead;
            let skip = of(|o| matches!(o, Outcome::Skipped(_)));
            let mark = if ok + skip == total { "ok  " } else { "FAIL" };
            let instead = if instead > 0 {
                format!(" ({instead} by the alternative)")
            } else {
                String::new()
            };
            writeln!(
                f,
                "  {mark} {concern:<16} {ok}/{total} passed{instead}, {skip} skipped"
            )?;
        }
        for r in &self.results {
            if let Outcome::Skipped(why) = &r.outcome {
                writeln!(f, "SKIPPED [{}] {}: {why}", r.concern, r.name)?;
            }
        }
        // The alternatives, one line per reason: they are many, and alike.
        let mut reasons: Vec<(&str, &str, usize)> = Vec::new();
        for r in &self.results {
            if let Outcome::PassedInstead(why) = &r.outcome {
                match reasons
                    .iter_mut()
                    .find(|(c, w, _)| *c == r.concern && w == why)
                {
                    Some((_, _, n)) => *n += 1,
                    None => reasons.push((r.concern, why, 1)),
                }
            }
        }
        for (concern, why, n) in reasons {
            writeln!(f, "INSTEAD [{concern}] {n} cases: {why}")?;
        }
        for r in self.failures() {
            if let Outcome::Failed(why) = &r.outcome {
                writeln!(f, "FAILED [{}] {}\n{why}", r.concern, r.name)?;
            }
        }
        if failed > 0 && !self.server_log.is_empty() {
            const SHOWN: usize = 60;
            let lines: Vec<&str> = self.server_log.trim_end().lines().collect();
            let from = lines.len().saturating_sub(SHOWN);
            writeln!(
                f,
                "--- server output (last {} of {} lines) ---",
                lines.len() - from,
                lines.len()
            )?;
            for line in &lines[from..] {
                writeln!(f, "{line}")?;
            }
        }
        Ok(())
    }
}

/// Runs every case of the suite against the server at `addr`, serving the
/// conformance app on `backend`. Never stops at the first failure.
pub fn run_all(addr: SocketAddr, backend: Backend) -> Report {
    let mut report = Report::new(backend);
    for case in cases::all() {
        let outcome = match case.skip_on.iter().find(|(b, _)| *b == backend) {
            Some((_, reason)) => Outcome::Skipped(reason),
            None => run_case_on(addr, &case, backend),
        };
        report.results.push(CaseResult {
            concern: case.concern,
            name: case.name.clone(),
            outcome,
        });
    }
    report
}

/// Runs one case on `backend`, checking each response against what that
/// backend must answer ([`Expect::on`]); skips aside.
pub fn run_case_on(addr: SocketAddr, case: &Case, backend: Backend) -> Outcome {
    let mut instead = Answers {
        backend: Some(backend),
        reason: None,
    };
    match (run_steps(addr, case, &mut instead), instead.reason) {
        (Ok(()), None) => Outcome::Passed,
        (Ok(()), Some(reason)) => Outcome::PassedInstead(reason),
        (Err(why), _) => Outcome::Failed(why),
    }
}

/// Runs one case as written, no backend's alternative answers taken; the
/// error says which step and request failed, and how.
pub fn run_case(addr: SocketAddr, case: &Case) -> Result<(), String> {
    let mut as_written = Answers {
        backend: None,
        reason: None,
    };
    run_steps(addr, case, &mut as_written)
}

/// Which backend's answers are expected, and the reason of the first
/// alternative answer used.
struct Answers {
    backend: Option<Backend>,
    reason: Option<&'static str>,
}

impl Answers {
    /// What `backend` must answer where `expect` is written.
    fn expected<'e>(&mut self, expect: &'e Expect) -> &'e Expect {
        let Some(backend) = self.backend else {
            return expect;
        };
        let (expect, reason) = expect.on(backend);
        if self.reason.is_none() {
            self.reason = reason;
        }
        expect
    }
}

/// Runs the steps of `case`, with the answers `answers` says.
fn run_steps(addr: SocketAddr, case: &Case, answers: &mut Answers) -> Result<(), String> {
    let mut conn: Option<Conn> = None;
    // Whether the last response read said `connection: close`.
    let mut announced_close = false;
    let steps = case.steps.len();
    for (i, step) in case.steps.iter().enumerate() {
        let at = |label: &str| format!("  step {}/{steps} ({label})", i + 1);
        let step: &HttpStep = match step {
            Step::Http(step) => step,
            Step::WebSocket(session) => {
                // The session's connections are its own.
                conn = None;
                run_session(addr, session, answers)
                    .map_err(|e| format!("{}: {e}", at("WebSocket session")))?;
                continue;
            }
        };
        let first_label = step
            .exchanges
            .first()
            .map(|(req, _)| req.label())
            .unwrap_or_default();
        if step.only_if_kept_open && announced_close {
            if let Some(mut c) = conn.take() {
                let label = "the previous response said connection: close";
                expect_closed(&mut c).map_err(|e| format!("{}: {e}", at(label)))?;
            }
            continue;
        }
        let current = match (step.connection, conn.take()) {
            (Which::Same, Some(c)) => c,
            (Which::Same, None) if i > 0 => {
                return Err(format!(
                    "{}: no previous connection to reuse",
                    at(&first_label)
                ));
            }
            _ => Conn::connect(addr)
                .map_err(|e| format!("{}: cannot connect to {addr}: {e}", at(&first_label)))?,
        };
        let mut c = current;
        let bytes: Vec<u8> = step
            .exchanges
            .iter()
            .flat_map(|(req, _)| req.to_bytes())
            .collect();
        // A server may answer and close before reading everything (413, 431):
        // a failed write only matters if the response is then wrong.
        let mut write_error = c.try_send(&bytes).err();
        if write_error.is_none() && step.exchanges.iter().any(|(req, _)| req.half_closes()) {
            write_error = c.stream().shutdown(std::net::Shutdown::Write).err();
        }
        let note = || match &write_error {
            Some(e) => format!("\n    (writing the request failed: {e})"),
            None => String::new(),
        };
        for (j, (req, expect)) in step.exchanges.iter().enumerate() {
            let label = if step.exchanges.len() > 1 {
                format!(
                    "{}, response {}/{} of a pipeline",
                    req.label(),
                    j + 1,
                    step.exchanges.len()
                )
            } else {
                req.label()
            };
            let deadline = Instant::now() + RESPONSE_DEADLINE;
            let silent_close = step.connection == Which::Same && j == 0 && i > 0;
            let res = c.read_response(req.is_head(), deadline).map_err(|e| {
                let hint = match &e {
                    ReadError::Closed { received } if received.is_empty() && silent_close => {
                        "\n    (the server closed the kept-alive connection although the previous response did not say `connection: close`)"
                    }
                    _ => "",
                };
                format!("{}: {e}{hint}{}", at(&label), note())
            })?;
            announced_close = res
                .header_all("connection")
                .iter()
                .any(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case("close")));
            let problems = answers.expected(expect).mismatches(&res);
            if !problems.is_empty() {
                return Err(format!(
                    "{}:\n    {}\n    (got {} {} with headers {})",
                    at(&label),
                    problems.join("\n    "),
                    res.status,
                    res.reason,
                    header_summary(&res),
                ));
            }
        }
        if step.then_closed {
            let label = format!("{first_label}, then the server closes");
            expect_closed(&mut c).map_err(|e| format!("{}: {e}", at(&label)))?;
        }
        conn = Some(c);
    }
    Ok(())
}

/// Runs a WebSocket session; the error names the action, its socket, and
/// what went wrong.
fn run_session(addr: SocketAddr, session: &Session, answers: &mut Answers) -> Result<(), String> {
    let mut sockets: Vec<Socket> = Vec::new();
    let total = session.actions.len();
    for (k, (on, action)) in session.actions.iter().enumerate() {
        let at = format!("action {}/{total} on socket {on} ({action})", k + 1);
        let deadline = Instant::now() + RESPONSE_DEADLINE;
        if let Action::Open(req, expect) = action {
            let expect = answers.expected(expect);
            let handshake = Socket::try_open(addr, &req.to_bytes(), deadline)
                .map_err(|e| format!("{at}: {e}"))?;
            let response = match &handshake {
                Handshake::Upgraded(socket) => &socket.response,
                Handshake::Refused(response) => response,
            };
            let problems = expect.mismatches(response);
            if !problems.is_empty() {
                return Err(format!(
                    "{at}:\n    {}\n    (got {} {} with headers {})",
                    problems.join("\n    "),
                    response.status,
                    response.reason,
                    header_summary(response),
                ));
            }
            match handshake {
                Handshake::Upgraded(socket) => sockets.push(socket),
                // Refused as expected: no socket to go on with.
                Handshake::Refused(_) => return Ok(()),
            }
            continue;
        }
        let Some(socket) = sockets.get_mut(*on) else {
            return Err(format!(
                "{at}: socket {on} is not open (a mistake in the case)"
            ));
        };
        match action {
            Action::Open(..) => unreachable!("handled above"),
            Action::Send {
                b0,
                payload,
                masked,
            } => {
                let bytes = if *masked {
                    encode(*b0, payload)
                } else {
                    encode_unmasked(*b0, payload)
                };
                socket
                    .try_send_bytes(&bytes)
                    .map_err(|e| format!("{at}: writing the frame failed: {e}"))?;
            }
            Action::Receive(check) => match socket.read_frame(deadline) {
                Ok(Some(frame)) if check.matches(&frame) => {}
                Ok(Some(frame)) => {
                    return Err(format!("{at}: got {}", describe(&frame)));
                }
                Ok(None) => {
                    return Err(format!("{at}: the server closed the connection instead"));
                }
                Err(e) => return Err(format!("{at}: {e}")),
            },
            Action::Closed => match socket.read_frame(deadline) {
                Ok(None) => {}
                Ok(Some(frame)) => {
                    return Err(format!(
                        "{at}: the server sent {} instead",
                        describe(&frame)
                    ));
                }
                Err(e) => return Err(format!("{at}: {e}")),
            },
        }
    }
    Ok(())
}

/// The server must close `c` without sending anything more.
fn expect_closed(c: &mut Conn) -> Result<(), String> {
    match c.wait_closed(Instant::now() + RESPONSE_DEADLINE) {
        Ok(Closing::Closed(extra)) if extra.is_empty() => Ok(()),
        Ok(Closing::Closed(extra)) => Err(format!(
            "the server sent bytes after the response: {}",
            preview(&extra)
        )),
        Ok(Closing::StillOpen(extra)) => Err(format!(
            "the connection is still open {RESPONSE_DEADLINE:?} after the response (received meanwhile: {})",
            preview(&extra)
        )),
        Err(e) => Err(e.to_string()),
    }
}

fn header_summary(res: &Response) -> String {
    let list: Vec<String> = res
        .headers
        .iter()
        .map(|h| format!("{}: {}", h.name, String::from_utf8_lossy(&h.value)))
        .collect();
    format!("[{}]", list.join("; "))
}

#[cfg(test)]
mod tests {
    //! The runner's checks can fail: each test serves canned bytes from a
    //! fake server and looks at the verdict.

    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpListener};
    use std::thread;

    use super::run_case;
    use crate::case::{Case, Expect, Req};

    /// Serves one connection: for each canned answer, reads one request head
    /// (and nothing more), then writes the answer; closes after the last.
    fn fake(answers: Vec<&'static [u8]>) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = Vec::new();
            for answer in answers {
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    let mut chunk = [0u8; 1024];
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                buf.drain(..end);
                s.write_all(answer).unwrap();
            }
        });
        addr
    }

    const HOME: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 4\r\n\r\nhome";

    #[test]
    fn passes_a_matching_response() {
        let case = Case::new("t", "ok").send(Req::get("/"), Expect::status(200).text("home"));
        assert_eq!(run_case(fake(vec![HOME]), &case), Ok(()));
    }

    #[test]
    fn reports_every_mismatch_of_a_response() {
        let case = Case::new("t", "wrong").send(
            Req::get("/"),
            Expect::status(201)
                .text("house")
                .no_header("content-length"),
        );
        let err = run_case(fake(vec![HOME]), &case).unwrap_err();
        assert!(err.contains("status: expected 201, got 200 OK"), "{err}");
        assert!(err.contains("body: expected \"house\""), "{err}");
        assert!(
            err.contains("header content-length: expected absent"),
            "{err}"
        );
        assert!(err.contains("step 1/1 (GET /)"), "{err}");
    }

    #[test]
    fn a_body_sent_after_a_head_response_breaks_the_next_response() {
        // A HEAD answered with its body: the body is read as the next
        // response's status line.
        let head_with_body: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nhome";
        let case = Case::new("t", "head")
            .send(Req::head("/"), Expect::status(200))
            .then(Req::get("/"), Expect::status(200).text("home"));
        let err = run_case(fake(vec![head_with_body, HOME]), &case).unwrap_err();
        assert!(
            err.contains("step 2/2") && err.contains("malformed response"),
            "{err}"
        );
    }

    #[test]
    fn a_silent_close_fails_and_an_announced_one_passes() {
        let case = Case::new("t", "close")
            .send(Req::get("/"), Expect::status(200))
            .then_if_kept_open(Req::get("/"), Expect::status(200));
        let err = run_case(fake(vec![HOME]), &case).unwrap_err();
        assert!(err.contains("did not say `connection: close`"), "{err}");

        let announced: &[u8] =
            b"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 4\r\n\r\nhome";
        assert_eq!(run_case(fake(vec![announced]), &case), Ok(()));
    }

    #[test]
    fn bytes_after_the_last_response_of_a_closing_step_fail() {
        let extra: &[u8] = b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nhomeEXTRA";
        let case = Case::new("t", "closed")
            .send(Req::get("/"), Expect::status(200))
            .then_closed();
        let err = run_case(fake(vec![extra]), &case).unwrap_err();
        assert!(
            err.contains("sent bytes after the response: \"EXTRA\""),
            "{err}"
        );
    }

    /// Serves one connection: reads a request head, writes `answer`, then
    /// reads until the client goes away (or closes at once if `close`).
    fn fake_ws(answer: Vec<u8>, close: bool) -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut buf = Vec::new();
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                let mut chunk = [0u8; 1024];
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            s.write_all(&answer).unwrap();
            if close {
                return;
            }
            let mut chunk = [0u8; 1024];
            while let Ok(1..) = s.read(&mut chunk) {}
        });
        addr
    }

    fn upgrade_with(frames: &[u8]) -> Vec<u8> {
        let mut answer = format!(
            "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: {}\r\n\r\n",
            mocket_testkit::ws::ACCEPT
        )
        .into_bytes();
        answer.extend_from_slice(frames);
        answer
    }

    #[test]
    fn a_session_passes_when_every_frame_matches_and_fails_on_another() {
        use crate::session::Session;
        let answer = upgrade_with(b"\x81\x02hi\x88\x02\x03\xea");
        let case = Case::new("t", "ws").session(
            Session::open("/ws")
                .send_text("hi")
                .expect_text("hi")
                .expect_close(1002)
                .closed(),
        );
        assert_eq!(run_case(fake_ws(answer.clone(), true), &case), Ok(()));

        let wrong = Case::new("t", "ws").session(Session::open("/ws").expect_binary(b"hi"));
        let err = run_case(fake_ws(answer, false), &wrong).unwrap_err();
        assert!(
            err.contains(
                "action 2/2 on socket 0 (expect binary \"hi\" (2 bytes)): got text \"hi\""
            ),
            "{err}"
        );
    }

    #[test]
    fn a_wrong_accept_key_and_a_masked_server_frame_fail() {
        use crate::session::Session;
        let bad_key = b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\nsec-websocket-accept: nope\r\n\r\n";
        let case = Case::new("t", "ws").session(Session::open("/ws"));
        let err = run_case(fake_ws(bad_key.to_vec(), false), &case).unwrap_err();
        assert!(
            err.contains("header sec-websocket-accept: expected"),
            "{err}"
        );

        let masked = upgrade_with(b"\x81\x82abcdxx");
        let case = Case::new("t", "ws").session(Session::open("/ws").expect_text("hi"));
        let err = run_case(fake_ws(masked, false), &case).unwrap_err();
        assert!(err.contains("masked frame"), "{err}");
    }

    #[test]
    fn a_backends_alternative_answer_is_checked_and_reported() {
        use crate::case::Backend;
        use crate::run::{Outcome, run_case_on};
        use crate::session::{Session, accepted, handshake};
        let fake = Backend("fake");
        let refused = b"HTTP/1.1 501 Not Implemented\r\ncontent-length: 0\r\n\r\n";
        let expect = accepted().instead_on(fake, Expect::status(501), "no upgrade here");
        let case = Case::new("t", "ws")
            .session(Session::open_with(handshake("/ws"), expect).send_text("never sent"));
        assert_eq!(
            run_case_on(fake_ws(refused.to_vec(), false), &case, fake),
            Outcome::PassedInstead("no upgrade here")
        );
        // Elsewhere, and as written, the 501 is a failure.
        let err = run_case(fake_ws(refused.to_vec(), false), &case).unwrap_err();
        assert!(err.contains("status: expected 101, got 501"), "{err}");
        assert!(matches!(
            run_case_on(fake_ws(refused.to_vec(), false), &case, Backend::NATIVE),
            Outcome::Failed(_)
        ));
    }

    #[test]
    fn pipelined_responses_are_checked_in_order() {
        let other: &[u8] = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n";
        let case = Case::new("t", "pipeline").pipeline(vec![
            (Req::get("/"), Expect::status(200)),
            (Req::get("/x"), Expect::status(200)),
        ]);
        let err = run_case(fake(vec![HOME, other]), &case).unwrap_err();
        assert!(err.contains("GET /x, response 2/2 of a pipeline"), "{err}");
    }
}
