//! The shutdown notice (`Service::begin_shutdown`): open WebSockets say
//! `1001 Going Away` and event streams end, while ordinary requests are
//! answered as before.

mod common;

use std::convert::Infallible;

use common::ws_client::{close_code, connect_to, echo};
use futures_executor::{LocalPool, block_on};
use futures_util::task::LocalSpawnExt as _;
use futures_util::{StreamExt as _, stream};
use http_body_util::BodyExt as _;
use mocket_core::backend::Service;
use mocket_core::sse::{Event, Sse};
use mocket_core::{Body, Compression, Mocket};

fn service() -> Service {
    let mut app = Mocket::new();
    app.ws("/echo", |_req, ws| async move { ws.on_upgrade(echo) });
    app.ws("/talker", |_req, ws| async move {
        // Only sends, never reads: the shutdown reaches it through `send`.
        ws.on_upgrade(|mut socket| async move {
            let mut n = 0u32;
            while socket.send(n.to_string()).await.is_ok() {
                n += 1;
                if n.is_multiple_of(4) {
                    // Let the test run between bursts.
                    yield_now().await;
                }
            }
        })
    });
    app.get("/events", |_req| async {
        // One event, then silence: only the shutdown ends it.
        let events = stream::once(async { Ok::<_, Infallible>(Event::data("first")) })
            .chain(stream::pending());
        Sse::new(events)
    });
    app.get("/plain", |_req| async { "still here" });
    app.into_service().expect("the app builds")
}

async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await;
}

/// Runs `test` with a local pool for the server side of sockets.
fn run<F: Future<Output = ()>>(test: impl FnOnce(futures_executor::LocalSpawner) -> F) {
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    pool.run_until(test(spawner));
}

#[test]
fn an_open_websocket_says_going_away_and_closes_after_the_peer() {
    let service = service();
    run(|spawner| async move {
        let (mut client, server) = connect_to(&service, "/echo", 1 << 16).await;
        spawner.spawn_local(server).expect("spawn");
        client.text("before").await;
        assert_eq!(client.recv_text().await, "before");
        service.begin_shutdown();
        let (b0, payload) = client.recv().await.expect("a close frame");
        assert_eq!(b0, 0x88, "a close frame");
        assert_eq!(close_code(&payload), 1001);
        assert_eq!(&payload[2..], b"server shutting down");
        // The client answers; then the server closes the connection.
        client.send(0x88, &payload[..2]).await;
        assert_eq!(client.recv().await, None);
    });
}

#[test]
fn a_socket_that_only_sends_hears_it_on_its_next_send() {
    let service = service();
    run(|spawner| async move {
        let (mut client, server) = connect_to(&service, "/talker", 1 << 16).await;
        spawner.spawn_local(server).expect("spawn");
        assert_eq!(client.recv_text().await, "0");
        service.begin_shutdown();
        // Messages already queued arrive first, then the close.
        loop {
            let (b0, payload) = client.recv().await.expect("a frame before the end");
            if b0 == 0x88 {
                assert_eq!(close_code(&payload), 1001);
                break;
            }
            assert_eq!(b0, 0x81);
        }
    });
}

#[test]
fn a_socket_opened_during_the_shutdown_is_told_at_once() {
    let service = service();
    service.begin_shutdown();
    run(|spawner| async move {
        let (mut client, server) = connect_to(&service, "/echo", 1 << 16).await;
        spawner.spawn_local(server).expect("spawn");
        let (b0, payload) = client.recv().await.expect("a close frame");
        assert_eq!((b0, close_code(&payload)), (0x88, 1001));
    });
}

fn events_request() -> http::Request<Body> {
    http::Request::get("/events")
        .header("accept-encoding", "gzip")
        .body(Body::empty())
        .expect("request")
}

#[test]
fn an_event_stream_ends_cleanly() {
    let service = service();
    block_on(async {
        let mut body = service.call(events_request()).await.into_body();
        let first = body.frame().await.expect("an event").expect("no error");
        assert_eq!(first.into_data().expect("data"), "data: first\n\n");
        service.begin_shutdown();
        // The end of the body, not an error: the client sees a complete
        // answer and reconnects elsewhere.
        assert!(body.frame().await.is_none());
    });
}

#[test]
fn a_compressed_event_stream_ends_too() {
    let mut app = Mocket::new();
    app.wrap(Compression::new());
    app.get("/events", |_req| async {
        Sse::new(stream::pending::<Result<Event, Infallible>>())
    });
    let service = app.into_service().expect("the app builds");
    block_on(async {
        let res = service.call(events_request()).await;
        assert_eq!(res.headers()["content-encoding"], "gzip");
        service.begin_shutdown();
        let bytes = res.into_body().to_bytes().await.expect("a complete body");
        // A gzip stream with its trailer: it decodes to nothing.
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut text)
            .expect("a complete gzip stream");
        assert_eq!(text, "");
    });
}

#[test]
fn ordinary_requests_are_answered_during_the_shutdown() {
    let service = service();
    service.begin_shutdown();
    block_on(async {
        let req = http::Request::get("/plain")
            .body(Body::empty())
            .expect("request");
        let res = service.call(req).await;
        assert_eq!(res.into_body().to_text().await.expect("text"), "still here");
    });
}
