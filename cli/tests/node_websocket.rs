//! WebSocket on the Node.js backend, under real `node` over real sockets:
//! `examples/chat` (echo, rooms, refusals, SSE beside them, backpressure,
//! shutdown, the Autobahn TestSuite) and the backend's own
//! `backends/node/examples/upgrades.rs` (answers that are promises, a
//! socket whose handler traps the instance, the fetch export's 501).

mod common;

use std::io::{self, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use common::{
    Conn, EXIT_TIMEOUT, IO_TIMEOUT, START_TIMEOUT, Server, build_node_app, cargo_mocket, get,
    start_node, workspace_root,
};
use mocket_testkit::autobahn::{self, Cases, Options};
use mocket_testkit::http1::is_timeout;
use mocket_testkit::ws::{Frame, Socket, encode, handshake};

/// `examples/chat`, built for Node (release: Autobahn's 9.x move 16 MiB
/// messages).
fn chat_app() -> PathBuf {
    build_node_app("chat", ".", &["--example", "chat"])
}

/// `backends/node/examples/upgrades.rs`, built for Node.
fn upgrades_app() -> PathBuf {
    build_node_app("upgrades", "backends/node", &["--example", "upgrades"])
}

fn connect(server: &Server, path: &str) -> Socket {
    Socket::connect(server.addr, path).unwrap_or_else(|e| panic!("{e}"))
}

/// A handshake for `path` with `version` as `sec-websocket-version`.
fn handshake_with_version(path: &str, version: &str) -> Vec<u8> {
    let text = String::from_utf8(handshake(path, "")).expect("the handshake is ASCII");
    text.replace(
        "sec-websocket-version: 13",
        &format!("sec-websocket-version: {version}"),
    )
    .into_bytes()
}

/// No frame comes within `within` (the connection stays open).
fn assert_quiet(socket: &mut Socket, within: Duration) {
    match socket.try_recv(within) {
        Err(e) if is_timeout(&e) => {}
        other => panic!("expected nothing, got {other:?}"),
    }
}

/// The resident memory of process `pid`, in bytes.
fn rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc is readable");
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS is in /proc/PID/status");
    kib * 1024
}

#[test]
fn echo_text_binary_large_and_fragmented_messages() {
    let server = start_node(&chat_app());
    let mut socket = connect(&server, "/ws/echo");
    assert_eq!(socket.response.header("upgrade"), Some("websocket"));

    socket.send_text("hello");
    assert_eq!(socket.recv(), Frame::text("hello"));
    socket.send_binary(&[0, 1, 2, 255]);
    assert_eq!(socket.recv(), Frame::binary(&[0, 1, 2, 255]));
    socket.send_text("");
    assert_eq!(socket.recv(), Frame::text(""));

    // 1 MiB: many 'data' chunks in, a write Node buffers past its
    // high-water mark out.
    let big: Vec<u8> = (0..1024 * 1024).map(|i| (i * 7 % 251) as u8).collect();
    socket.send_binary(&big);
    let echoed = socket.recv();
    assert_eq!(echoed.b0, 0x82);
    assert!(echoed.payload == big, "the 1 MiB message came back changed");

    // A fragmented message with a ping between its fragments: the pong
    // comes at once, the message whole.
    socket.send_frame(0x01, b"frag");
    socket.send_frame(0x89, b"between");
    socket.send_frame(0x00, b"men");
    socket.send_frame(0x80, b"ted");
    assert_eq!(
        socket.recv(),
        Frame {
            b0: 0x8A,
            payload: b"between".to_vec()
        }
    );
    assert_eq!(socket.recv(), Frame::text("fragmented"));

    // Several messages in one TCP write come back in order.
    let mut burst = Vec::new();
    for i in 0..50 {
        burst.extend(encode(0x81, format!("m{i}").as_bytes()));
    }
    socket
        .stream()
        .write_all(&burst)
        .expect("the burst is sent");
    for i in 0..50 {
        assert_eq!(socket.recv(), Frame::text(&format!("m{i}")));
    }
}

#[test]
fn ping_is_answered_and_the_close_code_is_echoed() {
    let server = start_node(&chat_app());
    let mut socket = connect(&server, "/ws/echo");
    socket.send_frame(0x89, b"are you there");
    assert_eq!(
        socket.recv(),
        Frame {
            b0: 0x8A,
            payload: b"are you there".to_vec()
        }
    );

    socket.send_close(4000);
    // The server answers with the same code, then closes the connection.
    assert_eq!(socket.closed(), Some(4000));

    // A close without a code is answered without one.
    let mut bare = connect(&server, "/ws/echo");
    bare.send_frame(0x88, b"");
    let answer = bare.recv();
    assert_eq!((answer.opcode(), answer.payload.len()), (8, 0));
    assert_eq!(bare.try_recv(IO_TIMEOUT).expect("the server closes"), None);
}

