//! The chat example natively, over real sockets: its four routes, the
//! Autobahn TestSuite (every case, permessage-deflate's included), the
//! memory of idle sockets, and a flood towards a slow subscriber.
//!
//! The example is built with `--release`: the suite's compression cases
//! inflate and deflate megabytes, which an unoptimised build makes slow.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use mocket_testkit::autobahn::{self, Cases, Options};
use mocket_testkit::process::Server;
use mocket_testkit::ws::{Frame, Socket};
use mocket_testkit::{http1, workspace};

/// The chat example, built once per test process.
fn chat_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let out = workspace::cargo()
                .args([
                    "build",
                    "--release",
                    "--example",
                    "chat",
                    "--message-format=json",
                    "-q",
                ])
                .args(workspace::target_args())
                .output()
                .expect("run cargo");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            workspace::artifact(&String::from_utf8_lossy(&out.stdout), "chat")
                .expect("the chat binary")
        })
        .clone()
}

fn start() -> Server {
    let mut cmd = std::process::Command::new(chat_binary());
    cmd.env("PORT", "0");
    Server::start(&mut cmd)
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .expect("VmRSS")
}

#[test]
fn the_four_routes_answer_as_the_issue_says() {
    let server = start();
    let addr = server.addr;
    let page = http1::get(addr, "/");
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("new WebSocket") && html.contains("new EventSource"),
        "{html}"
    );

    let mut echo = Socket::connect(addr, "/ws/echo").expect("upgrade");
    echo.send_text("héllo");
    assert_eq!(echo.recv(), Frame::text("héllo"));
    echo.send_binary(&[0, 1, 254, 255]);
    assert_eq!(echo.recv(), Frame::binary(&[0, 1, 254, 255]));

    let mut sockets: Vec<Socket> = (0..3)
        .map(|_| Socket::connect(addr, "/ws/room/lobby").expect("upgrade"))
        .collect();
    let mut elsewhere = Socket::connect(addr, "/ws/room/other").expect("upgrade");
    // Subscriptions start when each socket's task first runs.
    std::thread::sleep(Duration::from_millis(100));
    sockets[1].send_text("hi room");
    for socket in &mut sockets {
        assert_eq!(socket.recv(), Frame::text("hi room"), "the sender included");
    }
    elsewhere.send_text("only here");
    assert_eq!(elsewhere.recv(), Frame::text("only here"));

    let ticks = http1::get(addr, "/sse/ticks?n=3");
    assert_eq!(ticks.header("content-type"), Some("text/event-stream"));
    assert_eq!(
        ticks.text(),
        "event: tick\nid: 1\ndata: 1\n\nevent: tick\nid: 2\ndata: 2\n\nevent: tick\nid: 3\ndata: 3\n\n"
    );
}

#[test]
fn autobahn_every_case_passes_permessage_deflate_included() {
    let server = start();
    let out = workspace::target_dir().join("autobahn-native");
    let options = Options {
        deadline: Duration::from_secs(40 * 60),
        parallelism: 2,
    };
    let url = format!("ws://{}/ws/echo", server.addr);
    let report =
        autobahn::run_with(&url, &Cases::all(), &out, &options).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.count(), 517, "every case of 1.-13. ran");
    report.assert_passed("the native backend");
}

#[test]
fn ten_thousand_idle_sockets_stay_within_8_kib_each() {
    const SOCKETS: usize = 10_000;
    let server = start();
    let pid = server.process.pid();
    // Warm up: the first sockets allocate per-thread buffers once.
    let warm: Vec<Socket> = (0..100).map(|_| connect_idle(server.addr)).collect();
    let before = rss_kib(pid);
    let idle: Vec<Socket> = (0..SOCKETS).map(|_| connect_idle(server.addr)).collect();
    std::thread::sleep(Duration::from_millis(500));
    let after = rss_kib(pid);
    let per_socket = (after.saturating_sub(before) * 1024) / SOCKETS as u64;
    eprintln!(
        "{SOCKETS} idle WebSockets: {} KiB more, {per_socket} bytes each",
        after - before
    );
    assert!(per_socket <= 8 * 1024, "{per_socket} bytes per idle socket");
    // They are alive, not just counted.
    let mut last = idle.into_iter().last().expect("sockets");
    last.send_text("still here");
    assert_eq!(last.recv(), Frame::text("still here"));
    drop(warm);
}

fn connect_idle(addr: SocketAddr) -> Socket {
    let mut socket = Socket::connect(addr, "/ws/echo").expect("upgrade");
    // One message each: an idle socket is one that has talked.
    socket.send_text("hi");
    assert_eq!(socket.recv(), Frame::text("hi"));
    socket
}

#[test]
fn a_flood_to_a_slow_subscriber_keeps_memory_bounded() {
    let server = start();
    let pid = server.process.pid();
    let mut slow = Socket::connect(server.addr, "/ws/room/flood").expect("upgrade");
    let mut fast = Socket::connect(server.addr, "/ws/room/flood").expect("upgrade");
    let mut publisher = Socket::connect(server.addr, "/ws/room/flood").expect("upgrade");
    std::thread::sleep(Duration::from_millis(100));
    let before = rss_kib(pid);
    // 64 MiB published; `slow` reads none of it.
    let message = "x".repeat(16 * 1024);
    for i in 0..4096 {
        publisher.send_text(&message);
        assert_eq!(
            fast.recv().payload.len(),
            message.len(),
            "message {i} reached the fast one"
        );
        assert_eq!(publisher.recv().payload.len(), message.len());
    }
    let grown = rss_kib(pid).saturating_sub(before);
    eprintln!("after 64 MiB to a subscriber that reads nothing: {grown} KiB more");
    assert!(grown < 16 * 1024, "memory grew by {grown} KiB");
    // The slow one was dropped: what it finds is the backlog it could
    // hold, then the end (a 1008 close if the connection took it).
    let code = slow.closed();
    assert!(matches!(code, None | Some(1008)), "{code:?}");
}

#[test]
fn a_real_browser_chats_and_follows_the_ticker() {
    let server = start();
    mocket_testkit::chat_app::check_in_browser(server.addr).unwrap_or_else(|e| panic!("{e}"));
}
