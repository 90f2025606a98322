//! The node-promise example under real `node`: handlers awaiting JavaScript
//! promises, what a panic (a wasm trap) costs, shutdown on signals, and
//! start-up failures.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::{
    IO_TIMEOUT, Server, cargo_mocket, get, node_in, node_script, promise_app, run_to_end,
    start_node, workspace_root,
};

/// Polls `/waiting` until it reports `want` requests waiting on a promise.
fn wait_until_waiting(server: &Server, want: &str) {
    let deadline = Instant::now() + IO_TIMEOUT;
    loop {
        let res = server.get("/waiting");
        if res.text() == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "/waiting stayed at {}",
            res.text()
        );
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn handlers_await_javascript_promises() {
    let server = start_node(&promise_app());
    let res = server.get("/sleep/20");
    assert_eq!((res.status, res.text().as_str()), (200, "slept 20 ms"));

    // fs.promises.readFile, relative to node's working directory: the
    // build folder, which has a package.json.
    let res = server.get("/files/package.json");
    assert_eq!(res.status, 200, "{}", res.text());
    assert!(
        res.text().contains(r#""name": "node-promise""#),
        "{}",
        res.text()
    );

    // A rejected promise is an error response.
    let res = server.get("/files/missing.txt");
    assert_eq!(
        (res.status, res.text().as_str()),
        (404, "cannot read missing.txt")
    );
    assert_eq!(res.header("x-rendered-by"), Some("on_error"));

    assert_eq!(server.get("/sleep/soon").status, 400);
}

#[test]
fn a_streamed_body_is_sent_chunk_by_chunk_and_a_client_may_leave_midway() {
    let server = start_node(&promise_app());
    let mut conn = server.conn();
    conn.send(&get("/ticks/5"));
    let res = conn.response();
    assert_eq!(res.status, 200);
    assert_eq!(res.header("transfer-encoding"), Some("chunked"));
    assert_eq!(res.text(), "tick 1\ntick 2\ntick 3\ntick 4\ntick 5\n");

    // Leave in the middle of a long stream: the stream is dropped, and the
    // server goes on serving.
    let mut leaving = server.conn();
    leaving.send(&get("/ticks/1000"));
    drop(leaving);
    conn.send(&get("/ticks/2"));
    assert_eq!(conn.response().text(), "tick 1\ntick 2\n");
    assert_eq!(server.get("/count").text(), "1");
}

#[test]
fn a_panic_answers_500_and_a_fresh_instance_serves_the_requests_after_it() {
    let server = start_node(&promise_app());
    let mut kept = server.conn(); // a keep-alive connection from before the trap
    for want in ["1", "2"] {
        kept.send(&get("/count"));
        assert_eq!(kept.response().text(), want);
    }

    // A request in flight on the instance when it traps.
    let mut waiting = server.conn();
    waiting.send(&get("/wait"));
    wait_until_waiting(&server, "1");

    let res = server.get("/panic");
    assert_eq!(
        (res.status, res.text().as_str()),
        (500, "Internal Server Error")
    );
    // Rendered by the app's error handler, by the fresh instance.
    assert_eq!(res.header("x-rendered-by"), Some("on_error"));
    let log = server.wait_for_output("boom");
    assert!(
        log.contains("panicked at"),
        "the panic message is logged: {log}"
    );

    // What the trap cost: the request in flight got 500 too…
    let res = waiting.response();
    assert_eq!(
        (res.status, res.text().as_str()),
        (500, "Internal Server Error")
    );
    assert_eq!(res.header("x-rendered-by"), Some("on_error"));
    // …and in-memory state started again (the app was built anew), while
    // connections and the listening socket stayed.
    kept.send(&get("/count"));
    assert_eq!(kept.response().text(), "1", "state is reset by the trap");
    assert_eq!(server.get("/waiting").text(), "0");

    // It recovers every time, not once.
    assert_eq!(server.get("/panic").status, 500);
    kept.send(&get("/count"));
    assert_eq!(kept.response().text(), "1");
    assert_eq!(server.get("/sleep/1").text(), "slept 1 ms");
}

#[test]
fn a_trap_closes_a_streamed_response_that_is_under_way() {
    let server = start_node(&promise_app());
    let mut streaming = server.conn();
    streaming.send(&get("/stall"));
    streaming.read_until(b"first\n"); // its head and first chunk are out
    assert_eq!(server.get("/panic").status, 500);
    // Too late for a 500: the connection is closed, the body unfinished.
    let got = streaming.closed_within(IO_TIMEOUT);
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    assert!(
        !text.ends_with("0\r\n\r\n"),
        "the body must not look complete: {text}"
    );
    assert_eq!(server.get("/count").text(), "1");
}

#[test]
fn server_sent_events_stream_on_node_and_a_gone_client_drops_the_stream() {
    let server = start_node(&promise_app());
    let mut events = server.conn();
    events.send(&get("/sse/forever"));
    // The stream never ends: these come only as they are produced.
    let seen = String::from_utf8_lossy(&events.read_until(b"data: 2\n\n")).into_owned();
    assert!(seen.contains("content-type: text/event-stream"), "{seen}");
    assert!(
        seen.contains("data: 0\n\n") && seen.contains("data: 1\n\n"),
        "{seen}"
    );
    assert_eq!(server.get("/sse/dropped").text(), "0");
    drop(events);
    let deadline = Instant::now() + IO_TIMEOUT;
    while server.get("/sse/dropped").text() != "1" {
        assert!(Instant::now() < deadline, "the stream outlived its client");
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn sigterm_lets_the_request_in_flight_finish_then_exits_0() {
    let mut server = start_node(&promise_app());
    let mut inflight = server.conn();
    inflight.send(&get("/sleep/1500"));
    wait_until_waiting(&server, "1");
    server.signal("TERM");
    let res = inflight.response();
    assert_eq!((res.status, res.text().as_str()), (200, "slept 1500 ms"));
    assert_eq!(res.header("connection"), Some("close"));
    let status = server.wait_exit(common::EXIT_TIMEOUT);
    assert_eq!(status.code(), Some(0), "stderr: {}", server.stderr());
}

#[test]
fn sigint_with_nothing_in_flight_exits_0() {
    let mut server = start_node(&promise_app());
    assert_eq!(server.get("/count").text(), "1");
    server.signal("INT");
    assert_eq!(
        server.wait_exit(common::EXIT_TIMEOUT).code(),
        Some(0),
        "stderr: {}",
        server.stderr()
    );
}

#[test]
fn a_port_in_use_is_one_error_line_and_exit_1() {
    let dir = promise_app();
    let first = start_node(&dir);
    let port = first.addr.port().to_string();
    let (status, stdout, stderr) = run_to_end(&mut node_in(&dir, &port));
    assert_eq!(status.code(), Some(1));
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        format!("error: cannot listen on 127.0.0.1:{port}: the address is already in use\n")
    );
    // The first server is unaffected.
    assert_eq!(first.get("/count").text(), "1");
}

#[test]
fn a_bad_address_is_one_error_line_and_exit_1() {
    let (status, stdout, stderr) = run_to_end(&mut node_in(&promise_app(), "99999"));
    assert_eq!(status.code(), Some(1));
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        "error: invalid listen address \"127.0.0.1:99999\": the port must be 0 to 65535\n"
    );
}

#[test]
fn the_fetch_export_awaits_promises_and_recovers_from_a_panic() {
    let script = r#"
const assert = require('node:assert/strict');
const { fetch } = require('./fetch.js');
const text = async (path) => {
  const r = await fetch(new Request('http://localhost' + path));
  return [r.status, await r.text()];
};
(async () => {
  assert.deepEqual(await text('/sleep/5'), [200, 'slept 5 ms']);
  assert.deepEqual(await text('/ticks/3'), [200, 'tick 1\ntick 2\ntick 3\n']);
  assert.deepEqual(await text('/count'), [200, '1']);
  assert.deepEqual(await text('/count'), [200, '2']);
  const waiting = fetch(new Request('http://localhost/wait'));
  while ((await text('/waiting'))[1] !== '1') {}
  const panicked = await fetch(new Request('http://localhost/panic'));
  assert.equal(panicked.status, 500);
  assert.equal(panicked.headers.get('x-rendered-by'), 'on_error');
  const r = await waiting;
  assert.equal(r.status, 500);
  assert.equal(r.headers.get('x-rendered-by'), 'on_error');
  assert.deepEqual(await text('/count'), [200, '1']);
  console.log('fetch ok');
})().catch((e) => { console.error(e); process.exit(1); });
"#;
    let (status, stdout, stderr) = node_script(&promise_app(), script);
    assert!(status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert_eq!(stdout, "fetch ok", "stderr: {stderr}");
    assert!(stderr.contains("boom"), "the panic is logged: {stderr}");
}

#[test]
fn cargo_mocket_run_builds_and_serves_on_port() {
    promise_app(); // built once already: `run` then only checks it is fresh
    let mut cmd = cargo_mocket();
    cmd.current_dir(workspace_root().join("examples/node-promise"))
        .args(["run", "--backend", "node"])
        .env("PORT", "0");
    let mut server = Server::listening(&mut cmd, common::START_TIMEOUT);
    assert_ne!(
        server.addr.port(),
        0,
        "PORT=0 picks a free port and prints it"
    );
    assert_eq!(server.get("/count").text(), "1");
    // `run` replaced itself with node: the signal reaches the app.
    server.signal("TERM");
    assert_eq!(server.wait_exit(common::EXIT_TIMEOUT).code(), Some(0));
}
