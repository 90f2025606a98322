//! `examples/chat` on both WASI backends, through `cargo mocket run`: on
//! WASI sockets WebSocket works (the Autobahn TestSuite, a real browser);
//! as a `wasi:http` component the event stream works and a WebSocket
//! handshake is answered 501 at once (the proxy world has no upgrade).

mod common;

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{BUILD_TIMEOUT, Server, cargo_mocket, workspace_root};
use mocket_testkit::autobahn::{self, Cases, Options};
use mocket_testkit::http1::Conn;
use mocket_testkit::ws::{Frame, Socket, handshake};

/// `cargo mocket run --backend <backend> --example chat` on a free port.
fn run_chat(backend: &str) -> Server {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut cmd: Command = cargo_mocket();
    cmd.current_dir(workspace_root())
        .args(["run", "--backend", backend, "--example", "chat"])
        .env("PORT", port.to_string());
    Server::listening(&mut cmd, BUILD_TIMEOUT)
}

#[test]
fn on_wasi_sockets_the_chat_passes_autobahn_and_a_browser() {
    let server = run_chat("wasi-sockets");
    let mut echo = Socket::connect(server.addr, "/ws/echo").unwrap_or_else(|e| panic!("{e}"));
    echo.send_text("hello");
    assert_eq!(echo.recv(), Frame::text("hello"));
    mocket_testkit::chat_app::check_in_browser(server.addr).unwrap_or_else(|e| panic!("{e}"));
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("autobahn-wasi-sockets");
    let url = format!("ws://{}/ws/echo", server.addr);
    let options = Options {
        deadline: Duration::from_secs(15 * 60),
        ..Options::default()
    };
    let report = autobahn::run_with(&url, &Cases::rfc6455(), &out, &options)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.count(), 301);
    report.assert_passed("WASI sockets");
}

#[test]
fn as_a_wasi_http_component_sse_streams_and_websocket_is_501() {
    let server = run_chat("wasi");
    let ticks = server.get("/sse/ticks?n=2");
    assert_eq!(ticks.header("content-type"), Some("text/event-stream"));
    assert_eq!(
        ticks.text(),
        "event: tick\nid: 1\ndata: 1\n\nevent: tick\nid: 2\ndata: 2\n\n"
    );
    let mut conn = Conn::open(server.addr);
    let res = conn.exchange(&handshake("/ws/echo", ""));
    assert_eq!(res.status, 501, "{}", res.text());
    assert!(
        res.text()
            .contains("WebSocket is not available on this host"),
        "{}",
        res.text()
    );
}
