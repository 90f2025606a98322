//! The middleware onion: order, scope, request/response changes,
//! short-circuits, path params and 404s.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::{Log, fixed_routes, get, method, send, set_header, with_body};
use mocket_core::http::{self, HeaderValue, StatusCode};
use mocket_core::{Body, Error, IntoResponse, Mocket, Request};

fn logging(log: &Log, name: &'static str, app: &mut Mocket) {
    let log = log.clone();
    app.use_middleware(move |req, next| {
        let log = log.clone();
        async move {
            log.push(format!("{name} before"));
            let res = next.run(req).await;
            log.push(format!("{name} after"));
            res
        }
    });
}

#[test]
fn global_middleware_runs_in_registration_order_as_an_onion() {
    let log = Log::default();
    let mut app = Mocket::new();
    logging(&log, "first", &mut app);
    logging(&log, "second", &mut app);
    logging(&log, "third", &mut app);
    app.get("/", log.handler("handler", "ok"));
    assert_eq!(get(&app, "/"), (StatusCode::OK, "ok".into()));
    assert_eq!(
        log.take(),
        [
            "first before",
            "second before",
            "third before",
            "handler",
            "third after",
            "second after",
            "first after",
        ]
    );
}

#[test]
fn middleware_order_is_registration_order_even_when_mixed_with_scoped() {
    let log = Log::default();
    let mut app = Mocket::new();
    for (name, scope) in [
        ("a", None),
        ("b", Some("/api")),
        ("c", None),
        ("d", Some("/api")),
    ] {
        let log = log.clone();
        let mw = move |req: Request, next: mocket_core::Next| {
            let log = log.clone();
            async move {
                log.push(name);
                next.run(req).await
            }
        };
        match scope {
            Some(prefix) => app.use_middleware_at(prefix, mw),
            None => app.use_middleware(mw),
        };
    }
    app.get("/api/x", |_req| async { "x" });
    app.get("/other", |_req| async { "o" });
    get(&app, "/api/x");
    assert_eq!(log.take(), ["a", "b", "c", "d"]);
    get(&app, "/other");
    assert_eq!(log.take(), ["a", "c"]);
}

#[test]
fn scoped_middleware_covers_prefix_and_below_but_not_siblings() {
    let mut app = Mocket::new();
    app.use_middleware_at("/api", set_header("x-api", "1"));
    fixed_routes(
        &mut app,
        &[
            ("GET", "/api", "api root"),
            ("GET", "/api/x", "api x"),
            ("GET", "/api/x/y", "api x y"),
            ("GET", "/apix", "apix"),
            ("GET", "/", "root"),
        ],
    );
    for path in ["/api", "/api/x", "/api/x/y"] {
        let (status, headers, _) = send(&app, path);
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["x-api"], "1", "{path}");
    }
    for path in ["/apix", "/"] {
        let (status, headers, _) = send(&app, path);
        assert_eq!(status, StatusCode::OK);
        assert!(headers.get("x-api").is_none(), "{path}");
    }
}

#[test]
fn scoped_middleware_prefix_with_trailing_slash_is_normalized() {
    let mut app = Mocket::new();
    app.use_middleware_at("/api/", |_req, _next| async { StatusCode::FORBIDDEN });
    app.get("/api/x", |_req| async { "x" });
    app.get("/apix", |_req| async { "apix" });
    assert_eq!(get(&app, "/api/x").0, StatusCode::FORBIDDEN);
    assert_eq!(get(&app, "/apix").0, StatusCode::OK);
}

#[test]
fn middleware_changes_the_request_before_next() {
    let mut app = Mocket::new();
    app.use_middleware(|mut req, next| async move {
        req.headers_mut()
            .insert("x-user", HeaderValue::from_static("alice"));
        req.extensions_mut().insert(42u32);
        next.run(req).await
    });
    app.get("/me", |req| async move {
        format!(
            "{} {}",
            req.header("x-user").unwrap_or("nobody"),
            req.extensions().get::<u32>().copied().unwrap_or(0)
        )
    });
    assert_eq!(get(&app, "/me").1, "alice 42");
}

