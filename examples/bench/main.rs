//! The benchmark app: exactly the routes of bench/ROUTES.md, with one
//! source for every backend. Listens on `PORT` (default 3000).

mod app;

use mocket::prelude::*;

fn main() {
    let port = mocket::env_var("PORT").unwrap_or_else(|| "3000".into());
    app::build().listen(&format!("127.0.0.1:{port}"));
}
