//! Errors, panics and attempts to inject headers. Every error is rendered by
//! the app's one error handler (JSON, see `main.rs`).

use mocket::prelude::*;

pub(crate) fn register(app: &mut Mocket) {
    errors(app);
    panics(app);
    injection(app);
}

fn errors(app: &mut Mocket) {
    app.get("/errors/conflict", |_req| async {
        Err::<&str, _>(Error::new(StatusCode::CONFLICT, "name taken"))
    });
    app.get("/errors/not-found", |_req| async {
        Err::<&str, _>(Error::not_found("no such user"))
    });
    app.get("/errors/double/:n", |req| async move {
        let n: u64 = req
            .try_param("n")
            .unwrap_or_default()
            .parse()
            .map_err(|_| Error::bad_request("n must be a number"))?;
        let doubled = n
            .checked_mul(2)
            .ok_or_else(|| Error::new(StatusCode::UNPROCESSABLE_ENTITY, "n is too large"))?;
        Ok(doubled.to_string())
    });
    // `?` on any std error: a 500 whose cause stays in the log.
    app.get("/errors/question", |_req| async {
        let n: u32 = "forty-two".parse()?;
        Ok(n.to_string())
    });
    app.get("/errors/internal", |_req| async {
        Err::<&str, _>(Error::internal("database password is hunter2"))
    });
    app.get("/errors/with-source", |_req| async {
        Err::<&str, _>(
            Error::new(StatusCode::BAD_GATEWAY, "upstream failed")
                .with_source("connection refused by 10.0.0.7"),
        )
    });
}

/// Panics with a detail that must never reach the client.
fn explode<T>(place: &str) -> T {
    panic!("secret panic detail in {place}")
}

fn panics(app: &mut Mocket) {
    app.get("/panic/handler", |_req| async {
        explode::<&str>("handler")
    });
    app.get("/panic/after-await", |_req| async {
        std::future::ready(()).await;
        explode::<&str>("after await")
    });
    app.post("/panic/after-body", |mut req| async move {
        let _ = req.bytes().await;
        explode::<&str>("after reading the body")
    });
    app.use_middleware_at("/panic/middleware", |_req, _next| async {
        explode::<Response>("middleware")
    });
    app.get("/panic/middleware", |_req| async { "unreachable" });
}

/// Handlers trying to put CR, LF or NUL into headers: each must become a
/// 500, with nothing injected on the wire.
fn injection(app: &mut Mocket) {
    app.get("/inject/header-value", |_req| async {
        (
            [("x-injected", "a\r\nset-cookie: evil=1")],
            "must not be sent",
        )
    });
    app.get("/inject/header-name", |_req| async {
        ([("x-bad\r\nset-cookie", "evil=1")], "must not be sent")
    });
    app.get("/inject/nul", |_req| async {
        ([("x-nul", "a\0b")], "must not be sent")
    });
    app.get("/inject/redirect", |_req| async {
        Redirect::to("/\r\nset-cookie: evil=1")
    });
    // User input reflected into a header: fine when clean, refused when not.
    app.get("/inject/reflected", |req| async move {
        let value = req.query_param("v").unwrap_or_default();
        (vec![("x-reflected".to_owned(), value)], "reflected")
    });
}
