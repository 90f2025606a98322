//! The contract between the core and every backend.
//!
//! A backend turns its platform's request into an
//! `http::Request<`[`Body`]`>`, awaits [`Service::call`], and writes the
//! `http::Response<Body>` back. Everything else — routing, middleware, body
//! limits declared by `content-length`, error rendering, panics, HEAD — is
//! done here, once, so every backend behaves the same.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use http::header::{ALLOW, CONTENT_LENGTH};
use http::{HeaderValue, Method, StatusCode};

use crate::app::{AppInner, AppRef, Endpoint};
use crate::body::Body;
use crate::error::Error;
use crate::middleware::{Chain, Next};
use crate::options::ServerOptions;
use crate::params::Params;
use crate::request::Request;
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
    pub fn call(&self, req: http::Request<Body>) -> impl Future<Output = Response> + use<> {
        dispatch(self.app.clone(), req)
    }
}

async fn dispatch(app: AppRef, req: http::Request<Body>) -> Response {
    let (head, body) = req.into_parts();
    let is_head = head.method == Method::HEAD;
    let path = head.uri.path();

    let mut allowed: Vec<Method> = Vec::new();
    let found = app.router.find(path, |routes| {
        let hit = routes.handler_for(&head.method).is_some();
        if !hit {
            for (m, _) in &routes.methods {
                if !allowed.contains(m) {
                    allowed.push(m.clone());
                }
            }
        }
        hit
    });
    let (endpoint, params, route) = match found {
        Some(m) => {
            let handler = m.value.handler_for(&head.method).unwrap_or_default();
            match Params::decode(path, m.params.iter().map(|(_, v)| v)) {
                Ok(params) => (Endpoint::Handler(handler), params, Some(m.value.pattern)),
                // No route: its parameter names must not meet empty values.
                Err(e) => (Endpoint::Fail(e), Params::default(), None),
            }
        }
        None if allowed.is_empty() => (Endpoint::NotFound, Params::default(), None),
        None => (
            Endpoint::MethodNotAllowed(allow_header(allowed)),
            Params::default(),
            None,
        ),
    };
    let endpoint = match (endpoint, Request::declared_length(&head)) {
        (_, _) if head.extensions.get::<BadTarget>().is_some() => {
            Endpoint::Fail(Error::bad_request("malformed request target"))
        }
        (Endpoint::Handler(_), Some(len)) if len > app.body_limit as u64 => {
            Endpoint::Fail(Error::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "request body is larger than the limit of {} bytes",
                    app.body_limit
                ),
            ))
        }
        (endpoint, _) => endpoint,
    };

    let chain = chain_for(&app, path);
    let req = Request::new(head, body, params, route, app.clone());
    let run = Next::new(app.clone(), chain, endpoint).run(req);
    let mut res = match AssertUnwindSafe(run).catch_unwind().await {
        Ok(res) => res,
        // `render_error` survives an error handler that panics too.
        Err(panic) => app.render_error(panic_error(&*panic).into_response()),
    };
    if is_head {
        strip_body(&mut res);
    }
    res
}

fn chain_for(app: &AppInner, path: &str) -> Chain {
    if app.scopes.iter().all(Option::is_none) {
        return Chain::All(app.middlewares.len() as u16);
    }
    let picked = app
        .scopes
        .iter()
        .enumerate()
        .filter_map(|(i, scope)| match scope {
            None => Some(i as u16),
            Some(prefix) if in_scope(path, prefix) => Some(i as u16),
            Some(_) => None,
        });
    Chain::Picked(picked.collect())
}

/// Whether `path` lies under the scope `prefix`: `/api` covers `/api` and
/// `/api/x`, never `/apix`. A prefix from a group such as `/users/:id`
/// has pattern segments: `:name` and `*` cover any one non-empty segment,
/// `**` any rest.
fn in_scope(path: &str, prefix: &str) -> bool {
    if !prefix.contains([':', '*']) {
        return path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
    }
    let mut segments = path.split('/');
    for want in prefix.split('/') {
        if want.starts_with("**") {
            return true;
        }
        match segments.next() {
            Some(got) if want.starts_with([':', '*']) && !got.is_empty() => {}
            Some(got) if got == want => {}
            _ => return false,
        }
    }
    true
}

fn allow_header(mut allowed: Vec<Method>) -> HeaderValue {
    if allowed.contains(&Method::GET) && !allowed.contains(&Method::HEAD) {
        allowed.push(Method::HEAD);
    }
    let list = allowed
        .iter()
        .map(Method::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    HeaderValue::try_from(list).unwrap_or(HeaderValue::from_static(""))
}

fn panic_error(panic: &(dyn std::any::Any + Send)) -> Error {
    let message = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    Error::internal(format!("handler panicked: {message}"))
}

/// HEAD answers carry the GET answer's headers, including its length, but
/// no body.
fn strip_body(res: &mut Response) {
    let status = res.status();
    // RFC 9110 §8.6: no content-length on 1xx, 204 and 304.
    let may_have_length = !(status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED);
    match res.body().exact_len() {
        Some(len) if may_have_length && !res.headers().contains_key(CONTENT_LENGTH) => {
            res.headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(len));
        }
        _ => {}
    }
    *res.body_mut() = Body::empty();
}

impl AppInner {
    /// Runs the endpoint chosen by routing, after the middlewares.
    pub(crate) async fn call_endpoint(&self, endpoint: Endpoint, req: Request) -> Response {
        let res = match endpoint {
            Endpoint::Handler(id) => self.call_handler(id, req).await,
            Endpoint::NotFound => match self.not_found {
                Some(id) => self.call_handler(id, req).await,
                None => Error::new(StatusCode::NOT_FOUND, "Not Found").into_response(),
            },
            Endpoint::MethodNotAllowed(allow) => {
                let mut res = self.render_error(
                    Error::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
                        .into_response(),
                );
                res.headers_mut().insert(ALLOW, allow);
                return res;
            }
            Endpoint::Fail(error) => error.into_response(),
        };
        self.render_error(res)
    }

    async fn call_handler(&self, id: u32, req: Request) -> Response {
        let fut = self.handlers[id as usize].call(req);
        match AssertUnwindSafe(fut).catch_unwind().await {
            Ok(res) => res,
            Err(panic) => panic_error(&*panic).into_response(),
        }
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
struct BadTarget;
