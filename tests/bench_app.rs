//! The bench example answers every case of bench/ROUTES.md, in-process.

#[path = "../examples/bench/app.rs"]
mod app;

use futures_executor::block_on;
use mocket::http::{Request, StatusCode};
use mocket::{Body, Mocket, Response};

fn text(res: Response) -> String {
    block_on(res.into_body().to_text()).expect("a text body")
}

fn get(app: &Mocket, uri: &str) -> Response {
    block_on(app.request(uri))
}

fn post(app: &Mocket, uri: &str, content_type: Option<&str>, body: impl Into<Body>) -> Response {
    let mut req = Request::post(uri);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    block_on(app.request(req.body(body.into()).expect("a valid request")))
}

#[test]
fn plaintext_routes() {
    let app = app::build();
    for uri in ["/plaintext", "/middleware/plaintext", "/api/plaintext"] {
        let res = get(&app, uri);
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
        assert_eq!(
            res.headers()["content-type"],
            "text/plain; charset=utf-8",
            "{uri}"
        );
        let has_mw = res.headers().contains_key("x-middleware");
        assert_eq!(has_mw, uri == "/middleware/plaintext", "{uri}");
        assert_eq!(text(res), "Hello, World!", "{uri}");
    }
}

#[test]
fn static_and_deep_routes() {
    let app = app::build();
    assert_eq!(
        text(get(&app, "/api/v1/users/current/profile/settings")),
        "settings"
    );
    assert_eq!(text(get(&app, "/static/999")), "999");
    assert_eq!(text(get(&app, "/static/0")), "0");
    assert_eq!(get(&app, "/static/1000").status(), StatusCode::NOT_FOUND);
}

#[test]
fn json_route() {
    let res = get(&app::build(), "/json");
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(text(res), r#"{"message":"Hello, World!"}"#);
}

#[test]
fn params_and_wildcards() {
    let app = app::build();
    assert_eq!(text(get(&app, "/echo/moonbit")), "moonbit");
    assert_eq!(text(get(&app, "/echo/hello%20world")), "hello world");
    assert_eq!(text(get(&app, "/users/42/posts/99/comments/7")), "42,99,7");
    assert_eq!(text(get(&app, "/wild/a/b/c/d")), "a/b/c/d");
}

#[test]
fn query_route() {
    let app = app::build();
    assert_eq!(
        text(get(&app, "/query?name=moonbit&repeat=4")),
        "moonbitmoonbitmoonbitmoonbit"
    );
    assert_eq!(text(get(&app, "/query?name=moonbit")), "moonbit");
    assert_eq!(
        get(&app, "/query?name=x&repeat=abc").status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        get(&app, "/query?name=x&repeat=1001").status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(text(get(&app, "/query?name=x&repeat=1000")).len(), 1000);
}

#[test]
fn headers_and_notfound() {
    let app = app::build();
    let res = get(&app, "/headers");
    assert_eq!(res.headers()["x-powered-by"], "bench");
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(text(res), "ok");
    assert_eq!(get(&app, "/missing").status(), StatusCode::NOT_FOUND);
}

#[test]
fn body_routes() {
    let app = app::build();
    assert_eq!(
        text(post(&app, "/echo", None, "hello moonbit")),
        "hello moonbit"
    );

    let large: Vec<u8> = (0..16 * 1024).map(|i| b'a' + (i % 26) as u8).collect();
    let res = post(&app, "/echo", None, large.clone());
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(text(res).as_bytes(), &large[..]);

    let res = post(&app, "/consume", None, large);
    assert_eq!(text(res), "ok");

    let sent = r#"{"message":"Hello, World!","items":[1,2,3,4]}"#;
    let res = post(&app, "/json-echo", Some("application/json"), sent);
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(text(res), sent);
    let res = post(&app, "/json-echo", Some("application/json"), "{nope");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}
