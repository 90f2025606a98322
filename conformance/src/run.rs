//! Running every case against a listening server and reporting all failures.

use std::fmt;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::case::{Backend, Case, Connection as Which};
use crate::cases;
use mocket_testkit::http1::{Closing, Conn, ReadError, preview};

/// How long the server has to send each complete response, or to close a
/// connection it must close.
pub const RESPONSE_DEADLINE: Duration = Duration::from_secs(10);

/// How one case went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every step matched.
    Passed,
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
        let passed = self.count(|o| *o == Outcome::Passed);
        let skipped = self.count(|o| matches!(o, Outcome::Skipped(_)));
        let failed = self.count(|o| matches!(o, Outcome::Failed(_)));
        writeln!(
            f,
            "conformance on {}: {passed} passed, {failed} failed, {skipped} skipped",
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
            let ok = of(|o| *o == Outcome::Passed);
            let skip = of(|o| matches!(o, Outcome::Skipped(_)));
            let mark = if ok + skip == total { "ok  " } else { "FAIL" };
            writeln!(
                f,
                "  {mark} {concern:<16} {ok}/{total} passed, {skip} skipped"
            )?;
        }
        for r in &self.results {
            if let Outcome::Skipped(why) = &r.outcome {
                writeln!(f, "SKIPPED [{}] {}: {why}", r.concern, r.name)?;
            }
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
            None => match run_case(addr, &case) {
                Ok(()) => Outcome::Passed,
                Err(why) => Outcome::Failed(why),
            },
        };
        report.results.push(CaseResult {
            concern: case.concern,
            name: case.name.clone(),
            outcome,
        });
    }
    report
}

/// Runs one case; the error says which step and request failed, and how.
pub fn run_case(addr: SocketAddr, case: &Case) -> Result<(), String> {
    let mut conn: Option<Conn> = None;
    // Whether the last response read said `connection: close`.
    let mut announced_close = false;
    let steps = case.steps.len();
    for (i, step) in case.steps.iter().enumerate() {
        let at = |label: &str| format!("  step {}/{steps} ({label})", i + 1);
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
        let write_error = c.try_send(&bytes).err();
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
            let problems = expect.mismatches(&res);
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

fn header_summary(res: &mocket_testkit::http1::Response) -> String {
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
