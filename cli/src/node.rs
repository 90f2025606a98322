//! The Node.js backend's build: wasm, glue, and a folder Node runs.
//!
//! The folder holds `app_bg.wasm` and `app.js` (wasm-bindgen's CommonJS
//! glue, with the backend's host script under `snippets/`), and three small
//! files written here: `index.js` serves the app, `fetch.js` exports it as
//! `fetch(Request) -> Promise<Response>`, and `package.json` makes
//! `npm start` work. Nothing is installed from npm: Node runs it as is.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::cargo::{self, Project, Selection};
use crate::{Failure, tools};

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// `node index.js`: serves the app on the address its `listen` names.
const INDEX_JS: &str = r"'use strict';
// Serves the Mocket app in this folder: `node index.js` (or `npm start`).
// Written by cargo mocket; the app is app_bg.wasm, its glue app.js.
globalThis[Symbol.for('mocket.launch')] = { mode: 'node', glue: require.resolve('./app.js') };
try {
  require('./app.js');
} catch (err) {
  if (!(err instanceof WebAssembly.RuntimeError)) throw err;
  // A panic before `listen` installed the hook that prints its message.
  process.stderr.write(`error: the app panicked (a wasm trap: ${err.message}) before it called listen\n`);
  process.exit(1);
}
";

/// `require('./fetch.js').fetch(request)`: the app without a socket.
const FETCH_JS: &str = r"'use strict';
// The Mocket app in this folder as a web-standard handler:
//   const { fetch } = require('./fetch.js');
//   const response = await fetch(new Request('http://localhost/'));
// The app's `listen` only registers it here; no port is bound.
// Written by cargo mocket.
const launch = { mode: 'fetch', glue: require.resolve('./app.js') };
globalThis[Symbol.for('mocket.launch')] = launch;
require('./app.js');
exports.fetch = launch.fetch;
exports.default = { fetch: launch.fetch };
";

/// Builds `sel` for Node into `out`.
pub(crate) fn build(
    project: &Project,
    sel: &Selection,
    out: &Path,
    profile: &cargo::Profile,
) -> Result<(), Failure> {
    let version = project.wasm_bindgen.as_deref().ok_or_else(|| {
        Failure::failed(format!(
            "package {} does not depend on wasm-bindgen for {WASM_TARGET}: does it depend on mocket?",
            project.package_name
        ))
    })?;
    tools::ensure_target(WASM_TARGET)?;
    let bindgen = tools::wasm_bindgen(version)?;
    let wasm = cargo::build(project, sel, Some(WASM_TARGET), profile)?;

    fs::create_dir_all(out).map_err(|e| write_failed(out, &e))?;
    // Snippet folders are named by hash: drop the ones of an older build.
    let snippets = out.join("snippets");
    if snippets.exists() {
        fs::remove_dir_all(&snippets).map_err(|e| write_failed(&snippets, &e))?;
    }
    let ok = Command::new(&bindgen)
        .args([
            "--target",
            "nodejs",
            "--out-name",
            "app",
            "--no-typescript",
            "--out-dir",
        ])
        .arg(out)
        .arg(&wasm)
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .status()
        .map_err(|e| Failure::failed(format!("cannot run {}: {e}", bindgen.display())))?
        .success();
    if !ok {
        return Err(Failure::failed("wasm-bindgen failed (see above)"));
    }
    write(&out.join("index.js"), INDEX_JS)?;
    write(&out.join("fetch.js"), FETCH_JS)?;
    write(&out.join("package.json"), &package_json(&sel.name))?;
    Ok(())
}

fn package_json(name: &str) -> String {
    // npm names are lowercase, without spaces or most punctuation.
    let name: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | '0'..='9' | '-' | '.' => c,
            'A'..='Z' => c.to_ascii_lowercase(),
            _ => '-',
        })
        .collect();
    // `name` holds only the characters above, so it needs no escaping.
    format!(
        r#"{{
  "name": "{name}",
  "private": true,
  "type": "commonjs",
  "main": "index.js",
  "exports": {{ ".": "./index.js", "./fetch": "./fetch.js" }},
  "scripts": {{ "start": "node index.js" }},
  "engines": {{ "node": ">=20" }}
}}
"#
    )
}

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    fs::write(path, text).map_err(|e| write_failed(path, &e))
}

fn write_failed(path: &Path, e: &std::io::Error) -> Failure {
    Failure::failed(format!("cannot write {}: {e}", path.display()))
}
