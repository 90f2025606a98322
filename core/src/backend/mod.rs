//! The contract between the core and every backend.
//!
//! A backend moves bytes between its platform and the core, and nothing
//! else. It turns the platform's request into an `http::Request<`[`Body`](crate::Body)`>`
//! (the body a stream the core pulls), awaits [`Service::serve`], and sends
//! the [`Outgoing`] answer back: the status and headers as they are, then
//! the body's bytes as its [`Framing`] says, then does what the
//! [`Leftover`] says with the rest of the request body. Every HTTP rule —
//! routing, middleware, body limits, errors, panics, HEAD, which answers
//! have a body and a `content-length`, when a connection must close — is
//! decided here, once, so that every backend behaves the same; a change to
//! one never touches a backend.
//!
//! The rest of the contract is data a backend reads: [`ServerOptions`]
//! (limits to enforce where the platform lets it), the listen address forms
//! ([`parse_listen_addr`]), the one error type for a server that cannot
//! start ([`ListenError`]), and request-head helpers for platforms that
//! hand over parsed heads ([`declared_length`], [`head_size`],
//! [`may_have_body_unframed`]).
//! `docs/architecture.md` lists, backend by backend, how each fulfils it.
//!
//! ```
//! # futures_executor::block_on(async {
//! use mocket_core::backend::{Framing, Leftover, UnreadBodies};
//! let mut app = mocket_core::Mocket::new();
//! app.get("/", |_req| async { "hello" });
//! let service = app.into_service().unwrap();
//! // What a backend does per request:
//! let req = mocket_core::http::Request::head("/").body(mocket_core::Body::empty()).unwrap();
//! let out = service.serve(req, UnreadBodies::CloseConnection).await;
//! assert_eq!(out.response.headers()["content-length"], "5");
//! assert_eq!((out.framing, out.leftover), (Framing::Bodiless, Leftover::None));
//! # });
//! ```

mod chunks;
mod framing;
pub(crate) mod leftover;
mod listen;
mod options;
mod request_head;
mod service;
pub(crate) mod upgrade;

pub use chunks::{CHUNK_SIZE, Chunk, ChunkSource};
pub(crate) use framing::finish;
#[cfg(feature = "compression")]
pub(crate) use framing::is_bodiless_status;
pub use framing::{Framing, Outgoing};
pub use leftover::{DRAIN_LIMIT, DRAIN_TIME, LINGER_LIMIT, LINGER_TIME, Leftover, UnreadBodies};
pub use listen::{AddrError, ListenError, parse_listen_addr, prepare};
pub use options::ServerOptions;
pub use request_head::{declared_length, has_body, head_size, may_have_body_unframed};
pub use service::{Service, Serving};
pub use upgrade::{Transport, Upgrade, refuse_upgrades, take_upgrade};
