//! `header_read_timeout`: clients that send their request head too slowly
//! (or not at all) are disconnected, and others are served meanwhile.

mod common;

use std::io::{Read, Write};
use std::thread;
use std::time::{Duration, Instant};

use common::{Conn, get, is_reset, is_timeout, send_raw, start, status_of, test_app};

fn app_with_head_timeout(timeout: Duration) -> mocket_core::Mocket {
    let mut app = test_app();
    app.server_options().header_read_timeout = timeout;
    // One worker: the slow client and the normal one share its thread.
    app.server_options().workers = Some(1);
    app
}

/// How a slow client's connection ended.
#[derive(Debug)]
enum Outcome {
    /// The server closed it (end of stream, reset, or a failed write), after
    /// this long, having sent these bytes first (a 408, perhaps).
    Closed(Duration, String),
    /// Still open when the client gave up.
    StillOpen,
}

/// Sends `start`, then one byte of `drip` every 200 ms, until the server
/// closes the connection or `give_up` passes.
fn slow_client(
    addr: std::net::SocketAddr,
    start: &[u8],
    drip: &[u8],
    give_up: Duration,
) -> Outcome {
    let conn = Conn::open(addr);
    let mut stream = conn.stream().try_clone().expect("clone the stream");
    stream.write_all(start).expect("write the request line");
    let began = Instant::now();
    let mut received = Vec::new();
    let mut drip = drip.iter().cycle();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("set read timeout");
    while began.elapsed() < give_up {
        // The 200 ms read timeout paces the drip.
        let mut buf = [0u8; 1024];
        match stream.read(&mut buf) {
            Ok(0) => {
                return Outcome::Closed(
                    began.elapsed(),
                    String::from_utf8_lossy(&received).into_owned(),
                );
            }
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if is_timeout(&e) => {}
            Err(e) if is_reset(&e) => {
                return Outcome::Closed(
                    began.elapsed(),
                    String::from_utf8_lossy(&received).into_owned(),
                );
            }
            Err(e) => panic!("slow client read failed: {e}"),
        }
        let byte = [*drip.next().expect("an endless drip")];
        if let Err(e) = stream.write_all(&byte) {
            assert!(is_reset(&e), "slow client write failed: {e}");
            return Outcome::Closed(
                began.elapsed(),
                String::from_utf8_lossy(&received).into_owned(),
            );
        }
    }
    Outcome::StillOpen
}

#[test]
fn slowloris_is_disconnected_and_others_are_still_served() {
    let server = start(app_with_head_timeout(Duration::from_secs(1)));
    let addr = server.local_addr();

    let slow = thread::spawn(move || {
        slow_client(
            addr,
            b"GET / HTTP/1.1\r\n",
            b"x-slow-header-name",
            Duration::from_secs(5),
        )
    });

    // Meanwhile, normal clients get answers.
    let began = Instant::now();
    while !slow.is_finished() && began.elapsed() < Duration::from_secs(10) {
        let raw = send_raw(addr, &get("/"));
        assert_eq!(status_of(&raw), 200, "{raw}");
        thread::sleep(Duration::from_millis(100)); // pacing, not synchronisation
    }

    match slow.join().expect("slow client thread") {
        Outcome::Closed(after, sent) => {
            assert!(
                after >= Duration::from_millis(800),
                "closed after only {after:?}, before the timeout"
            );
            assert!(
                sent.is_empty() || status_of(&sent) == 408,
                "unexpected answer to a slow head: {sent:?}"
            );
        }
        Outcome::StillOpen => {
            panic!("a client dripping its head was still connected after 5 s (timeout 1 s)")
        }
    }
    server.shutdown().expect("shutdown");
}

#[test]
fn slow_http2_preface_is_disconnected() {
    let server = start(app_with_head_timeout(Duration::from_secs(1)));
    let addr = server.local_addr();
    // The HTTP/2 preface, one byte at a time: it would take 4.6 s to
    // complete, so the server cannot tell the protocol before the timeout.
    let outcome = slow_client(
        addr,
        b"P",
        b"RI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        Duration::from_secs(3),
    );
    assert!(matches!(outcome, Outcome::Closed(..)), "{outcome:?}");
    let raw = send_raw(addr, &get("/"));
    assert_eq!(status_of(&raw), 200, "{raw}");
    server.shutdown().expect("shutdown");
}

#[test]
fn silent_connection_is_closed_after_the_head_timeout() {
    let server = start(app_with_head_timeout(Duration::from_secs(1)));
    let mut conn = Conn::open(server.local_addr());
    assert_closed_after_the_1s_timeout(&mut conn);
    server.shutdown().expect("shutdown");
}

#[test]
fn a_head_sent_in_pieces_within_the_timeout_is_served() {
    let server = start(app_with_head_timeout(Duration::from_secs(3)));
    let mut conn = Conn::open(server.local_addr());
    conn.send(b"GET /echo/pieces HTTP/1.1\r\n");
    thread::sleep(Duration::from_millis(100)); // deliberately split the head
    conn.send(b"host: test\r\n");
    thread::sleep(Duration::from_millis(100));
    conn.send(b"\r\n");
    let res = conn.response();
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "pieces");
    server.shutdown().expect("shutdown");
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_head_timeout() {
    // hyper's header timer runs while a kept-alive connection waits for its
    // next request: the same limit the Node backend sets as Node's
    // keep-alive timeout.
    let server = start(app_with_head_timeout(Duration::from_secs(1)));
    let mut conn = Conn::open(server.local_addr());
    assert_eq!(conn.exchange(&get("/")).status, 200);
    assert_closed_after_the_1s_timeout(&mut conn);
    server.shutdown().expect("shutdown");
}

/// `conn`, now waiting on the server, is closed after about the app's 1 s
/// head timeout (with a 408 at most), not at once.
fn assert_closed_after_the_1s_timeout(conn: &mut Conn) {
    let began = Instant::now();
    let sent = conn.closed_within(Duration::from_secs(5));
    assert!(
        began.elapsed() >= Duration::from_millis(800),
        "closed after {:?}",
        began.elapsed()
    );
    assert!(
        sent.is_empty() || status_of(&String::from_utf8_lossy(&sent)) == 408,
        "{sent:?}"
    );
}
