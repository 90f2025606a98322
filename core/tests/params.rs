//! Reading path parameters: `param` for the route's own, `try_param` where
//! one may be absent, `param_as` to parse with a 400 that names it.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{get, send};
use mocket_core::http::StatusCode;
use mocket_core::{Error, Mocket};

#[test]
fn param_reads_a_declared_parameter_without_unwrapping() {
    let mut app = Mocket::new();
    app.get("/users/:id/posts/:post", |req| async move {
        format!("{}/{}", req.param("id"), req.param("post"))
    });
    app.get("/files/**path", |req| async move {
        req.param("path").to_owned()
    });
    assert_eq!(
        get(&app, "/users/7/posts/a%20b"),
        (StatusCode::OK, "7/a b".into())
    );
    assert_eq!(
        get(&app, "/files/css/site.css"),
        (StatusCode::OK, "css/site.css".into())
    );
    assert_eq!(get(&app, "/files"), (StatusCode::OK, String::new()));
}

#[test]
fn param_names_the_route_when_a_handler_asks_for_an_undeclared_one() {
    let mut app = Mocket::new();
    app.get(
        "/users/:id",
        |req| async move { req.param("idd").to_owned() },
    );
    // The panic is the handler's bug: natively it becomes a 500.
    assert_eq!(get(&app, "/users/7").0, StatusCode::INTERNAL_SERVER_ERROR);

    let message = catch_unwind(AssertUnwindSafe(|| {
        mocket_core::doc_request(|req| {
            let _ = req.param("id");
        });
    }))
    .expect_err("no route matched, so there is no parameter");
    let message = message
        .downcast_ref::<String>()
        .expect("a formatted message");
    assert!(message.contains("no path parameter \"id\""), "{message}");
    assert!(message.contains("try_param"), "{message}");
}

#[test]
fn try_param_is_none_where_the_route_has_no_such_parameter() {
    let mut app = Mocket::new();
    let who = |req: mocket_core::Request| async move {
        req.try_param("id").unwrap_or("everyone").to_owned()
    };
    app.get("/users", who);
    app.get("/users/:id", who);
    app.use_middleware(|req, next| async move {
        let seen = req.try_param("id").unwrap_or("-").to_owned();
        let mut res = next.run(req).await;
        res.headers_mut()
            .insert("x-id", seen.parse().expect("header value"));
        res
    });
    let seen = |path| {
        let (status, headers, body) = send(&app, path);
        (
            status,
            headers["x-id"].to_str().expect("ascii").to_owned(),
            body,
        )
    };
    assert_eq!(
        seen("/users"),
        (StatusCode::OK, "-".into(), "everyone".into())
    );
    assert_eq!(seen("/users/7"), (StatusCode::OK, "7".into(), "7".into()));
    // 404: no route, no parameters.
    assert_eq!(seen("/nowhere").0, StatusCode::NOT_FOUND);
    assert_eq!(seen("/nowhere").1, "-");
}

#[test]
fn param_as_parses_or_answers_400_naming_the_parameter() {
    let mut app = Mocket::new();
    app.get("/users/:id", |req| async move {
        let id: u64 = req.param_as("id")?;
        Ok(format!("user {id}"))
    });
    app.get("/typo/:id", |req| async move {
        let id: u64 = req.param_as("idd")?;
        Ok(id.to_string())
    });
    app.on_error(|err: Error| (err.status(), err.to_string()));
    assert_eq!(get(&app, "/users/42"), (StatusCode::OK, "user 42".into()));
    assert_eq!(
        get(&app, "/users/4x2"),
        (
            StatusCode::BAD_REQUEST,
            "400 Bad Request: invalid path parameter id: invalid digit found in string".into()
        )
    );
    let (status, body) = get(&app, "/typo/1");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        body.contains("the route /typo/:id has no path parameter \"idd\""),
        "{body}"
    );
}
