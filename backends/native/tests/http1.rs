//! HTTP/1.1 over a real socket: basic requests, keep-alive, pipelining,
//! bodies, HEAD framing, connection closing, and concurrency on one worker.

mod common;

use std::thread;
use std::time::Duration;

use common::{
    Conn, assert_serving, expect, expect_status, get, post_chunked, raw_status, send_raw, start,
    start_wait_notify, test_app, wait_started, with_conn,
};

/// Sends a GET for every path in one write, then checks the responses
/// come back in that order with these bodies.
fn pipeline(conn: &mut Conn, rows: &[(&str, &str)]) {
    let batch: Vec<u8> = rows.iter().flat_map(|(path, _)| get(path)).collect();
    conn.send(&batch);
    for (path, body) in rows {
        let res = conn.response();
        assert_eq!((res.status, res.text().as_str()), (200, *body), "{path}");
    }
}

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
    with_conn(start(test_app()), |conn| {
        expect_status(conn, &get("/nowhere"), 404);
        let res = expect_status(conn, b"DELETE / HTTP/1.1\r\nhost: test\r\n\r\n", 405);
        let allow = res.header("allow").expect("an allow header");
        assert!(allow.contains("GET") && allow.contains("HEAD"), "{allow}");
    });
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    with_conn(start(test_app()), |conn| {
        for i in 0..5 {
            let res = expect(conn, &get(&format!("/echo/n{i}")), 200, &format!("n{i}"));
            assert_eq!(res.version, "HTTP/1.1");
            assert_ne!(res.header("connection"), Some("close"));
        }
    });
}

#[test]
fn pipelined_requests_get_responses_in_order() {
    with_conn(start(test_app()), |conn| {
        pipeline(
            conn,
            &[
                ("/echo/first", "first"),
                ("/echo/second", "second"),
                ("/echo/third", "third"),
            ],
        );
        // The connection is still usable afterwards.
        expect(conn, &get("/"), 200, "hello");
    });
}

/// TCP may split pipelined requests anywhere: a response must go out even
/// while the next request's head is still incomplete in the server's buffer.
#[test]
fn response_is_sent_while_the_next_pipelined_request_is_incomplete() {
    with_conn(start(test_app()), |conn| {
        let mut first_and_a_half = get("/echo/first");
        first_and_a_half.extend_from_slice(b"GET /echo/second HT");
        conn.send(&first_and_a_half);
        assert_eq!(conn.response().text(), "first");
        conn.send(b"TP/1.1\r\nhost: test\r\n\r\n");
        assert_eq!(conn.response().text(), "second");
    });
}

#[test]
fn pipelined_requests_with_a_slow_first_one_stay_in_order() {
    with_conn(start(test_app()), |conn| {
        pipeline(conn, &[("/sleep/200", "slept"), ("/echo/after", "after")]);
    });
}

#[test]
fn post_bodies_by_content_length_and_chunked_are_echoed() {
    with_conn(start(test_app()), |conn| {
        expect(
            conn,
            b"POST /echo HTTP/1.1\r\nhost: test\r\ncontent-length: 11\r\n\r\nhello world",
            200,
            "hello world",
        );

        let body: Vec<u8> = (0..5000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let res = expect_status(conn, &post_chunked(&body, 700), 200);
        assert_eq!(res.body, body);

        // A body sent in two writes, the second after the handler has
        // started reading.
        conn.send(b"POST /echo HTTP/1.1\r\nhost: test\r\ncontent-length: 6\r\n\r\nabc");
        conn.send(b"def");
        assert_eq!(conn.response().text(), "abcdef");
    });
}

#[test]
fn head_has_get_headers_and_no_body() {
    with_conn(start(test_app()), |conn| {
        conn.send(b"HEAD /echo/abcdef HTTP/1.1\r\nhost: test\r\n\r\n");
        let res = conn.head_response();
        assert_eq!(res.status, 200);
        assert_eq!(res.header("content-length"), Some("6"));
        // Had the server written a body, it would be read as the next
        // response.
        expect(conn, &get("/"), 200, "hello");
    });
}

#[test]
fn connection_close_and_http_1_0_close_after_the_response() {
    let server = start(test_app());
    for request in [
        &b"GET / HTTP/1.1\r\nhost: test\r\nconnection: close\r\n\r\n"[..],
        b"GET / HTTP/1.0\r\n\r\n",
    ] {
        let mut conn = Conn::open(server.local_addr());
        expect(&mut conn, request, 200, "hello");
        let rest = conn.closed_within(Duration::from_secs(5));
        assert!(
            rest.is_empty(),
            "{:?}: {:?}",
            String::from_utf8_lossy(request),
            String::from_utf8_lossy(&rest)
        );
    }
    server.shutdown().expect("shutdown");
}

#[test]
fn empty_connections_are_harmless() {
    let server = start(test_app());
    for _ in 0..5 {
        drop(Conn::open(server.local_addr()));
    }
    assert_serving(server.local_addr());
    server.shutdown().expect("shutdown");
}

/// With one worker thread, a request waiting on another connection must not
/// block it: `/wait` only finishes once `/notify`, sent on a second
/// connection while `/wait` is in flight, has run.
#[test]
fn connections_are_served_concurrently_on_one_worker() {
    let (server, started_rx) = start_wait_notify();
    let addr = server.local_addr();
    let waiter = thread::spawn(move || {
        let mut conn = Conn::open(addr);
        conn.send(&get("/wait"));
        conn.response()
    });
    wait_started(&started_rx);
    raw_status(addr, &get("/notify"), 200);
    let res = waiter.join().expect("waiting client");
    assert_eq!((res.status, res.text()), (200, "woken".to_owned()));
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
                    let name = format!("c{i}r{j}");
                    expect(&mut conn, &get(&format!("/echo/{name}")), 200, &name);
                }
            })
        })
        .collect();
    for client in clients {
        client.join().expect("client thread");
    }
    server.shutdown().expect("shutdown");
}