#[test]
fn middleware_reads_the_body_and_puts_it_back() {
    let mut app = Mocket::new();
    // Checks the body, then hands on a changed one: the handler reads it
    // as if it came from the client.
    app.use_middleware_at("/signed", |mut req, next| async move {
        let text = req.text().await?;
        let Some(payload) = text.strip_suffix(";sig=ok") else {
            return Ok(Error::new(StatusCode::FORBIDDEN, "bad signature").into_response());
        };
        *req.body_mut() = Body::from(payload.to_owned());
        Ok(next.run(req).await)
    });
    app.post("/signed", |mut req| async move { req.text().await });
    let post = |body: &'static str| with_body("POST", "/signed", Some("text/plain"), body);
    assert_eq!(send(&app, post("hello;sig=ok")).2, "hello");
    assert_eq!(send(&app, post("hello;sig=no")).0, StatusCode::FORBIDDEN);
    // The body limit still holds for the middleware's read.
    app.body_limit(4);
    assert_eq!(
        send(&app, post("hello;sig=ok")).0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

#[test]
fn a_request_splits_into_parts_and_is_rebuilt() {
    let mut app = Mocket::new();
    app.use_middleware(|req, next| async move {
        let (mut parts, body) = req.into_parts();
        // The parts keep the head and the route's parameters.
        let tag = format!(
            "{}:{}",
            parts.method(),
            parts.try_param("id").unwrap_or("-")
        );
        parts
            .headers_mut()
            .insert("x-tag", tag.parse().expect("header value"));
        let bytes = body.to_bytes().await?;
        let req = Request::from_parts(parts, Body::from(bytes.repeat(2)));
        Ok(next.run(req).await)
    });
    app.post("/items/:id", |mut req| async move {
        let head = format!("{} {}", req.header("x-tag").unwrap_or(""), req.param("id"));
        Ok(format!("{head} {}", req.text().await?))
    });
    let req = with_body("POST", "/items/7", None, "ab");
    assert_eq!(send(&app, req).2, "POST:7 7 abab");
}

#[test]
fn middleware_changes_the_response_after_next() {
    let mut app = Mocket::new();
    app.use_middleware(set_header("x-powered-by", "mocket"));
    app.use_middleware(|req, next| async move {
        let mut res = next.run(req).await;
        *res.status_mut() = StatusCode::ACCEPTED;
        res
    });
    app.get("/", |_req| async { "body" });
    let (status, headers, body) = send(&app, "/");
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(headers["x-powered-by"], "mocket");
    assert_eq!(body, "body");
}

#[test]
fn middleware_can_answer_without_calling_next() {
    let ran = Arc::new(AtomicBool::new(false));
    let inner_ran = Arc::new(AtomicBool::new(false));
    let mut app = Mocket::new();
    app.use_middleware(|req, next| async move {
        if req.header("authorization").is_none() {
            return (StatusCode::UNAUTHORIZED, "login first").into_response();
        }
        next.run(req).await
    });
    let inner = inner_ran.clone();
    app.use_middleware(move |req, next| {
        inner.store(true, Ordering::SeqCst);
        async move { next.run(req).await }
    });
    let flag = ran.clone();
    app.get("/secret", move |_req| {
        flag.store(true, Ordering::SeqCst);
        async { "secret" }
    });
    let (status, _, body) = send(&app, "/secret");
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body, "login first");
    assert!(!ran.load(Ordering::SeqCst), "the handler must not run");
    assert!(
        !inner_ran.load(Ordering::SeqCst),
        "later middleware must not run"
    );

    let req = http::Request::get("/secret")
        .header("authorization", "Bearer x")
        .body(())
        .expect("request");
    assert_eq!(send(&app, req).2, "secret");
    assert!(ran.load(Ordering::SeqCst));
}

#[test]
fn middleware_sees_path_params_and_matched_pattern() {
    let mut app = Mocket::new();
    app.use_middleware(|req, next| async move {
        let id = req.try_param("id").map(str::to_owned);
        let pattern = req.matched_pattern().map(str::to_owned);
        let mut res = next.run(req).await;
        if let (Some(id), Some(pattern)) = (id, pattern) {
            res.headers_mut()
                .insert("x-id", HeaderValue::from_str(&id).expect("header"));
            res.headers_mut().insert(
                "x-pattern",
                HeaderValue::from_str(&pattern).expect("header"),
            );
        }
        res
    });
    app.get("/users/:id", |_req| async { "user" });
    let (status, headers, _) = send(&app, "/users/7");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-id"], "7");
    assert_eq!(headers["x-pattern"], "/users/:id");
}

#[test]
fn middleware_sees_decoded_params() {
    let mut app = Mocket::new();
    app.use_middleware(|req, next| async move {
        let name = req.try_param("name").unwrap_or("-").to_owned();
        let res = next.run(req).await;
        (res.status(), format!("mw saw [{name}]")).into_response()
    });
    app.get("/echo/:name", |_req| async { "" });
    assert_eq!(get(&app, "/echo/hello%20world").1, "mw saw [hello world]");
}

/// A middleware that reads path params must not turn a malformed parameter
/// (which routing rejects with 400) into a crash: the request is still a 400.
#[test]
fn middleware_reading_params_of_badly_encoded_path_still_gets_400() {
    let mut app = Mocket::new();
    app.use_middleware(|req, next| async move {
        let _seen = req.try_param("name").map(str::to_owned);
        let _all: Vec<(String, String)> = req
            .params()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        next.run(req).await
    });
    app.get("/echo/:name", |req| async move {
        req.try_param("name").unwrap_or("-").to_owned()
    });
    let (status, _, body) = send(&app, "/echo/%zz");
    assert_eq!(status, StatusCode::BAD_REQUEST, "body: {body}");
}

#[test]
fn middleware_runs_for_404_and_405() {
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    let mut app = Mocket::new();
    app.use_middleware(move |req, next| {
        c.fetch_add(1, Ordering::SeqCst);
        next.run(req)
    });
    app.use_middleware(set_header("x-seen", "yes"));
    app.post("/only-post", |_req| async { "p" });
    let (status, headers, _) = send(&app, "/missing");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["x-seen"], "yes");
    assert_eq!(count.load(Ordering::SeqCst), 1);
    let (status, headers, _) = send(&app, method("GET", "/only-post"));
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["x-seen"], "yes");
    assert!(headers.get("allow").is_some());
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[test]
fn middleware_can_rewrite_a_404() {
    let mut app = Mocket::new();
    app.use_middleware(|req, next| async move {
        let res = next.run(req).await;
        if res.status() == StatusCode::NOT_FOUND {
            return (StatusCode::NOT_FOUND, "nothing here, friend").into_response();
        }
        res
    });
    assert_eq!(
        get(&app, "/nope"),
        (StatusCode::NOT_FOUND, "nothing here, friend".into())
    );
}

