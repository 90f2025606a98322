//! The request a handler receives.
//!
//! It owns the [`http`] request head (method, URI, headers, extensions), the
//! body, the decoded path parameters and a handle on the app (for shared
//! state and the body limit). Body readers take the body out, so the head and
//! parameters stay readable after the body has been consumed.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{Extensions, HeaderMap, Method, StatusCode, Uri, Version};
use serde::de::DeserializeOwned;

use crate::app::AppRef;
use crate::body::{Body, BodyError};
use crate::error::Error;
use crate::maybe_send::{MaybeSend, MaybeSync};
use crate::params::Params;

/// An incoming HTTP request.
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket_core::Mocket;
/// let mut app = Mocket::new();
/// app.get("/users/:id", |req| async move {
///     format!("{} {}", req.param("id"), req.query_param("tab").unwrap_or_default())
/// });
/// let res = app.request("/users/7?tab=posts").await;
/// assert_eq!(res.into_body().to_text().await.unwrap(), "7 posts");
/// # });
/// ```
pub struct Request {
    /// Boxed: a request is moved through the middleware chain and into
    /// handler futures by value, through `dyn` calls the compiler cannot see
    /// through; at 368 bytes inline, those copies cost more than the
    /// allocation (measured with callgrind).
    inner: Box<Inner>,
}

struct Inner {
    head: http::request::Parts,
    body: Body,
    params: Params,
    route: Option<u32>,
    app: AppRef,
}

impl Request {
    pub(crate) fn new(
        head: http::request::Parts,
        body: Body,
        params: Params,
        route: Option<u32>,
        app: AppRef,
    ) -> Self {
        Request {
            inner: Box::new(Inner {
                head,
                body,
                params,
                route,
                app,
            }),
        }
    }

    /// The request method.
    ///
    /// ```
    /// # mocket_core::doc_request(|req| {
    /// assert_eq!(req.method(), mocket_core::http::Method::GET);
    /// # });
    /// ```
    pub fn method(&self) -> &Method {
        &self.inner.head.method
    }

    /// The request target as received.
    ///
    /// ```
    /// # mocket_core::doc_request(|req| {
    /// assert_eq!(req.uri().path(), "/doc");
    /// # });
    /// ```
    pub fn uri(&self) -> &Uri {
        &self.inner.head.uri
    }

    /// The path, still percent-encoded.
    ///
    /// ```
    /// # mocket_core::doc_request(|req| {
    /// assert_eq!(req.path(), "/doc");
    /// # });
    /// ```
    pub fn path(&self) -> &str {
        self.inner.head.uri.path()
    }

    /// The raw query string, without `?`.
    ///
    /// ```
    /// # mocket_core::doc_request(|req| {
    /// assert_eq!(req.query_string(), Some("a=1&b=x%20y"));
    /// # });
    /// ```
    pub fn query_string(&self) -> Option<&str> {
        self.inner.head.uri.query()
    }

    /// The HTTP version.
    ///
    /// ```
    /// # mocket_core::doc_request(|req| {
    /// assert_eq!(req.version(), mocket_core::http::Version::HTTP_11);
    /// # });
    /// ```
    pub fn version(&self) -> Version {
        self.inner.head.version
    }

