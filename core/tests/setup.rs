//! Setup errors: duplicate routes, invalid patterns and methods, all
//! reported by `check` and answered with 500 by `request`.

mod common;

use common::{check, fixed_routes, get, method, send};
use mocket_core::Mocket;
use mocket_core::http::StatusCode;

#[test]
fn a_route_registered_twice_is_a_setup_error_naming_the_full_route() {
    let mut get_twice = Mocket::new();
    get_twice.get("/a", |_req| async { "1" });
    get_twice.get("/a", |_req| async { "2" });
    let mut in_group = Mocket::with_base_path("/api");
    in_group.group("/v1", |v1| {
        v1.post("/items", |_req| async { "1" });
        v1.post("/items", |_req| async { "2" });
    });
    let mut custom = Mocket::new();
    custom.on("PROPFIND", "/d", |_req| async { "1" });
    custom.on("PROPFIND", "/d", |_req| async { "2" });
    for (app, problem) in [
        (get_twice, "route GET /a is registered twice"),
        (in_group, "route POST /api/v1/items is registered twice"),
        (custom, "route PROPFIND /d is registered twice"),
    ] {
        let err = app.check().expect_err(problem);
        assert_eq!(err.to_string(), problem);
        assert_eq!(err.problems(), [problem]);
    }

    let mut all_twice = Mocket::new();
    all_twice.all("/x", |_req| async { "1" });
    all_twice.all("/x", |_req| async { "2" });
    let err = all_twice.check().expect_err("duplicate all");
    assert_eq!(err.problems().len(), 1);
    for part in ["/x", "registered twice"] {
        assert!(err.problems()[0].contains(part), "{err}");
    }
    assert_eq!(get(&all_twice, "/x").0, StatusCode::INTERNAL_SERVER_ERROR);
}

#[test]
fn an_app_with_setup_errors_answers_500_everywhere_and_cannot_serve() {
    let mut app = Mocket::new();
    app.get("/a", |_req| async { "1" });
    app.get("/a", |_req| async { "2" });
    app.get("/b", |_req| async { "b" });
    let error = StatusCode::INTERNAL_SERVER_ERROR;
    check(
        &app,
        &[
            ("/a", error, "Internal Server Error"),
            ("/b", error, "Internal Server Error"),
            ("/none", error, "Internal Server Error"),
        ],
    );
    let err = app.into_service().expect_err("setup error");
    assert!(err.to_string().contains("route GET /a is registered twice"));

    // The 500 goes through the error handler.
    let mut app = Mocket::new();
    app.on_error(|err: mocket_core::Error| (err.status(), format!("custom: {}", err.message())));
    app.get("/a", |_req| async { "1" });
    app.get("/a", |_req| async { "2" });
    check(&app, &[("/a", error, "custom: Internal Server Error")]);
}

#[test]
fn routes_that_differ_in_method_are_not_duplicates() {
    let mut app = Mocket::new();
    fixed_routes(
        &mut app,
        &[
            ("GET", "/a", "a"),
            ("POST", "/a", "a"),
            ("*", "/b", "b"),
            ("GET", "/b", "b"),
        ],
    );
    assert!(app.check().is_ok());

    // GET and HEAD differ too, but `on("GET")` is `get`.
    let mut app = Mocket::new();
    app.get("/a", |_req| async { "1" });
    app.head("/a", |_req| async { "" });
    app.on("GET", "/b", |_req| async { "1" });
    assert!(app.check().is_ok());
    app.get("/b", |_req| async { "2" });
    assert_eq!(
        app.check().expect_err("dup").to_string(),
        "route GET /b is registered twice"
    );
}

/// The one problem `app` reports; an app with it answers 500.
fn only_problem(app: &Mocket, what: &str) -> String {
    let err = app.check().expect_err(what);
    assert_eq!(err.problems().len(), 1, "{what:?}");
    assert_eq!(
        get(app, "/").0,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{what:?}"
    );
    err.problems()[0].clone()
}

#[test]
fn invalid_patterns_and_method_tokens_are_setup_errors() {
    for pattern in [
        "no-slash",
        "/a/:",
        "/a/b*c",
        "/a/:x/:x",
        "/a/**/**",
        "/a/:bad-name",
        "",
    ] {
        let mut app = Mocket::new();
        app.get(pattern, |_req| async { "" });
        let problem = only_problem(&app, pattern);
        assert!(
            problem.starts_with(&format!("route GET {pattern}")),
            "{problem}"
        );
    }
    for token in ["BAD METHOD", "", "GET\r\n", "(x)"] {
        let mut app = Mocket::new();
        app.on(token, "/", |_req| async { "" });
        let problem = only_problem(&app, token);
        assert!(problem.contains("invalid method"), "{token:?}: {problem}");
    }
}

#[test]
fn conflicting_param_names_are_setup_errors() {
    let mut app = Mocket::new();
    app.get("/a/:x", |_req| async { "" });
    app.post("/a/:y", |_req| async { "" });
    let err = app.check().expect_err("conflict");
    assert!(err.to_string().contains("/a/:y"), "{err}");
    assert!(err.to_string().contains("/a/:x"), "{err}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut app = Mocket::new();
    app.get("/a", |_req| async { "1" });
    app.get("/a", |_req| async { "2" });
    app.on("BAD METHOD", "/b", |_req| async { "" });
    app.get("nope", |_req| async { "" });
    app.get("/ok", |_req| async { "ok" });
    let err = app.check().expect_err("three problems");
    assert_eq!(err.problems().len(), 3, "{err}");
    assert_eq!(err.problems()[0], "route GET /a is registered twice");
    assert!(
        err.problems()[1].starts_with("route /b: invalid method"),
        "{err}"
    );
    assert!(err.problems()[2].starts_with("route GET nope:"), "{err}");
    let text = err.to_string();
    assert_eq!(text.matches("; ").count(), 2, "{text}");
    assert_eq!(
        send(&app, method("GET", "/ok")).0,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

/// A route path without a leading `/` is a setup error at the top level;
/// inside a group (or under a base path) it must be one too, not silently
/// glued to the prefix (`/api` + `users` = `/apiusers`).
#[test]
fn path_without_leading_slash_in_a_group_is_a_setup_error() {
    let mut app = Mocket::new();
    app.group("/api", |api| {
        api.get("users", |_req| async { "users" });
    });
    assert!(
        app.check().is_err(),
        "`users` under `/api` was accepted (it serves {:?})",
        get(&app, "/apiusers")
    );
}

#[test]
fn path_without_leading_slash_under_a_base_path_is_a_setup_error() {
    let mut app = Mocket::with_base_path("/api");
    app.get("users", |_req| async { "users" });
    assert!(
        app.check().is_err(),
        "`users` under base `/api` was accepted (it serves {:?})",
        get(&app, "/apiusers")
    );
}
