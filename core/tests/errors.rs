//! Errors: typed errors, `?`, the error handler, panics, `not_found`, and
//! malformed in-process targets.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{get, method, send};
use mocket_core::http::{self, StatusCode};
use mocket_core::{Error, Html, IntoResponse, Json, Mocket};

fn json_errors(app: &mut Mocket) {
    app.on_error(|err: Error| {
        (
            err.status(),
            Json(serde_json::json!({ "error": err.message(), "status": err.status().as_u16() })),
        )
    });
}

fn parse_json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

#[test]
fn error_new_sends_status_and_message() {
    let mut app = Mocket::new();
    app.get("/", |_req| async {
        Err::<&str, _>(Error::new(StatusCode::CONFLICT, "name taken"))
    });
    app.get("/bad", |_req| async {
        Err::<(), _>(Error::bad_request("missing name"))
    });
    app.get("/gone", |_req| async {
        Err::<(), _>(Error::not_found("no such user"))
    });
    let (status, headers, body) = send(&app, "/");
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body, "name taken");
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(
        get(&app, "/bad"),
        (StatusCode::BAD_REQUEST, "missing name".into())
    );
    assert_eq!(
        get(&app, "/gone"),
        (StatusCode::NOT_FOUND, "no such user".into())
    );
}

#[test]
fn error_returned_directly_as_responder() {
    let mut app = Mocket::new();
    app.get("/", |_req| async {
        Error::new(StatusCode::PAYMENT_REQUIRED, "pay up")
    });
    assert_eq!(
        get(&app, "/"),
        (StatusCode::PAYMENT_REQUIRED, "pay up".into())
    );
}

#[test]
fn question_mark_on_std_error_is_opaque_500() {
    let mut app = Mocket::new();
    app.get("/n/:n", |req| async move {
        let n: u32 = req.try_param("n").unwrap_or("").parse()?;
        Ok(format!("n={n}"))
    });
    app.get("/io", |_req| async {
        Err::<(), _>(std::io::Error::other("secret database password in here"))?;
        Ok("unreachable")
    });
    assert_eq!(get(&app, "/n/7"), (StatusCode::OK, "n=7".into()));
    let (status, _, body) = send(&app, "/n/seven");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, "Internal Server Error");
    assert!(!body.contains("invalid digit"));
    let (status, _, body) = send(&app, "/io");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, "Internal Server Error");
    assert!(!body.contains("secret"));
}

#[test]
fn error_internal_hides_the_cause() {
    let mut app = Mocket::new();
    app.get("/", |_req| async {
        Err::<(), _>(Error::internal("db at 10.0.0.3 is down"))
    });
    app.get("/src", |_req| async {
        Err::<(), _>(
            Error::new(StatusCode::BAD_GATEWAY, "upstream failed").with_source("token=abc"),
        )
    });
    let (status, _, body) = send(&app, "/");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, "Internal Server Error");
    let (status, _, body) = send(&app, "/src");
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(body, "upstream failed");
}

#[test]
fn non_error_status_in_error_becomes_500() {
    let mut app = Mocket::new();
    app.get("/", |_req| async {
        Err::<(), _>(Error::new(StatusCode::OK, "not an error"))
    });
    assert_eq!(get(&app, "/").0, StatusCode::INTERNAL_SERVER_ERROR);
}

#[test]
fn on_error_renders_handler_errors() {
    let mut app = Mocket::new();
    json_errors(&mut app);
    app.get("/", |_req| async {
        Err::<&str, _>(Error::bad_request("nope"))
    });
    app.get("/q", |_req| async {
        "x".parse::<u32>()?;
        Ok("never")
    });
    let (status, headers, body) = send(&app, "/");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(
        parse_json(&body),
        serde_json::json!({ "error": "nope", "status": 400 })
    );
    let (status, _, body) = send(&app, "/q");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(
        parse_json(&body),
        serde_json::json!({ "error": "Internal Server Error", "status": 500 })
    );
}

