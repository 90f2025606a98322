//! The conformance suite against the Node.js backend: the same app, built
//! by `cargo mocket build --backend node` into a folder whose `index.js`
//! serves it.

use std::process::Command;

use mocket_conformance::{Backend, cargo, run_against, target_dir, workspace_root};

#[test]
fn node_backend_passes_the_conformance_suite() {
    let out = target_dir().join("conformance-node");
    let out_arg = out.to_string_lossy();
    // --debug: the release profile (fat LTO) only makes the test slower.
    let args = [
        "mocket",
        "build",
        "--backend",
        "node",
        "--debug",
        "--out",
        &out_arg,
    ];
    if let Err(e) = cargo(&args, &workspace_root().join("conformance").join("app")) {
        panic!("building the app for Node.js failed: {e}");
    }
    let mut node = Command::new("node");
    node.arg(out.join("index.js"));
    let report = run_against(Backend::NODE, node);
    println!("{report}");
    assert!(report.is_success(), "{report}");
}
