//! A small static site: the folder `examples/static_site/public/` served at
//! `/`, an API route beside it, and an upload form whose handler streams
//! multipart files. Run it from the repository root:
//!
//! ```text
//! cargo run --example static_site                                    # natively
//! cargo mocket run --backend node --example static_site              # Node.js
//! cargo mocket run --backend wasi --example static_site \
//!     --dir examples/static_site/public                              # WASI: grant the folder
//! ```
//!
//! then open http://127.0.0.1:3000/. The CSS and JavaScript have `.br` and
//! `.gz` siblings, which browsers get instead.

mod app;

use mocket::Serve;

fn main() {
    let port = mocket::env_var("PORT").unwrap_or_else(|| "3000".into());
    app::build().listen(&format!("127.0.0.1:{port}"));
}
