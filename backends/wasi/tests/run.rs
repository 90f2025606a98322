//! Mode 2: the components run as commands listening on a port through
//! `wasi:sockets`, over real sockets.

#![cfg(not(target_family = "wasm"))]

mod common;

use std::time::{Duration, Instant};

use common::{Conn, Process, apps, check_bench, get, get_request, run, run_command};

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
    let mut process = Process::spawn(run_command(&apps().panicky, &port, true));
    let status = process.wait_exit(Duration::from_secs(120));
    assert_eq!(status.code(), Some(1), "{}", process.output());
    assert_eq!(
        process.output().trim(),
        format!("error: cannot listen on 127.0.0.1:{port}: the address is already in use")
    );
}

#[test]
fn a_bad_address_is_one_error_line_and_exit_1() {
    let mut process = Process::spawn(run_command(&apps().panicky, "99999", true));
    let status = process.wait_exit(Duration::from_secs(120));
    assert_eq!(status.code(), Some(1), "{}", process.output());
    assert_eq!(
        process.output().trim(),
        "error: invalid listen address \"127.0.0.1:99999\": the port must be 0 to 65535"
    );
}

#[test]
fn no_network_access_is_one_error_line_and_exit_1() {
    let mut process = Process::spawn(run_command(&apps().panicky, "0", false));
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
    assert!(conn.closed_by_server());
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
    assert!(silent.closed_by_server());
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(1500) && waited < Duration::from_secs(15),
        "closed after {waited:?}"
    );
    // The server goes on serving.
    assert_eq!(get(server.addr, "/").text(), "hello");
}
