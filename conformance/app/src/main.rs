//! The conformance app: one source serving every case of the suite, on
//! every backend, unchanged. It names no backend and has no `cfg`.
//!
//! Each module registers the routes of one concern; the suite's cases
//! (`conformance/src/cases/`) are the specification of what they answer.
//! Listens on `127.0.0.1:$PORT` (default 3000; `PORT=0` picks a free port,
//! which the `Listening on http://…` line shows).

mod bodies;
mod compression;
mod contract;
mod cookies;
mod cors;
mod failures;
mod forms;
mod middleware;
mod multipart;
mod responses;
mod routing;
mod shutdown;
mod state;
mod static_files;
mod streaming;
mod websocket;

use mocket::prelude::*;

/// The body limit the body-limit cases are written against.
const BODY_LIMIT: usize = 8 * 1024;

fn main() {
    let port = mocket::env_var("PORT").unwrap_or_else(|| "3000".into());
    build().listen(&format!("127.0.0.1:{port}"));
}

/// The whole app. Middleware is registered first so its order is the
/// registration order the cases expect.
fn build() -> Mocket {
    let mut app = Mocket::new();
    app.body_limit(BODY_LIMIT);
    // Every error, from handlers, middleware, routing and body readers,
    // is rendered as JSON: `{"error": "<public message>"}`.
    app.on_error(|err: Error| {
        (
            err.status(),
            Json(serde_json::json!({ "error": err.message() })),
        )
    });
    let concerns: [fn(&mut Mocket); 16] = [
        middleware::register,
        routing::register,
        responses::register,
        bodies::register,
        failures::register,
        state::register,
        cookies::register,
        forms::register,
        multipart::register,
        cors::register,
        compression::register,
        static_files::register,
        contract::register,
        streaming::register,
        websocket::register,
        shutdown::register,
    ];
    for register in concerns {
        register(&mut app);
    }
    app
}
