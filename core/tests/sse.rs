//! Server-Sent Events: the event-stream framing, the headers, keep-alives,
//! and events through the compression middleware.

use std::convert::Infallible;
use std::time::Duration;

use futures_executor::block_on;
use futures_util::stream::{self, StreamExt as _};
use mocket_core::compression::Compression;
use mocket_core::http::Request;
use mocket_core::sse::{Event, Sse};
use mocket_core::{Body, Mocket};

fn text(body: Body) -> String {
    block_on(body.to_text()).expect("a text body")
}

#[test]
fn every_field_is_framed_as_the_standard_says() {
    let rows = [
        (Event::data("hi"), "data: hi\n\n"),
        (
            Event::data("a\nb\r\nc\rd"),
            "data: a\ndata: b\ndata: c\ndata: d\n\n",
        ),
        (Event::data("ends\n"), "data: ends\ndata\n\n"),
        (Event::data(""), "data\n\n"),
        (
            Event::data("x").event("tick").id("42"),
            "event: tick\nid: 42\ndata: x\n\n",
        ),
        // A line break cannot smuggle a field into a one-line value.
        (
            Event::data("x").event("a\ndata: forged"),
            "event: adata: forged\ndata: x\n\n",
        ),
        (Event::data("x").id("1\n2\0"), "id: 12\ndata: x\n\n"),
        (
            Event::default().retry(Duration::from_millis(2500)),
            "retry: 2500\n\n",
        ),
        (Event::comment("one\ntwo"), ": one\n: two\n\n"),
    ];
    for (event, wire) in rows {
        assert_eq!(event.to_string(), wire, "{event:?}");
    }
}

fn ticker_app() -> Mocket {
    let mut app = Mocket::new();
    app.get("/events", |req| async move {
        // Resume after the last id the client saw.
        let from: u32 = req
            .header("last-event-id")
            .and_then(|id| id.parse().ok())
            .map_or(1, |seen: u32| seen + 1);
        let events = stream::iter(from..=3)
            .map(|n| Ok::<_, Infallible>(Event::data(format!("n={n}")).id(n.to_string())));
        Sse::new(events)
    });
    app
}

#[test]
fn an_event_stream_has_its_headers_and_every_event_in_order() {
    let res = block_on(ticker_app().request("/events"));
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    assert_eq!(res.headers()["cache-control"], "no-cache");
    assert_eq!(res.headers()["x-accel-buffering"], "no");
    assert_eq!(
        text(res.into_body()),
        "id: 1\ndata: n=1\n\nid: 2\ndata: n=2\n\nid: 3\ndata: n=3\n\n"
    );
}

#[test]
fn a_handler_reads_last_event_id_to_resume() {
    let req = Request::get("/events")
        .header("last-event-id", "2")
        .body(())
        .expect("a request");
    let res = block_on(ticker_app().request(req));
    assert_eq!(text(res.into_body()), "id: 3\ndata: n=3\n\n");
}

#[test]
fn compressed_event_streams_still_carry_every_event() {
    // The encoder flushes whenever the stream waits, so each event leaves
    // compressed but whole (core/tests/compression_stream.rs shows the
    // flushing); here: nothing is lost or reordered.
    let mut app = ticker_app();
    app.wrap(Compression::new().min_size(0));
    let req = Request::get("/events")
        .header("accept-encoding", "gzip")
        .body(())
        .expect("a request");
    let res = block_on(app.request(req));
    assert_eq!(res.headers()["content-encoding"], "gzip");
    let packed = block_on(res.into_body().to_bytes()).expect("a body");
    let mut plain = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&packed[..]), &mut plain)
        .expect("valid gzip");
    assert_eq!(
        plain,
        "id: 1\ndata: n=1\n\nid: 2\ndata: n=2\n\nid: 3\ndata: n=3\n\n"
    );
}

#[test]
fn keep_alives_come_between_events_and_the_events_end_the_body() {
    let mut app = Mocket::new();
    app.get("/quiet", |_req| async {
        // Two ticks before each event: the keep-alive stream never ends.
        let events = stream::iter(["a", "b"]).then(|d| async move {
            futures_util::future::ready(()).await;
            Ok::<_, Infallible>(Event::data(d))
        });
        let ticks = stream::repeat(()).take(2).chain(stream::pending());
        Sse::new(events).keep_alive_on(Box::pin(ticks))
    });
    let body = text(block_on(app.request("/quiet")).into_body());
    assert_eq!(body.matches("data: ").count(), 2, "{body}");
    assert_eq!(body.matches(": keep-alive\n\n").count(), 2, "{body}");
    assert!(body.ends_with("\n\n"), "{body}");
}
