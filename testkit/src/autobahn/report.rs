//! The report: each case's verdicts from `index.json`, and their summary.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use super::cannot;
use super::cases::case_order;
use super::failure::Failure;

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

/// At most 12 ids, then how many more.
fn id_list(ids: &[&str]) -> String {
    const SHOWN: usize = 12;
    let mut out = ids[..ids.len().min(SHOWN)].join(" ");
    if ids.len() > SHOWN {
        out.push_str(&format!(" … and {} more", ids.len() - SHOWN));
    }
    out
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
