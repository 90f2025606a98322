//! The suite as one test per case and backend, for a `harness = false`
//! test file: a failure is reported as, say,
//! `wasi_sockets::routing::a_trailing_slash_is_a_different_route`, not as
//! the one test of a whole backend.
//!
//! Each backend's server is started once, on the first of its cases to
//! run, and every case of that backend then reads its own result; the
//! server's own checks (it starts, it prints its address, a signal stops
//! it) are one more test, `<backend>::process`, which also prints the
//! report with every skip and its reason.

use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use libtest_mimic::{Arguments, Failed, Trial};

use crate::cases;
use crate::run::{Outcome, Report};

/// One backend's run: its name in test names and how to run the suite on it.
pub struct Suite {
    name: &'static str,
    backend: crate::Backend,
    run: Box<dyn Fn() -> Report + Send + Sync>,
}

impl Suite {
    /// `run` starts the server and runs every case, as
    /// [`run_against`](crate::run_against) does.
    pub fn new(
        name: &'static str,
        backend: crate::Backend,
        run: impl Fn() -> Report + Send + Sync + 'static,
    ) -> Suite {
        Suite {
            name,
            backend,
            run: Box::new(run),
        }
    }
}

/// Lists (or runs, as libtest's arguments say) every case of every suite.
///
/// ```no_run
/// use mocket_conformance::{Backend, Suite, run_against, trials};
/// fn main() -> std::process::ExitCode {
///     trials(vec![Suite::new("native", Backend::NATIVE, || {
///         run_against(Backend::NATIVE, std::process::Command::new("target/debug/mocket-conformance-app"))
///     })])
/// }
/// ```
pub fn trials(suites: Vec<Suite>) -> ExitCode {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for suite in suites {
        let suite = Arc::new((suite, OnceLock::<Report>::new()));
        for case in cases::all() {
            let skipped = case.skip_on.iter().any(|(b, _)| *b == suite.0.backend);
            let name = format!(
                "{}::{}::{}",
                suite.0.name,
                slug(case.concern),
                slug(&case.name)
            );
            let suite = suite.clone();
            let trial = Trial::test(name, move || {
                let report = suite.1.get_or_init(|| (suite.0.run)());
                case_outcome(report, case.concern, &case.name)
            });
            trials.push(trial.with_ignored_flag(skipped));
        }
        let name = format!("{}::process", suite.0.name);
        trials.push(Trial::test(name, move || {
            let report = suite.1.get_or_init(|| (suite.0.run)());
            // The whole report, skips and reasons included, in the test's output.
            #[allow(clippy::print_stdout)]
            {
                println!("{report}");
            }
            process_outcome(report)
        }));
    }
    libtest_mimic::run(&args, trials).exit_code()
}

/// The case's own result; a case that did not run fails with why.
fn case_outcome(report: &Report, concern: &str, name: &str) -> Result<(), Failed> {
    let found = report
        .results
        .iter()
        .find(|r| r.concern == concern && r.name == name);
    match found.map(|r| &r.outcome) {
        Some(Outcome::Passed | Outcome::PassedInstead(_) | Outcome::Skipped(_)) => Ok(()),
        Some(Outcome::Failed(why)) => Err(format!("{why}\n{}", log_tail(report)).into()),
        None => Err(format!("the case did not run:\n{report}").into()),
    }
}

/// The checks of the server process itself (start, stop).
fn process_outcome(report: &Report) -> Result<(), Failed> {
    let failed: Vec<String> = report
        .results
        .iter()
        .filter(|r| r.concern == crate::process::PROCESS)
        .filter_map(|r| match &r.outcome {
            Outcome::Failed(why) => Some(format!("{}:\n{why}", r.name)),
            _ => None,
        })
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{}\n{}", failed.join("\n"), log_tail(report)).into())
    }
}

/// The server's last lines, where a failure's cause usually is.
fn log_tail(report: &Report) -> String {
    let lines: Vec<&str> = report.server_log.lines().collect();
    let tail = &lines[lines.len().saturating_sub(20)..];
    format!(
        "server log (last {} lines):\n{}",
        tail.len(),
        tail.join("\n")
    )
}

/// A test-name segment: lowercase letters, digits and `_`.
fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn slugs_keep_letters_and_digits() {
        assert_eq!(super::slug("HEAD of /a b, 2×"), "head_of_a_b_2");
    }

    #[test]
    fn every_case_has_its_own_test_name() {
        let mut names: Vec<String> = crate::cases::all()
            .iter()
            .map(|c| format!("{}::{}", super::slug(c.concern), super::slug(&c.name)))
            .collect();
        names.sort();
        let twice: Vec<&String> = names
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| &w[0])
            .collect();
        assert!(
            twice.is_empty(),
            "cases that slug to the same test name: {twice:?}"
        );
    }
}
