//! HTTP/2 with prior knowledge, on the same port as HTTP/1.1.

mod common;

use bytes::Bytes;
use common::{
    block_on, get, h2_connect, h2_expect, h2_get, h2_post_echo, h2_send, raw_status, send_raw,
    start, start_wait_notify, start_with_body_limit, test_app, with_h2,
};
use http::Version;

#[test]
fn get_over_http2_prior_knowledge() {
    with_h2(start(test_app()), |mut h2| async move {
        let (parts, body) = h2_send(&mut h2, h2_get("/")).await;
        assert_eq!(parts.status, 200);
        assert_eq!(parts.version, Version::HTTP_2);
        assert_eq!(&body[..], b"hello");

        let body = h2_expect(&mut h2, h2_get("/echo/caf%C3%A9"), 200).await;
        assert_eq!(std::str::from_utf8(&body).expect("UTF-8"), "café");

        h2_expect(&mut h2, h2_get("/nowhere"), 404).await;
    });
}

#[test]
fn post_over_http2_echoes_the_body() {
    // The second is larger than the default 64 KiB flow-control window.
    let big: Bytes = (0..200_000u32)
        .map(|i| (i % 251) as u8)
        .collect::<Vec<_>>()
        .into();
    with_h2(start(test_app()), |mut h2| async move {
        for body in [Bytes::from_static(b"over h2"), big] {
            let echoed = h2_expect(&mut h2, h2_post_echo(body.clone()), 200).await;
            assert_eq!(echoed, body, "a body of {} bytes", body.len());
        }
    });
}

#[test]
fn http2_body_over_the_limit_is_413() {
    with_h2(start_with_body_limit(1000), |mut h2| async move {
        h2_expect(&mut h2, h2_post_echo(vec![b'x'; 5000]), 413).await;
        // The connection survives a refused stream.
        let body = h2_expect(&mut h2, h2_get("/"), 200).await;
        assert_eq!(&body[..], b"hello");
    });
}

#[test]
fn http1_and_http2_share_the_port() {
    let server = start(test_app());
    let addr = server.local_addr();
    let raw = raw_status(addr, &get("/echo/one"), 200);
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
    let (server, started_rx) = start_wait_notify();
    with_h2(server, |h2| async move {
        let mut first = h2.clone();
        let waiting =
            tokio::spawn(async move { h2_expect(&mut first, h2_get("/wait"), 200).await });
        // Wait for the handler to start without blocking this runtime.
        let started_rx = tokio::task::spawn_blocking(move || {
            common::wait_started(&started_rx);
        });
        started_rx.await.expect("start signal");
        let mut second = h2.clone();
        h2_expect(&mut second, h2_get("/notify"), 200).await;
        let body = waiting.await.expect("waiting stream");
        assert_eq!(&body[..], b"woken");
    });
}

#[test]
fn many_concurrent_streams() {
    with_h2(start(test_app()), |h2| async move {
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let mut h2 = h2.clone();
                tokio::spawn(async move {
                    let body = h2_expect(&mut h2, h2_get(&format!("/echo/s{i}")), 200).await;
                    assert_eq!(body, Bytes::from(format!("s{i}")));
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("stream task");
        }
    });
}
