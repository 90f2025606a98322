//! Cross-origin resource sharing (CORS), as the [Fetch standard's CORS
//! protocol](https://fetch.spec.whatwg.org/#http-cors-protocol) defines it.
//!
//! [`Cors`] is a builder in the style of tower-http's `CorsLayer` and Hono's
//! `cors()`, and a [`Middleware`]: add it with
//! [`Mocket::wrap`](crate::Mocket::wrap), a group's `wrap`, or `wrap_at`.
//!
//! What it answers:
//!
//! - **Preflights** (`OPTIONS` with `Origin` and
//!   `Access-Control-Request-Method`) get `204 No Content` from the
//!   middleware itself: the handler never runs, and no `OPTIONS` route is
//!   needed. An `OPTIONS` request without those headers is not a preflight
//!   and goes to the app as usual.
//! - **Other requests** go to the handler; an allowed origin's response then
//!   carries `Access-Control-Allow-Origin` (and `-Allow-Credentials`,
//!   `-Expose-Headers` when configured). Error responses too, so the page
//!   can read them.
//! - **A refused origin** gets no CORS headers at all, on preflights and
//!   other requests alike; the browser then withholds the response from the
//!   page. A refused preflight is still a `204` (as tower-http and Hono
//!   answer): the missing `Access-Control-Allow-Origin` is what fails the
//!   browser's CORS check, and a `403` would tell it nothing more.
//! - **`Vary: Origin`** is added to every response whose CORS headers depend
//!   on the origin (all of them unless any origin is allowed without
//!   credentials, which answers a constant `*`), including responses to
//!   requests without `Origin`, as the Fetch standard asks so that shared
//!   caches never serve one origin's answer to another. Preflights that
//!   mirror the requested method or headers also vary on
//!   `Access-Control-Request-Method` / `-Headers`. Names already in `Vary`
//!   are kept.
//! - **Credentials** are never combined with a literal `*`: with
//!   [`Cors::allow_credentials`], "any origin" mirrors the request's origin,
//!   and "any method/header" mirror the request's. The opaque origin `null`
//!   (sandboxed frames, `file:` pages) is not mirrored with credentials; a
//!   list or predicate must name it explicitly.

mod respond;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderName, HeaderValue, Method};

use crate::handler::ResponseFuture;
use crate::maybe_send::{MaybeSend, MaybeSync};
use crate::middleware::{Middleware, Next};
use crate::request::Request;

pub use respond::CorsFuture;

/// The CORS middleware's settings, built fluently.
///
/// [`Cors::new`] allows no origin until one of the `allow_origin…` methods
/// says which; it allows the methods `GET, HEAD, PUT, POST, DELETE, PATCH`
/// and mirrors whatever request headers a preflight asks for (Hono's
/// defaults).
///
/// ```
/// # futures_executor::block_on(async {
/// use std::time::Duration;
/// use mocket_core::cors::Cors;
/// use mocket_core::http::{self, Method, header};
///
/// let mut app = mocket_core::Mocket::new();
/// app.wrap(
///     Cors::new()
///         .allow_origins(["https://app.example"])
///         .allow_methods([Method::GET, Method::POST])
///         .allow_headers([header::CONTENT_TYPE])
///         .allow_credentials(true)
///         .max_age(Duration::from_secs(600)),
/// );
/// app.post("/items", |_req| async { "made" });
///
/// // The browser's preflight is answered without reaching a handler.
/// let preflight = http::Request::options("/items")
///     .header("origin", "https://app.example")
///     .header("access-control-request-method", "POST")
///     .body(())
///     .unwrap();
/// let res = app.request(preflight).await;
/// assert_eq!(res.status(), 204);
/// assert_eq!(res.headers()["access-control-allow-origin"], "https://app.example");
/// assert_eq!(res.headers()["access-control-allow-methods"], "GET, POST");
/// assert_eq!(res.headers()["access-control-max-age"], "600");
/// # });
/// ```
#[must_use = "a builder does nothing until it is used"]
#[derive(Clone)]
pub struct Cors {
    origins: Origins,
    methods: Allow,
    headers: Allow,
    expose: Expose,
    credentials: bool,
    max_age: Option<HeaderValue>,
}

/// `Fn(&str) -> bool`, `Send + Sync` where there are threads.
trait OriginFn: Fn(&str) -> bool + MaybeSend + MaybeSync {}
impl<F: Fn(&str) -> bool + MaybeSend + MaybeSync> OriginFn for F {}