#[test]
fn scoped_middleware_runs_for_404_under_its_prefix() {
    let mut app = Mocket::new();
    app.use_middleware_at("/api", |_req, _next| async { "api catch-all" });
    assert_eq!(
        get(&app, "/api/missing"),
        (StatusCode::OK, "api catch-all".into())
    );
    assert_eq!(get(&app, "/elsewhere").0, StatusCode::NOT_FOUND);
}

#[test]
fn middleware_sees_the_handler_error_already_rendered() {
    let mut app = Mocket::new();
    app.use_middleware(|req, next| async move {
        let res = next.run(req).await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let mut res = res;
        res.headers_mut()
            .insert("x-wrapped", HeaderValue::from_static("1"));
        res
    });
    app.get("/", |_req| async {
        Err::<&str, _>(Error::new(StatusCode::CONFLICT, "taken"))
    });
    let (status, headers, body) = send(&app, "/");
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(headers["x-wrapped"], "1");
    assert_eq!(body, "taken");
}

#[test]
fn request_logger_passes_responses_through() {
    let mut app = Mocket::new();
    app.use_middleware(mocket_core::request_logger());
    app.get("/", |_req| async { "logged" });
    assert_eq!(get(&app, "/"), (StatusCode::OK, "logged".into()));
    assert_eq!(get(&app, "/none").0, StatusCode::NOT_FOUND);
}

/// Static routes get their middleware chain worked out at setup; a
/// middleware registered after the route must still be in it.
#[test]
fn scoped_middleware_registered_after_a_static_route_still_runs() {
    let mut app = Mocket::new();
    app.get("/api/users", |_req| async { "users" });
    app.get("/apix", |_req| async { "apix" });
    app.use_middleware_at("/api", set_header("x-scoped", "1"));
    let res = futures_executor::block_on(app.request("/api/users"));
    assert_eq!(res.headers()["x-scoped"], "1");
    let res = futures_executor::block_on(app.request("/apix"));
    assert!(!res.headers().contains_key("x-scoped"));
}

/// Chains worked out at setup for parameter patterns must agree with the
/// per-path rule, including patterns only some of whose paths are covered.
#[test]
fn scoped_middleware_on_parameter_routes_matches_the_path_rule() {
    let mark = |name: &'static str| {
        move |req, next: mocket_core::Next| async move {
            let mut res = next.run(req).await;
            res.headers_mut()
                .append("x-mw", HeaderValue::from_static(name));
            res
        }
    };
    let mut app = Mocket::new();
    app.use_middleware_at("/api", mark("api"));
    app.get("/api/users/:id", |_req| async { "user" });
    app.get("/:section/x", |_req| async { "section" });
    app.get("/files/*", |_req| async { "file" });
    app.get("/deep/**", |_req| async { "deep" });
    app.get("/apix/:id", |_req| async { "apix" });
    // Registered after the routes: their chains must be worked out again.
    app.use_middleware_at("/files/:name", mark("file"));
    app.use_middleware_at("/deep/a", mark("deep-a"));
    let marks = |path: &str| -> Vec<String> {
        let res = futures_executor::block_on(app.request(path));
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.headers()
            .get_all("x-mw")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(marks("/api/users/7"), ["api"]);
    assert_eq!(marks("/api/x"), ["api"]);
    assert!(marks("/other/x").is_empty());
    assert_eq!(marks("/files/a.txt"), ["file"]);
    assert_eq!(marks("/deep/a/b"), ["deep-a"]);
    assert!(marks("/deep/b").is_empty());
    assert!(marks("/apix/1").is_empty());
}
