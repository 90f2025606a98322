//! Every Rust snippet of the READMEs (`README.md`, `backends/node/README.md`,
//! `backends/wasi/README.md`), compiled as written: `build.rs` extracts each
//! fenced `rust` block and this crate compiles it, so a snippet that stops
//! compiling fails `scripts/test`.
//!
//! A block with `fn main()` is compiled as a program. Any other block is a
//! list of statements about an app, as in `main`: it is the body of
//! `async fn snippet(mut app: Mocket)` (async so the testing section can
//! `await`; no `?` at the top level, as in a plain `fn main()`). The names the guide uses
//! without defining them (`require_admin`, `db_lookup`, `store`,
//! `NewUser`, `secret_of_32_bytes_or_more`) are the stand-ins in
//! [`support`]. A block tagged `rust,node` is checked for the Node.js
//! target only (it uses wasm-bindgen); `rust,ignore` is not checked.

/// The names every snippet sees.
pub mod support {
    pub use mocket::http;
    pub use mocket::prelude::*;
    pub use std::time::Duration;

    /// A stand-in middleware: lets every request through.
    pub async fn require_admin(req: Request, next: Next) -> Response {
        next.run(req).await
    }

    /// A stand-in user record.
    #[derive(Debug, serde::Serialize)]
    pub struct User {
        /// Its id.
        pub id: u64,
    }

    impl IntoResponse for User {
        fn into_response(self) -> Response {
            Json(self).into_response()
        }
    }

    /// A stand-in database lookup.
    pub async fn db_lookup(id: u64) -> Result<Option<User>, std::io::Error> {
        Ok(Some(User { id }))
    }

    /// A stand-in upload store.
    pub async fn store(_name: &str, _chunk: &[u8]) -> Result<(), std::io::Error> {
        Ok(())
    }

    /// A stand-in request body type.
    #[derive(Debug, serde::Deserialize)]
    pub struct NewUser {
        /// The user's name.
        pub name: String,
    }

    /// A stand-in secret, as configuration would supply it.
    #[allow(non_upper_case_globals)] // the name the guide reads best with
    pub const secret_of_32_bytes_or_more: &[u8] = b"an example secret of at least 32 bytes";

    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    pub use {wasm_bindgen::prelude::*, wasm_bindgen_futures::JsFuture};
}

// The testing snippets `unwrap` as tests do (and as axum's guide does).
#[allow(clippy::unwrap_used)]
mod snippets {
    include!(concat!(env!("OUT_DIR"), "/snippets.rs"));
}
