//! The routing of the raw WASI peers — the `wasi:http` component
//! (peers/wasi-raw) and the HTTP/1.1 server on `wasi:sockets`
//! (peers/wasi-sockets-raw): a hand-written match on method and path, a
//! `HashMap` for the 1000 static routes, no framework. Both peers route
//! through this one function, so they give exactly the same answers and
//! differ only in how a request reaches them and an answer leaves.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::{Message, users_posts_comments};

/// The content type of every text answer.
pub const TEXT: &str = "text/plain; charset=utf-8";

/// The largest request body read (1 MiB); a larger one is answered 413.
pub const BODY_LIMIT: usize = 1 << 20;

/// An answer: the transport adds `content-length` (and whatever framing it
/// needs) when it sends it.
pub struct Res {
    pub status: u16,
    pub headers: Vec<(&'static str, &'static str)>,
    pub body: Vec<u8>,
}

pub fn respond(status: u16, content_type: Option<&'static str>, body: impl Into<Vec<u8>>) -> Res {
    Res {
        status,
        headers: content_type
            .map(|ct| ("content-type", ct))
            .into_iter()
            .collect(),
        body: body.into(),
    }
}

pub fn text(body: impl Into<Vec<u8>>) -> Res {
    respond(200, Some(TEXT), body)
}

/// An answer with no body.
pub fn status(code: u16) -> Res {
    respond(code, None, Vec::new())
}

/// `/static/0` … `/static/999`, built on first use.
pub fn static_routes() -> &'static HashMap<String, usize> {
    static ROUTES: OnceLock<HashMap<String, usize>> = OnceLock::new();
    ROUTES.get_or_init(|| (0..1000).map(|i| (format!("/static/{i}"), i)).collect())
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Percent-decodes `s` (and `+` as a space when `plus` is set); `None` for a
/// malformed escape or bytes that are not UTF-8.
fn decode(s: &str, plus: bool) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let (h, l) = (hex(*b.get(i + 1)?)?, hex(*b.get(i + 2)?)?);
                out.push(h << 4 | l);
                i += 3;
            }
            b'+' if plus => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

fn from_param(value: Option<String>) -> Res {
    value.map_or_else(|| status(400), text)
}

fn query(q: &str) -> Res {
    let mut name = String::new();
    let mut repeat = 1;
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (Some(k), Some(v)) = (decode(k, true), decode(v, true)) else {
            return status(400);
        };
        match k.as_str() {
            "name" => name = v,
            "repeat" => match v.parse::<usize>() {
                Ok(n) if n <= 1000 => repeat = n,
                _ => return status(400),
            },
            _ => {}
        }
    }
    text(name.repeat(repeat))
}

fn echo(body: Result<Vec<u8>, Res>) -> Res {
    match body {
        Ok(body) => {
            let ct = if std::str::from_utf8(&body).is_ok() {
                TEXT
            } else {
                "application/octet-stream"
            };
            respond(200, Some(ct), body)
        }
        Err(res) => res,
    }
}

/// Whether a `content-type` value is `application/json` (parameters and
/// case aside).
fn is_json(value: &[u8]) -> bool {
    let v = String::from_utf8_lossy(value);
    v.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .eq_ignore_ascii_case("application/json")
}

fn json_echo<C>(content_types: C, read_body: impl FnOnce() -> Result<Vec<u8>, Res>) -> Res
where
    C: IntoIterator,
    C::Item: AsRef<[u8]>,
{
    if !content_types.into_iter().any(|v| is_json(v.as_ref())) {
        return status(415);
    }
    let body = match read_body() {
        Ok(body) => body,
        Err(res) => return res,
    };
    match serde_json::from_slice::<serde_json::Value>(&body) {
        Ok(value) => respond(
            200,
            Some("application/json"),
            serde_json::to_vec(&value).unwrap_or_default(),
        ),
        Err(_) => status(400),
    }
}

/// Answers one request of bench/ROUTES.md.
///
/// `method` as on the wire (only `GET` and `POST` are routed), `target` the
/// path with its query. The rest is asked for only by the routes that need
/// it, so a transport pays for it only there: `content_types` gives the
/// request's `content-type` values (`POST /json-echo`), and `read_body` its
/// body, or the answer to give instead (413 over [`BODY_LIMIT`], 400 for a
/// broken body).
pub fn route<C>(
    method: &str,
    target: &str,
    content_types: impl FnOnce() -> C,
    read_body: impl FnOnce() -> Result<Vec<u8>, Res>,
) -> Res
where
    C: IntoIterator,
    C::Item: AsRef<[u8]>,
{
    let (path, q) = target.split_once('?').unwrap_or((target, ""));
    match (method, path) {
        ("GET", "/plaintext") | ("GET", "/api/plaintext") => text("Hello, World!"),
        ("GET", "/middleware/plaintext") => {
            let mut res = text("Hello, World!");
            res.headers.push(("x-middleware", "1"));
            res
        }
        ("GET", "/api/v1/users/current/profile/settings") => text("settings"),
        ("GET", "/json") => respond(
            200,
            Some("application/json"),
            serde_json::to_vec(&Message {
                message: "Hello, World!",
            })
            .unwrap_or_default(),
        ),
        ("GET", "/query") => query(q),
        ("GET", "/headers") => {
            let mut res = text("ok");
            res.headers.push(("x-powered-by", "bench"));
            res.headers.push(("cache-control", "no-store"));
            res
        }
        ("POST", "/echo") => echo(read_body()),
        ("POST", "/json-echo") => json_echo(content_types(), read_body),
        ("POST", "/consume") => match read_body() {
            Ok(_) => text("ok"),
            Err(res) => res,
        },
        ("GET", path) => {
            if let Some(&i) = static_routes().get(path) {
                text(i.to_string())
            } else if let Some(name) = path
                .strip_prefix("/echo/")
                .filter(|s| !s.is_empty() && !s.contains('/'))
            {
                from_param(decode(name, false))
            } else if let Some(rest) = path.strip_prefix("/wild/").filter(|r| !r.is_empty()) {
                from_param(decode(rest, false))
            } else if let Some(ids) = users_posts_comments(path) {
                match ids.map(|s| decode(s, false)) {
                    [Some(u), Some(p), Some(c)] => text(format!("{u},{p},{c}")),
                    _ => status(400),
                }
            } else {
                status(404)
            }
        }
        _ => status(404),
    }
}