/// Shared, so that a `Cors` can be cloned for several groups.
type OriginPredicate = Arc<dyn OriginFn>;

#[derive(Clone)]
enum Origins {
    None,
    Any,
    /// Lowercased, without a trailing `/`.
    List(Vec<Box<str>>),
    Predicate(OriginPredicate),
}

/// Allowed methods or request headers.
#[derive(Clone)]
enum Allow {
    /// The value to send; `None` for an empty list (the header is left out).
    List(Option<HeaderValue>),
    /// Echo what the preflight asks for.
    Mirror,
}

#[derive(Clone)]
enum Expose {
    None,
    List(HeaderValue),
    Any,
}

impl Default for Cors {
    fn default() -> Self {
        Cors::new()
    }
}

impl Cors {
    /// Settings that allow no origin yet (see the type's documentation for
    /// the other defaults).
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::cors::Cors;
    /// let mut app = mocket_core::Mocket::new();
    /// app.wrap(Cors::new());
    /// app.get("/", |_req| async { "hi" });
    /// let req = mocket_core::http::Request::get("/").header("origin", "https://a.example").body(()).unwrap();
    /// let res = app.request(req).await;
    /// assert!(res.headers().get("access-control-allow-origin").is_none());
    /// # });
    /// ```
    pub fn new() -> Self {
        Cors {
            origins: Origins::None,
            methods: Allow::List(join(["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"])),
            headers: Allow::Mirror,
            expose: Expose::None,
            credentials: false,
            max_age: None,
        }
    }

    /// Anything goes, without credentials: any origin (`*`), any method
    /// and request header (mirrored), every response header exposed (`*`).
    /// For public APIs.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::cors::Cors;
    /// let mut app = mocket_core::Mocket::new();
    /// app.wrap(Cors::permissive());
    /// app.get("/", |_req| async { "hi" });
    /// let req = mocket_core::http::Request::get("/").header("origin", "https://a.example").body(()).unwrap();
    /// assert_eq!(app.request(req).await.headers()["access-control-allow-origin"], "*");
    /// # });
    /// ```
    pub fn permissive() -> Self {
        Cors::new()
            .allow_any_origin()
            .allow_any_method()
            .allow_any_header()
            .expose_any_header()
    }

    /// Allows exactly these origins (`scheme://host[:port]`, compared
    /// ignoring ASCII case; a trailing `/` is ignored). Replaces earlier
    /// origin settings.
    ///
    /// ```
    /// use mocket_core::cors::Cors;
    /// let cors = Cors::new().allow_origins(["https://app.example", "http://localhost:5173"]);
    /// ```
    pub fn allow_origins<I, S>(mut self, origins: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let list = origins
            .into_iter()
            .map(|o| o.as_ref().trim().trim_end_matches('/').to_ascii_lowercase())
            .map(String::into_boxed_str)
            .collect();
        self.origins = Origins::List(list);
        self
    }

    /// Allows the origins for which `predicate` returns true (it receives
    /// the `Origin` header as sent, for example `https://a.example` or
    /// `null`). Replaces earlier origin settings.
    ///
    /// ```
    /// use mocket_core::cors::Cors;
    /// let cors = Cors::new().allow_origin_fn(|origin| origin.ends_with(".example.com"));
    /// ```
    pub fn allow_origin_fn<F>(mut self, predicate: F) -> Self
    where
        F: Fn(&str) -> bool + MaybeSend + MaybeSync + 'static,
    {
        self.origins = Origins::Predicate(Arc::new(predicate));
        self
    }

    /// Allows every origin: `*`, or the request's origin when credentials
    /// are allowed. Replaces earlier origin settings.
    ///
    /// ```
    /// use mocket_core::cors::Cors;
    /// let cors = Cors::new().allow_any_origin();
    /// ```
    pub fn allow_any_origin(mut self) -> Self {
        self.origins = Origins::Any;
        self
    }

    /// The methods a preflight may be granted (`Access-Control-Allow-Methods`).
    ///
    /// ```
    /// use mocket_core::{cors::Cors, http::Method};
    /// let cors = Cors::new().allow_methods([Method::GET, Method::PUT]);
    /// ```
    pub fn allow_methods<I>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = Method>,
    {
        let methods: Vec<Method> = methods.into_iter().collect();
        self.methods = Allow::List(join(methods.iter().map(Method::as_str)));
        self
    }

