//! Middleware: the onion around handlers.
//!
//! A middleware receives the request and a [`Next`]; it may change the
//! request, call `next.run(req)` (at most once, since `Next` is consumed),
//! change the response, or answer on its own without calling `next`.
//! Middlewares run in registration order, outermost first. Routing happens
//! before them, so they see path parameters and run for 404s and 405s too.

use std::future::Future;

use smallvec::SmallVec;

use crate::app::{AppInner, AppRef};
use crate::dispatch::{Endpoint, Step};
use crate::handler::ResponseFuture;
use crate::maybe_send::{MaybeSend, MaybeSync};
use crate::request::Request;
use crate::response::{IntoResponse, Response};

/// Code that runs around handlers: usually an async closure
/// `|req, next| async move { … next.run(req).await … }`.
///
/// ```
/// # futures_executor::block_on(async {
/// let mut app = mocket_core::Mocket::new();
/// app.use_middleware(|req, next| async move {
///     let mut res = next.run(req).await;
///     res.headers_mut().insert("x-middleware", "1".parse().unwrap());
///     res
/// });
/// app.get("/", |_req| async { "hi" });
/// assert_eq!(app.request("/").await.headers()["x-middleware"], "1");
/// # });
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Mocket middleware",
    label = "expected an async closure `|req, next| async move {{ … next.run(req).await … }}` (or a type implementing `Middleware`)",
    note = "a middleware takes a `Request` and a `Next` and returns a future whose output implements `IntoResponse`; natively it must also be `Send + Sync + 'static`"
)]
pub trait Middleware: MaybeSend + MaybeSync + 'static {
    /// Handles one request, delegating to `next` if it wants to.
    fn call(&self, req: Request, next: Next) -> ResponseFuture;
}

impl<F, Fut, R> Middleware for F
where
    F: Fn(Request, Next) -> Fut + MaybeSend + MaybeSync + 'static,
    Fut: Future<Output = R> + 'static,
    R: IntoResponse,
{
    fn call(&self, req: Request, next: Next) -> ResponseFuture {
        let fut = self(req, next);
        Box::pin(async move { fut.await.into_response() })
    }
}

/// What [`Mocket::wrap`](crate::Mocket::wrap) accepts: a [`Middleware`]
/// value, or a value that becomes one when added, such as
/// [`Cors`](crate::cors::Cors). Closures go to `use_middleware`, which
/// infers their argument types.
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket_core::{Middleware, Next, Request, ResponseFuture};
/// /// Tags every response: a middleware with its own type.
/// struct Tag(&'static str);
/// impl Middleware for Tag {
///     fn call(&self, req: Request, next: Next) -> ResponseFuture {
///         let tag = self.0;
///         Box::pin(async move {
///             let mut res = next.run(req).await;
///             res.headers_mut().insert("x-tag", tag.parse().unwrap());
///             res
///         })
///     }
/// }
/// let mut app = mocket_core::Mocket::new();
/// app.wrap(Tag("v1"));
/// app.get("/", |_req| async { "hi" });
/// assert_eq!(app.request("/").await.headers()["x-tag"], "v1");
/// # });
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be added as middleware with `wrap`",
    label = "expected `Cors`, `Compression` or a type implementing `Middleware`",
    note = "closures go to `use_middleware`, which infers their argument types"
)]
pub trait IntoMiddleware {
    /// The middleware it becomes.
    type Middleware: Middleware;

    /// Makes the middleware, once, when it is added.
    fn into_middleware(self) -> Self::Middleware;
}

impl<M: Middleware> IntoMiddleware for M {
    type Middleware = M;

    fn into_middleware(self) -> M {
        self
    }
}

/// Which middlewares apply to one request, as indexes into the app's list.
pub(crate) enum Chain {
    /// The first `n` middlewares (all of them, none scoped).
    All(u16),
    /// Those whose scope covers the path.
    Picked(SmallVec<[u16; 8]>),
    /// The chain worked out at setup for this static pattern.
    OfPattern(u32),
}

impl Chain {
    fn get(&self, app: &AppInner, pos: u16) -> Option<usize> {
        let at = |list: &[u16]| list.get(pos as usize).map(|&i| i as usize);
        match self {
            Chain::All(n) => (pos < *n).then_some(pos as usize),
            Chain::Picked(v) => at(v),
            Chain::OfPattern(p) => at(app.patterns[*p as usize].chain.as_deref().unwrap_or(&[])),
        }
    }
}

/// The rest of the chain: the remaining middlewares, then the handler.
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket_core::http::StatusCode;
/// let mut app = mocket_core::Mocket::new();
/// // Answer without calling `next` when the request lacks a token.
/// app.use_middleware(|req, next| async move {
///     if req.header("authorization").is_none() {
///         return StatusCode::UNAUTHORIZED.into_response();
///     }
///     next.run(req).await
/// });
/// # use mocket_core::IntoResponse;
/// app.get("/", |_req| async { "secret" });
/// assert_eq!(app.request("/").await.status(), 401);
/// # });
/// ```
pub struct Next {
    app: AppRef,
    chain: Chain,
    pos: u16,
    endpoint: Endpoint,
}

impl Next {
    pub(crate) fn new(app: AppRef, chain: Chain, endpoint: Endpoint) -> Self {
        Next {
            app,
            chain,
            pos: 0,
            endpoint,
        }
    }

    /// Runs the rest of the chain and returns its response.
    pub fn run(self, req: Request) -> impl Future<Output = Response> + use<> {
        self.step(req)
    }

    pub(crate) fn step(mut self, req: Request) -> Step {
        match self.chain.get(&self.app, self.pos) {
            Some(i) => {
                self.pos += 1;
                let app = self.app.clone();
                let fut = app.middleware(i).call(req, self);
                Step::middleware(app, fut)
            }
            None => Step::endpoint(self.app, self.endpoint, req),
        }
    }
}

impl std::fmt::Debug for Next {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next")
            .field("pos", &self.pos)
            .finish_non_exhaustive()
    }
}
