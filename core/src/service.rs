//! The contract between the core and every backend.
//!
//! A backend turns its platform's request into an
//! `http::Request<`[`Body`]`>`, awaits [`Service::call`], and writes the
//! `http::Response<Body>` back. Everything else — routing, middleware, body
//! limits declared by `content-length`, error rendering, panics, HEAD — is
//! done here, once, so every backend behaves the same.

use std::future::Future;
use std::sync::Arc;

use crate::app::{AppInner, AppRef};
use crate::body::Body;
use crate::error::Error;
use crate::options::ServerOptions;
use crate::response::{IntoResponse, Response};

/// A built app, ready for a backend to serve. Cheap to clone.
///
/// ```
/// # futures_executor::block_on(async {
/// let mut app = mocket_core::Mocket::new();
/// app.get("/", |_req| async { "hi" });
/// let service = app.into_service().unwrap();
/// let req = mocket_core::http::Request::get("/").body(mocket_core::Body::empty()).unwrap();
/// assert_eq!(service.call(req).await.status(), 200);
/// # });
/// ```
#[derive(Clone)]
pub struct Service {
    app: AppRef,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service").finish_non_exhaustive()
    }
}

impl Service {
    pub(crate) fn leaked(app: &'static AppInner) -> Self {
        Service {
            app: AppRef::Static(app),
        }
    }

    pub(crate) fn shared(app: Arc<AppInner>) -> Self {
        Service {
            app: AppRef::Shared(app),
        }
    }

    /// The server settings the app was built with.
    ///
    /// ```
    /// let service = mocket_core::Mocket::new().into_service().unwrap();
    /// assert_eq!(service.options().shutdown_grace.as_secs(), 10);
    /// ```
    pub fn options(&self) -> &ServerOptions {
        &self.app.options
    }

    /// The app's body limit in bytes.
    ///
    /// ```
    /// let service = mocket_core::Mocket::new().into_service().unwrap();
    /// assert_eq!(service.body_limit(), 1024 * 1024);
    /// ```
    pub fn body_limit(&self) -> usize {
        self.app.body_limit
    }

    /// Renders `error` with the app's error handler, as errors from handlers
    /// are. For a backend that must answer a request outside the app: the
    /// Node.js backend answers requests whose wasm instance trapped with it.
    ///
    /// ```
    /// let mut app = mocket_core::Mocket::new();
    /// app.on_error(|err: mocket_core::Error| (err.status(), "rendered"));
    /// let service = app.into_service().unwrap();
    /// let res = service.render_error(mocket_core::Error::internal("lost"));
    /// assert_eq!(res.status(), 500);
    /// ```
    pub fn render_error(&self, error: Error) -> Response {
        self.app.render_error(error.into_response())
    }

    /// Answers one request. Never fails: every error and panic becomes a
    /// response.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let service = mocket_core::Mocket::new().into_service().unwrap();
    /// let req = mocket_core::http::Request::get("/none").body(mocket_core::Body::empty()).unwrap();
    /// assert_eq!(service.call(req).await.status(), 404);
    /// # });
    /// ```
    pub fn call(&self, req: http::Request<Body>) -> impl Future<Output = Response> + Unpin + use<> {
        crate::dispatch::dispatch(self.app.clone(), req)
    }
}

/// What [`Mocket::request`](crate::Mocket::request) accepts: a path (a GET
/// request) or a full [`http::Request`].
///
/// ```
/// use mocket_core::IntoRequest;
/// let req = "/users?page=2".into_request();
/// assert_eq!(req.uri().query(), Some("page=2"));
/// ```
pub trait IntoRequest {
    /// Builds the request.
    fn into_request(self) -> http::Request<Body>;
}

impl IntoRequest for &str {
    fn into_request(self) -> http::Request<Body> {
        let mut req = http::Request::new(Body::empty());
        match self.parse() {
            Ok(uri) => *req.uri_mut() = uri,
            // An unparsable target is what a client sending garbage gets: 400.
            Err(_) => {
                req.extensions_mut().insert(BadTarget);
            }
        }
        req
    }
}

impl IntoRequest for String {
    fn into_request(self) -> http::Request<Body> {
        self.as_str().into_request()
    }
}

impl<B: Into<Body>> IntoRequest for http::Request<B> {
    fn into_request(self) -> http::Request<Body> {
        self.map(Into::into)
    }
}

/// Marks an in-process request whose target did not parse.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BadTarget;
