//! The backend contract's framing rules, decided once in the core: which
//! answers carry a body and a `content-length`, HEAD, and what happens to
//! request bodies the app left unread. Backends only carry these out.

mod common;

use std::future::pending;

use common::stream_of;
use mocket_core::backend::{DRAIN_LIMIT, Framing, Leftover, Outgoing, Service, UnreadBodies};
use mocket_core::bytes::Bytes;
use mocket_core::http::{self, HeaderValue, Method, StatusCode, Version};
use mocket_core::{Body, Mocket};

fn service() -> Service {
    let mut app = Mocket::new();
    app.get("/text", |_req| async { "hello" });
    app.get("/stream", |_req| async { stream_of(vec![b"a", b"bc"]) });
    app.get("/slow", |_req| async {
        let rest = futures_util::stream::once(pending::<
            Result<http_body::Frame<Bytes>, std::io::Error>,
        >());
        let ready =
            futures_util::stream::iter([Ok(http_body::Frame::data(Bytes::from_static(b"first")))]);
        Body::from_http_body(http_body_util::StreamBody::new(
            futures_util::StreamExt::chain(ready, rest),
        ))
    });
    app.get("/status/:code", |req| async move {
        let code: u16 = req.param_as("code")?;
        Ok((StatusCode::from_u16(code)?, "a body the status forbids"))
    });
    app.get("/declared", |_req| async {
        ([("content-length", "3")], stream_of(vec![b"abc"]))
    });
    app.get("/bad-length", |_req| async {
        ([("content-length", "x")], "abcd")
    });
    app.post("/ignore", |_req| async { "ignored" });
    app.post("/read", |mut req| async move {
        req.bytes().await.map(|b| b.len().to_string())
    });
    app.into_service().expect("valid app")
}

fn serve(service: &Service, req: http::Request<Body>, unread: UnreadBodies) -> Outgoing {
    futures_executor::block_on(service.serve(req, unread))
}

fn get(service: &Service, method: Method, path: &str) -> Outgoing {
    let req = http::Request::builder()
        .method(method)
        .uri(path)
        .body(Body::empty());
    serve(
        service,
        req.expect("request"),
        UnreadBodies::CloseConnection,
    )
}

fn length_of(out: &Outgoing) -> Option<&str> {
    out.response
        .headers()
        .get("content-length")
        .map(|v| v.to_str().expect("ascii"))
}

/// How the answer is framed, and the `content-length` it carries.
fn framing_of(out: &Outgoing) -> (Framing, Option<&str>) {
    (out.framing, length_of(out))
}

fn body_of(out: Outgoing) -> Bytes {
    futures_executor::block_on(out.response.into_body().to_bytes()).expect("body")
}

#[test]
fn a_known_length_is_sent_with_content_length() {
    let s = service();
    let mut out = get(&s, Method::GET, "/text");
    // hyper frames by the body's size: no header is written for it…
    assert_eq!(framing_of(&out), (Framing::Length(5), None));
    // …and a platform that frames by the header asks for it.
    out.declare_length();
    assert_eq!(length_of(&out), Some("5"));
    assert_eq!(body_of(out), "hello");
}

#[test]
fn an_unknown_length_is_streamed_without_content_length() {
    let s = service();
    let out = get(&s, Method::GET, "/stream");
    assert_eq!(framing_of(&out), (Framing::Streamed, None));
    assert_eq!(body_of(out), "abc");
}

#[test]
fn bodiless_statuses_lose_body_and_length_and_205_says_zero() {
    let s = service();
    for code in [100, 103, 204, 304] {
        let out = get(&s, Method::GET, &format!("/status/{code}"));
        assert_eq!(out.response.status().as_u16(), code);
        assert_eq!(framing_of(&out), (Framing::Bodiless, None), "{code}");
        assert!(body_of(out).is_empty(), "{code}");
    }
    let out = get(&s, Method::GET, "/status/205");
    assert_eq!(framing_of(&out), (Framing::Length(0), Some("0")));
    assert!(body_of(out).is_empty());
}

#[test]
fn head_keeps_the_get_length_when_known_and_sends_no_body() {
    let s = service();
    for (path, length) in [
        ("/text", Some("5")),
        // A streamed GET answer has no known length: HEAD claims none.
        ("/stream", None),
        ("/status/204", None),
    ] {
        let out = get(&s, Method::HEAD, path);
        assert_eq!(framing_of(&out), (Framing::Bodiless, length), "{path}");
        assert!(body_of(out).is_empty(), "{path}");
    }
}

#[test]
fn a_length_the_app_declares_stands_and_a_malformed_one_is_dropped() {
    let s = service();
    let out = get(&s, Method::GET, "/declared");
    assert_eq!(framing_of(&out), (Framing::Length(3), Some("3")));
    let mut out = get(&s, Method::GET, "/bad-length");
    out.declare_length();
    assert_eq!(framing_of(&out), (Framing::Length(4), Some("4")));
}

