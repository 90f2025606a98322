//! The benchmark routes of ROUTES.md as a raw `wasi:http/proxy` component:
//! the `wasi` crate's bindings, a hand-written match on method and path, no
//! framework. Served by `wasmtime serve --addr 127.0.0.1:$PORT` (the host
//! owns the socket, so the port is the host's).
//!
//! `wasmtime serve` instantiates the component afresh for every request (the
//! default for WASIp2 components), so anything built "once per instance" —
//! here the 1000-entry static route table — is built once per request.

use std::collections::HashMap;
use std::sync::OnceLock;

use peer_common::{Message, users_posts_comments};
use wasi::http::types::{
    Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};
use wasi::io::streams::StreamError;

wasi::http::proxy::export!(Component);

struct Component;

const TEXT: &str = "text/plain; charset=utf-8";
const BODY_LIMIT: usize = 1 << 20;

struct Res {
    status: u16,
    headers: Vec<(&'static str, &'static str)>,
    body: Vec<u8>,
}

fn respond(status: u16, content_type: Option<&'static str>, body: impl Into<Vec<u8>>) -> Res {
    Res {
        status,
        headers: content_type
            .map(|ct| ("content-type", ct))
            .into_iter()
            .collect(),
        body: body.into(),
    }
}

fn text(body: impl Into<Vec<u8>>) -> Res {
    respond(200, Some(TEXT), body)
}

fn status(code: u16) -> Res {
    respond(code, None, Vec::new())
}

fn static_routes() -> &'static HashMap<String, usize> {
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

fn read_body(req: &IncomingRequest) -> Result<Vec<u8>, Res> {
    let body = req.consume().map_err(|()| status(500))?;
    let stream = body.stream().map_err(|()| status(500))?;
    let mut data = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => {
                data.extend_from_slice(&chunk);
                if data.len() > BODY_LIMIT {
                    return Err(status(413));
                }
            }
            Err(StreamError::Closed) => break,
            Err(StreamError::LastOperationFailed(_)) => return Err(status(400)),
        }
    }
    drop(stream);
    IncomingBody::finish(body);
    Ok(data)
}

fn echo(req: &IncomingRequest) -> Res {
    match read_body(req) {
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

fn json_echo(req: &IncomingRequest) -> Res {
    let is_json = req.headers().get("content-type").iter().any(|v| {
        let v = String::from_utf8_lossy(v);
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .eq_ignore_ascii_case("application/json")
    });
    if !is_json {
        return status(415);
    }
    let body = match read_body(req) {
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

fn route(req: &IncomingRequest) -> Res {
    let target = req.path_with_query().unwrap_or_default();
    let (path, q) = target.split_once('?').unwrap_or((&target, ""));
    match (req.method(), path) {
        (Method::Get, "/plaintext") | (Method::Get, "/api/plaintext") => text("Hello, World!"),
        (Method::Get, "/middleware/plaintext") => {
            let mut res = text("Hello, World!");
            res.headers.push(("x-middleware", "1"));
            res
        }
        (Method::Get, "/api/v1/users/current/profile/settings") => text("settings"),
        (Method::Get, "/json") => respond(
            200,
            Some("application/json"),
            serde_json::to_vec(&Message {
                message: "Hello, World!",
            })
            .unwrap_or_default(),
        ),
        (Method::Get, "/query") => query(q),
        (Method::Get, "/headers") => {
            let mut res = text("ok");
            res.headers.push(("x-powered-by", "bench"));
            res.headers.push(("cache-control", "no-store"));
            res
        }
        (Method::Post, "/echo") => echo(req),
        (Method::Post, "/json-echo") => json_echo(req),
        (Method::Post, "/consume") => match read_body(req) {
            Ok(_) => text("ok"),
            Err(res) => res,
        },
        (Method::Get, path) => {
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

fn send(res: Res, out: ResponseOutparam) {
    let mut fields: Vec<(String, Vec<u8>)> = res
        .headers
        .iter()
        .map(|&(k, v)| (k.to_owned(), v.as_bytes().to_vec()))
        .collect();
    fields.push((
        "content-length".to_owned(),
        res.body.len().to_string().into_bytes(),
    ));
    let headers = Fields::from_list(&fields).expect("valid headers");
    let response = OutgoingResponse::new(headers);
    response.set_status_code(res.status).expect("valid status");
    let body = response.body().expect("body taken once");
    ResponseOutparam::set(out, Ok(response));
    let stream = body.write().expect("stream taken once");
    for chunk in res.body.chunks(4096) {
        if stream.blocking_write_and_flush(chunk).is_err() {
            return; // the client went away
        }
    }
    drop(stream);
    let _ = OutgoingBody::finish(body, None);
}

impl wasi::exports::http::incoming_handler::Guest for Component {
    fn handle(request: IncomingRequest, response_out: ResponseOutparam) {
        if cfg!(feature = "eager-table") {
            static_routes();
        }
        send(route(&request), response_out);
    }
}
