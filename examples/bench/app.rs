//! The benchmark routes, kept apart from `main` so tests can build the same
//! app.

use mocket::http::HeaderName;
use mocket::http::header::CACHE_CONTROL;
use mocket::prelude::*;
use serde::Serialize;

#[derive(Serialize)]
struct Message {
    message: &'static str,
}

/// Builds the app that the benchmark measures.
pub(crate) fn build() -> Mocket {
    let mut app = Mocket::new();

    app.get("/plaintext", |_req| async { "Hello, World!" });

    app.use_middleware_at("/middleware", |req, next| async move {
        let mut res = next.run(req).await;
        res.headers_mut()
            .insert("x-middleware", mocket::http::HeaderValue::from_static("1"));
        res
    });
    app.get("/middleware/plaintext", |_req| async { "Hello, World!" });

    for _ in 0..3 {
        app.use_middleware_at("/api", |req, next| async move { next.run(req).await });
    }
    app.get("/api/plaintext", |_req| async { "Hello, World!" });
    app.get("/api/v1/users/current/profile/settings", |_req| async {
        "settings"
    });

    for i in 0..1000 {
        app.get(
            &format!("/static/{i}"),
            move |_req| async move { i.to_string() },
        );
    }

    app.get("/json", |_req| async {
        Json(Message {
            message: "Hello, World!",
        })
    });

    app.get("/echo/:name", |req| async move {
        req.try_param("name").unwrap_or_default().to_owned()
    });

    app.get(
        "/users/:user_id/posts/:post_id/comments/:comment_id",
        |req| async move {
            let p = |name| req.try_param(name).unwrap_or_default();
            format!("{},{},{}", p("user_id"), p("post_id"), p("comment_id"))
        },
    );

    app.get("/wild/**", |req| async move {
        req.wildcard().unwrap_or_default().to_owned()
    });

    app.get("/query", |req| async move {
        let name = req.query_param("name").unwrap_or_default();
        let repeat = match req.query_param("repeat") {
            None => 1,
            Some(n) => match n.parse::<usize>() {
                Ok(n) if n <= 1000 => n,
                _ => return Err(Error::bad_request("repeat must be a number from 0 to 1000")),
            },
        };
        Ok(name.repeat(repeat))
    });

    // Header names as constants, as the axum and hyper peers have them.
    app.get("/headers", |_req| async {
        (
            [
                (HeaderName::from_static("x-powered-by"), "bench"),
                (CACHE_CONTROL, "no-store"),
            ],
            "ok",
        )
    });

    app.post("/echo", |mut req| async move {
        let body = req.bytes().await?;
        let content_type = if std::str::from_utf8(&body).is_ok() {
            "text/plain; charset=utf-8"
        } else {
            "application/octet-stream"
        };
        Ok(([("content-type", content_type)], body))
    });

    app.post("/json-echo", |mut req| async move {
        let value: serde_json::Value = req.json().await?;
        Ok(Json(value))
    });

    app.post("/consume", |mut req| async move {
        req.bytes().await?;
        Ok("ok")
    });

    app
}