#[test]
fn a_protocol_error_closes_that_socket_with_1002_and_the_server_serves_on() {
    let server = start_node(&chat_app());
    let mut bystander = connect(&server, "/ws/echo");

    // An unmasked client frame.
    let mut unmasked = connect(&server, "/ws/echo");
    unmasked
        .stream()
        .write_all(&[0x81, 0x02, b'h', b'i'])
        .expect("the frame is sent");
    assert_eq!(unmasked.closed(), Some(1002));

    // A reserved opcode (3).
    let mut reserved = connect(&server, "/ws/echo");
    reserved.send_frame(0x83, b"");
    assert_eq!(reserved.closed(), Some(1002));

    // Others are untouched, and new sockets and requests are served.
    bystander.send_text("still here");
    assert_eq!(bystander.recv(), Frame::text("still here"));
    let mut fresh = connect(&server, "/ws/echo");
    fresh.send_text("new");
    assert_eq!(fresh.recv(), Frame::text("new"));
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn a_room_reaches_every_subscriber_the_sender_included() {
    let server = start_node(&chat_app());
    let mut members: Vec<Socket> = (0..3).map(|_| connect(&server, "/ws/room/lobby")).collect();
    let mut elsewhere = connect(&server, "/ws/room/other");

    members[0].send_text("hello lobby");
    for member in &mut members {
        assert_eq!(member.recv(), Frame::text("hello lobby"));
    }
    members[2].send_text("and back");
    for member in &mut members {
        assert_eq!(member.recv(), Frame::text("and back"));
    }
    assert_quiet(&mut elsewhere, Duration::from_millis(300));

    // One leaves; the room goes on without it.
    let gone = members.pop().expect("three members");
    drop(gone);
    elsewhere.send_text("other room");
    assert_eq!(elsewhere.recv(), Frame::text("other room"));
    members[1].send_text("two left");
    for member in &mut members {
        assert_eq!(member.recv(), Frame::text("two left"));
    }
}

#[test]
fn refusals_are_ordinary_responses_and_close_the_connection() {
    let server = start_node(&chat_app());

    // No upgrade asked: Node's ordinary path, the core's 426.
    let res = server.get("/ws/echo");
    assert_eq!(res.status, 426);
    assert_eq!(res.header("upgrade"), Some("websocket"));

    // An upgrade asked for a version the server does not speak: the 426 is
    // written on the raw socket, which is then closed.
    let mut conn = server.conn();
    conn.send(&handshake_with_version("/ws/echo", "8"));
    let res = conn.response();
    assert_eq!(res.status, 426, "{}", res.text());
    assert_eq!(res.header("upgrade"), Some("websocket"));
    assert_eq!(res.header("sec-websocket-version"), Some("13"));
    assert!(
        res.header_all("connection").iter().any(|v| v == "close"),
        "{:?}",
        res.header_all("connection")
    );
    assert!(res.header("date").is_some());
    assert!(!res.text().is_empty());
    conn.expect_closed();

    // An upgrade of a path with no route: the app's 404, on the raw socket.
    let mut conn = server.conn();
    conn.send(&handshake("/nowhere", ""));
    let res = conn.response();
    assert_eq!(res.status, 404);
    assert_eq!(
        res.header("content-length"),
        Some(res.body.len().to_string().as_str())
    );
    conn.expect_closed();

    // A malformed key: 400.
    let bad_key = String::from_utf8(handshake("/ws/echo", ""))
        .expect("ASCII")
        .replace(mocket_testkit::ws::KEY, "short");
    let mut conn = server.conn();
    conn.send(bad_key.as_bytes());
    assert_eq!(conn.response().status, 400);
    conn.expect_closed();

    // The server serves on.
    let mut socket = connect(&server, "/ws/echo");
    socket.send_text("after the refusals");
    assert_eq!(socket.recv(), Frame::text("after the refusals"));
}

#[test]
fn server_sent_events_still_stream_beside_websockets() {
    let server = start_node(&chat_app());
    let mut socket = connect(&server, "/ws/echo");
    let mut conn = server.conn();
    conn.send(&get("/sse/ticks?n=3"));
    let res = conn.response();
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("text/event-stream"));
    let text = res.text();
    for i in 1..=3 {
        assert!(
            text.contains(&format!("event: tick\nid: {i}\ndata: {i}\n\n")),
            "{text}"
        );
    }
    assert!(!text.contains("data: 4"), "{text}");
    socket.send_text("meanwhile");
    assert_eq!(socket.recv(), Frame::text("meanwhile"));
}

