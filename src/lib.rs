//! # Mocket
//!
//! One Rust web app source, served natively (hyper + tokio), on Node.js and
//! on WASI hosts; the compilation target picks the backend, so application
//! code has no `cfg` and names no backend.
//!
//! ```no_run
//! use mocket::prelude::*;
//!
//! let mut app = Mocket::new();
//! app.get("/", |_req| async { "Hello, Mocket!" });
//! app.get("/users/:id", |req| async move { format!("user {}", req.param("id")) });
//! app.listen(":3000");
//! ```
//!
//! This crate re-exports the core ([`mocket_core`]) and adds [`Serve`],
//! which each backend implements. The guide is in the README; the layers are
//! described in `docs/architecture.md`.

#![forbid(unsafe_code)]

// The public API, by name: the backend contract (`mocket_core::backend`)
// and the core's plumbing stay out of apps' way.
#[cfg(feature = "compression")]
pub use mocket_core::Compression;
#[cfg(feature = "forms")]
pub use mocket_core::FormData;
pub use mocket_core::backend::AddrError;
#[cfg(feature = "cookies")]
pub use mocket_core::cookie;
#[cfg(feature = "multipart")]
pub use mocket_core::multipart;
#[cfg(feature = "static-files")]
pub use mocket_core::static_files;
#[cfg(feature = "websocket")]
pub use mocket_core::ws;
pub use mocket_core::{
    Body, BodyClosed, BodyError, BodySender, BoxError, Cors, DEFAULT_BODY_LIMIT, Error, Group,
    Handler, Html, IntoHeaders, IntoMiddleware, IntoRequest, IntoResponse, Json, ListenError,
    MaybeSend, MaybeSync, Middleware, Mocket, Next, Redirect, Request, RequestParts, Response,
    ResponseFuture, ServerOptions, SetupError, request_logger,
};
pub use mocket_core::{bytes, compression, cors, http};

mod serve;
pub mod sse;
mod stderr;
pub mod time;
pub use serve::Serve;
#[cfg(feature = "logging")]
pub use stderr::init_logging;
pub use stderr::{Stderr, stderr};

/// A folder of files to serve, read with the backend's file access:
/// tokio natively, `node:fs` on Node.js, the preopened folders on WASI
/// (grant them with `cargo mocket run --dir public`, or wasmtime's
/// `--dir`). The README's "Static files" section has the details.
///
/// ```no_run
/// use mocket::prelude::*;
/// let mut app = Mocket::new();
/// app.serve_dir("/assets", ServeDir::new("public").precompressed_br().precompressed_gzip());
/// app.listen(":3000");
/// ```
#[cfg(feature = "static-files")]
pub type ServeDir = static_files::ServeDir<serve::HostFs>;

/// The names most apps need: `use mocket::prelude::*;`.
pub mod prelude {
    #[cfg(feature = "static-files")]
    pub use crate::ServeDir;
    #[cfg(feature = "cookies")]
    pub use crate::cookie::{Cookie, CookieJar, SignedCookieJar};
    pub use crate::http::{Method, StatusCode};
    pub use crate::{
        Error, Html, IntoResponse, Json, Mocket, Next, Redirect, Request, Response, Serve,
    };
    // Batteries: middleware most apps register.
    #[cfg(feature = "compression")]
    pub use crate::Compression;
    pub use crate::Cors;
}

/// Reads an environment variable from wherever the backend's host keeps
/// them: the process environment natively, `process.env` on Node.js, the
/// WASI environment (`wasmtime --env NAME=…`) on WASI. Apps use it for
/// settings such as `PORT` without knowing the backend.
///
/// ```
/// let port = mocket::env_var("PORT").unwrap_or_else(|| "3000".into());
/// assert!(!port.is_empty());
/// ```
pub fn env_var(name: &str) -> Option<String> {
    serve::env_var(name)
}
