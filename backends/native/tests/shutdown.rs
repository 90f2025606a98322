//! Graceful shutdown: in-flight requests finish, new connections are
//! refused, idle connections do not hold it up, and the grace period caps
//! how long a slow handler can.

mod common;

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::{
    Conn, Started, assert_serving, block_on, expect_status, get, h2_connect_watched, h2_expect,
    h2_get, h2_send, start, start_workers, test_app, wait_started,
};
use mocket_core::Mocket;
use mocket_native::ServerHandle;

/// `test_app` plus `GET /slow/:ms`, which signals when it starts and then
/// sleeps `ms` milliseconds on the tokio timer.
fn app_with_slow_route() -> (Mocket, mpsc::Receiver<()>) {
    let (started, rx) = Started::new();
    let mut app = test_app();
    app.get("/slow/:ms", move |req| {
        let started = started.clone();
        let ms: u64 = req
            .try_param("ms")
            .and_then(|ms| ms.parse().ok())
            .unwrap_or(0);
        async move {
            started.signal();
            tokio::time::sleep(Duration::from_millis(ms)).await;
            "done"
        }
    });
    (app, rx)
}

/// Starts [`app_with_slow_route`] (after `tweak`), runs `client` on its own
/// thread and shuts the server down once the slow handler has started.
/// Returns the client's result and how long the shutdown took; afterwards
/// the port refuses connections.
fn shut_down_during<T: Send + 'static>(
    tweak: impl FnOnce(&mut Mocket),
    client: impl FnOnce(SocketAddr) -> T + Send + 'static,
) -> (T, Duration) {
    let (mut app, started) = app_with_slow_route();
    tweak(&mut app);
    let server = start(app);
    let addr = server.local_addr();
    let client = thread::spawn(move || client(addr));
    wait_started(&started);
    let took = timed_shutdown(server);
    let result = client.join().expect("client thread");
    assert_refused(addr);
    (result, took)
}

/// Shuts `server` down and says how long that took.
fn timed_shutdown(server: ServerHandle) -> Duration {
    let began = Instant::now();
    server.shutdown().expect("shutdown");
    began.elapsed()
}

fn assert_refused(addr: SocketAddr) {
    match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
        Ok(_) => panic!("{addr} still accepts connections after shutdown"),
        Err(e) => assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused, "{e}"),
    }
}

#[test]
fn in_flight_request_completes_and_new_connections_are_refused() {
    let ((res, rest), _) = shut_down_during(
        |_| {},
        |addr| {
            let mut conn = Conn::open(addr);
            conn.send(&get("/slow/500"));
            let res = conn.response();
            // Shutting down: the server must not keep the connection alive.
            (res, conn.closed_within(Duration::from_secs(5)))
        },
    );
    assert_eq!((res.status, res.text()), (200, "done".to_owned()));
    assert!(rest.is_empty(), "{:?}", String::from_utf8_lossy(&rest));
}

#[test]
fn shutdown_of_an_idle_server_refuses_connections() {
    let server = start_workers(3);
    let addr = server.local_addr();
    assert_serving(addr);
    let took = timed_shutdown(server);
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert_refused(addr);
}

#[test]
fn grace_period_caps_a_slow_handler() {
    let (sent, took) = shut_down_during(
        |app| app.server_options().shutdown_grace = Duration::from_millis(200),
        |addr| {
            let mut conn = Conn::open(addr);
            conn.send(&get("/slow/10000"));
            conn.closed_within(Duration::from_secs(8))
        },
    );
    assert!(
        took < Duration::from_secs(3),
        "shutdown waited {took:?} with a 200 ms grace period"
    );
    // The cut-off request gets no successful answer; its connection is closed.
    let sent = String::from_utf8_lossy(&sent);
    assert!(!sent.contains("done"), "{sent}");
}

#[test]
fn idle_keep_alive_connections_do_not_delay_shutdown() {
    // The default grace period is 10 s; an idle connection must not use it.
    let server = start(test_app());
    let mut idle = Conn::open(server.local_addr());
    expect_status(&mut idle, &get("/"), 200);
    let took = timed_shutdown(server);
    assert!(
        took < Duration::from_secs(5),
        "shutdown waited {took:?} for an idle connection"
    );
    idle.closed_within(Duration::from_secs(5));
}

#[test]
fn idle_http2_connection_does_not_delay_shutdown() {
    let server = start(test_app());
    let addr = server.local_addr();
    let (ready_tx, ready_rx) = mpsc::channel();
    let client = thread::spawn(move || {
        block_on(async move {
            let (mut h2, conn) = h2_connect_watched(addr).await;
            h2_expect(&mut h2, h2_get("/"), 200).await;
            ready_tx.send(()).expect("signal the test");
            // Ends when the server closes the connection.
            let _ = conn.await;
        });
    });
    ready_rx
        .recv_timeout(common::IO_TIMEOUT)
        .expect("the HTTP/2 client never got ready");
    let took = timed_shutdown(server);
    assert!(
        took < Duration::from_secs(5),
        "shutdown waited {took:?} for an idle HTTP/2 connection"
    );
    client.join().expect("the HTTP/2 connection was closed");
}

#[test]
fn in_flight_http2_request_completes() {
    let ((parts, body), _) = shut_down_during(
        |_| {},
        |addr| {
            block_on(async move {
                let (mut h2, _conn) = h2_connect_watched(addr).await;
                h2_send(&mut h2, h2_get("/slow/500")).await
            })
        },
    );
    assert_eq!(parts.status, 200);
    assert_eq!(&body[..], b"done");
}
