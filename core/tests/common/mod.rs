//! Helpers shared by the in-process test files.

#![allow(dead_code)]

pub(crate) mod duplex;
pub(crate) mod ws_client;

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use mocket_core::bytes::Bytes;
use mocket_core::http::{self, HeaderMap, HeaderValue, Method, StatusCode};
use mocket_core::{
    Body, Error, IntoRequest, IntoResponse, Json, Mocket, Next, Request, ResponseFuture,
};

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

/// Sends a row's target: `"POST /path"` for another method, or a bare target
/// (sent as given, so even a malformed one) for `GET`.
pub(crate) fn send_line(app: &Mocket, line: &str) -> (StatusCode, HeaderMap, String) {
    match line.split_once(' ') {
        Some((name, path)) => send(app, method(name, path)),
        None => send(app, line),
    }
}

/// Sends each row's target (see [`send_line`]) and checks status and body;
/// a failure names the row.
pub(crate) fn check(app: &Mocket, rows: &[(&str, StatusCode, &str)]) {
    for &(line, status, body) in rows {
        let (got_status, _, got_body) = send_line(app, line);
        assert_eq!((got_status, got_body.as_str()), (status, body), "{line}");
    }
}

/// [`check`] for rows that all answer 200: `(target, body)`.
pub(crate) fn check_ok(app: &Mocket, rows: &[(&str, &str)]) {
    for &(line, body) in rows {
        let (got_status, _, got_body) = send_line(app, line);
        assert_eq!(
            (got_status, got_body.as_str()),
            (StatusCode::OK, body),
            "{line}"
        );
    }
}

/// Checks that each target (see [`send_line`]) is a plain 404.
pub(crate) fn check_not_found(app: &Mocket, lines: &[&str]) {
    for &line in lines {
        let (status, _, body) = send_line(app, line);
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::NOT_FOUND, "Not Found"),
            "{line}"
        );
    }
}

/// Checks that `line` (see [`send_line`]) gets the opaque 500 that hides
/// whatever went wrong.
pub(crate) fn assert_opaque_500(app: &Mocket, line: &str) {
    check(
        app,
        &[(
            line,
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error",
        )],
    );
}

/// Registers a route per `(method, pattern, body)` row, each answering its
/// fixed body; the method `*` stands for `all`.
pub(crate) fn fixed_routes(app: &mut Mocket, rows: &[(&str, &str, &'static str)]) {
    for &(method, pattern, body) in rows {
        let handler = move |_req| async move { body };
        match method {
            "*" => app.all(pattern, handler),
            _ => app.on(method, pattern, handler),
        };
    }
}

/// Two apps with the [`fixed_routes`] of `rows`, registered in order and in
/// reverse, for checks that registration order does not matter.
pub(crate) fn both_orders(rows: &[(&str, &str, &'static str)]) -> [Mocket; 2] {
    let mut reversed = rows.to_vec();
    reversed.reverse();
    [rows, &reversed].map(|rows| {
        let mut app = Mocket::new();
        fixed_routes(&mut app, rows);
        app
    })
}

/// A middleware that sets `name: value` on every response it passes back.
pub(crate) fn set_header(
    name: &'static str,
    value: &'static str,
) -> impl Fn(Request, Next) -> ResponseFuture + Send + Sync + 'static {
    move |req, next| {
        Box::pin(async move {
            let mut res = next.run(req).await;
            res.headers_mut()
                .insert(name, HeaderValue::from_static(value));
            res
        })
    }
}

/// Renders every error as `{"error": message, "status": code}`.
pub(crate) fn json_errors(app: &mut Mocket) {
    app.on_error(|err: Error| {
        (
            err.status(),
            Json(serde_json::json!({ "error": err.message(), "status": err.status().as_u16() })),
        )
    });
}

pub(crate) fn parse_json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// Renders errors with their logged cause (`Display`), so tests can read it.
pub(crate) fn verbose_errors(app: &mut Mocket) {
    app.on_error(|err: Error| (err.status(), err.to_string()));
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

/// `POST path` with a body and, if given, a content type: status and body.
pub(crate) fn post(
    app: &Mocket,
    path: &str,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> (StatusCode, String) {
    let (status, _, body) = send(app, with_body("POST", path, content_type, body));
    (status, body)
}

/// Checks an answer's status and that its body contains `says`.
#[track_caller]
pub(crate) fn assert_says(got: (StatusCode, String), status: StatusCode, says: &str) {
    let (got_status, body) = got;
    assert_eq!(got_status, status, "{body}");
    assert!(body.contains(says), "{body:?} should contain {says:?}");
}

/// A bodiless request with these headers.
pub(crate) fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> http::Request<Body> {
    let mut builder = http::Request::builder().method(method).uri(path);
    for &(name, value) in headers {
        builder = builder.header(name, value);
    }
    builder.body(Body::empty()).expect("valid request")
}

/// A header's value as text, if there is one.
pub(crate) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().expect("header text"))
}

/// Checks the (first) value of each named header.
#[track_caller]
pub(crate) fn assert_headers(headers: &HeaderMap, want: &[(&str, &str)]) {
    for &(name, value) in want {
        assert_eq!(header_str(headers, name), Some(value), "{name}");
    }
}

/// Every value of a header, in order.
pub(crate) fn header_all<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
    headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().expect("header text"))
        .collect()
}

/// Decodes a gzip body.
pub(crate) fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(data), &mut out)
        .expect("valid gzip");
    out
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

    /// A handler that logs `entry`, then answers `body`.
    pub(crate) fn handler(
        &self,
        entry: &'static str,
        body: &'static str,
    ) -> impl Fn(Request) -> ResponseFuture + Send + Sync + 'static {
        let log = self.clone();
        move |_req| {
            let log = log.clone();
            Box::pin(async move {
                log.push(entry);
                body.into_response()
            })
        }
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
    let body = Body::from_http_body(http_body_util::StreamBody::new(stream));
    (body, pulled)
}

/// A streamed body yielding the given chunks, with no known length.
pub(crate) fn stream_of(chunks: Vec<&'static [u8]>) -> Body {
    let stream = futures_util::stream::iter(
        chunks
            .into_iter()
            .map(|c| Ok::<_, Infallible>(http_body::Frame::data(Bytes::from_static(c)))),
    );
    Body::from_http_body(http_body_util::StreamBody::new(stream))
}