#[test]
fn on_error_renders_404_and_405() {
    let mut app = Mocket::new();
    json_errors(&mut app);
    app.post("/only-post", |_req| async { "p" });
    let (status, headers, body) = send(&app, "/nowhere");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(
        parse_json(&body),
        serde_json::json!({ "error": "Not Found", "status": 404 })
    );
    let (status, headers, body) = send(&app, method("GET", "/only-post"));
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["allow"], "POST");
    assert_eq!(
        parse_json(&body),
        serde_json::json!({ "error": "Method Not Allowed", "status": 405 })
    );
}

#[test]
fn on_error_renders_routing_and_body_errors() {
    let mut app = Mocket::new();
    json_errors(&mut app);
    app.get("/echo/:x", |_req| async { "" });
    app.post("/json", |mut req| async move {
        req.json::<serde_json::Value>().await.map(Json)
    });
    let (status, _, body) = send(&app, "/echo/%zz");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(parse_json(&body)["status"], 400);
    let (status, _, body) = send(
        &app,
        common::with_body("POST", "/json", Some("text/plain"), "{}"),
    );
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(parse_json(&body)["status"], 415);
}

#[test]
fn middleware_error_goes_to_the_error_handler() {
    let mut app = Mocket::new();
    json_errors(&mut app);
    app.use_middleware(|req, next| async move {
        if req.header("authorization").is_none() {
            return Err(Error::new(StatusCode::UNAUTHORIZED, "missing token"));
        }
        Ok(next.run(req).await)
    });
    app.get("/", |_req| async { "secret" });
    let (status, headers, body) = send(&app, "/");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(
        parse_json(&body),
        serde_json::json!({ "error": "missing token", "status": 401 })
    );
}

#[test]
fn middleware_error_without_on_error_uses_default_rendering() {
    let mut app = Mocket::new();
    app.use_middleware(|_req, _next| async {
        Err::<(), _>(Error::new(StatusCode::TOO_MANY_REQUESTS, "slow down"))
    });
    app.get("/", |_req| async { "never" });
    assert_eq!(
        get(&app, "/"),
        (StatusCode::TOO_MANY_REQUESTS, "slow down".into())
    );
}

#[test]
fn middleware_std_error_via_question_mark_is_opaque_500() {
    let mut app = Mocket::new();
    app.use_middleware(|req, next| async move {
        let _n: u32 = req.header("x-n").unwrap_or("abc").parse()?;
        Ok(next.run(req).await)
    });
    app.get("/", |_req| async { "ok" });
    assert_eq!(
        get(&app, "/"),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal Server Error".into()
        )
    );
}

#[test]
fn error_handler_that_fails_falls_back_to_default() {
    let mut app = Mocket::new();
    app.on_error(|_err: Error| {
        Err::<&str, _>(Error::new(StatusCode::IM_A_TEAPOT, "handler failed"))
    });
    app.get("/", |_req| async {
        Err::<(), _>(Error::bad_request("original"))
    });
    let (status, _, body) = send(&app, "/");
    assert_eq!(status, StatusCode::IM_A_TEAPOT);
    assert_eq!(body, "handler failed");
}

/// `Service::call` promises that every error and panic becomes a response,
/// even when the app's own error handler panics.
#[test]
fn panicking_error_handler_still_answers_500() {
    let mut app = Mocket::new();
    app.on_error(|err: Error| -> (StatusCode, String) {
        if err.status().is_client_error() || err.status().is_server_error() {
            panic!("error handler bug");
        }
        (err.status(), err.message().to_owned())
    });
    app.get("/fine", |_req| async { "fine" });
    let res = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| send(&app, "/missing")));
    let (status, _, body) = res.expect("Mocket::request must not panic");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, "Internal Server Error");
    assert_eq!(get(&app, "/fine"), (StatusCode::OK, "fine".into()));
}

