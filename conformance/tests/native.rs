//! The conformance suite against the native backend: the app built with
//! cargo, run as a real process on a free port; one test per case.

use std::process::{Command, ExitCode};

use mocket_conformance::{Backend, Suite, cargo, run_against, target_dir, trials, workspace_root};

fn main() -> ExitCode {
    trials(vec![Suite::new("native", Backend::NATIVE, || {
        let target = target_dir();
        let target_arg = target.to_string_lossy();
        let args = [
            "build",
            "-p",
            "mocket-conformance-app",
            "--target-dir",
            &target_arg,
        ];
        if let Err(e) = cargo(&args, &workspace_root()) {
            panic!("{e}");
        }
        let app = target.join("debug").join("mocket-conformance-app");
        run_against(Backend::NATIVE, Command::new(app))
    })])
}