    /// Grants a preflight whatever method it asks for (mirrored).
    ///
    /// ```
    /// use mocket_core::cors::Cors;
    /// let cors = Cors::new().allow_any_method();
    /// ```
    pub fn allow_any_method(mut self) -> Self {
        self.methods = Allow::Mirror;
        self
    }

    /// The request headers a preflight may be granted
    /// (`Access-Control-Allow-Headers`), instead of mirroring its request.
    ///
    /// ```
    /// use mocket_core::{cors::Cors, http::{header, HeaderName}};
    /// let cors = Cors::new().allow_headers([header::AUTHORIZATION, HeaderName::from_static("x-api-key")]);
    /// ```
    pub fn allow_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator<Item = HeaderName>,
    {
        let headers: Vec<HeaderName> = headers.into_iter().collect();
        self.headers = Allow::List(join(headers.iter().map(HeaderName::as_str)));
        self
    }

    /// Grants a preflight whatever request headers it asks for (mirrored:
    /// the default).
    ///
    /// ```
    /// use mocket_core::cors::Cors;
    /// let cors = Cors::new().allow_any_header();
    /// ```
    pub fn allow_any_header(mut self) -> Self {
        self.headers = Allow::Mirror;
        self
    }

    /// Response headers, beyond the CORS-safelisted ones, that the page may
    /// read (`Access-Control-Expose-Headers`).
    ///
    /// ```
    /// use mocket_core::{cors::Cors, http::HeaderName};
    /// let cors = Cors::new().expose_headers([HeaderName::from_static("x-total-count")]);
    /// ```
    pub fn expose_headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator<Item = HeaderName>,
    {
        let headers: Vec<HeaderName> = headers.into_iter().collect();
        self.expose = match join(headers.iter().map(HeaderName::as_str)) {
            Some(value) => Expose::List(value),
            None => Expose::None,
        };
        self
    }

    /// Lets the page read every response header: `*`, or, with
    /// credentials (where `*` is not a wildcard), the names of the headers
    /// each response actually has.
    ///
    /// ```
    /// use mocket_core::cors::Cors;
    /// let cors = Cors::new().expose_any_header();
    /// ```
    pub fn expose_any_header(mut self) -> Self {
        self.expose = Expose::Any;
        self
    }

    /// Whether the page may send cookies and HTTP authentication and read
    /// the answer (`Access-Control-Allow-Credentials: true`).
    ///
    /// ```
    /// use mocket_core::cors::Cors;
    /// let cors = Cors::new().allow_origins(["https://app.example"]).allow_credentials(true);
    /// ```
    pub fn allow_credentials(mut self, allow: bool) -> Self {
        self.credentials = allow;
        self
    }

    /// How long the browser may cache a preflight's answer
    /// (`Access-Control-Max-Age`, in whole seconds).
    ///
    /// ```
    /// use mocket_core::cors::Cors;
    /// let cors = Cors::new().max_age(std::time::Duration::from_secs(3600));
    /// ```
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = Some(HeaderValue::from(max_age.as_secs()));
        self
    }
}

/// Added with [`Mocket::wrap`](crate::Mocket::wrap), on the app, a prefix
/// or a group.
///
/// ```
/// use mocket_core::cors::Cors;
/// let mut app = mocket_core::Mocket::new();
/// app.group("/api", |api| {
///     api.wrap(Cors::new().allow_any_origin());
/// });
/// ```
impl Middleware for Cors {
    fn call(&self, req: Request, next: Next) -> ResponseFuture {
        Box::pin(self.handle(req, next))
    }
}

impl fmt::Debug for Cors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origins = match &self.origins {
            Origins::None => "none".to_owned(),
            Origins::Any => "any".to_owned(),
            Origins::List(list) => list.join(", "),
            Origins::Predicate(_) => "a predicate".to_owned(),
        };
        f.debug_struct("Cors")
            .field("origins", &origins)
            .field("credentials", &self.credentials)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

/// `a, b, c` as a header value; `None` for an empty list.
fn join<'a>(items: impl IntoIterator<Item = &'a str>) -> Option<HeaderValue> {
    let joined = items.into_iter().collect::<Vec<_>>().join(", ");
    if joined.is_empty() {
        return None;
    }
    // Method and header names are tokens, always valid header values.
    HeaderValue::try_from(joined).ok()
}
