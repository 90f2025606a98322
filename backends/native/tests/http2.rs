//! HTTP/2 with prior knowledge, on the same port as HTTP/1.1.

mod common;

use std::sync::Arc;

use bytes::Bytes;
use common::{
    Started, block_on, get, h2_connect, h2_get, h2_send, send_raw, start, status_of, test_app,
};
use http::Version;
use http_body_util::Full;

#[test]
fn get_over_http2_prior_knowledge() {
    let server = start(test_app());
    let addr = server.local_addr();
    block_on(async move {
        let mut h2 = h2_connect(addr).await;
        let (parts, body) = h2_send(&mut h2, h2_get("/")).await;
        assert_eq!(parts.status, 200);
        assert_eq!(parts.version, Version::HTTP_2);
        assert_eq!(&body[..], b"hello");

        let (parts, body) = h2_send(&mut h2, h2_get("/echo/caf%C3%A9")).await;
        assert_eq!(parts.status, 200);
        assert_eq!(std::str::from_utf8(&body).expect("UTF-8"), "café");

        let (parts, _) = h2_send(&mut h2, h2_get("/nowhere")).await;
        assert_eq!(parts.status, 404);
    });
    server.shutdown().expect("shutdown");
}

#[test]
fn post_over_http2_echoes_the_body() {
    let server = start(test_app());
    let addr = server.local_addr();
    block_on(async move {
        let mut h2 = h2_connect(addr).await;
        let small = http::Request::post("http://test/echo")
            .body(Full::new(Bytes::from_static(b"over h2")))
            .expect("request");
        let (parts, body) = h2_send(&mut h2, small).await;
        assert_eq!(parts.status, 200);
        assert_eq!(&body[..], b"over h2");

        // Larger than the default 64 KiB flow-control window.
        let big: Bytes = (0..200_000u32)
            .map(|i| (i % 251) as u8)
            .collect::<Vec<_>>()
            .into();
        let req = http::Request::post("http://test/echo")
            .body(Full::new(big.clone()))
            .expect("request");
        let (parts, body) = h2_send(&mut h2, req).await;
        assert_eq!(parts.status, 200);
        assert_eq!(body, big);
    });
    server.shutdown().expect("shutdown");
}

#[test]
fn http2_body_over_the_limit_is_413() {
    let mut app = test_app();
    app.body_limit(1000);
    let server = start(app);
    let addr = server.local_addr();
    block_on(async move {
        let mut h2 = h2_connect(addr).await;
        let req = http::Request::post("http://test/echo")
            .body(Full::new(Bytes::from(vec![b'x'; 5000])))
            .expect("request");
        let (parts, _) = h2_send(&mut h2, req).await;
        assert_eq!(parts.status, 413);
        // The connection survives a refused stream.
        let (parts, body) = h2_send(&mut h2, h2_get("/")).await;
        assert_eq!(parts.status, 200);
        assert_eq!(&body[..], b"hello");
    });
    server.shutdown().expect("shutdown");
}

#[test]
fn http1_and_http2_share_the_port() {
    let server = start(test_app());
    let addr = server.local_addr();
    let raw = send_raw(addr, &get("/echo/one"));
    assert_eq!(status_of(&raw), 200, "{raw}");
    assert!(raw.ends_with("one"), "{raw}");
    block_on(async move {
        let mut h2 = h2_connect(addr).await;
        let (parts, body) = h2_send(&mut h2, h2_get("/echo/two")).await;
        assert_eq!(parts.version, Version::HTTP_2);
        assert_eq!(&body[..], b"two");
    });
    let raw = send_raw(addr, &get("/echo/three"));
    assert!(raw.ends_with("three"), "{raw}");
    server.shutdown().expect("shutdown");
}

/// Streams of one connection run concurrently on the worker's thread:
/// `/wait` finishes only after `/notify`, sent on the same connection
/// while `/wait` is in flight, has run.
#[test]
fn streams_on_one_connection_run_concurrently() {
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
    block_on(async move {
        let h2 = h2_connect(addr).await;
        let mut first = h2.clone();
        let waiting = tokio::spawn(async move { h2_send(&mut first, h2_get("/wait")).await });
        // Wait for the handler to start without blocking this runtime.
        let started_rx = tokio::task::spawn_blocking(move || {
            common::wait_started(&started_rx);
        });
        started_rx.await.expect("start signal");
        let mut second = h2.clone();
        let (parts, _) = h2_send(&mut second, h2_get("/notify")).await;
        assert_eq!(parts.status, 200);
        let (parts, body) = waiting.await.expect("waiting stream");
        assert_eq!(parts.status, 200);
        assert_eq!(&body[..], b"woken");
    });
    server.shutdown().expect("shutdown");
}

#[test]
fn many_concurrent_streams() {
    let server = start(test_app());
    let addr = server.local_addr();
    block_on(async move {
        let h2 = h2_connect(addr).await;
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let mut h2 = h2.clone();
                tokio::spawn(async move {
                    let (parts, body) = h2_send(&mut h2, h2_get(&format!("/echo/s{i}"))).await;
                    assert_eq!(parts.status, 200);
                    assert_eq!(body, Bytes::from(format!("s{i}")));
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("stream task");
        }
    });
    server.shutdown().expect("shutdown");
}
