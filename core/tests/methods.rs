//! Methods: one route per method, custom tokens, `all`, 405 with `Allow`,
//! and HEAD answered by GET.

mod common;

use common::{get, method, send, with_body};
use mocket_core::Mocket;
use mocket_core::http::{HeaderMap, HeaderValue, Method, StatusCode};

fn allow_list(headers: &HeaderMap) -> Vec<String> {
    let value = headers
        .get("allow")
        .expect("405 carries an Allow header")
        .to_str()
        .expect("Allow is text");
    let mut list: Vec<String> = value.split(',').map(|m| m.trim().to_owned()).collect();
    list.sort();
    list
}

#[test]
fn every_method_shortcut_routes_its_method() {
    let mut app = Mocket::new();
    app.get("/m", |req| async move { format!("get {}", req.method()) });
    app.post("/m", |req| async move { format!("post {}", req.method()) });
    app.put("/m", |req| async move { format!("put {}", req.method()) });
    app.patch("/m", |req| async move { format!("patch {}", req.method()) });
    app.delete(
        "/m",
        |req| async move { format!("delete {}", req.method()) },
    );
    app.head("/m", |_req| async { "ignored body" });
    app.options(
        "/m",
        |req| async move { format!("options {}", req.method()) },
    );
    app.trace("/m", |req| async move { format!("trace {}", req.method()) });
    app.connect(
        "/m",
        |req| async move { format!("connect {}", req.method()) },
    );
    assert!(app.check().is_ok());

    for (m, expected) in [
        ("GET", "get GET"),
        ("POST", "post POST"),
        ("PUT", "put PUT"),
        ("PATCH", "patch PATCH"),
        ("DELETE", "delete DELETE"),
        ("OPTIONS", "options OPTIONS"),
        ("TRACE", "trace TRACE"),
        ("CONNECT", "connect CONNECT"),
    ] {
        let (status, _, body) = send(&app, method(m, "/m"));
        assert_eq!(status, StatusCode::OK, "{m}");
        assert_eq!(body, expected, "{m}");
    }
    let (status, _, body) = send(&app, method("HEAD", "/m"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "", "HEAD answers never carry a body");
}

#[test]
fn head_shortcut_route_runs_its_own_handler() {
    let mut app = Mocket::new();
    app.get("/h", |_req| async { "from get" });
    app.head("/h", |_req| async { ([("x-from", "head")], "from head!") });
    let (status, headers, body) = send(&app, method("HEAD", "/h"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-from"], "head");
    assert_eq!(body, "");
    assert_eq!(
        headers["content-length"], "10",
        "length of the HEAD handler's body"
    );
    // GET is unaffected.
    assert_eq!(get(&app, "/h").1, "from get");
}

#[test]
fn on_registers_any_method_token() {
    let mut app = Mocket::new();
    app.on("PROPFIND", "/files", |req| async move {
        format!("props via {}", req.method())
    });
    app.on(Method::PUT, "/files", |_req| async { "put" });
    app.on("MKCOL", "/files/:dir", |req| async move {
        format!("mkcol {}", req.try_param("dir").unwrap_or("-"))
    });
    assert!(app.check().is_ok());
    let (status, _, body) = send(&app, method("PROPFIND", "/files"));
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "props via PROPFIND")
    );
    assert_eq!(send(&app, method("PUT", "/files")).2, "put");
    assert_eq!(send(&app, method("MKCOL", "/files/docs")).2, "mkcol docs");
    let (status, headers, _) = send(&app, method("GET", "/files"));
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(allow_list(&headers), ["PROPFIND", "PUT"]);
}

#[test]
fn all_answers_every_method() {
    let mut app = Mocket::new();
    app.all("/any", |req| async move { format!("any {}", req.method()) });
    for m in [
        "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "PROPFIND",
    ] {
        let (status, _, body) = send(&app, method(m, "/any"));
        assert_eq!(status, StatusCode::OK, "{m}");
        assert_eq!(body, format!("any {m}"));
    }
    let (status, _, body) = send(&app, method("HEAD", "/any"));
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
}

#[test]
fn method_specific_route_wins_over_all() {
    for all_first in [true, false] {
        let mut app = Mocket::new();
        if all_first {
            app.all("/x", |_req| async { "all" });
        }
        app.post("/x", |_req| async { "post" });
        if !all_first {
            app.all("/x", |_req| async { "all" });
        }
        assert!(app.check().is_ok());
        assert_eq!(send(&app, method("POST", "/x")).2, "post");
        assert_eq!(send(&app, method("GET", "/x")).2, "all");
        assert_eq!(send(&app, method("DELETE", "/x")).2, "all");
    }
}

#[test]
fn wrong_method_is_405_with_allow() {
    let mut app = Mocket::new();
    app.post("/items", |_req| async { "made" });
    app.delete("/items", |_req| async { "gone" });
    let (status, headers, body) = send(&app, method("GET", "/items"));
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body, "Method Not Allowed");
    assert_eq!(allow_list(&headers), ["DELETE", "POST"]);
}