/// A client that floods without reading: the server stops reading once
/// its writes wait for 'drain' (the socket is paused), so the client's
/// writes block instead of the server's memory growing; then everything
/// comes back, in order.
#[test]
fn a_client_that_floods_without_reading_is_held_back() {
    let server = start_node(&chat_app());
    let mut socket = connect(&server, "/ws/echo");
    let payload: Vec<u8> = (0..64 * 1024).map(|i| (i % 253) as u8).collect();
    let frame = encode(0x82, &payload);
    let before = rss(server.pid());

    let writer: TcpStream = socket.stream().try_clone().expect("the stream clones");
    writer
        .set_write_timeout(Some(Duration::from_millis(500)))
        .expect("a write timeout");
    const CAP: usize = 256 * 1024 * 1024;
    let (mut frames, mut at, mut sent) = (0usize, 0usize, 0usize);
    loop {
        match (&writer).write(&frame[at..]) {
            Ok(n) => {
                at += n;
                sent += n;
                if at == frame.len() {
                    at = 0;
                    frames += 1;
                }
            }
            Err(e) if is_timeout(&e) => break,
            Err(e) => panic!("the flood failed after {sent} bytes: {e}"),
        }
        assert!(
            sent < CAP,
            "the server took {sent} bytes from a client that reads nothing"
        );
    }
    let grown = rss(server.pid()).saturating_sub(before);
    eprintln!("held back after {sent} bytes; node grew by {grown} bytes");
    assert!(
        grown < 96 * 1024 * 1024,
        "node grew by {grown} bytes while held back after {sent} bytes"
    );

    // Finish the frame cut by the timeout, and read everything back.
    writer.set_write_timeout(None).expect("no write timeout");
    let rest = frame[at..].to_vec();
    let partial = usize::from(at != 0);
    let finisher = thread::spawn(move || (&writer).write_all(&rest));
    for i in 0..frames + partial {
        let echoed = socket.recv();
        assert_eq!(echoed.b0, 0x82, "echo {i}");
        assert!(echoed.payload == payload, "echo {i} came back changed");
    }
    finisher
        .join()
        .expect("the finisher ran")
        .expect("the rest is sent");
    socket.send_text("done");
    assert_eq!(socket.recv(), Frame::text("done"));
}

#[test]
fn sigterm_does_not_wait_forever_for_open_websockets() {
    let mut server = start_node(&chat_app());
    let mut socket = connect(&server, "/ws/echo");
    socket.send_text("before");
    assert_eq!(socket.recv(), Frame::text("before"));
    let signalled = Instant::now();
    server.signal("TERM");
    // The socket hears 1001 going away; this client never answers it, so
    // the socket is destroyed at the end of the grace period (10 s), and
    // the process exits 0.
    let status = server.wait_exit(EXIT_TIMEOUT);
    assert_eq!(status.code(), Some(0), "stderr: {}", server.stderr());
    assert!(signalled.elapsed() < EXIT_TIMEOUT);
    let going_away = socket
        .try_recv(IO_TIMEOUT)
        .expect("a frame")
        .expect("a close frame");
    assert_eq!(going_away.close_code(), Some(1001), "{going_away:?}");
    match socket.try_recv(IO_TIMEOUT) {
        Ok(None) => {}
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {}
        other => panic!("the socket outlived the server: {other:?}"),
    }
}

#[test]
fn answers_that_are_promises_upgrade_and_refuse() {
    let server = start_node(&upgrades_app());
    // Accepted after a timer: the answer crossed as a promise.
    let mut later = connect(&server, "/ws/later/30");
    later.send_text("late but here");
    assert_eq!(later.recv(), Frame::text("late but here"));

    // Bytes the client sends right behind its handshake, before the
    // answer, are not lost: Node holds them until the upgrade runs.
    let mut conn = Conn::open(server.addr);
    let mut eager = handshake("/ws/later/50", "");
    eager.extend(encode(0x81, b"eager"));
    conn.send(&eager);
    let got = conn.read_until(b"eager");
    let text = String::from_utf8_lossy(&got);
    assert!(
        text.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{text}"
    );
    assert!(
        got.ends_with(&[0x81, 5, b'e', b'a', b'g', b'e', b'r']),
        "{text}"
    );

    // Refused after a timer: a 401 on the raw socket.
    let mut conn = Conn::open(server.addr);
    conn.send(&handshake("/ws/refuse/30", ""));
    let res = conn.response();
    assert_eq!((res.status, res.text().as_str()), (401, "no entry"));
    conn.expect_closed();

    // A client that leaves before its answer costs nothing.
    let mut leaving = Conn::open(server.addr);
    leaving.send(&handshake("/ws/later/100", ""));
    drop(leaving);
    thread::sleep(Duration::from_millis(200));
    let mut echo = connect(&server, "/ws/echo");
    echo.send_text("fine");
    assert_eq!(echo.recv(), Frame::text("fine"));
}

