//! HTTP/1.1 over a real socket: basic requests, keep-alive, pipelining,
//! bodies, HEAD framing, connection closing, and concurrency on one worker.

mod common;

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use common::{Conn, Started, chunked, get, send_raw, start, status_of, test_app, wait_started};

#[test]
fn basic_get() {
    let server = start(test_app());
    let raw = send_raw(server.local_addr(), &get("/"));
    assert!(raw.starts_with("HTTP/1.1 200 OK\r\n"), "{raw}");
    assert!(
        raw.to_ascii_lowercase()
            .contains("\r\ncontent-length: 5\r\n"),
        "{raw}"
    );
    assert!(raw.ends_with("\r\n\r\nhello"), "{raw}");
    server.shutdown().expect("shutdown");
}

#[test]
fn unknown_path_is_404_and_wrong_method_is_405_with_allow() {
    let server = start(test_app());
    let mut conn = Conn::open(server.local_addr());
    conn.send(&get("/nowhere"));
    assert_eq!(conn.response().status, 404);
    conn.send(b"DELETE / HTTP/1.1\r\nhost: test\r\n\r\n");
    let res = conn.response();
    assert_eq!(res.status, 405);
    let allow = res.header("allow").expect("an allow header");
    assert!(allow.contains("GET") && allow.contains("HEAD"), "{allow}");
    server.shutdown().expect("shutdown");
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let server = start(test_app());
    let mut conn = Conn::open(server.local_addr());
    for i in 0..5 {
        conn.send(&get(&format!("/echo/n{i}")));
        let res = conn.response();
        assert_eq!(res.status, 200);
        assert_eq!(res.version, "HTTP/1.1");
        assert_eq!(res.text(), format!("n{i}"));
        assert_ne!(res.header("connection"), Some("close"));
    }
    server.shutdown().expect("shutdown");
}

#[test]
fn pipelined_requests_get_responses_in_order() {
    let server = start(test_app());
    let mut conn = Conn::open(server.local_addr());
    let mut batch = Vec::new();
    for name in ["first", "second", "third"] {
        batch.extend_from_slice(&get(&format!("/echo/{name}")));
    }
    conn.send(&batch);
    for name in ["first", "second", "third"] {
        let res = conn.response();
        assert_eq!(res.status, 200);
        assert_eq!(res.text(), name);
    }
    // The connection is still usable afterwards.
    conn.send(&get("/"));
    assert_eq!(conn.response().text(), "hello");
    server.shutdown().expect("shutdown");
}

/// TCP may split pipelined requests anywhere: a response must go out even
/// while the next request's head is still incomplete in the server's buffer.
#[test]
fn response_is_sent_while_the_next_pipelined_request_is_incomplete() {
    let server = start(test_app());
    let mut conn = Conn::open(server.local_addr());
    let mut first_and_a_half = get("/echo/first");
    first_and_a_half.extend_from_slice(b"GET /echo/second HT");
    conn.send(&first_and_a_half);
    assert_eq!(conn.response().text(), "first");
    conn.send(b"TP/1.1\r\nhost: test\r\n\r\n");
    assert_eq!(conn.response().text(), "second");
    server.shutdown().expect("shutdown");
}

#[test]
fn pipelined_requests_with_a_slow_first_one_stay_in_order() {
    let server = start(test_app());
    let mut conn = Conn::open(server.local_addr());
    let mut batch = get("/sleep/200");
    batch.extend_from_slice(&get("/echo/after"));
    conn.send(&batch);
    assert_eq!(conn.response().text(), "slept");
    assert_eq!(conn.response().text(), "after");
    server.shutdown().expect("shutdown");
}

