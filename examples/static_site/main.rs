//! A small static site: the folder `examples/static_site/public/` served at
//! `/`, an API route beside it, and the page of an upload form whose
//! handler is still to come. Run it from the repository root:
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

use mocket::prelude::*;

/// The folder, relative to the repository root (where the commands above
/// run).
const SITE: &str = "examples/static_site/public";

fn main() {
    let port = mocket::env_var("PORT").unwrap_or_else(|| "3000".into());
    build().listen(&format!("127.0.0.1:{port}"));
}

fn build() -> Mocket {
    let mut app = Mocket::new();

    // Routes that are more specific than the folder's mount win over it.
    app.get("/api/hello", |_req| async {
        Json(serde_json::json!({ "message": "Hello from the API" }))
    });

    // The upload form (`public/upload.html`) posts here. The handler comes
    // with multipart support; until then the form gets a clear 501.
    app.post("/upload", |_req| async {
        Error::new(
            StatusCode::NOT_IMPLEMENTED,
            "uploads are not wired up yet: this handler will read the multipart form",
        )
    });

    app.serve_dir(
        "/",
        ServeDir::new(SITE).precompressed_br().precompressed_gzip(),
    );
    app
}
