//! The Node.js backend sets Node's server from the app's `ServerOptions`,
//! not Node's defaults: `backends/node/examples/limits.rs` (a 1 s header
//! timeout, a 4 KiB head) under a real `node`, over raw TCP.
//!
//! Node's own defaults would fail each test: a 16 KiB head, a 60 s header
//! timeout and a 5 s keep-alive timeout.

mod common;

use std::io::Write;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use common::{bench_app, build_node_app};
use mocket_testkit::http1::{Closing, get_request};
use mocket_testkit::process::idle_connection_kib;

fn limits_app() -> PathBuf {
    build_node_app("limits", "backends/node", &["--example", "limits"])
}

/// Longer than the app's 1 s limit plus Node's check interval (half the
/// timeout), shorter than any Node default it replaces.
const CLOSED_WITHIN: Duration = Duration::from_millis(3500);

#[test]
fn a_head_over_max_header_bytes_is_431() {
    let server = common::start_node(&limits_app());
    let mut conn = server.conn();
    let big = format!(
        "GET / HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
        "a".repeat(6 * 1024)
    );
    conn.send(big.as_bytes());
    assert_eq!(conn.response().status, 431);
    // Within the limit: served.
    let mut conn = server.conn();
    let fits = format!(
        "GET / HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n",
        "a".repeat(2 * 1024)
    );
    assert_eq!(conn.exchange(fits.as_bytes()).text(), "ok");
}

#[test]
fn an_idle_keep_alive_connection_closes_after_the_header_timeout() {
    let server = common::start_node(&limits_app());
    let mut conn = server.conn();
    assert_eq!(conn.exchange(&get_request("/")).text(), "ok");
    let started = Instant::now();
    match conn.wait_closed(started + CLOSED_WITHIN) {
        Ok(Closing::Closed(rest)) => assert!(rest.is_empty(), "bytes before the close"),
        Ok(Closing::StillOpen(_)) => {
            panic!("an idle connection is still open {CLOSED_WITHIN:?} later")
        }
        Err(e) => panic!("waiting for the close: {e}"),
    }
    // Not closed at once either: it was kept alive for a while.
    assert!(started.elapsed() >= Duration::from_millis(500));
}

#[test]
fn a_slow_head_is_cut_off_and_others_are_still_served() {
    let server = common::start_node(&limits_app());
    let mut slow = server.conn();
    slow.send(b"GET / HTTP/1.1\r\n");
    let started = Instant::now();
    let dripper = {
        let stream = slow.stream().try_clone().expect("a second handle");
        thread::spawn(move || {
            let mut stream = stream;
            // One header byte every 200 ms: never a whole head.
            while started.elapsed() < CLOSED_WITHIN * 2 {
                if stream.write_all(b"x").is_err() {
                    return;
                }
                thread::sleep(Duration::from_millis(200));
            }
        })
    };
    let mut other = server.conn();
    assert_eq!(other.exchange(&get_request("/")).text(), "ok");
    match slow.wait_closed(started + CLOSED_WITHIN) {
        Ok(Closing::Closed(_)) => {}
        Ok(Closing::StillOpen(_)) => {
            panic!("the slow client is still served {CLOSED_WITHIN:?} later")
        }
        Err(e) if mocket_testkit::http1::is_reset(&e) => {}
        Err(e) => panic!("waiting for the close: {e}"),
    }
    let _ = dripper.join();
}

/// An idle keep-alive connection's memory has a bound (measured at about
/// 11 KiB, docs/performance.md; natively the same bound is tested).
#[test]
fn idle_keep_alive_connections_cost_bounded_memory() {
    let server = common::start_node(&bench_app());
    let per = idle_connection_kib(&server, "/plaintext", 300);
    assert!(per < 64.0, "an idle connection costs {per:.1} KiB on Node");
    assert_eq!(server.get("/plaintext").status, 200, "still serving");
}
