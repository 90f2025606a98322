//! The bench example built with `cargo mocket build --backend node` and
//! served by real `node`: every route of bench/ROUTES.md and the core's
//! behaviours (405, HEAD, 404, 400, 413, 431) over raw TCP, and the same app
//! through the `fetch` export under Node's own `Request` and `Response`.

mod common;

use common::{bench_app, chunked, get, node_script, start_node, with_body};

#[test]
fn every_bench_route_answers_as_routes_md_says() {
    let server = start_node(&bench_app());
    mocket_testkit::bench_app::check_routes(server.addr);
}

#[test]
fn binary_and_chunked_bodies_are_echoed_byte_for_byte() {
    let server = start_node(&bench_app());
    let binary: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let mut conn = server.conn();
    conn.send(&with_body("POST", "/echo", &[], &binary));
    let res = conn.response();
    assert_eq!(res.header("content-type"), Some("application/octet-stream"));
    assert_eq!(res.body, binary);

    let mut req =
        b"POST /echo HTTP/1.1\r\nhost: test\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    req.extend_from_slice(&chunked(&binary, 7000));
    conn.send(&req);
    assert_eq!(conn.response().body, binary);
}

#[test]
fn wrong_method_is_405_with_allow_and_head_has_headers_without_body() {
    let server = start_node(&bench_app());
    let mut conn = server.conn();
    conn.send(b"DELETE /plaintext HTTP/1.1\r\nhost: test\r\n\r\n");
    let res = conn.response();
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("GET, HEAD"));

    conn.send(b"HEAD /json HTTP/1.1\r\nhost: test\r\n\r\n");
    let res = conn.response_to(true);
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.header("content-length"), Some("27"));
    // No body came: the next response on the connection parses cleanly.
    conn.send(&get("/plaintext"));
    assert_eq!(conn.response().text(), "Hello, World!");
}

#[test]
fn bad_percent_encoding_is_400_and_a_malformed_request_gets_nodes_400() {
    let server = start_node(&bench_app());
    let res = server.get("/echo/bad%zz");
    assert_eq!(res.status, 400);
    assert!(res.text().contains("percent-encoding"), "{}", res.text());
    let res = server.get("/echo/%ff");
    assert_eq!(res.status, 400, "not UTF-8 once decoded");

    let mut conn = server.conn();
    conn.send(b"GET /plaintext HTTP/1.1\r\nhost test\r\n\r\n");
    assert_eq!(conn.response().status, 400);
}

#[test]
fn a_body_over_the_limit_by_content_length_is_413_at_once_and_the_connection_closes() {
    let server = start_node(&bench_app());
    let mut conn = server.conn();
    // Only the head: the answer must not wait for 2 MB that never come.
    conn.send(b"POST /echo HTTP/1.1\r\nhost: test\r\ncontent-length: 2000000\r\n\r\n");
    let res = conn.response();
    assert_eq!(res.status, 413, "{}", res.text());
    assert!(res.text().contains("limit"), "{}", res.text());
    assert_eq!(res.header("connection"), Some("close"));
    conn.expect_closed();
}

#[test]
fn expect_100_continue_is_answered_when_the_app_reads_the_body() {
    let server = start_node(&bench_app());
    let mut conn = server.conn();
    conn.send(
        b"POST /echo HTTP/1.1\r\nhost: test\r\nexpect: 100-continue\r\ncontent-length: 5\r\n\r\n",
    );
    assert_eq!(conn.response().status, 100);
    conn.send(b"hello");
    assert_eq!(conn.response().text(), "hello");

    // Refused by its declared length: no 100, the body is never invited.
    let mut conn = server.conn();
    conn.send(b"POST /echo HTTP/1.1\r\nhost: test\r\nexpect: 100-continue\r\ncontent-length: 2000000\r\n\r\n");
    assert_eq!(conn.response().status, 413);
    conn.expect_closed();
}

#[test]
fn a_chunked_body_over_the_limit_is_413() {
    let server = start_node(&bench_app());
    let mut conn = server.conn();
    let mut req =
        b"POST /echo HTTP/1.1\r\nhost: test\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    req.extend_from_slice(&chunked(&vec![b'y'; 1024 * 1024 + 64 * 1024], 16 * 1024));
    // The server may answer and stop reading before everything is sent.
    let _ = conn.try_send(&req);
    let res = conn.response();
    assert_eq!(res.status, 413, "{}", res.text());
    assert_eq!(res.header("connection"), Some("close"));

    // Just within the limit, chunked is fine.
    let body = vec![b'z'; 1024 * 1024];
    let mut req =
        b"POST /consume HTTP/1.1\r\nhost: test\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    req.extend_from_slice(&chunked(&body, 64 * 1024));
    let mut conn = server.conn();
    conn.send(&req);
    assert_eq!(conn.response().text(), "ok");
}

