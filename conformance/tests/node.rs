//! The conformance suite against the Node.js backend: the same app, built
//! by `cargo mocket build --backend node` into a folder whose `index.js`
//! serves it; one test per case.

use std::process::{Command, ExitCode};

use mocket_conformance::{Backend, Suite, cargo, run_against, target_dir, trials, workspace_root};

fn main() -> ExitCode {
    trials(vec![Suite::new("node", Backend::NODE, || {
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
        run_against(Backend::NODE, node)
    })])
}
