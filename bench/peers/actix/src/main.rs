//! The benchmark routes of ROUTES.md on actix-web 4, written the way
//! actix-web's docs write apps: `App`, scopes, extractors,
//! `middleware::from_fn`. Listens on 127.0.0.1:$PORT; `WORKERS` sets the
//! number of workers (default: one per available core).

use actix_web::{
    App, Error, HttpResponse, HttpServer, Responder,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderValue},
    middleware::{Next, from_fn},
    web,
};
use peer_common::{Message, Repeat};

async fn hello() -> &'static str {
    "Hello, World!"
}

async fn pass(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    next.call(req).await
}

async fn add_header(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let mut res = next.call(req).await?;
    res.headers_mut().insert(
        header::HeaderName::from_static("x-middleware"),
        HeaderValue::from_static("1"),
    );
    Ok(res)
}

async fn query(q: web::Query<Repeat>) -> HttpResponse {
    let q = q.into_inner();
    let repeat = q.repeat.unwrap_or(1);
    if repeat > 1000 {
        return HttpResponse::BadRequest().finish();
    }
    HttpResponse::Ok()
        .content_type(header::ContentType::plaintext())
        .body(q.name.unwrap_or_default().repeat(repeat))
}

async fn echo_body(body: web::Bytes) -> HttpResponse {
    let content_type = if std::str::from_utf8(&body).is_ok() {
        "text/plain; charset=utf-8"
    } else {
        "application/octet-stream"
    };
    HttpResponse::Ok().content_type(content_type).body(body)
}

fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/plaintext", web::get().to(hello))
        .service(
            web::scope("/middleware")
                .wrap(from_fn(add_header))
                .route("/plaintext", web::get().to(hello)),
        )
        .service(
            web::scope("/api")
                .wrap(from_fn(pass))
                .wrap(from_fn(pass))
                .wrap(from_fn(pass))
                .route("/plaintext", web::get().to(hello))
                .route(
                    "/v1/users/current/profile/settings",
                    web::get().to(|| async { "settings" }),
                ),
        )
        .route(
            "/json",
            web::get().to(|| async {
                web::Json(Message {
                    message: "Hello, World!",
                })
            }),
        )
        .route(
            "/echo/{name}",
            web::get().to(|name: web::Path<String>| async move { name.into_inner() }),
        )
        .route(
            "/users/{user_id}/posts/{post_id}/comments/{comment_id}",
            web::get().to(|p: web::Path<(String, String, String)>| async move {
                let (u, p, c) = p.into_inner();
                format!("{u},{p},{c}")
            }),
        )
        .route(
            "/wild/{rest:.+}",
            web::get().to(|rest: web::Path<String>| async move { rest.into_inner() }),
        )
        .route("/query", web::get().to(query))
        .route(
            "/headers",
            web::get().to(|| async {
                "ok".customize()
                    .insert_header(("x-powered-by", "bench"))
                    .insert_header((header::CACHE_CONTROL, "no-store"))
            }),
        )
        .route("/echo", web::post().to(echo_body))
        .route(
            "/json-echo",
            web::post().to(|value: web::Json<serde_json::Value>| async move { value }),
        )
        .route(
            "/consume",
            web::post().to(|_body: web::Bytes| async { "ok" }),
        );
    for i in 0..1000 {
        cfg.route(
            &format!("/static/{i}"),
            web::get().to(move || async move { i.to_string() }),
        );
    }
}

fn main() -> std::io::Result<()> {
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let workers = std::env::var("WORKERS").ok().and_then(|w| w.parse().ok());
    actix_web::rt::System::new().block_on(async move {
        let mut server = HttpServer::new(|| App::new().configure(routes));
        if let Some(n) = workers {
            server = server.workers(n);
        }
        let server = server.bind(("127.0.0.1", port))?;
        println!("Listening on http://127.0.0.1:{port}");
        server.run().await
    })
}