    /// The headers; lookups ignore case.
    ///
    /// ```
    /// # mocket_core::doc_request(|req| {
    /// assert_eq!(req.headers()["X-Doc"], "yes");
    /// # });
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        &self.inner.head.headers
    }

    /// The headers, for a middleware to change before calling `next`.
    ///
    /// ```
    /// # mocket_core::doc_request(|mut req| {
    /// req.headers_mut().insert("x-user", "42".parse().unwrap());
    /// assert_eq!(req.header("x-user"), Some("42"));
    /// # });
    /// ```
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.inner.head.headers
    }

    /// One header's value as text; `None` if absent or not visible ASCII.
    ///
    /// ```
    /// # mocket_core::doc_request(|req| {
    /// assert_eq!(req.header("x-doc"), Some("yes"));
    /// assert_eq!(req.header("x-none"), None);
    /// # });
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.inner.head.headers.get(name)?.to_str().ok()
    }

    /// Typed values attached to this request, for middleware to pass data
    /// to handlers.
    ///
    /// ```
    /// # mocket_core::doc_request(|mut req| {
    /// req.extensions_mut().insert(7u32);
    /// assert_eq!(req.extensions().get::<u32>(), Some(&7));
    /// # });
    /// ```
    pub fn extensions(&self) -> &Extensions {
        &self.inner.head.extensions
    }

    /// Mutable access to [`Request::extensions`].
    ///
    /// ```
    /// # mocket_core::doc_request(|mut req| {
    /// req.extensions_mut().insert("user");
    /// # });
    /// ```
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.inner.head.extensions
    }

    /// A path parameter of the matched route, percent-decoded: `:name`, or
    /// `*`/`**` (or their given names) for wildcards.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut app = mocket_core::Mocket::new();
    /// app.get("/echo/:name", |req| async move { req.param("name").to_owned() });
    /// let res = app.request("/echo/hello%20world").await;
    /// assert_eq!(res.into_body().to_text().await.unwrap(), "hello world");
    /// # });
    /// ```
    ///
    /// # Panics
    ///
    /// If the matched route declares no parameter `name`: a typo in the
    /// handler, which no request can cause (like indexing a map with a key
    /// that is not there). Where a parameter may be absent (a handler or
    /// middleware shared by several routes), use [`Request::try_param`].
    #[track_caller]
    pub fn param(&self, name: &str) -> &str {
        match self.try_param(name) {
            Some(value) => value,
            None => panic!("{}", self.missing_param(name)),
        }
    }

    /// A path parameter, or `None` if the matched route (if any) declares no
    /// parameter `name`.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut app = mocket_core::Mocket::new();
    /// let who = |req: mocket_core::Request| async move {
    ///     req.try_param("id").unwrap_or("everyone").to_owned()
    /// };
    /// app.get("/users", who);
    /// app.get("/users/:id", who);
    /// assert_eq!(app.request("/users").await.into_body().to_text().await.unwrap(), "everyone");
    /// assert_eq!(app.request("/users/7").await.into_body().to_text().await.unwrap(), "7");
    /// # });
    /// ```
    pub fn try_param(&self, name: &str) -> Option<&str> {
        let mut names = self.inner.app.param_names(self.inner.route?);
        let i = names.position(|n| n == name)?;
        Some(self.inner.params.value(self.inner.head.uri.path(), i))
    }

    /// A path parameter parsed into `T`: a value that does not parse is a
    /// 400 naming the parameter, so handlers need no error mapping of
    /// their own.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut app = mocket_core::Mocket::new();
    /// app.get("/users/:id", |req| async move {
    ///     let id: u64 = req.param_as("id")?;
    ///     Ok(format!("user {id}"))
    /// });
    /// assert_eq!(app.request("/users/7").await.into_body().to_text().await.unwrap(), "user 7");
    /// let res = app.request("/users/seven").await;
    /// assert_eq!(res.status(), 400);
    /// assert_eq!(
    ///     res.into_body().to_text().await.unwrap(),
    ///     "invalid path parameter id: invalid digit found in string"
    /// );
    /// # });
    /// ```
    ///
    /// A route that declares no parameter `name` is a 500 whose log line
    /// names the route and its parameters (a typo in the handler).
    pub fn param_as<T>(&self, name: &str) -> Result<T, Error>
    where
        T: std::str::FromStr,
        T::Err: std::fmt::Display,
    {
        let raw = self
            .try_param(name)
            .ok_or_else(|| Error::internal(self.missing_param(name)))?;
        raw.parse()
            .map_err(|e| Error::bad_request(format!("invalid path parameter {name}: {e}")))
    }

    #[cold]
    fn missing_param(&self, name: &str) -> String {
        match self.inner.route {
            Some(route) => {
                let declared: Vec<&str> = self.inner.app.param_names(route).collect();
                format!(
                    "the route {} has no path parameter {name:?} (it declares {declared:?}); \
                     use try_param where a parameter may be absent",
                    self.inner.app.pattern(route)
                )
            }
            None => format!(
                "no route matched {}, so there is no path parameter {name:?}; \
                 use try_param where a parameter may be absent",
                self.path()
            ),
        }
    }

    /// All path parameters as `(name, value)`, in pattern order.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut app = mocket_core::Mocket::new();
    /// app.get("/:a/:b", |req| async move {
    ///     req.params().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
    /// });
    /// let res = app.request("/x/y").await;
    /// assert_eq!(res.into_body().to_text().await.unwrap(), "a=x,b=y");
    /// # });
    /// ```
    pub fn params(&self) -> impl Iterator<Item = (&str, &str)> {
        let names = self
            .inner
            .route
            .map(|r| self.inner.app.param_names(r))
            .into_iter()
            .flatten();
        let path = self.inner.head.uri.path();
        names
            .enumerate()
            .map(move |(i, n)| (n, self.inner.params.value(path, i)))
    }

    /// The value of the pattern's unnamed wildcard: `**` if present, else `*`.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut app = mocket_core::Mocket::new();
    /// app.get("/wild/**", |req| async move { req.wildcard().unwrap().to_owned() });
    /// let res = app.request("/wild/a/b/c").await;
    /// assert_eq!(res.into_body().to_text().await.unwrap(), "a/b/c");
    /// # });
    /// ```
    pub fn wildcard(&self) -> Option<&str> {
        self.try_param("**").or_else(|| self.try_param("*"))
    }

    /// The route pattern that matched, such as `/users/:id` (useful for
    /// logs and metrics, where the raw path would have unbounded variety).
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut app = mocket_core::Mocket::new();
    /// app.get("/users/:id", |req| async move { req.matched_pattern().unwrap().to_owned() });
    /// let res = app.request("/users/7").await;
    /// assert_eq!(res.into_body().to_text().await.unwrap(), "/users/:id");
    /// # });
    /// ```
    pub fn matched_pattern(&self) -> Option<&str> {
        Some(self.inner.app.pattern(self.inner.route?))
    }

    /// The query string as a map from name to value (decoded; `+` is a
    /// space; the first of repeated names wins).
    ///
    /// ```
    /// # mocket_core::doc_request(|req| {
    /// let q = req.query();
    /// assert_eq!(q["a"], "1");
    /// assert_eq!(q["b"], "x y");
    /// # });
    /// ```
    pub fn query(&self) -> HashMap<String, String> {
        let mut map = HashMap::new();
        for (k, v) in form_urlencoded::parse(self.query_string().unwrap_or("").as_bytes()) {
            map.entry(k.into_owned()).or_insert_with(|| v.into_owned());
        }
        map
    }

    /// One query parameter, decoded as [`Request::query`] decodes it; the
    /// first if it repeats.
    ///
    /// ```
    /// # mocket_core::doc_request(|req| {
    /// assert_eq!(req.query_param("a").as_deref(), Some("1"));
    /// assert_eq!(req.query_param("b").as_deref(), Some("x y"));
    /// assert_eq!(req.query_param("c"), None);
    /// # });
    /// ```
    pub fn query_param(&self, name: &str) -> Option<String> {
        // Only the wanted pair is decoded, and only if it has to be:
        // `form_urlencoded::parse` decodes every name and value it passes.
        // Byte searches: `str::split` on a char costs several times more on
        // strings this short.
        let query = self.query_string()?;
        let find = |s: &str, byte: u8| s.bytes().position(|b| b == byte);
        let mut rest = query;
        while !rest.is_empty() {
            let (pair, next) = match find(rest, b'&') {
                Some(i) => (&rest[..i], &rest[i + 1..]),
                None => (rest, ""),
            };
            rest = next;
            if pair.is_empty() {
                continue;
            }
            let (key, value) = match find(pair, b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, ""),
            };
            let matches = if needs_form_decoding(key) {
                decode_form(key) == name
            } else {
                key == name
            };
            if matches {
                return Some(decode_form(value).into_owned());
            }
        }
        None
    }

    /// The query string deserialized into `T`; a mismatch is a 400 that
    /// says which field is wrong.
    ///
    /// ```
    /// # mocket_core::doc_request(|req| {
    /// #[derive(serde::Deserialize)]
    /// struct Q { a: u32, b: String }
    /// let q: Q = req.query_as().unwrap();
    /// assert_eq!((q.a, q.b.as_str()), (1, "x y"));
    /// # });
    /// ```
    pub fn query_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let query = self.query_string().unwrap_or("");
        let pairs = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        // Wrapped like form bodies, so that the 400 names the field.
        serde_path_to_error::deserialize(pairs)
            .map_err(|e| Error::bad_request(format!("invalid query string: {e}")))
    }

    /// The most body bytes the readers accept (the app's limit).
    ///
    /// ```
    /// # mocket_core::doc_request(|req| {
    /// assert_eq!(req.body_limit(), 1024 * 1024);
    /// # });
    /// ```
    pub fn body_limit(&self) -> usize {
        self.inner.app.body_limit()
    }

    /// Takes the body out to stream it; later readers see it empty.
    ///
    /// ```
    /// # mocket_core::doc_request(|mut req| {
    /// let body = req.take_body();
    /// assert_eq!(body.exact_len(), Some(0));
    /// # });
    /// ```
    pub fn take_body(&mut self) -> Body {
        std::mem::take(&mut self.inner.body)
    }

    /// Reads the whole body, up to the body limit (beyond it: 413).
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut app = mocket_core::Mocket::new();
    /// app.post("/len", |mut req| async move { Ok(req.bytes().await?.len().to_string()) });
    /// let req = mocket_core::http::Request::post("/len").body("abc").unwrap();
    /// assert_eq!(app.request(req).await.into_body().to_text().await.unwrap(), "3");
    /// # });
    /// ```
    pub async fn bytes(&mut self) -> Result<Bytes, Error> {
        let limit = self.body_limit();
        self.take_body()
            .collect_limited(limit)
            .await
            .map_err(|e| match e {
                BodyError::TooLarge { limit } => Error::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("request body is larger than the limit of {limit} bytes"),
                ),
                BodyError::Read(e) => {
                    Error::bad_request("failed to read the request body").with_source(e)
                }
            })
    }

    /// Reads the whole body as UTF-8 text (not UTF-8: 400).
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut app = mocket_core::Mocket::new();
    /// app.post("/echo", |mut req| async move { req.text().await });
    /// let req = mocket_core::http::Request::post("/echo").body("hi").unwrap();
    /// assert_eq!(app.request(req).await.into_body().to_text().await.unwrap(), "hi");
    /// # });
    /// ```
    pub async fn text(&mut self) -> Result<String, Error> {
        let bytes = self.bytes().await?;
        String::from_utf8(bytes.into()).map_err(|e| {
            Error::bad_request(format!(
                "request body is not valid UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ))
        })
    }

    /// Reads the body as JSON into `T`. A content type other than
    /// `application/json` (or `application/*+json`) is a 415; JSON that does
    /// not parse or does not fit `T` is a 400 saying where and why.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// #[derive(serde::Deserialize)]
    /// struct Msg { text: String }
    /// let mut app = mocket_core::Mocket::new();
    /// app.post("/msg", |mut req| async move { Ok(req.json::<Msg>().await?.text) });
    /// let req = mocket_core::http::Request::post("/msg")
    ///     .header("content-type", "application/json")
    ///     .body(r#"{"text":"hi"}"#)
    ///     .unwrap();
    /// assert_eq!(app.request(req).await.into_body().to_text().await.unwrap(), "hi");
    /// # });
    /// ```
    pub async fn json<T: DeserializeOwned>(&mut self) -> Result<T, Error> {
        if !self.has_json_content_type() {
            return Err(Error::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected a request with content-type: application/json",
            ));
        }
        let bytes = self.bytes().await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::bad_request(format!("invalid JSON body: {e}")))
    }

    fn has_json_content_type(&self) -> bool {
        let Some(ct) = self.header(CONTENT_TYPE.as_str()) else {
            return false;
        };
        let essence = ct.split(';').next().unwrap_or("").trim();
        let Some((kind, sub)) = essence.split_once('/') else {
            return false;
        };
        kind.eq_ignore_ascii_case("application")
            && (sub.eq_ignore_ascii_case("json")
                || sub.len() > 5 && sub[sub.len() - 5..].eq_ignore_ascii_case("+json"))
    }

    /// Shared state registered with [`Mocket::state`](crate::Mocket::state).
    /// A type that was never registered is a 500 whose log line names the
    /// type and says how to register it (the client sees only "Internal
    /// Server Error").
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// let mut app = mocket_core::Mocket::new();
    /// app.state(AtomicU64::new(0));
    /// app.get("/hits", |req| async move {
    ///     let hits = req.state::<AtomicU64>()?;
    ///     Ok((hits.fetch_add(1, Ordering::Relaxed) + 1).to_string())
    /// });
    /// app.request("/hits").await;
    /// assert_eq!(app.request("/hits").await.into_body().to_text().await.unwrap(), "2");
    /// # });
    /// ```
    pub fn state<T: MaybeSend + MaybeSync + 'static>(&self) -> Result<Arc<T>, Error> {
        self.inner.app.state::<T>().ok_or_else(|| {
            Error::internal(format!(
                "req.state::<{ty}>(): no value of type {ty} was registered; \
                 register one with app.state(…) before serving",
                ty = std::any::type_name::<T>()
            ))
        })
    }

    /// The app's [`Publisher`](crate::ws::Publisher), to publish to its
    /// WebSocket topics from an HTTP handler.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut app = mocket_core::Mocket::new();
    /// app.post("/rooms/:name", |mut req| async move {
    ///     let text = req.text().await?;
    ///     let reached = req.publisher().publish(req.param("name"), text);
    ///     Ok(format!("{reached} listening"))
    /// });
    /// let req = mocket_core::http::Request::post("/rooms/lobby").body("hi").unwrap();
    /// assert_eq!(app.request(req).await.into_body().to_text().await.unwrap(), "0 listening");
    /// # });
    /// ```
    #[cfg(feature = "websocket")]
    pub fn publisher(&self) -> crate::ws::Publisher {
        self.inner.app.publisher.clone()
    }

    /// The app's shutdown notice, for a WebSocket to hear.
    #[cfg(feature = "websocket")]
    pub(crate) fn app_shutdown(&self) -> Arc<crate::shutdown::Shutdown> {
        self.inner.app.shutdown.clone()
    }

    /// Whether the host cannot hand connections over.
    #[cfg(feature = "websocket")]
    pub(crate) fn no_upgrades(&self) -> bool {
        self.inner.app.no_upgrades
    }

    /// The body, for a middleware to replace before calling `next`: read
    /// it (within the limit), check or change it, and put the result back.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::Body;
    /// let mut app = mocket_core::Mocket::new();
    /// app.use_middleware(|mut req, next| async move {
    ///     let text = req.text().await?;
    ///     *req.body_mut() = Body::from(text.to_uppercase());
    ///     Ok(next.run(req).await)
    /// });
    /// app.post("/echo", |mut req| async move { req.text().await });
    /// let req = mocket_core::http::Request::post("/echo").body("quiet").unwrap();
    /// assert_eq!(app.request(req).await.into_body().to_text().await.unwrap(), "QUIET");
    /// # });
    /// ```
    pub fn body_mut(&mut self) -> &mut Body {
        &mut self.inner.body
    }

    /// Splits the request into everything but the body, and the body; the
    /// parts keep the head, the path parameters and the app, and
    /// [`Request::from_parts`] puts them back together with a body.
    ///
    /// ```
    /// # mocket_core::doc_request(|req| {
    /// let (parts, body) = req.into_parts();
    /// assert_eq!(parts.uri().path(), "/doc");
    /// let req = mocket_core::Request::from_parts(parts, body);
    /// assert_eq!(req.header("x-doc"), Some("yes"));
    /// # });
    /// ```
    pub fn into_parts(mut self) -> (RequestParts, Body) {
        let body = self.take_body();
        (RequestParts { request: self }, body)
    }

    /// A request made of `parts` (from [`Request::into_parts`]) and `body`.
    ///
    /// ```
    /// # mocket_core::doc_request(|req| {
    /// let (parts, _) = req.into_parts();
    /// let req = mocket_core::Request::from_parts(parts, mocket_core::Body::from("new"));
    /// assert_eq!(req.header("x-doc"), Some("yes"));
    /// # });
    /// ```
    pub fn from_parts(parts: RequestParts, body: Body) -> Request {
        let mut request = parts.request;
        request.inner.body = body;
        request
    }

    /// The `http` request head (method, URI, version, headers,
    /// extensions), for code written against the `http` crate.
    ///
    /// ```
    /// # mocket_core::doc_request(|req| {
    /// assert_eq!(req.head().uri.path(), "/doc");
    /// # });
    /// ```
    pub fn head(&self) -> &http::request::Parts {
        &self.inner.head
    }

    /// Mutable access to [`Request::head`].
    ///
    /// ```
    /// # mocket_core::doc_request(|mut req| {
    /// req.head_mut().method = mocket_core::http::Method::POST;
    /// assert_eq!(req.method(), mocket_core::http::Method::POST);
    /// # });
    /// ```
    pub fn head_mut(&mut self) -> &mut http::request::Parts {
        &mut self.inner.head
    }
}

