//! The benchmark routes of ROUTES.md on raw hyper 1: one `service_fn`, a
//! hand-written match on method and path, a `HashMap` for the 1000 static
//! routes (built once at start-up), tokio's multi-threaded runtime.
//! Listens on 127.0.0.1:$PORT; `WORKERS` sets tokio's worker threads.
//!
//! There is no middleware machinery here: the "middlewares" of /api and
//! /middleware are plain function calls around the handler, which is what a
//! hand-written server would do, and what the frameworks are measured against.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::sync::OnceLock;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use peer_common::{Message, users_posts_comments};

type Res = Response<Full<Bytes>>;

const TEXT: &str = "text/plain; charset=utf-8";
const BODY_LIMIT: usize = 1 << 20;

fn respond(status: StatusCode, content_type: Option<&'static str>, body: impl Into<Bytes>) -> Res {
    let mut res = Response::new(Full::new(body.into()));
    *res.status_mut() = status;
    if let Some(ct) = content_type {
        res.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(ct));
    }
    res
}

fn text(body: impl Into<Bytes>) -> Res {
    respond(StatusCode::OK, Some(TEXT), body)
}

fn status(status: StatusCode) -> Res {
    respond(status, None, Bytes::new())
}

/// A pass-through "middleware": awaits the rest of the chain.
async fn pass<F: Future<Output = Res>>(next: F) -> Res {
    next.await
}

/// The /middleware "middleware": adds a header to the response.
async fn add_header<F: Future<Output = Res>>(next: F) -> Res {
    let mut res = next.await;
    res.headers_mut()
        .insert("x-middleware", HeaderValue::from_static("1"));
    res
}

fn static_routes() -> &'static HashMap<String, usize> {
    static ROUTES: OnceLock<HashMap<String, usize>> = OnceLock::new();
    ROUTES.get_or_init(|| (0..1000).map(|i| (format!("/static/{i}"), i)).collect())
}

/// Percent-decodes one path segment; `None` for bytes that are not UTF-8
/// once decoded or a malformed escape.
fn decode(segment: &str) -> Option<String> {
    let b = segment.as_bytes();
    for (i, _) in b.iter().enumerate().filter(|&(_, &c)| c == b'%') {
        let hex = b.get(i + 1..i + 3)?;
        if !hex.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
    }
    percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// A non-empty single segment after `prefix`.
fn param<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    path.strip_prefix(prefix)
        .filter(|s| !s.is_empty() && !s.contains('/'))
}

fn from_param(value: Option<String>) -> Res {
    match value {
        Some(v) => text(v),
        None => status(StatusCode::BAD_REQUEST),
    }
}

fn query(q: Option<&str>) -> Res {
    let mut name = String::new();
    let mut repeat = 1;
    for (k, v) in form_urlencoded::parse(q.unwrap_or("").as_bytes()) {
        match &*k {
            "name" => name = v.into_owned(),
            "repeat" => match v.parse::<usize>() {
                Ok(n) if n <= 1000 => repeat = n,
                _ => return status(StatusCode::BAD_REQUEST),
            },
            _ => {}
        }
    }
    text(name.repeat(repeat))
}

async fn read_body(req: Request<Incoming>) -> Result<Bytes, Res> {
    match Limited::new(req.into_body(), BODY_LIMIT).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(_) => Err(status(StatusCode::PAYLOAD_TOO_LARGE)),
    }
}

async fn echo(req: Request<Incoming>) -> Res {
    match read_body(req).await {
        Ok(body) => {
            let ct = if std::str::from_utf8(&body).is_ok() {
                TEXT
            } else {
                "application/octet-stream"
            };
            respond(StatusCode::OK, Some(ct), body)
        }
        Err(res) => res,
    }
}

async fn json_echo(req: Request<Incoming>) -> Res {
    let is_json = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/json")
        });
    if !is_json {
        return status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
    let body = match read_body(req).await {
        Ok(body) => body,
        Err(res) => return res,
    };
    match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(value) => respond(
            StatusCode::OK,
            Some("application/json"),
            serde_json::to_vec(&value).unwrap_or_default(),
        ),
        Err(_) => status(StatusCode::BAD_REQUEST),
    }
}

async fn handle(req: Request<Incoming>) -> Result<Res, Infallible> {
    let path = req.uri().path();
    let res = match (req.method(), path) {
        (&Method::GET, "/plaintext") => text("Hello, World!"),
        (&Method::GET, "/middleware/plaintext") => {
            add_header(async { text("Hello, World!") }).await
        }
        (&Method::GET, "/api/plaintext") => pass(pass(pass(async { text("Hello, World!") }))).await,
        (&Method::GET, "/api/v1/users/current/profile/settings") => {
            pass(pass(pass(async { text("settings") }))).await
        }
        (&Method::GET, "/json") => {
            let body = serde_json::to_vec(&Message {
                message: "Hello, World!",
            })
            .unwrap_or_default();
            respond(StatusCode::OK, Some("application/json"), body)
        }
        (&Method::GET, "/query") => query(req.uri().query()),
        (&Method::GET, "/headers") => {
            let mut res = text("ok");
            res.headers_mut()
                .insert("x-powered-by", HeaderValue::from_static("bench"));
            res.headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        (&Method::POST, "/echo") => echo(req).await,
        (&Method::POST, "/json-echo") => json_echo(req).await,
        (&Method::POST, "/consume") => match read_body(req).await {
            Ok(_) => text("ok"),
            Err(res) => res,
        },
        (&Method::GET, path) => {
            if let Some(&i) = static_routes().get(path) {
                text(i.to_string())
            } else if let Some(name) = param(path, "/echo/") {
                from_param(decode(name))
            } else if let Some(rest) = path.strip_prefix("/wild/").filter(|r| !r.is_empty()) {
                from_param(decode(rest))
            } else if let Some(ids) = users_posts_comments(path) {
                match ids.map(decode) {
                    [Some(u), Some(p), Some(c)] => text(format!("{u},{p},{c}")),
                    _ => status(StatusCode::BAD_REQUEST),
                }
            } else {
                status(StatusCode::NOT_FOUND)
            }
        }
        _ => status(StatusCode::NOT_FOUND),
    };
    Ok(res)
}

fn main() {
    let port = peer_common::port();
    static_routes();
    peer_common::runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
            .await
            .expect("bind");
        println!("Listening on http://{}", listener.local_addr().unwrap());
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(handle))
                    .await;
            });
        }
    });
}
