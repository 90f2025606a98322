//! A JSON REST API over an in-memory store: `cargo run --example rest_api`.
//!
//! ```text
//! curl -X POST localhost:3000/todos -H 'content-type: application/json' -d '{"title":"write docs"}'
//! curl localhost:3000/todos
//! ```

mod app;

use mocket::prelude::*;

fn main() {
    let port = mocket::env_var("PORT").unwrap_or_else(|| "3000".into());
    app::build().listen(&port);
}