#[test]
fn post_bodies_by_content_length_and_chunked_are_echoed() {
    let server = start(test_app());
    let mut conn = Conn::open(server.local_addr());

    conn.send(b"POST /echo HTTP/1.1\r\nhost: test\r\ncontent-length: 11\r\n\r\nhello world");
    let res = conn.response();
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "hello world");

    let body: Vec<u8> = (0..5000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let mut req =
        b"POST /echo HTTP/1.1\r\nhost: test\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    req.extend_from_slice(&chunked(&body, 700));
    conn.send(&req);
    let res = conn.response();
    assert_eq!(res.status, 200);
    assert_eq!(res.body, body);

    // A body sent in two writes, the second after the handler has started
    // reading.
    conn.send(b"POST /echo HTTP/1.1\r\nhost: test\r\ncontent-length: 6\r\n\r\nabc");
    conn.send(b"def");
    assert_eq!(conn.response().text(), "abcdef");
    server.shutdown().expect("shutdown");
}

#[test]
fn head_has_get_headers_and_no_body() {
    let server = start(test_app());
    let mut conn = Conn::open(server.local_addr());
    conn.send(b"HEAD /echo/abcdef HTTP/1.1\r\nhost: test\r\n\r\n");
    let res = conn.head_response();
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-length"), Some("6"));
    // Had the server written a body, it would be read as the next response.
    conn.send(&get("/"));
    let res = conn.response();
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "hello");
    server.shutdown().expect("shutdown");
}

#[test]
fn connection_close_and_http_1_0_close_after_the_response() {
    let server = start(test_app());

    let mut conn = Conn::open(server.local_addr());
    conn.send(b"GET / HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n");
    let res = conn.response();
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "hello");
    let rest = conn.closed_within(Duration::from_secs(5));
    assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(&rest));

    let mut conn = Conn::open(server.local_addr());
    conn.send(b"GET / HTTP/1.0\r\n\r\n");
    let res = conn.response();
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "hello");
    conn.closed_within(Duration::from_secs(5));
    server.shutdown().expect("shutdown");
}

#[test]
fn empty_connections_are_harmless() {
    let server = start(test_app());
    for _ in 0..5 {
        drop(Conn::open(server.local_addr()));
    }
    let raw = send_raw(server.local_addr(), &get("/"));
    assert_eq!(status_of(&raw), 200, "{raw}");
    server.shutdown().expect("shutdown");
}

/// With one worker thread, a request waiting on another connection must not
/// block it: `/wait` only finishes once `/notify`, sent on a second
/// connection while `/wait` is in flight, has run.
#[test]
fn connections_are_served_concurrently_on_one_worker() {
    let notify = Arc::new(tokio::sync::Notify::new());
    let (started, started_rx) = Started::new();
    let mut app = test_app();
    app.server_options().workers = Some(1);
    {
        let notify = notify.clone();
        app.get("/wait", move |_req| {
            let notify = notify.clone();
            let started = started.clone();
            async move {
                started.signal();
                notify.notified().await;
                "woken"
            }
        });
    }
    app.get("/notify", move |_req| {
        let notify = notify.clone();
        async move {
            notify.notify_one();
            "notified"
        }
    });
    let server = start(app);
    let addr = server.local_addr();

    let waiter = thread::spawn(move || {
        let mut conn = Conn::open(addr);
        conn.send(&get("/wait"));
        conn.response()
    });
    wait_started(&started_rx);
    let raw = send_raw(addr, &get("/notify"));
    assert_eq!(status_of(&raw), 200, "{raw}");
    let res = waiter.join().expect("waiting client");
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "woken");
    server.shutdown().expect("shutdown");
}

#[test]
fn many_parallel_clients_are_all_served() {
    let server = start(test_app());
    let addr = server.local_addr();
    let clients: Vec<_> = (0..16)
        .map(|i| {
            thread::spawn(move || {
                let mut conn = Conn::open(addr);
                for j in 0..10 {
                    conn.send(&get(&format!("/echo/c{i}r{j}")));
                    let res = conn.response();
                    assert_eq!(res.status, 200);
                    assert_eq!(res.text(), format!("c{i}r{j}"));
                }
            })
        })
        .collect();
    for client in clients {
        client.join().expect("client thread");
    }
    server.shutdown().expect("shutdown");
}
