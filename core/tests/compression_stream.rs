//! The compression middleware on streamed bodies: compressed chunk by
//! chunk, flushed when the source waits, sent before the source ends,
//! trailers and errors passed on, HEAD never reading the source.

mod common;

use std::collections::VecDeque;
use std::io::Write;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use common::{gunzip, header_str, request};
use mocket_core::bytes::Bytes;
use mocket_core::compression::Compression;
use mocket_core::http::{self, HeaderMap, HeaderValue, header};
use mocket_core::{Body, BoxError, IntoResponse, Mocket};

/// `method path` accepting `accept_encoding`, answered by `app`.
fn ask(app: &Mocket, method: &str, path: &str, accept_encoding: &str) -> http::Response<Body> {
    let req = request(method, path, &[("accept-encoding", accept_encoding)]);
    futures_executor::block_on(app.request(req))
}

fn encoding_of(headers: &HeaderMap) -> Option<&str> {
    header_str(headers, "content-encoding")
}

/// A streamed body fed by the test: chunks arrive when pushed, and it
/// waits (returns `Pending`) in between.
#[derive(Clone, Default)]
struct Feed(Arc<Mutex<FeedState>>);

#[derive(Default)]
struct FeedState {
    chunks: VecDeque<Result<Bytes, &'static str>>,
    trailers: Option<HeaderMap>,
    ended: bool,
}

impl Feed {
    fn push(&self, chunk: &str) {
        let mut state = self.0.lock().expect("lock");
        state.chunks.push_back(Ok(Bytes::from(chunk.to_owned())));
    }
    fn fail(&self) {
        self.0
            .lock()
            .expect("lock")
            .chunks
            .push_back(Err("the source broke"));
    }
    fn end(&self, trailers: Option<HeaderMap>) {
        let mut state = self.0.lock().expect("lock");
        state.trailers = trailers;
        state.ended = true;
    }
}

impl Feed {
    /// A response body streaming what the feed is given.
    fn body(&self) -> Body {
        let feed = self.clone();
        let frames = futures_util::stream::poll_fn(move |_cx| feed.next_frame());
        Body::from_http_body(http_body_util::StreamBody::new(frames))
    }

    fn next_frame(&self) -> Poll<Option<Result<http_body::Frame<Bytes>, BoxError>>> {
        let mut state = self.0.lock().expect("lock");
        match state.chunks.pop_front() {
            Some(Ok(chunk)) => Poll::Ready(Some(Ok(http_body::Frame::data(chunk)))),
            Some(Err(e)) => Poll::Ready(Some(Err(e.into()))),
            None if state.ended => Poll::Ready(
                state
                    .trailers
                    .take()
                    .map(|t| Ok(http_body::Frame::trailers(t))),
            ),
            // The test polls by hand, so no waker needs keeping.
            None => Poll::Pending,
        }
    }
}

/// An app with compression whose `/events` streams what the feed is given,
/// typed `text/event-stream` if `typed`.
fn events_app(typed: bool) -> (Feed, Mocket) {
    let feed = Feed::default();
    let mut app = Mocket::new();
    app.wrap(Compression::new());
    let source = feed.clone();
    app.get("/events", move |_req| {
        let mut res = source.body().into_response();
        if typed {
            res.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream"),
            );
        }
        async move { res }
    });
    (feed, app)
}

/// The app's streamed response to `accept`, for polling by hand.
fn streamed(accept: &str) -> (Feed, http::Response<Body>) {
    let (feed, app) = events_app(true);
    let res = ask(&app, "GET", "/events", accept);
    (feed, res)
}

fn poll(body: &mut Body) -> Poll<Option<Result<http_body::Frame<Bytes>, BoxError>>> {
    let mut cx = Context::from_waker(Waker::noop());
    http_body::Body::poll_frame(Pin::new(body), &mut cx)
}

fn next_data(body: &mut Body) -> Bytes {
    match poll(body) {
        Poll::Ready(Some(Ok(frame))) => frame.into_data().expect("a data frame"),
        other => panic!(
            "expected data, got {:?}",
            other.map(|f| f.map(|f| f.map(|f| f.is_data())))
        ),
    }
}

/// A decoder fed piece by piece, showing what is decodable so far.
enum Partial {
    Gzip(Box<flate2::write::GzDecoder<Vec<u8>>>),
    Brotli(Box<brotli::DecompressorWriter<Vec<u8>>>),
}

impl Partial {
    fn new(coding: &str) -> Partial {
        match coding {
            "gzip" => Partial::Gzip(Box::new(flate2::write::GzDecoder::new(Vec::new()))),
            _ => Partial::Brotli(Box::new(brotli::DecompressorWriter::new(Vec::new(), 4096))),
        }
    }
    fn feed(&mut self, data: &[u8]) -> String {
        let out = match self {
            Partial::Gzip(d) => {
                d.write_all(data).expect("write to decoder");
                d.flush().expect("flush decoder");
                d.get_ref()
            }
            Partial::Brotli(d) => {
                d.write_all(data).expect("write to decoder");
                d.flush().expect("flush decoder");
                d.get_ref()
            }
        };
        String::from_utf8(out.clone()).expect("UTF-8 body")
    }
}

