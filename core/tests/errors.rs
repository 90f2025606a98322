//! Errors: typed errors, `?`, the error handler, panics, `not_found`, and
//! malformed in-process targets.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{
    assert_opaque_500, check, get, json_errors, method, parse_json, send, send_line, with_body,
};
use mocket_core::http::StatusCode;
use mocket_core::{Error, Html, IntoResponse, Json, Mocket};

/// Sends each row's target (see [`send_line`]) and checks for the JSON error
/// of [`json_errors`] with that status and message; a row without a message
/// checks only the `status` field (for messages these tests do not pin down).
fn check_json(app: &Mocket, rows: &[(&str, u16, Option<&str>)]) {
    for &(line, status, message) in rows {
        let (got, headers, body) = send_line(app, line);
        assert_eq!(got.as_u16(), status, "{line}: {body}");
        assert_eq!(headers["content-type"], "application/json", "{line}");
        let body = parse_json(&body);
        match message {
            Some(error) => assert_eq!(
                body,
                serde_json::json!({ "error": error, "status": status }),
                "{line}"
            ),
            None => assert_eq!(body["status"], status, "{line}"),
        }
    }
}

#[test]
fn handler_errors_render_status_and_message_by_default() {
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
    app.get("/direct", |_req| async {
        Error::new(StatusCode::PAYMENT_REQUIRED, "pay up")
    });
    app.get("/into-response", |_req| async {
        Error::bad_request("shown").into_response()
    });
    app.get("/n/:n", |req| async move {
        let n: u32 = req.try_param("n").unwrap_or("").parse()?;
        Ok(format!("n={n}"))
    });
    app.get("/io", |_req| async {
        Err::<(), _>(std::io::Error::other("secret database password in here"))?;
        Ok("unreachable")
    });
    app.get("/internal", |_req| async {
        Err::<(), _>(Error::internal("db at 10.0.0.3 is down"))
    });
    app.get("/src", |_req| async {
        Err::<(), _>(
            Error::new(StatusCode::BAD_GATEWAY, "upstream failed").with_source("token=abc"),
        )
    });
    app.get("/ok-status", |_req| async {
        Err::<(), _>(Error::new(StatusCode::OK, "not an error"))
    });
    let hidden = "Internal Server Error";
    check(
        &app,
        &[
            ("/", StatusCode::CONFLICT, "name taken"),
            ("/bad", StatusCode::BAD_REQUEST, "missing name"),
            ("/gone", StatusCode::NOT_FOUND, "no such user"),
            // An `Error` is a responder itself, also through `into_response`.
            ("/direct", StatusCode::PAYMENT_REQUIRED, "pay up"),
            ("/into-response", StatusCode::BAD_REQUEST, "shown"),
            // `?` on a std error: an opaque 500, the cause never shown.
            ("/n/7", StatusCode::OK, "n=7"),
            ("/n/seven", StatusCode::INTERNAL_SERVER_ERROR, hidden),
            ("/io", StatusCode::INTERNAL_SERVER_ERROR, hidden),
            ("/internal", StatusCode::INTERNAL_SERVER_ERROR, hidden),
            // A source is for the log; the message is still shown.
            ("/src", StatusCode::BAD_GATEWAY, "upstream failed"),
        ],
    );
    assert_eq!(
        send(&app, "/").1["content-type"],
        "text/plain; charset=utf-8"
    );
    // A non-error status in an error becomes a 500.
    assert_eq!(get(&app, "/ok-status").0, StatusCode::INTERNAL_SERVER_ERROR);
    for (path, secret) in [("/n/seven", "invalid digit"), ("/io", "secret")] {
        assert!(!get(&app, path).1.contains(secret), "{path}");
    }
}

#[test]
fn on_error_renders_handler_routing_and_body_errors() {
    let mut app = Mocket::new();
    json_errors(&mut app);
    app.get("/", |_req| async {
        Err::<&str, _>(Error::bad_request("nope"))
    });
    app.get("/q", |_req| async {
        "x".parse::<u32>()?;
        Ok("never")
    });
    app.post("/only-post", |_req| async { "p" });
    app.get("/echo/:x", |_req| async { "" });
    app.post("/json", |mut req| async move {
        req.json::<serde_json::Value>().await.map(Json)
    });
    app.get("/thing", |_req| async { "thing" });
    app.delete("/thing", |_req| async { "gone" });
    app.get("/boom", |_req| async {
        if true {
            panic!("kaboom");
        }
    });
    check_json(
        &app,
        &[
            ("/", 400, Some("nope")),
            ("/q", 500, Some("Internal Server Error")),
            ("/nowhere", 404, Some("Not Found")),
            ("GET /only-post", 405, Some("Method Not Allowed")),
            ("POST /thing", 405, None),
            ("/echo/%zz", 400, None),
            ("/boom", 500, None),
            ("http://[", 400, None),
        ],
    );
    // A 405 keeps `Allow` through a custom error handler.
    assert_eq!(send(&app, method("GET", "/only-post")).1["allow"], "POST");
    assert_eq!(
        send(&app, method("POST", "/thing")).1["allow"],
        "GET, DELETE, HEAD"
    );
    let (status, _, body) = send(&app, with_body("POST", "/json", Some("text/plain"), "{}"));
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(parse_json(&body)["status"], 415);
}

#[test]
fn middleware_errors_and_panics_go_to_the_error_handler() {
    let mut app = Mocket::new();
    json_errors(&mut app);
    app.use_middleware(|req, next| async move {
        if req.header("authorization").is_none() {
            return Err(Error::new(StatusCode::UNAUTHORIZED, "missing token"));
        }
        Ok(next.run(req).await)
    });
    app.get("/", |_req| async { "secret" });
    check_json(&app, &[("/", 401, Some("missing token"))]);

    let mut app = Mocket::new();
    json_errors(&mut app);
    app.use_middleware(|_req, _next| async {
        if true {
            panic!("middleware blew up");
        }
        "unreachable"
    });
    check_json(&app, &[("/anything", 500, None)]);
}

#[test]
fn middleware_errors_without_on_error_use_default_rendering() {
    let mut app = Mocket::new();
    app.use_middleware(|_req, _next| async {
        Err::<(), _>(Error::new(StatusCode::TOO_MANY_REQUESTS, "slow down"))
    });
    app.get("/", |_req| async { "never" });
    check(&app, &[("/", StatusCode::TOO_MANY_REQUESTS, "slow down")]);

    // A std error through `?` is an opaque 500.
    let mut app = Mocket::new();
    app.use_middleware(|req, next| async move {
        let _n: u32 = req.header("x-n").unwrap_or("abc").parse()?;
        Ok(next.run(req).await)
    });
    app.get("/", |_req| async { "ok" });
    assert_opaque_500(&app, "/");
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
    check(&app, &[("/", StatusCode::IM_A_TEAPOT, "handler failed")]);
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
    check(
        &app,
        &[
            (
                "/boom",
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error",
            ),
            ("/fine", StatusCode::OK, "fine"),
        ],
    );
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
    app.use_middleware(common::set_header("x-mw", "1"));
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
    check_json(&app, &[("/x", 404, Some("/x is not here"))]);
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