#[test]
fn panicking_handler_is_500_and_app_keeps_answering() {
    let mut app = Mocket::new();
    app.get("/boom", |_req| async {
        if true {
            panic!("kaboom with secret details");
        }
        "unreachable"
    });
    app.get("/sync-boom", |_req| -> std::future::Ready<&'static str> {
        panic!("panicked before returning a future")
    });
    app.get("/fine", |_req| async { "fine" });
    for _ in 0..3 {
        let (status, _, body) = send(&app, "/boom");
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body, "Internal Server Error");
        assert!(!body.contains("kaboom"));
        assert_eq!(get(&app, "/fine"), (StatusCode::OK, "fine".into()));
    }
    let (status, _, _) = send(&app, "/sync-boom");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(get(&app, "/fine"), (StatusCode::OK, "fine".into()));
}

#[test]
fn panicking_handler_goes_through_on_error() {
    let mut app = Mocket::new();
    json_errors(&mut app);
    app.get("/boom", |_req| async {
        if true {
            panic!("kaboom");
        }
    });
    let (status, headers, body) = send(&app, "/boom");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(parse_json(&body)["status"], 500);
}

#[test]
fn panicking_handler_lets_outer_middleware_see_a_500() {
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    let mut app = Mocket::new();
    app.use_middleware(move |req, next| {
        let s = s.clone();
        async move {
            let res = next.run(req).await;
            s.store(res.status().as_u16() as usize, Ordering::SeqCst);
            res
        }
    });
    app.get("/boom", |_req| async {
        if true {
            panic!("kaboom");
        }
    });
    assert_eq!(get(&app, "/boom").0, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(seen.load(Ordering::SeqCst), 500);
}

#[test]
fn panicking_middleware_is_500_and_app_keeps_answering() {
    let mut app = Mocket::new();
    app.use_middleware(|req, next| async move {
        if req.path() == "/boom" {
            panic!("middleware blew up");
        }
        next.run(req).await
    });
    app.get("/boom", |_req| async { "never" });
    app.get("/fine", |_req| async { "fine" });
    let (status, _, body) = send(&app, "/boom");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, "Internal Server Error");
    assert_eq!(get(&app, "/fine"), (StatusCode::OK, "fine".into()));
}

#[test]
fn panicking_middleware_goes_through_on_error() {
    let mut app = Mocket::new();
    json_errors(&mut app);
    app.use_middleware(|_req, _next| async {
        if true {
            panic!("middleware blew up");
        }
        "unreachable"
    });
    let (status, headers, body) = send(&app, "/anything");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(parse_json(&body)["status"], 500);
}

#[test]
fn custom_not_found_handler() {
    let mut app = Mocket::new();
    app.not_found(|req| async move {
        (
            StatusCode::NOT_FOUND,
            Html(format!("<h1>Lost? {} does not exist</h1>", req.path())),
        )
    });
    app.get("/", |_req| async { "home" });
    let (status, headers, body) = send(&app, "/nowhere");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(body, "<h1>Lost? /nowhere does not exist</h1>");
    assert_eq!(get(&app, "/"), (StatusCode::OK, "home".into()));
}

#[test]
fn custom_not_found_runs_inside_middleware() {
    let mut app = Mocket::new();
    app.use_middleware(|req, next| async move {
        let mut res = next.run(req).await;
        res.headers_mut()
            .insert("x-mw", http::HeaderValue::from_static("1"));
        res
    });
    app.not_found(|_req| async { (StatusCode::NOT_FOUND, "custom 404") });
    let (status, headers, body) = send(&app, "/x");
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::NOT_FOUND, "custom 404")
    );
    assert_eq!(headers["x-mw"], "1");
}

#[test]
fn custom_not_found_may_return_an_error_for_on_error() {
    let mut app = Mocket::new();
    json_errors(&mut app);
    app.not_found(|req| async move { Error::not_found(format!("{} is not here", req.path())) });
    let (status, _, body) = send(&app, "/x");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(parse_json(&body)["error"], "/x is not here");
}

