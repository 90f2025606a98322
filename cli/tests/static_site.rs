//! The static-site example (`examples/static_site`) on the backends that
//! need something granted or found: WASI serves the folder once `--dir`
//! grants it and says which `--dir` is missing otherwise (mode 2 refuses to
//! start; mode 1 answers 500 and logs the line), and Node.js serves it
//! from the working directory (validators round-trip, ranges, siblings)
//! and refuses to start where the folder is not.

mod common;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{BUILD_TIMEOUT, Server, build_node_app, mocket_example, run_to_end, workspace_root};

const SITE: &str = "examples/static_site/public";

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("its address").port()
}

/// Builds the example for WASI once (debug), so that `run` finds nothing
/// left to build within the tests' deadlines.
fn built_for_wasi() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("static-site-wasi");
        let mut cmd = mocket_example("build", "wasi", "static_site");
        cmd.arg("--out").arg(&out);
        let built = cmd.output().expect("cargo-mocket runs");
        assert!(
            built.status.success(),
            "build failed: {}",
            String::from_utf8_lossy(&built.stderr)
        );
    });
}

/// `cargo mocket run --debug --backend <backend> --example static_site <extra>`
/// in the workspace root, on a free port.
fn run_site(backend: &str, extra: &[&str]) -> (Command, u16) {
    built_for_wasi();
    let port = free_port();
    let mut cmd = mocket_example("run", backend, "static_site");
    cmd.args(extra).env("PORT", port.to_string());
    (cmd, port)
}

fn listening(cmd: &mut Command, port: u16) -> Server {
    let server = Server::listening(cmd, BUILD_TIMEOUT);
    assert_eq!(server.addr, SocketAddr::from(([127, 0, 0, 1], port)));
    server
}

fn request(server: &Server, path: &str, headers: &[(&str, &str)]) -> common::Response {
    let mut raw = format!("GET {path} HTTP/1.1\r\nhost: test\r\n");
    for (k, v) in headers {
        raw.push_str(&format!("{k}: {v}\r\n"));
    }
    raw.push_str("\r\n");
    let mut conn = server.conn();
    conn.send(raw.as_bytes());
    conn.response()
}

fn file(path: &str) -> Vec<u8> {
    std::fs::read(workspace_root().join(SITE).join(path)).expect("fixture file")
}

fn assert_serves_the_site(server: &Server) {
    let home = server.get("/");
    assert_eq!(home.status, 200, "{}", server.stderr());
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(home.body, file("index.html"));
    let about = server.get("/about");
    assert_eq!(
        (about.status, about.header("location")),
        (307, Some("/about/"))
    );
    let css = request(
        server,
        "/assets/site.css",
        &[("accept-encoding", "gzip, br")],
    );
    assert_eq!(css.header("content-encoding"), Some("br"));
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(css.body, file("assets/site.css.br"));
    let api = server.get("/api/hello");
    assert_eq!(api.text(), r#"{"message":"Hello from the API"}"#);
}

#[test]
fn wasi_serves_the_site_when_the_folder_is_granted() {
    let (mut cmd, port) = run_site("wasi", &["--dir", SITE]);
    let server = listening(&mut cmd, port);
    assert_serves_the_site(&server);
    let (mut cmd, port) = run_site("wasi-sockets", &["--dir", SITE]);
    let server = listening(&mut cmd, port);
    assert_serves_the_site(&server);
}

#[test]
fn wasi_sockets_without_the_folder_refuses_to_start_and_says_which_dir() {
    let (mut cmd, _) = run_site("wasi-sockets", &[]);
    let (status, _, stderr) = run_to_end(&mut cmd);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "error: the app is set up wrongly: serve_dir /: cannot serve the folder {SITE}"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("`cargo mocket run --dir {SITE}`")),
        "{stderr}"
    );
}

#[test]
fn wasi_http_without_the_folder_answers_500_and_logs_why() {
    let (mut cmd, port) = run_site("wasi", &[]);
    let server = listening(&mut cmd, port);
    assert_eq!(server.get("/").status, 500);
    server.wait_for_output(&format!("cannot serve the folder {SITE}"));
}

fn node_site() -> PathBuf {
    build_node_app("static-site", ".", &["--debug", "--example", "static_site"])
}

#[test]
fn node_serves_the_site_from_the_working_directory() {
    let dir = node_site();
    let mut cmd = Command::new("node");
    cmd.arg(dir.join("index.js"))
        .current_dir(workspace_root())
        .env("PORT", "0");
    let server = Server::listening(&mut cmd, common::START_TIMEOUT);
    assert_serves_the_site(&server);

    // Validators survive a round trip; ranges and siblings work.
    let js = request(&server, "/assets/site.js", &[]);
    let tag = js.header("etag").expect("an etag").to_owned();
    assert_eq!(js.body, file("assets/site.js"));
    let again = request(&server, "/assets/site.js", &[("if-none-match", &tag)]);
    assert_eq!((again.status, again.body.len()), (304, 0));
    let part = request(&server, "/assets/site.js", &[("range", "bytes=0-7")]);
    assert_eq!(
        (part.status, &part.body[..]),
        (206, &file("assets/site.js")[..8])
    );
    let gz = request(&server, "/assets/site.js", &[("accept-encoding", "gzip")]);
    assert_eq!(gz.body, file("assets/site.js.gz"));
}

#[test]
fn node_refuses_to_start_where_the_folder_is_not() {
    let dir = node_site();
    let mut cmd = Command::new("node");
    cmd.arg(dir.join("index.js"))
        .current_dir(&dir)
        .env("PORT", "0");
    let (status, _, stderr) = run_to_end(&mut cmd);
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot serve the folder {SITE}")),
        "{stderr}"
    );
}