#[test]
fn a_stream_is_compressed_chunk_by_chunk_and_flushed_when_the_source_waits() {
    for coding in ["gzip", "br"] {
        let (feed, res) = streamed(coding);
        assert_eq!(encoding_of(res.headers()), Some(coding));
        assert_eq!(res.headers()[header::VARY], "Accept-Encoding");
        let mut body = res.into_body();
        assert_eq!(body.exact_len(), None);
        let mut decoder = Partial::new(coding);
        // Nothing yet: the source waits, and there is nothing to flush.
        assert!(poll(&mut body).is_pending());
        feed.push("data: one\n\n");
        // The source waits again after one event: it is flushed and sent.
        assert_eq!(decoder.feed(&next_data(&mut body)), "data: one\n\n");
        assert!(poll(&mut body).is_pending());
        feed.push("data: two\n\n");
        feed.push("data: three\n\n");
        assert_eq!(
            decoder.feed(&next_data(&mut body)),
            "data: one\n\ndata: two\n\ndata: three\n\n"
        );
        let mut trailers = HeaderMap::new();
        trailers.insert("x-checksum", HeaderValue::from_static("abc"));
        feed.end(Some(trailers));
        // The end of the coded stream, then the source's trailers.
        let tail = next_data(&mut body);
        assert_eq!(
            decoder.feed(&tail),
            "data: one\n\ndata: two\n\ndata: three\n\n"
        );
        match poll(&mut body) {
            Poll::Ready(Some(Ok(frame))) => {
                assert_eq!(
                    frame.into_trailers().expect("trailers")["x-checksum"],
                    "abc"
                );
            }
            _ => panic!("expected the trailers"),
        }
        assert!(matches!(poll(&mut body), Poll::Ready(None)));
    }
}

#[test]
fn a_long_stream_is_sent_as_it_is_compressed_not_at_its_end() {
    let (feed, res) = streamed("gzip");
    let mut body = res.into_body();
    // 1 MiB of varied lines, all ready at once.
    let lines: Vec<String> = (0..40_000)
        .map(|i| format!("{i:08x} {}\n", i * 7919))
        .collect();
    for line in &lines {
        feed.push(line);
    }
    let mut sent = Vec::new();
    // Output comes out in pieces while the source still has input.
    let first = loop {
        match poll(&mut body) {
            Poll::Ready(Some(Ok(frame))) => break frame.into_data().unwrap(),
            // Yielding to the executor after a batch of chunks.
            Poll::Pending => continue,
            _ => panic!("the stream ended early"),
        }
    };
    assert!(!feed.0.lock().unwrap().chunks.is_empty());
    sent.extend_from_slice(&first);
    feed.end(None);
    loop {
        match poll(&mut body) {
            Poll::Ready(Some(Ok(frame))) => sent.extend_from_slice(&frame.into_data().unwrap()),
            Poll::Ready(None) => break,
            Poll::Pending => continue,
            Poll::Ready(Some(Err(e))) => panic!("{e}"),
        }
    }
    assert_eq!(gunzip(&sent), lines.concat().as_bytes());
}

#[test]
fn a_failing_stream_fails_the_compressed_body() {
    let (feed, res) = streamed("br");
    let mut body = res.into_body();
    feed.push("data: fine\n\n");
    next_data(&mut body);
    feed.fail();
    match poll(&mut body) {
        Poll::Ready(Some(Err(e))) => assert_eq!(e.to_string(), "the source broke"),
        _ => panic!("expected the source's error"),
    }
}

#[test]
fn a_stream_known_to_be_small_is_left_alone() {
    let mut app = Mocket::new();
    app.wrap(Compression::new());
    app.get("/", |_req| async {
        let sized = http_body_util::Full::new(Bytes::from_static(b"short and sized"));
        (
            [("content-type", "text/plain")],
            Body::from_http_body(sized),
        )
    });
    let res = ask(&app, "GET", "/", "gzip");
    assert_eq!(encoding_of(res.headers()), None);
    let body = futures_executor::block_on(res.into_body().to_bytes()).unwrap();
    assert_eq!(&body[..], b"short and sized");
}

#[test]
fn head_of_a_stream_compresses_nothing_and_claims_no_length() {
    let (feed, app) = events_app(false);
    feed.push("data: never read\n\n");
    let res = ask(&app, "HEAD", "/events", "gzip");
    assert_eq!(encoding_of(res.headers()), Some("gzip"));
    assert!(res.headers().get(header::CONTENT_LENGTH).is_none());
    assert_eq!(res.body().exact_len(), Some(0));
    // The source was never read.
    assert_eq!(feed.0.lock().unwrap().chunks.len(), 1);
}
