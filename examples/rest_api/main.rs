//! A JSON REST API over an in-memory store, logging each request:
//! `cargo run --example rest_api` (or `cargo mocket run --backend node
//! --example rest_api`: the same lines reach Node's standard error).
//!
//! ```text
//! curl -X POST localhost:3000/todos -H 'content-type: application/json' -d '{"title":"write docs"}'
//! curl localhost:3000/todos
//! ```

mod app;

use mocket::prelude::*;

fn main() {
    // One line per request on standard error, on every backend (set
    // RUST_LOG=debug for more).
    mocket::init_logging();
    let mut app = Mocket::new();
    app.use_middleware(mocket::request_logger());
    app::routes(&mut app);
    let port = mocket::env_var("PORT").unwrap_or_else(|| "3000".into());
    app.listen(&port);
}
