//! Mocket's core: the app, routing, middleware, requests, responses and
//! errors, with no I/O and no knowledge of any runtime.
//!
//! Backends (native hyper, Node.js, WASI) depend on this crate and serve a
//! [`backend::Service`] through the contract in [`backend`]; applications normally use the `mocket` crate, which
//! re-exports everything here and picks the backend for the target.
//!
//! ```
//! # futures_executor::block_on(async {
//! use mocket_core::{Json, Mocket};
//! let mut app = Mocket::new();
//! app.get("/json", |_req| async { Json(serde_json::json!({ "message": "Hello, World!" })) });
//! let res = app.request("/json").await;
//! assert_eq!(res.headers()["content-type"], "application/json");
//! # });
//! ```

#![forbid(unsafe_code)]

mod app;
pub mod backend;
mod body;
pub mod compression;
#[cfg(feature = "cookies")]
pub mod cookie;
pub mod cors;
mod dispatch;
mod error;
#[cfg(feature = "forms")]
mod form;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod handler;
mod in_process;
mod log;
mod maybe_send;
mod middleware;
#[cfg(feature = "multipart")]
pub mod multipart;
mod params;
mod request;
mod response;
mod shutdown;
pub mod sse;
mod state;
#[cfg(feature = "static-files")]
pub mod static_files;
mod vary;
#[cfg(feature = "websocket")]
pub mod ws;

pub use app::{DEFAULT_BODY_LIMIT, Group, Mocket, SetupError, doc_request};
pub use backend::{ListenError, ServerOptions};
pub use body::{Body, BodyClosed, BodyError, BodySender, BoxError};
#[cfg(feature = "compression")]
pub use compression::Compression;
pub use cors::Cors;
pub use error::Error;
#[cfg(feature = "forms")]
pub use form::FormData;
pub use handler::{Handler, ResponseFuture};
pub use in_process::IntoRequest;
pub use log::request_logger;
pub use maybe_send::{MaybeSend, MaybeSync};
pub use middleware::{IntoMiddleware, Middleware, Next};
pub use request::{Request, RequestParts};
pub use response::{Html, IntoHeaders, IntoResponse, Json, Redirect, Response};

pub use bytes;
pub use http;