#[test]
fn the_fetch_export_answers_an_accepted_upgrade_501() {
    let script = r#"
const assert = require('node:assert/strict');
const { fetch } = require('./fetch.js');
(async () => {
  const asking = new Request('http://localhost/ws/echo', { headers: {
    connection: 'upgrade', upgrade: 'websocket',
    'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
  const r = await fetch(asking);
  assert.equal(r.status, 501);
  assert.match(await r.text(), /fetch export/);
  // A refusal is an ordinary Response.
  const plain = await fetch(new Request('http://localhost/ws/echo'));
  assert.equal(plain.status, 426);
  assert.equal(plain.headers.get('upgrade'), 'websocket');
  console.log('fetch ok');
})().catch((e) => { console.error(e); process.exit(1); });
"#;
    let (status, stdout, stderr) = common::node_script(&upgrades_app(), script);
    assert!(status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert_eq!(stdout, "fetch ok", "stderr: {stderr}");
}

#[test]
fn a_trap_destroys_the_sockets_of_the_retired_instance() {
    let server = start_node(&upgrades_app());
    assert_eq!(server.get("/instance").text(), "1");
    let mut bystander = connect(&server, "/ws/echo");
    bystander.send_text("before");
    assert_eq!(bystander.recv(), Frame::text("before"));

    let mut trapping = connect(&server, "/ws/panic");
    trapping.send_text("harmless");
    assert_eq!(trapping.recv(), Frame::text("harmless"));
    trapping.send_text("panic");
    let log = server.wait_for_output("asked to panic by the socket");
    assert!(log.contains("panicked at"), "{log}");

    // Both sockets of the dead instance are closed, not left hanging.
    for (name, socket) in [
        ("the trapping", &mut trapping),
        ("the bystander", &mut bystander),
    ] {
        match socket.try_recv(IO_TIMEOUT) {
            Ok(None) => {}
            other => panic!("{name} socket outlived its instance: {other:?}"),
        }
    }
    // A fresh instance serves, from scratch.
    assert_eq!(server.get("/instance").text(), "1");
    let mut socket = connect(&server, "/ws/panic");
    socket.send_text("after");
    assert_eq!(socket.recv(), Frame::text("after"));
}

#[test]
fn cargo_mocket_run_serves_the_chat_example() {
    chat_app(); // built once already: `run` then only checks it is fresh
    let mut cmd = cargo_mocket();
    cmd.current_dir(workspace_root())
        .args(["run", "--backend", "node", "--example", "chat"])
        .env("PORT", "0");
    let mut server = Server::listening(&mut cmd, START_TIMEOUT);
    let mut socket = connect(&server, "/ws/room/run");
    socket.send_text("via cargo mocket run");
    assert_eq!(socket.recv(), Frame::text("via cargo mocket run"));
    socket.send_close(1000);
    assert_eq!(socket.closed(), Some(1000));
    server.signal("TERM");
    assert_eq!(server.wait_exit(EXIT_TIMEOUT).code(), Some(0));
}

/// The Autobahn TestSuite's RFC 6455 cases (1.–10.) against the chat's
/// echo route: every one must pass, as natively and as Node's `ws` does.
#[test]
fn autobahn_rfc6455_cases_pass() {
    let server = start_node(&chat_app());
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("autobahn-node");
    let url = format!("ws://{}/ws/echo", server.addr);
    let started = Instant::now();
    let report = autobahn::run_with(
        &url,
        &Cases::rfc6455(),
        &out,
        &Options {
            deadline: Duration::from_secs(15 * 60),
            ..Options::default()
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "autobahn on node: {} cases in {:.1} s\n{report}",
        report.count(),
        started.elapsed().as_secs_f64()
    );
    report.assert_passed("the Node.js backend's /ws/echo");
    assert_eq!(report.count(), 301, "{report}");
    // The server is still well after it.
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn the_chat_page_works_in_a_real_browser() {
    let server = start_node(&chat_app());
    mocket_testkit::chat_app::check_in_browser(server.addr).unwrap_or_else(|e| panic!("{e}"));
}
