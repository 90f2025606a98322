//! The benchmark routes of ROUTES.md on axum 0.8, written the way axum's own
//! docs write apps: a `Router`, extractors, `middleware::from_fn`.
//! Listens on 127.0.0.1:$PORT; `WORKERS` sets tokio's worker threads
//! (default: one per available core).

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Path, Query, Request},
    http::{HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{get, post},
    serve::{Listener, ListenerExt},
};
use peer_common::{Message, Repeat};

async fn hello() -> &'static str {
    "Hello, World!"
}

async fn pass(req: Request, next: Next) -> Response {
    next.run(req).await
}

async fn add_header(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    res.headers_mut()
        .insert("x-middleware", HeaderValue::from_static("1"));
    res
}

async fn query(Query(q): Query<Repeat>) -> Result<String, StatusCode> {
    let repeat = q.repeat.unwrap_or(1);
    if repeat > 1000 {
        return Err(StatusCode::BAD_REQUEST);
    }
    Ok(q.name.unwrap_or_default().repeat(repeat))
}

async fn echo_body(body: Bytes) -> impl IntoResponse {
    let content_type = if std::str::from_utf8(&body).is_ok() {
        "text/plain; charset=utf-8"
    } else {
        "application/octet-stream"
    };
    ([(header::CONTENT_TYPE, content_type)], body)
}

fn app() -> Router {
    let api = Router::new()
        .route("/plaintext", get(hello))
        .route(
            "/v1/users/current/profile/settings",
            get(|| async { "settings" }),
        )
        .layer(middleware::from_fn(pass))
        .layer(middleware::from_fn(pass))
        .layer(middleware::from_fn(pass));
    let with_header = Router::new()
        .route("/plaintext", get(hello))
        .layer(middleware::from_fn(add_header));

    let mut app =
        Router::new()
            .route("/plaintext", get(hello))
            .nest("/middleware", with_header)
            .nest("/api", api)
            .route(
                "/json",
                get(|| async {
                    Json(Message {
                        message: "Hello, World!",
                    })
                }),
            )
            .route(
                "/echo/{name}",
                get(|Path(name): Path<String>| async move { name }),
            )
            .route(
                "/users/{user_id}/posts/{post_id}/comments/{comment_id}",
                get(
                    |Path((u, p, c)): Path<(String, String, String)>| async move {
                        format!("{u},{p},{c}")
                    },
                ),
            )
            .route(
                "/wild/{*rest}",
                get(|Path(rest): Path<String>| async move { rest }),
            )
            .route("/query", get(query))
            .route(
                "/headers",
                get(|| async {
                    (
                        [
                            (header::HeaderName::from_static("x-powered-by"), "bench"),
                            (header::CACHE_CONTROL, "no-store"),
                        ],
                        "ok",
                    )
                }),
            )
            .route("/echo", post(echo_body))
            .route(
                "/json-echo",
                post(|Json(value): Json<serde_json::Value>| async move { Json(value) }),
            )
            .route("/consume", post(|_body: Bytes| async { "ok" }));
    for i in 0..1000 {
        app = app.route(
            &format!("/static/{i}"),
            get(move || async move { i.to_string() }),
        );
    }
    app
}

fn main() {
    let port = peer_common::port();
    peer_common::runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
            .await
            .expect("bind")
            .tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
        println!("Listening on http://{}", listener.local_addr().unwrap());
        // `into_make_service`: each connection gets a cheap clone of the router.
        // Serving the `Router` itself rebuilds its route table per connection
        // (about 0.6 MiB with 1000 routes), which only costs memory.
        axum::serve(listener, app().into_make_service())
            .await
            .expect("serve");
    });
}
