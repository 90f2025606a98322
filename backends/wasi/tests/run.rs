//! Mode 2: the components run as commands listening on a port through
//! `wasi:sockets`, over real sockets.

#![cfg(not(target_family = "wasm"))]

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::{Conn, Process, apps, check_bench, get, get_request, post_request, run, run_command};

#[test]
fn bench_routes_on_a_port() {
    let server = run(&apps().bench);
    assert!(server.addr.ip().is_loopback());
    assert_ne!(server.addr.port(), 0, "the real port is printed");
    check_bench(server.addr);
}

#[test]
fn state_lives_as_long_as_the_process() {
    let server = run(&apps().panicky);
    let mut conn = Conn::open(server.addr);
    assert_eq!(conn.exchange(&get_request("/count")).text(), "1");
    assert_eq!(get(server.addr, "/count").text(), "2");
    assert_eq!(conn.exchange(&get_request("/count")).text(), "3");
}

#[test]
fn a_port_in_use_is_one_error_line_and_exit_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let mut process = Process::spawn(&mut run_command(&apps().panicky, &port, true));
    let status = process.wait_exit(Duration::from_secs(120));
    assert_eq!(status.code(), Some(1), "{}", process.output());
    assert_eq!(
        process.output().trim(),
        format!("error: cannot listen on 127.0.0.1:{port}: the address is already in use")
    );
}

#[test]
fn a_bad_address_is_one_error_line_and_exit_1() {
    let mut process = Process::spawn(&mut run_command(&apps().panicky, "99999", true));
    let status = process.wait_exit(Duration::from_secs(120));
    assert_eq!(status.code(), Some(1), "{}", process.output());
    assert_eq!(
        process.output().trim(),
        "error: invalid listen address \"127.0.0.1:99999\": the port must be 0 to 65535"
    );
}

#[test]
fn no_network_access_is_one_error_line_and_exit_1() {
    let mut process = Process::spawn(&mut run_command(&apps().panicky, "0", false));
    let status = process.wait_exit(Duration::from_secs(120));
    assert_eq!(status.code(), Some(1), "{}", process.output());
    let output = process.output();
    assert!(
        output
            .trim()
            .starts_with("error: cannot listen on 127.0.0.1:0: the host grants no network access"),
        "{output}"
    );
    assert_eq!(output.trim().lines().count(), 1, "{output}");
}

#[test]
fn a_panic_ends_the_process() {
    let mut server = run(&apps().panicky);
    assert_eq!(get(server.addr, "/").text(), "hello");
    let mut conn = Conn::open(server.addr);
    conn.send(&get_request("/panic"));
    // panic = abort: the trap ends the process, so no answer comes back.
    conn.expect_closed();
    let status = server.process.wait_exit(Duration::from_secs(30));
    assert!(!status.success());
    assert!(
        server.process.output().contains("secret panic detail"),
        "{}",
        server.process.output()
    );
    assert!(!server.process.is_running());
}

#[test]
fn a_silent_connection_is_closed_after_the_header_read_timeout() {
    let server = run(&apps().panicky); // header_read_timeout: 2 s
    let mut silent = Conn::open(server.addr);
    let started = Instant::now();
    silent.expect_closed();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1500) && waited < Duration::from_secs(15),
        "closed after {waited:?}"
    );
    // The server goes on serving.
    assert_eq!(get(server.addr, "/").text(), "hello");
}

/// Regression: many keep-alive connections at once used to livelock mode 2
/// (wstd's reactor never let the guest suspend, so wasmtime's cooperative
/// budget ran dry and `check-write` answered 0 forever; see the README).
/// Every request must be answered, correctly and in time, and the server
/// must still answer afterwards.
///
/// 128 connections, not the 64 `wrk` needed: these blocking clients are
/// slower than `wrk`, so fewer connections are ready at once, and 64 of
/// them did not bring the old reactor down (96 and 128 did, every time).
#[test]
fn many_concurrent_keep_alive_connections_are_all_answered() {
    const CONNECTIONS: usize = 128;
    const REQUESTS: usize = 20;
    let server = run(&apps().bench);
    let addr = server.addr;
    let started = Instant::now();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(CONNECTIONS));
    let clients: Vec<_> = (0..CONNECTIONS)
        .map(|c| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let mut conn = Conn::open(addr);
                barrier.wait();
                for r in 0..REQUESTS {
                    let body = format!("connection {c}, request {r}");
                    let res = conn.exchange(&post_request("/echo", None, body.as_bytes()));
                    assert_eq!(res.status, 200, "{c}/{r}: {res:?}");
                    assert_eq!(res.text(), body, "{c}/{r}");
                }
            })
        })
        .collect();
    for client in clients {
        client.join().expect("every request answered correctly");
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(60),
        "{} requests took {took:?}",
        CONNECTIONS * REQUESTS
    );
    // Not wedged afterwards: a fresh connection is still served.
    assert_eq!(get(addr, "/plaintext").status, 200);
}

#[test]
fn server_sent_events_stream_and_a_gone_client_drops_the_stream() {
    let server = run(&apps().panicky);
    let mut events = Conn::open(server.addr);
    events.send(&get_request("/sse/forever"));
    // The stream never ends: these come only as they are produced.
    let seen = String::from_utf8_lossy(&events.read_until(b"data: 2\n\n")).into_owned();
    assert!(seen.contains("text/event-stream"), "{seen}");
    assert_eq!(get(server.addr, "/sse/dropped").text(), "0");
    drop(events);
    let deadline = Instant::now() + Duration::from_secs(20);
    while get(server.addr, "/sse/dropped").text() != "1" {
        assert!(Instant::now() < deadline, "the stream outlived its client");
        thread::sleep(Duration::from_millis(20));
    }
}