#[test]
fn a_head_larger_than_max_header_bytes_is_431() {
    let server = start_node(&bench_app());
    // ServerOptions::max_header_bytes defaults to 16 KiB, passed to Node.
    let small = format!(
        "GET /plaintext HTTP/1.1\r\nhost: test\r\nx-big: {}\r\n\r\n",
        "a".repeat(8 * 1024)
    );
    let mut conn = server.conn();
    conn.send(small.as_bytes());
    assert_eq!(conn.response().status, 200);
    let big = format!(
        "GET /plaintext HTTP/1.1\r\nhost: test\r\nx-big: {}\r\n\r\n",
        "a".repeat(20 * 1024)
    );
    let mut conn = server.conn();
    let _ = conn.try_send(big.as_bytes());
    assert_eq!(conn.response().status, 431);
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let server = start_node(&bench_app());
    let mut conn = server.conn();
    let mut batch = Vec::new();
    for i in [3, 1, 4, 1, 5] {
        batch.extend_from_slice(&get(&format!("/static/{i}")));
    }
    conn.send(&batch);
    for i in [3, 1, 4, 1, 5] {
        assert_eq!(conn.response().text(), i.to_string());
    }
}

#[test]
fn the_fetch_export_serves_the_same_app_under_nodes_request_and_response() {
    let dir = bench_app();
    let script = r#"
const assert = require('node:assert/strict');
const { fetch } = require('./fetch.js');
(async () => {
  let r = await fetch(new Request('http://localhost/plaintext'));
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8');
  assert.equal(await r.text(), 'Hello, World!');

  r = await fetch(new Request('http://localhost/middleware/plaintext'));
  assert.equal(r.headers.get('x-middleware'), '1');

  r = await fetch(new Request('http://localhost/query?name=ab&repeat=3'));
  assert.equal(await r.text(), 'ababab');

  r = await fetch(new Request('http://localhost/echo/hello%20world'));
  assert.equal(await r.text(), 'hello world');

  r = await fetch(new Request('http://localhost/json'));
  assert.deepEqual(await r.json(), { message: 'Hello, World!' });

  const sent = '{"message":"Hello, World!","items":[1,2,3,4]}';
  r = await fetch(new Request('http://localhost/json-echo', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: sent }));
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.equal(await r.text(), sent);

  const big = new Uint8Array(100000).map((_, i) => i % 251);
  r = await fetch(new Request('http://localhost/echo', { method: 'POST', body: big }));
  assert.deepEqual(new Uint8Array(await r.arrayBuffer()), big);

  r = await fetch(new Request('http://localhost/plaintext', { method: 'DELETE' }));
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'GET, HEAD');

  r = await fetch(new Request('http://localhost/json', { method: 'HEAD' }));
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-length'), '27');
  assert.equal(await r.text(), '');

  r = await fetch(new Request('http://localhost/missing'));
  assert.equal(r.status, 404);

  r = await fetch(new Request('http://localhost/echo', { method: 'POST', body: 'x'.repeat(1048577) }));
  assert.equal(r.status, 413);
  console.log('fetch ok');
})().catch((e) => { console.error(e); process.exit(1); });
"#;
    let (status, stdout, stderr) = node_script(&dir, script);
    assert!(status.success(), "stdout: {stdout}\nstderr: {stderr}");
    assert_eq!(stdout, "fetch ok", "stderr: {stderr}");
    assert!(!stdout.contains("Listening"), "fetch mode binds no port");
}

#[test]
fn a_small_body_the_app_does_not_read_leaves_the_connection_open() {
    // Node drains a small unread body (the app answered 404 without reading
    // it); only a large or unfinished one closes the connection.
    let server = start_node(&bench_app());
    let mut conn = server.conn();
    conn.send(&with_body("POST", "/nowhere", &[], b"ignored body"));
    let res = conn.response();
    assert_eq!(res.status, 404);
    assert_ne!(res.header("connection"), Some("close"));
    conn.send(&get("/plaintext"));
    assert_eq!(conn.response().text(), "Hello, World!");
}
