//! Helpers shared by the in-process test files.

#![allow(dead_code)]

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use mocket_core::bytes::Bytes;
use mocket_core::http::{self, HeaderMap, Method, StatusCode};
use mocket_core::{Body, IntoRequest, Mocket};

/// Sends `req` to `app` in-process and returns status, headers and the body
/// as text (lossily decoded, so binary bodies never fail the helper).
pub(crate) fn send(app: &Mocket, req: impl IntoRequest) -> (StatusCode, HeaderMap, String) {
    let (status, headers, body) = send_bytes(app, req);
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

/// Like [`send`], with the body as raw bytes.
pub(crate) fn send_bytes(app: &Mocket, req: impl IntoRequest) -> (StatusCode, HeaderMap, Bytes) {
    futures_executor::block_on(async {
        let res = app.request(req).await;
        let (parts, body) = res.into_parts();
        let body = body.to_bytes().await.expect("response body readable");
        (parts.status, parts.headers, body)
    })
}

/// `GET path`: status and body.
pub(crate) fn get(app: &Mocket, path: &str) -> (StatusCode, String) {
    let (status, _, body) = send(app, path);
    (status, body)
}

/// A bodiless request with any method (including extension tokens).
pub(crate) fn method(method: &str, path: &str) -> http::Request<Body> {
    http::Request::builder()
        .method(Method::from_bytes(method.as_bytes()).expect("valid method"))
        .uri(path)
        .body(Body::empty())
        .expect("valid request")
}

/// A request with a body and, if given, a content type.
pub(crate) fn with_body(
    method_name: &str,
    path: &str,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> http::Request<Body> {
    let mut builder = http::Request::builder()
        .method(Method::from_bytes(method_name.as_bytes()).expect("valid method"))
        .uri(path);
    if let Some(ct) = content_type {
        builder = builder.header("content-type", ct);
    }
    builder.body(body.into()).expect("valid request")
}

/// A shared, ordered log that handlers and middleware append to.
#[derive(Clone, Default)]
pub(crate) struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    pub(crate) fn push(&self, entry: impl Into<String>) {
        self.0.lock().expect("log lock").push(entry.into());
    }

    pub(crate) fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().expect("log lock"))
    }
}

/// A streamed body with no known length: `chunks` chunks of `chunk_size`
/// bytes each (all `b'a'`). The returned counter tells how many chunks the
/// reader actually pulled.
pub(crate) fn counted_stream(chunks: usize, chunk_size: usize) -> (Body, Arc<AtomicUsize>) {
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let stream = futures_util::stream::iter((0..chunks).map(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        Ok::<_, Infallible>(http_body::Frame::data(Bytes::from(vec![b'a'; chunk_size])))
    }));
    let body = Body::from_stream(http_body_util::StreamBody::new(stream));
    (body, pulled)
}

/// A streamed body yielding the given chunks, with no known length.
pub(crate) fn stream_of(chunks: Vec<&'static [u8]>) -> Body {
    let stream = futures_util::stream::iter(
        chunks
            .into_iter()
            .map(|c| Ok::<_, Infallible>(http_body::Frame::data(Bytes::from_static(c)))),
    );
    Body::from_stream(http_body_util::StreamBody::new(stream))
}
