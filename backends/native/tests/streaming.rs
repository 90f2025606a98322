//! Streamed answers over real sockets: each Server-Sent Event reaches the
//! client while the stream is still open, and a client that goes away
//! stops the producer (its stream is dropped).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{Conn, IO_TIMEOUT, get, start};
use futures_util::stream::{self, StreamExt as _};
use mocket_core::Mocket;
use mocket_core::sse::{Event, Sse};

/// Sets its flag when dropped: the stream it rides in is gone.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// `/forever`: one event, then one every 20 ms, without end; `dropped`
/// turns true once the stream is dropped.
fn forever_app(dropped: Arc<AtomicBool>, produced: Arc<AtomicUsize>) -> Mocket {
    let mut app = Mocket::new();
    app.get("/forever", move |_req| {
        let flag = DropFlag(dropped.clone());
        let produced = produced.clone();
        async move {
            let events = stream::iter(0..).then(move |n: u64| {
                let _alive = &flag;
                let produced = produced.clone();
                async move {
                    if n > 0 {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    produced.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, std::convert::Infallible>(Event::data(n.to_string()))
                }
            });
            Sse::new(events)
        }
    });
    app
}

#[test]
fn each_event_arrives_while_the_stream_is_open() {
    let server = start(forever_app(Arc::default(), Arc::default()));
    let mut conn = Conn::open(server.local_addr());
    conn.send(&get("/forever"));
    // The stream never ends: these can only come as they are produced.
    let seen = conn.read_until(b"data: 2\n\n");
    let text = String::from_utf8_lossy(&seen);
    assert!(text.contains("text/event-stream"), "{text}");
    assert!(
        text.contains("data: 0\n\n") && text.contains("data: 1\n\n"),
        "{text}"
    );
    drop(conn);
    server.shutdown().expect("shutdown");
}

#[test]
fn a_client_that_goes_away_stops_the_producer() {
    let dropped = Arc::new(AtomicBool::new(false));
    let produced = Arc::new(AtomicUsize::new(0));
    let server = start(forever_app(dropped.clone(), produced.clone()));
    let mut conn = Conn::open(server.local_addr());
    conn.send(&get("/forever"));
    conn.read_until(b"data: 1\n\n");
    drop(conn);
    let deadline = Instant::now() + IO_TIMEOUT;
    while !dropped.load(Ordering::SeqCst) {
        assert!(Instant::now() < deadline, "the stream outlived its client");
        std::thread::sleep(Duration::from_millis(10));
    }
    // Nothing more is produced for nobody.
    let after = produced.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(produced.load(Ordering::SeqCst), after);
    server.shutdown().expect("shutdown");
}
