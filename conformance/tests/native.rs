//! The conformance suite against the native backend: the app built with
//! cargo, run as a real process on a free port.

use std::process::Command;

use mocket_conformance::{Backend, cargo, run_against, target_dir, workspace_root};

#[test]
fn native_backend_passes_the_conformance_suite() {
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
    let report = run_against(Backend::NATIVE, Command::new(app));
    println!("{report}");
    assert!(report.is_success(), "{report}");
}
