//! Methods: one route per method, custom tokens, `all`, 405 with `Allow`,
//! and HEAD answered by GET.

mod common;

use common::{both_orders, check, check_ok, header_str, method, post, send, send_line};
use mocket_core::Mocket;
use mocket_core::http::{HeaderMap, Method, StatusCode};

fn allow_list(headers: &HeaderMap) -> Vec<String> {
    let value = header_str(headers, "allow").expect("405 carries an Allow header");
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
    check(
        &app,
        &[
            ("GET /m", StatusCode::OK, "get GET"),
            ("POST /m", StatusCode::OK, "post POST"),
            ("PUT /m", StatusCode::OK, "put PUT"),
            ("PATCH /m", StatusCode::OK, "patch PATCH"),
            ("DELETE /m", StatusCode::OK, "delete DELETE"),
            ("OPTIONS /m", StatusCode::OK, "options OPTIONS"),
            ("TRACE /m", StatusCode::OK, "trace TRACE"),
            ("CONNECT /m", StatusCode::OK, "connect CONNECT"),
            // HEAD answers never carry a body.
            ("HEAD /m", StatusCode::OK, ""),
        ],
    );
}

#[test]
fn head_shortcut_route_runs_its_own_handler() {
    let mut app = Mocket::new();
    app.get("/h", |_req| async { "from get" });
    app.head("/h", |_req| async { ([("x-from", "head")], "from head!") });
    let (status, headers, body) = send(&app, method("HEAD", "/h"));
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    assert_eq!(headers["x-from"], "head");
    assert_eq!(
        headers["content-length"], "10",
        "length of the HEAD handler's body"
    );
    // GET is unaffected.
    check(&app, &[("/h", StatusCode::OK, "from get")]);
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
    check_ok(
        &app,
        &[
            ("PROPFIND /files", "props via PROPFIND"),
            ("PUT /files", "put"),
            ("MKCOL /files/docs", "mkcol docs"),
        ],
    );
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
        assert_eq!((status, body), (StatusCode::OK, format!("any {m}")), "{m}");
    }
    check(&app, &[("HEAD /any", StatusCode::OK, "")]);
}

#[test]
fn method_specific_route_wins_over_all() {
    for app in both_orders(&[("*", "/x", "all"), ("POST", "/x", "post")]) {
        assert!(app.check().is_ok());
        check_ok(
            &app,
            &[("POST /x", "post"), ("GET /x", "all"), ("DELETE /x", "all")],
        );
    }
}

#[test]
fn wrong_method_is_405_with_allow() {
    let mut app = Mocket::new();
    app.post("/items", |_req| async { "made" });
    app.delete("/items", |_req| async { "gone" });
    // `Allow` lists HEAD when GET is routed.
    app.get("/r", |_req| async { "r" });
    app.put("/r", |_req| async { "r" });
    app.post("/only-post", |_req| async { "p" });
    // `Allow` collects the methods of every matching pattern.
    app.get("/files/readme", |_req| async { "readme" });
    app.put("/files/:name", |_req| async { "put" });
    for (line, allow) in [
        ("GET /items", &["DELETE", "POST"][..]),
        ("POST /r", &["GET", "HEAD", "PUT"]),
        // HEAD without GET is a 405 too.
        ("HEAD /only-post", &["POST"]),
        ("DELETE /files/readme", &["GET", "HEAD", "PUT"]),
    ] {
        let (status, headers, body) = send_line(&app, line);
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{line}");
        if !line.starts_with("HEAD") {
            assert_eq!(body, "Method Not Allowed", "{line}");
        }
        assert_eq!(allow_list(&headers), allow, "{line}");
    }
    // PUT on the static path falls through to the param route.
    check(&app, &[("PUT /files/readme", StatusCode::OK, "put")]);
}

#[test]
fn head_is_answered_by_get_without_body_but_with_length() {
    let mut app = Mocket::new();
    app.get("/page", |_req| async { ([("x-page", "1")], "hello world") });
    // The handler sees HEAD: its body is `len("HEAD")` long.
    app.get("/which", |req| async move { req.method().to_string() });
    app.get("/doc", |_req| async { "a long document body" });
    app.head("/doc", |_req| async {
        ([("x-head", "custom")], StatusCode::NO_CONTENT)
    });
    // (path, status, content-length, other headers)
    for (path, status, length, others) in [
        (
            "/page",
            StatusCode::OK,
            Some("11"),
            &[
                ("content-type", "text/plain; charset=utf-8"),
                ("x-page", "1"),
            ][..],
        ),
        ("/which", StatusCode::OK, Some("4"), &[]),
        // An explicit HEAD route overrides GET: the GET body's length must
        // not leak into its answer.
        (
            "/doc",
            StatusCode::NO_CONTENT,
            None,
            &[("x-head", "custom")],
        ),
    ] {
        let (got, headers, body) = send(&app, method("HEAD", path));
        assert_eq!((got, body.as_str()), (status, ""), "{path}");
        assert_eq!(header_str(&headers, "content-length"), length, "{path}");
        common::assert_headers(&headers, others);
    }
}

#[test]
fn post_body_reaches_post_route() {
    let mut app = Mocket::new();
    app.post("/echo", |mut req| async move { req.text().await });
    assert_eq!(
        post(&app, "/echo", None, "ping"),
        (StatusCode::OK, "ping".to_owned())
    );
}

/// RFC 9110 §8.6: a server MUST NOT send `content-length` in a 204 (or 1xx)
/// response; the HEAD answer must not invent one where GET sent none.
#[test]
fn head_of_a_204_gets_no_content_length() {
    let mut app = Mocket::new();
    app.get("/empty", |_req| async { StatusCode::NO_CONTENT });
    for line in ["GET /empty", "HEAD /empty"] {
        let (status, headers, body) = send_line(&app, line);
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::NO_CONTENT, ""),
            "{line}"
        );
        assert!(
            headers.get("content-length").is_none(),
            "{line} carries content-length: {:?}",
            headers.get("content-length")
        );
    }
}