#[test]
fn malformed_in_process_target_is_400() {
    let mut app = Mocket::new();
    app.get("/", |_req| async { "root" });
    for target in ["http://[", "/a b", "\u{0}"] {
        let (status, _, body) = send(&app, target);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{target:?}: {body}");
    }
    let res = futures_executor::block_on(app.request(String::from("http://[")));
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn malformed_target_goes_through_on_error() {
    let mut app = Mocket::new();
    json_errors(&mut app);
    let (status, _, body) = send(&app, "http://[");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(parse_json(&body)["status"], 400);
}

#[test]
fn error_into_response_is_rendered_not_leaked_as_empty() {
    let mut app = Mocket::new();
    app.get("/", |_req| async {
        Error::bad_request("shown").into_response()
    });
    assert_eq!(get(&app, "/"), (StatusCode::BAD_REQUEST, "shown".into()));
}

#[test]
fn headers_beside_an_error_survive_the_error_handler() {
    let mut app = Mocket::new();
    json_errors(&mut app);
    app.get("/tuple", |_req| async {
        (
            [("www-authenticate", r#"Basic realm="app""#)],
            Error::new(StatusCode::UNAUTHORIZED, "log in first"),
        )
    });
    app.get("/attached", |_req| async {
        Error::new(StatusCode::TOO_MANY_REQUESTS, "slow down")
            .with_header("retry-after", "30")
            .with_header("x-limit", "a")
            .with_header("x-limit", "b")
    });
    let (status, headers, body) = send(&app, "/tuple");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers["www-authenticate"], r#"Basic realm="app""#);
    assert_eq!(parse_json(&body)["error"], "log in first");
    // The renderer's content type wins over nothing the handler set.
    assert_eq!(headers["content-type"], "application/json");

    let (status, headers, _) = send(&app, "/attached");
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(headers["retry-after"], "30");
    let limits: Vec<_> = headers.get_all("x-limit").iter().collect();
    assert_eq!(limits, ["a", "b"]);
}

#[test]
fn a_header_the_error_handler_sets_wins() {
    let mut app = Mocket::new();
    app.on_error(|err: Error| {
        (
            err.status(),
            [("x-from", "handler")],
            err.message().to_owned(),
        )
    });
    app.get("/", |_req| async {
        Error::bad_request("no").with_header("x-from", "error")
    });
    let (status, headers, body) = send(&app, "/");
    assert_eq!((status, body.as_str()), (StatusCode::BAD_REQUEST, "no"));
    let from: Vec<_> = headers.get_all("x-from").iter().collect();
    assert_eq!(from, ["handler"]);
}

#[test]
fn the_default_rendering_is_reusable_from_an_error_handler() {
    let mut app = Mocket::new();
    app.on_error(|err: Error| match err.status() {
        StatusCode::NOT_FOUND => (StatusCode::NOT_FOUND, Html("<h1>Lost?</h1>")).into_response(),
        _ => err.default_response(),
    });
    app.get("/teapot", |_req| async {
        Error::new(StatusCode::IM_A_TEAPOT, "short and stout").with_header("x-pot", "1")
    });
    let (status, headers, body) = send(&app, "/teapot");
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::IM_A_TEAPOT, "short and stout")
    );
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(headers["x-pot"], "1");
    assert_eq!(
        get(&app, "/nowhere"),
        (StatusCode::NOT_FOUND, "<h1>Lost?</h1>".into())
    );
}

#[test]
fn a_405_keeps_allow_through_a_custom_error_handler() {
    let mut app = Mocket::new();
    json_errors(&mut app);
    app.get("/thing", |_req| async { "thing" });
    app.delete("/thing", |_req| async { "gone" });
    let (status, headers, body) = send(&app, method("POST", "/thing"));
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["allow"], "GET, DELETE, HEAD");
    assert_eq!(parse_json(&body)["status"], 405);
}
