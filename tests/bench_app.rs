//! The bench example answers every case of bench/ROUTES.md, in-process.

#[path = "../examples/bench/app.rs"]
mod app;

use futures_executor::block_on;
use mocket::http::{Request, StatusCode};
use mocket::{Body, Mocket, Response};
use mocket_testkit::bench_app::{ANSWERS, REFUSED};

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
fn get_routes_answer_their_bodies() {
    let app = app::build();
    for (uri, want) in ANSWERS {
        let res = get(&app, uri);
        assert_eq!(res.status(), StatusCode::OK, "{uri}");
        assert_eq!(text(res), want, "{uri}");
    }
    assert_eq!(text(get(&app, "/query?name=x&repeat=1000")).len(), 1000);
}

#[test]
fn out_of_range_and_bad_values_are_refused() {
    let app = app::build();
    for (uri, want) in REFUSED {
        assert_eq!(get(&app, uri).status().as_u16(), want, "{uri}");
    }
}

#[test]
fn json_route() {
    let res = get(&app::build(), "/json");
    assert_eq!(res.headers()["content-type"], "application/json");
    assert_eq!(text(res), r#"{"message":"Hello, World!"}"#);
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