#[test]
fn allow_lists_head_when_get_is_routed() {
    let mut app = Mocket::new();
    app.get("/r", |_req| async { "r" });
    app.put("/r", |_req| async { "r" });
    let (status, headers, _) = send(&app, method("POST", "/r"));
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(allow_list(&headers), ["GET", "HEAD", "PUT"]);
}

#[test]
fn head_without_get_is_405() {
    let mut app = Mocket::new();
    app.post("/only-post", |_req| async { "p" });
    let (status, headers, _) = send(&app, method("HEAD", "/only-post"));
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(allow_list(&headers), ["POST"]);
}

#[test]
fn allow_collects_methods_of_every_matching_pattern() {
    let mut app = Mocket::new();
    app.get("/files/readme", |_req| async { "readme" });
    app.put("/files/:name", |_req| async { "put" });
    // PUT on the static path falls through to the param route.
    assert_eq!(send(&app, method("PUT", "/files/readme")).2, "put");
    let (status, headers, _) = send(&app, method("DELETE", "/files/readme"));
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(allow_list(&headers), ["GET", "HEAD", "PUT"]);
}

#[test]
fn head_is_answered_by_get_without_body_but_with_length() {
    let mut app = Mocket::new();
    app.get("/page", |_req| async { ([("x-page", "1")], "hello world") });
    let (status, headers, body) = send(&app, method("HEAD", "/page"));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "");
    assert_eq!(headers["content-length"], "11");
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(headers["x-page"], "1");
}

#[test]
fn head_via_get_sees_head_method() {
    let mut app = Mocket::new();
    app.get("/which", |req| async move { req.method().to_string() });
    let (_, headers, body) = send(&app, method("HEAD", "/which"));
    assert_eq!(body, "");
    assert_eq!(headers["content-length"], "4", "len(\"HEAD\")");
}

#[test]
fn explicit_head_route_overrides_get() {
    let mut app = Mocket::new();
    app.get("/doc", |_req| async { "a long document body" });
    app.head("/doc", |_req| async {
        ([("x-head", "custom")], StatusCode::NO_CONTENT)
    });
    let (status, headers, body) = send(&app, method("HEAD", "/doc"));
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers["x-head"], "custom");
    assert_eq!(body, "");
    assert_ne!(
        headers.get("content-length").map(HeaderValue::as_bytes),
        Some(&b"20"[..]),
        "the GET body's length must not leak into the HEAD route's answer"
    );
}

#[test]
fn post_body_reaches_post_route() {
    let mut app = Mocket::new();
    app.post("/echo", |mut req| async move { req.text().await });
    let (status, _, body) = send(&app, with_body("POST", "/echo", None, "ping"));
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ping"));
}

/// RFC 9110 §8.6: a server MUST NOT send `content-length` in a 204 (or 1xx)
/// response; the HEAD answer must not invent one where GET sent none.
#[test]
fn head_of_a_204_gets_no_content_length() {
    let mut app = Mocket::new();
    app.get("/empty", |_req| async { StatusCode::NO_CONTENT });
    let (status, headers, _) = send(&app, method("GET", "/empty"));
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(headers.get("content-length").is_none());
    let (status, headers, body) = send(&app, method("HEAD", "/empty"));
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, "");
    assert!(
        headers.get("content-length").is_none(),
        "HEAD 204 carries content-length: {:?}",
        headers.get("content-length")
    );
}