/// A [`Request`] without its body, from [`Request::into_parts`]; every
/// reader of the request (head, parameters, state) works on it.
///
/// ```
/// # mocket_core::doc_request(|req| {
/// let (parts, _body) = req.into_parts();
/// assert_eq!(parts.method(), mocket_core::http::Method::GET);
/// # });
/// ```
#[derive(Debug)]
pub struct RequestParts {
    /// Its body is empty.
    request: Request,
}

impl std::ops::Deref for RequestParts {
    type Target = Request;
    fn deref(&self) -> &Request {
        &self.request
    }
}

impl std::ops::DerefMut for RequestParts {
    fn deref_mut(&mut self) -> &mut Request {
        &mut self.request
    }
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.inner.head.method)
            .field("uri", &self.inner.head.uri)
            .field("version", &self.inner.head.version)
            .field("headers", &self.inner.head.headers)
            .field("params", &self.params().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn needs_form_decoding(raw: &str) -> bool {
    raw.bytes().any(|b| b == b'%' || b == b'+')
}

/// `application/x-www-form-urlencoded` decoding of one name or value: `+`
/// is a space, and bad UTF-8 becomes U+FFFD, as `form_urlencoded` does.
fn decode_form(raw: &str) -> Cow<'_, str> {
    if !needs_form_decoding(raw) {
        return Cow::Borrowed(raw);
    }
    let spaced = raw.replace('+', " ");
    Cow::Owned(
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8_lossy()
            .into_owned(),
    )
}
