//! Mocket's conformance suite: one list of HTTP cases, served by one app
//! (`conformance/app`), run unchanged against every backend over real
//! sockets.
//!
//! A backend joins with a test file of a few lines: build the app for it,
//! then hand the command that serves it to [`run_against`]:
//!
//! ```no_run
//! use mocket_conformance::{Backend, run_against};
//! let report = run_against(Backend::NATIVE, std::process::Command::new("target/debug/mocket-conformance-app"));
//! assert!(report.is_success(), "{report}");
//! ```
//!
//! To run the cases against a server that is already listening, use
//! [`run_all`].

pub mod case;
pub mod cases;
/// The raw HTTP/1 client the cases are checked with.
pub use mocket_testkit::http1 as client;
mod fixture;
mod process;
mod run;
pub mod session;
mod shutdown;
mod trials;

pub use case::{Backend, Case, Expect, Req};
pub use fixture::{FIXTURE_LAST_MODIFIED, FIXTURE_MTIME_SECS, fixture_etag, pin_fixture_times};
pub use process::{
    START_DEADLINE, STOP_DEADLINE, Stop, cargo, run_against, run_against_with, target_dir,
    workspace_root,
};
pub use run::{CaseResult, Outcome, RESPONSE_DEADLINE, Report, run_all, run_case, run_case_on};
pub use trials::{Suite, trials};

#[cfg(test)]
mod tests {
    /// The README's table of concerns is the suite's: same order, same counts.
    #[test]
    fn readme_table_matches_the_cases() {
        let readme = include_str!("../README.md");
        let table: Vec<(String, usize)> = readme
            .lines()
            .skip_while(|l| !l.starts_with("| concern"))
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .filter_map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
                Some((cells.first()?.to_string(), cells.get(1)?.parse().ok()?))
            })
            .filter(|(concern, _)| concern != "**total**")
            .collect();
        let actual: Vec<(String, usize)> = super::cases::concerns()
            .into_iter()
            .map(|(c, n)| (c.to_owned(), n))
            .collect();
        assert_eq!(table, actual, "update the table in conformance/README.md");
    }

    #[test]
    fn case_names_are_unique_and_every_case_has_a_step() {
        let cases = super::cases::all();
        let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
        assert!(cases.iter().all(|c| !c.steps.is_empty()));
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len(), "two cases share a name");
    }

    #[test]
    fn no_case_is_answered_otherwise_on_native() {
        for case in super::cases::all() {
            for step in &case.steps {
                let expects: Vec<&super::Expect> = match step {
                    super::case::Step::Http(step) => {
                        step.exchanges.iter().map(|(_, e)| e).collect()
                    }
                    super::case::Step::WebSocket(session) => session
                        .actions
                        .iter()
                        .filter_map(|(_, a)| match a {
                            super::session::Action::Open(_, e) => Some(&**e),
                            _ => None,
                        })
                        .collect(),
                };
                for expect in expects {
                    assert!(
                        expect
                            .answered_otherwise_on()
                            .all(|b| b != super::Backend::NATIVE),
                        "{} expects another answer on native",
                        case.name
                    );
                }
            }
        }
    }

    #[test]
    fn no_case_is_skipped_on_native() {
        for case in super::cases::all() {
            assert!(
                case.skip_on
                    .iter()
                    .all(|(b, _)| *b != super::Backend::NATIVE),
                "{} is skipped on native",
                case.name
            );
        }
    }
}