#[test]
fn a_stream_ready_at_once_completes_and_a_slow_one_keeps_its_first_chunks() {
    let s = service();
    let mut out = get(&s, Method::GET, "/stream");
    assert!(out.try_complete());
    out.declare_length();
    assert_eq!(framing_of(&out), (Framing::Length(3), Some("3")));
    assert_eq!(body_of(out), "abc");

    // A stream under a length the app declared becomes one buffer too.
    let mut out = get(&s, Method::GET, "/declared");
    assert!(out.try_complete());
    assert_eq!(out.response.body().as_bytes(), Some(&b"abc"[..]));
    assert_eq!(framing_of(&out), (Framing::Length(3), Some("3")));

    let mut out = get(&s, Method::GET, "/slow");
    assert!(!out.try_complete());
    assert_eq!(framing_of(&out), (Framing::Streamed, None));
    let mut body = out.response.into_body();
    let first = futures_executor::block_on(http_body_util::BodyExt::frame(&mut body));
    let first = first
        .expect("a frame")
        .expect("data")
        .into_data()
        .expect("data");
    assert_eq!(first, "first");
}

/// A POST to `path` whose body is a stream of `len` bytes declared by
/// `content-length` (or not), as a backend hands it over.
fn upload(path: &str, len: usize, declared: bool, version: Version) -> http::Request<Body> {
    let mut builder = http::Request::post(path).version(version);
    if declared {
        builder = builder.header("content-length", len);
    }
    let bytes = Bytes::from(vec![b'x'; len]);
    let stream =
        futures_util::stream::iter([Ok::<_, std::io::Error>(http_body::Frame::data(bytes))]);
    let body = if declared {
        Body::from_http_body(Sized(http_body_util::StreamBody::new(stream), len as u64))
    } else {
        Body::from_http_body(http_body_util::StreamBody::new(stream))
    };
    builder.body(body).expect("request")
}

/// A stream that knows its length, as hyper's body does with `content-length`.
struct Sized<B>(B, u64);

impl<B: http_body::Body<Data = Bytes> + Unpin> http_body::Body for Sized<B> {
    type Data = Bytes;
    type Error = B::Error;
    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, B::Error>>> {
        let polled = std::pin::Pin::new(&mut self.0).poll_frame(cx);
        if let std::task::Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            self.1 -= data.len() as u64;
        }
        polled
    }
    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.1)
    }
}

#[test]
fn a_body_read_to_the_end_leaves_nothing() {
    let s = service();
    for unread in [
        UnreadBodies::CloseConnection,
        UnreadBodies::DrainOrClose,
        UnreadBodies::DrainOrDrop,
    ] {
        let out = serve(&s, upload("/read", 100, true, Version::HTTP_11), unread);
        assert_eq!(out.leftover, Leftover::None, "{unread:?}");
        assert!(out.response.headers().get("connection").is_none());
    }
}

#[test]
fn an_unread_body_is_drained_when_small_and_closes_the_connection_otherwise() {
    let s = service();
    let small = DRAIN_LIMIT as usize;
    let cases = [
        // (platform, length, declared) -> (leftover, announced)
        (
            UnreadBodies::CloseConnection,
            10,
            true,
            Leftover::Close,
            true,
        ),
        (
            UnreadBodies::DrainOrClose,
            small,
            true,
            Leftover::Drain,
            false,
        ),
        (
            UnreadBodies::DrainOrClose,
            small + 1,
            true,
            Leftover::Close,
            true,
        ),
        (UnreadBodies::DrainOrClose, 10, false, Leftover::Close, true),
        (UnreadBodies::DrainOrDrop, 10, true, Leftover::Drain, false),
        (UnreadBodies::DrainOrDrop, 10, false, Leftover::Drain, false),
        (
            UnreadBodies::DrainOrDrop,
            small + 1,
            true,
            Leftover::Close,
            false,
        ),
    ];
    for (unread, len, declared, want, announced) in cases {
        let out = serve(
            &s,
            upload("/ignore", len, declared, Version::HTTP_11),
            unread,
        );
        let close = out.response.headers().get("connection");
        assert_eq!(out.leftover, want, "{unread:?} {len} {declared}");
        assert_eq!(
            close == Some(&HeaderValue::from_static("close")),
            announced,
            "{unread:?} {len} {declared}"
        );
    }
}

#[test]
fn http2_streams_end_on_their_own() {
    let s = service();
    let out = serve(
        &s,
        upload("/ignore", 10, true, Version::HTTP_2),
        UnreadBodies::CloseConnection,
    );
    assert_eq!(out.leftover, Leftover::None);
    assert!(out.response.headers().get("connection").is_none());
}
