//! Mode 1: the components under `wasmtime serve`, over real sockets.

#![cfg(not(target_family = "wasm"))]

mod common;

use std::time::Duration;

use common::{Conn, apps, check_bench, get, get_request, preinitialise, serve};

#[test]
fn bench_routes_under_wasmtime_serve() {
    let server = serve(&apps().bench, &[]);
    check_bench(server.addr);
}

#[test]
fn bench_routes_with_instance_reuse() {
    let server = serve(&apps().bench, &["--max-instance-reuse-count", "1000"]);
    check_bench(server.addr);
}

#[test]
fn a_panic_is_answered_500_and_the_next_request_is_served() {
    let server = serve(&apps().panicky, &[]);
    assert_eq!(get(server.addr, "/").text(), "hello");
    let res = get(server.addr, "/panic");
    assert_eq!(res.status, 500);
    // Rendered by the app's error handler, not by the host.
    assert_eq!(res.text(), "oops: Internal Server Error");
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    // The trap cost one instance; the next request gets a fresh one.
    for _ in 0..3 {
        assert_eq!(get(server.addr, "/").text(), "hello");
    }
    // The same on a kept-alive connection.
    let mut conn = Conn::open(server.addr);
    assert_eq!(conn.exchange(&get_request("/panic")).status, 500);
    assert_eq!(conn.exchange(&get_request("/")).text(), "hello");
    // The panic message reached the host's log, not the client.
    assert!(
        server.process.output().contains("secret panic detail"),
        "{}",
        server.process.output()
    );
}

#[test]
fn a_panic_in_a_reused_instance_costs_only_that_instance() {
    let server = serve(&apps().panicky, &["--max-instance-reuse-count", "100"]);
    let mut conn = Conn::open(server.addr);
    assert_eq!(count(&mut conn), 1);
    assert_eq!(count(&mut conn), 2);
    assert_eq!(conn.exchange(&get_request("/panic")).status, 500);
    // A fresh instance: its state starts over.
    assert_eq!(count(&mut conn), 1);
}

/// `GET /count`: how many requests this instance has counted. A pause
/// first gives wasmtime time to put the previous request's instance back
/// in its pool (the guest runs on briefly after the response has gone).
fn count(conn: &mut Conn) -> u64 {
    std::thread::sleep(Duration::from_millis(100));
    let res = conn.exchange(&get_request("/count"));
    assert_eq!(res.status, 200, "{}", res.text());
    res.text().parse().expect("a number")
}

#[test]
fn each_request_gets_a_fresh_instance_by_default() {
    let server = serve(&apps().panicky, &[]);
    let mut conn = Conn::open(server.addr);
    for _ in 0..3 {
        assert_eq!(count(&mut conn), 1);
    }
}

#[test]
fn a_reused_instance_keeps_the_app_it_built() {
    let server = serve(&apps().panicky, &["--max-instance-reuse-count", "3"]);
    let mut conn = Conn::open(server.addr);
    let counts: Vec<u64> = (0..6).map(|_| count(&mut conn)).collect();
    assert_eq!(counts, [1, 2, 3, 1, 2, 3]);
}

#[test]
fn a_preinitialised_component_serves_without_running_main() {
    let bench = preinitialise(&apps().bench);
    let server = serve(&bench, &[]);
    check_bench(server.addr);

    let panicky = preinitialise(&apps().panicky);
    // `main` read the environment at build time (PORT); a handler still
    // sees the host's.
    let server = serve(&panicky, &["--env", "GREETING=hi"]);
    assert_eq!(get(server.addr, "/greeting").text(), "hi");
    assert_eq!(get(server.addr, "/count").text(), "1");
    assert_eq!(get(server.addr, "/panic").status, 500);
    assert_eq!(get(server.addr, "/").text(), "hello");
}

#[test]
fn server_sent_events_stream_as_produced_under_wasmtime_serve() {
    let server = serve(&apps().panicky, &[]);
    let mut events = Conn::open(server.addr);
    events.send(&get_request("/sse/forever"));
    // The stream never ends: wasi:http's output stream passes each event on.
    let seen = String::from_utf8_lossy(&events.read_until(b"data: 2\n\n")).into_owned();
    assert!(
        seen.contains("data: 0\n\n") && seen.contains("data: 1\n\n"),
        "{seen}"
    );
}
