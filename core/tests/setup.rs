//! Setup errors: duplicate routes, invalid patterns and methods, all
//! reported by `check` and answered with 500 by `request`.

mod common;

use common::{get, method, send};
use mocket_core::Mocket;
use mocket_core::http::StatusCode;

#[test]
fn a_clean_app_checks_ok() {
    let mut app = Mocket::new();
    app.get("/a", |_req| async { "a" });
    app.post("/a", |_req| async { "a" });
    app.all("/b", |_req| async { "b" });
    app.get("/b", |_req| async { "b" });
    assert!(app.check().is_ok());
}

#[test]
fn same_method_and_pattern_twice_is_a_setup_error() {
    let mut app = Mocket::new();
    app.get("/a", |_req| async { "1" });
    app.get("/a", |_req| async { "2" });
    let err = app.check().expect_err("duplicate route");
    assert_eq!(err.to_string(), "route GET /a is registered twice");
    assert_eq!(err.problems(), ["route GET /a is registered twice"]);
}

#[test]
fn app_with_setup_errors_answers_500_everywhere() {
    let mut app = Mocket::new();
    app.get("/a", |_req| async { "1" });
    app.get("/a", |_req| async { "2" });
    app.get("/b", |_req| async { "b" });
    let (status, _, body) = send(&app, "/a");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, "Internal Server Error");
    assert_eq!(get(&app, "/b").0, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(get(&app, "/none").0, StatusCode::INTERNAL_SERVER_ERROR);
}

#[test]
fn setup_errors_go_through_on_error() {
    let mut app = Mocket::new();
    app.on_error(|err: mocket_core::Error| (err.status(), format!("custom: {}", err.message())));
    app.get("/a", |_req| async { "1" });
    app.get("/a", |_req| async { "2" });
    assert_eq!(
        get(&app, "/a"),
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "custom: Internal Server Error".into()
        )
    );
}

#[test]
fn into_service_refuses_an_app_with_setup_errors() {
    let mut app = Mocket::new();
    app.get("/a", |_req| async { "1" });
    app.get("/a", |_req| async { "2" });
    let err = app.into_service().expect_err("setup error");
    assert!(err.to_string().contains("route GET /a is registered twice"));
}

#[test]
fn duplicates_in_groups_and_with_base_path_name_the_full_route() {
    let mut app = Mocket::with_base_path("/api");
    app.group("/v1", |v1| {
        v1.post("/items", |_req| async { "1" });
        v1.post("/items", |_req| async { "2" });
    });
    let err = app.check().expect_err("duplicate");
    assert_eq!(
        err.to_string(),
        "route POST /api/v1/items is registered twice"
    );
}

#[test]
fn all_twice_is_a_setup_error() {
    let mut app = Mocket::new();
    app.all("/x", |_req| async { "1" });
    app.all("/x", |_req| async { "2" });
    let err = app.check().expect_err("duplicate all");
    assert_eq!(err.problems().len(), 1);
    assert!(err.problems()[0].contains("/x"), "{err}");
    assert!(err.problems()[0].contains("registered twice"), "{err}");
    assert_eq!(get(&app, "/x").0, StatusCode::INTERNAL_SERVER_ERROR);
}

#[test]
fn custom_method_twice_is_a_setup_error() {
    let mut app = Mocket::new();
    app.on("PROPFIND", "/d", |_req| async { "1" });
    app.on("PROPFIND", "/d", |_req| async { "2" });
    assert_eq!(
        app.check().expect_err("duplicate").to_string(),
        "route PROPFIND /d is registered twice"
    );
}

#[test]
fn get_and_head_on_the_same_path_are_not_duplicates() {
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

#[test]
fn invalid_patterns_are_setup_errors() {
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
        let err = app.check().expect_err(pattern);
        assert_eq!(err.problems().len(), 1, "{pattern}");
        assert!(
            err.problems()[0].starts_with(&format!("route GET {pattern}")),
            "{pattern}: {err}"
        );
        assert_eq!(
            get(&app, "/").0,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{pattern}"
        );
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
fn invalid_method_tokens_are_setup_errors() {
    for token in ["BAD METHOD", "", "GET\r\n", "(x)"] {
        let mut app = Mocket::new();
        app.on(token, "/", |_req| async { "" });
        let err = app.check().expect_err(token);
        assert_eq!(err.problems().len(), 1, "{token:?}");
        assert!(
            err.problems()[0].contains("invalid method"),
            "{token:?}: {err}"
        );
        assert_eq!(get(&app, "/").0, StatusCode::INTERNAL_SERVER_ERROR);
    }
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
