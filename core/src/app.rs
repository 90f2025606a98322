//! The application: routes, middleware, state and settings.
//!
//! [`Mocket`] is a builder; registration never fails loudly at the call site
//! (so setup reads as a plain list), but every problem — a route registered
//! twice, an invalid pattern or method — is recorded and reported, all at
//! once, by [`Mocket::check`] and by `listen`, which refuses to serve an app
//! with setup errors.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use http::Method;
use mocket_router::{InsertError, Pattern, Prefix, Router};
use smallvec::SmallVec;

use crate::backend::{ServerOptions, Service};
use crate::body::Body;
use crate::error::Error;
use crate::handler::Handler;
use crate::in_process::IntoRequest;
use crate::maybe_send::{MaybeSend, MaybeSync};
use crate::middleware::{IntoMiddleware, Middleware, Next};
use crate::request::Request;
use crate::response::{IntoResponse, Response};
use crate::state::StateMap;

/// The default body limit: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// The handlers registered for one path pattern, by method.
#[derive(Default, Clone)]
pub(crate) struct MethodRoutes {
    pub(crate) pattern: u32,
    pub(crate) methods: SmallVec<[(Method, u32); 2]>,
    pub(crate) any: Option<u32>,
}

impl MethodRoutes {
    /// The handler for `method`: its own, GET's for HEAD, else the any-method one.
    pub(crate) fn handler_for(&self, method: &Method) -> Option<u32> {
        let find = |m: &Method| self.methods.iter().find(|(k, _)| k == m).map(|&(_, h)| h);
        find(method)
            .or_else(|| {
                (method == Method::HEAD)
                    .then(|| find(&Method::GET))
                    .flatten()
            })
            .or(self.any)
    }
}

/// What the core keeps per route pattern, by the router's route id (the
/// pattern's text and parameter names are the router's).
pub(crate) struct PatternInfo {
    pub(crate) pattern: Pattern,
    /// The scoped middlewares covering every path the pattern matches,
    /// worked out at setup instead of per request; `None` when that
    /// depends on the path.
    pub(crate) chain: Option<Box<[u16]>>,
}

pub(crate) trait ErrorHandler: MaybeSend + MaybeSync + 'static {
    fn handle(&self, error: Error) -> Response;
}

impl<F, R> ErrorHandler for F
where
    F: Fn(Error) -> R + MaybeSend + MaybeSync + 'static,
    R: IntoResponse,
{
    fn handle(&self, error: Error) -> Response {
        self(error).into_response()
    }
}

/// What the app is made of once built; shared by every request.
pub(crate) struct AppInner {
    pub(crate) router: Router<MethodRoutes>,
    pub(crate) patterns: Vec<PatternInfo>,
    pub(crate) handlers: Vec<Box<dyn Handler>>,
    pub(crate) middlewares: Vec<Box<dyn Middleware>>,
    /// Per middleware: the path prefix it is scoped to, or `None` for all.
    pub(crate) scopes: Vec<Option<Prefix>>,
    /// No middleware is scoped: every request gets all of them.
    pub(crate) all_global: bool,
    pub(crate) error_handler: Option<Box<dyn ErrorHandler>>,
    pub(crate) not_found: Option<u32>,
    pub(crate) state: StateMap,
    pub(crate) body_limit: usize,
    pub(crate) options: ServerOptions,
    /// The app's pub/sub topics, shared by every worker thread.
    #[cfg(feature = "websocket")]
    pub(crate) publisher: crate::ws::Publisher,
    /// The host cannot hand connections over (`backend::refuse_upgrades`).
    #[cfg_attr(not(feature = "websocket"), allow(dead_code))]
    pub(crate) no_upgrades: bool,
    /// Heard by WebSockets and event streams when the server stops.
    pub(crate) shutdown: Arc<crate::shutdown::Shutdown>,
}

/// A handle on the app held by requests in flight: a plain reference once
/// the app is served (it then lives as long as the process, so no reference
/// count is touched per request), an `Arc` for in-process requests.
#[derive(Clone)]
pub(crate) enum AppRef {
    Static(&'static AppInner),
    Shared(Arc<AppInner>),
}

impl std::ops::Deref for AppRef {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        match self {
            AppRef::Static(app) => app,
            AppRef::Shared(app) => app,
        }
    }
}

/// A Mocket application: routes, middleware, shared state and settings.
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket_core::Mocket;
/// let mut app = Mocket::new();
/// app.get("/", |_req| async { "Hello, Mocket!" });
/// app.get("/users/:id", |req| async move { format!("user {}", req.param("id")) });
///
/// let res = app.request("/users/42").await;
/// assert_eq!(res.into_body().to_text().await.unwrap(), "user 42");
/// # });
/// ```
pub struct Mocket {
    inner: Arc<AppInner>,
    base: String,
    errors: Vec<String>,
}

impl Default for Mocket {
    fn default() -> Self {
        Mocket::new()
    }
}

impl fmt::Debug for Mocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mocket")
            .field("base", &self.base)
            .field("routes", &self.inner.patterns.len())
            .field("middlewares", &self.inner.middlewares.len())
            .field("errors", &self.errors)
            .finish_non_exhaustive()
    }
}

/// Generates the per-method shortcuts shared by [`Mocket`] and [`Group`].
macro_rules! method_shortcuts {
    ($($(#[$doc:meta])* $name:ident => $method:ident;)*) => {
        $(
            $(#[$doc])*
            pub fn $name<F, Fut, R>(&mut self, path: &str, handler: F) -> &mut Self
            where
                F: Fn(Request) -> Fut + MaybeSend + MaybeSync + 'static,
                Fut: Future<Output = R> + 'static,
                R: IntoResponse,
            {
                self.route(Method::$method, path, handler)
            }
        )*
    };
}

/// The registration methods [`Mocket`] and [`Group`] share: each type says
/// where they register in its `place()`.
macro_rules! registration_methods {
    () => {
        /// Registers a handler for any method token, such as `PROPFIND`
        /// (on a [`Group`], under its prefix).
        ///
        /// ```
        /// # futures_executor::block_on(async {
        /// let mut app = mocket_core::Mocket::new();
        /// app.on("PROPFIND", "/files", |_req| async { "props" });
        /// app.group("/dav", |dav| { dav.on("PROPFIND", "/", |_req| async { "" }); });
        /// let req = mocket_core::http::Request::builder().method("PROPFIND").uri("/files").body(()).unwrap();
        /// assert_eq!(app.request(req).await.status(), 200);
        /// # });
        /// ```
        pub fn on<M, F, Fut, R>(&mut self, method: M, path: &str, handler: F) -> &mut Self
        where
            M: TryInto<Method>,
            M::Error: fmt::Display,
            F: Fn(Request) -> Fut + MaybeSend + MaybeSync + 'static,
            Fut: Future<Output = R> + 'static,
            R: IntoResponse,
        {
            self.route(method, path, handler)
        }

        /// Registers any [`Handler`] (a type of yours, or a closure) for a
        /// method.
        ///
        /// ```
        /// use mocket_core::{Handler, IntoResponse, Request, ResponseFuture};
        /// struct Hello;
        /// impl Handler for Hello {
        ///     fn call(&self, _req: Request) -> ResponseFuture {
        ///         Box::pin(async { "hello".into_response() })
        ///     }
        /// }
        /// let mut app = mocket_core::Mocket::new();
        /// app.route("GET", "/hello", Hello);
        /// app.group("/greet", |g| { g.route("GET", "/hello", Hello); });
        /// ```
        pub fn route<M>(&mut self, method: M, path: &str, handler: impl Handler) -> &mut Self
        where
            M: TryInto<Method>,
            M::Error: fmt::Display,
        {
            let method = method
                .try_into()
                .map(RouteMethod::from)
                .map_err(|e| e.to_string());
            if let (app, Some(full), _) = self.place(Some(path)) {
                app.add_route(method, full, Box::new(handler));
            }
            self
        }

        /// Registers a WebSocket route: a `GET` whose handler gets the
        /// request and a [`WebSocketUpgrade`](crate::ws::WebSocketUpgrade)
        /// to accept (or refuse, with any other response). A request that
        /// is no WebSocket handshake is answered 426 (or 400) before the
        /// handler runs; middleware runs as for any route.
        ///
        /// ```
        /// # futures_executor::block_on(async {
        /// let mut app = mocket_core::Mocket::new();
        /// app.ws("/echo", |_req, ws| async move {
        ///     ws.on_upgrade(|mut socket| async move {
        ///         while let Some(Ok(message)) = socket.recv().await {
        ///             let _ = socket.send(message).await;
        ///         }
        ///     })
        /// });
        /// app.group("/g", |g| { g.ws("/live", |_req, ws| async move { ws.on_upgrade(|_s| async {}) }); });
        /// assert_eq!(app.request("/echo").await.status(), 426);
        /// # });
        /// ```
        #[cfg(feature = "websocket")]
        pub fn ws<F, Fut, R>(&mut self, path: &str, handler: F) -> &mut Self
        where
            F: Fn(Request, crate::ws::WebSocketUpgrade) -> Fut + MaybeSend + MaybeSync + 'static,
            Fut: Future<Output = R> + 'static,
            R: IntoResponse,
        {
            self.route(Method::GET, path, crate::ws::UpgradeHandler(handler))
        }

        /// Registers a handler for every method at `path`; a method-specific
        /// route at the same path takes precedence.
        ///
        /// ```
        /// # futures_executor::block_on(async {
        /// let mut app = mocket_core::Mocket::new();
        /// app.all("/any", |req| async move { req.method().to_string() });
        /// app.group("/g", |g| { g.all("/x", |_req| async { "" }); });
        /// let req = mocket_core::http::Request::delete("/any").body(()).unwrap();
        /// assert_eq!(app.request(req).await.into_body().to_text().await.unwrap(), "DELETE");
        /// # });
        /// ```
        pub fn all<F, Fut, R>(&mut self, path: &str, handler: F) -> &mut Self
        where
            F: Fn(Request) -> Fut + MaybeSend + MaybeSync + 'static,
            Fut: Future<Output = R> + 'static,
            R: IntoResponse,
        {
            if let (app, Some(full), _) = self.place(Some(path)) {
                app.add_route(Ok(AnyMethod), full, Box::new(handler));
            }
            self
        }

        /// Adds a middleware, in registration order: on an app it runs for
        /// every request, in a [`Group`] for every path under its prefix.
        ///
        /// ```
        /// let mut app = mocket_core::Mocket::new();
        /// app.use_middleware(|req, next| async move { next.run(req).await });
        /// app.group("/api", |api| { api.use_middleware(|req, next| async move { next.run(req).await }); });
        /// ```
        pub fn use_middleware<F, Fut, R>(&mut self, middleware: F) -> &mut Self
        where
            F: Fn(Request, Next) -> Fut + MaybeSend + MaybeSync + 'static,
            Fut: Future<Output = R> + 'static,
            R: IntoResponse,
        {
            let (app, _, scope) = self.place(None);
            let scope = scope.map(str::to_owned);
            app.add_middleware(scope, Box::new(middleware));
            self
        }

        /// Adds a middleware value, as `use_middleware` does a closure:
        /// [`Cors`](crate::cors::Cors), `Compression`, or a type of your own
        /// that implements [`Middleware`].
        ///
        /// ```
        /// use mocket_core::cors::Cors;
        /// let mut app = mocket_core::Mocket::new();
        /// app.wrap(Cors::new().allow_origins(["https://app.example"]));
        /// app.group("/api", |api| { api.wrap(Cors::new().allow_any_origin()); });
        /// ```
        pub fn wrap(&mut self, middleware: impl IntoMiddleware) -> &mut Self {
            let (app, _, scope) = self.place(None);
            let scope = scope.map(str::to_owned);
            app.add_middleware(scope, Box::new(middleware.into_middleware()));
            self
        }

        method_shortcuts! {
            /// Registers a handler for `GET path` (which also answers `HEAD`).
            ///
            /// ```
            /// let mut app = mocket_core::Mocket::new();
            /// app.get("/", |_req| async { "hi" });
            /// ```
            get => GET;
            /// Registers a handler for `POST path`.
            ///
            /// ```
            /// let mut app = mocket_core::Mocket::new();
            /// app.post("/items", |_req| async { "made" });
            /// ```
            post => POST;
            /// Registers a handler for `PUT path`.
            ///
            /// ```
            /// let mut app = mocket_core::Mocket::new();
            /// app.put("/items/:id", |_req| async { "replaced" });
            /// ```
            put => PUT;
            /// Registers a handler for `PATCH path`.
            ///
            /// ```
            /// let mut app = mocket_core::Mocket::new();
            /// app.patch("/items/:id", |_req| async { "changed" });
            /// ```
            patch => PATCH;
            /// Registers a handler for `DELETE path`.
            ///
            /// ```
            /// let mut app = mocket_core::Mocket::new();
            /// app.delete("/items/:id", |_req| async { "gone" });
            /// ```
            delete => DELETE;
            /// Registers a handler for `HEAD path`, instead of the GET route's.
            ///
            /// ```
            /// let mut app = mocket_core::Mocket::new();
            /// app.head("/", |_req| async { "" });
            /// ```
            head => HEAD;
            /// Registers a handler for `OPTIONS path`.
            ///
            /// ```
            /// let mut app = mocket_core::Mocket::new();
            /// app.options("/", |_req| async { "" });
            /// ```
            options => OPTIONS;
            /// Registers a handler for `TRACE path`.
            ///
            /// ```
            /// let mut app = mocket_core::Mocket::new();
            /// app.trace("/", |_req| async { "" });
            /// ```
            trace => TRACE;
            /// Registers a handler for `CONNECT path`.
            ///
            /// ```
            /// let mut app = mocket_core::Mocket::new();
            /// app.connect("/", |_req| async { "" });
            /// ```
            connect => CONNECT;
        }
    };
}

impl Mocket {
    /// An empty app: no routes, no middleware, a 1 MiB body limit.
    ///
    /// ```
    /// let app = mocket_core::Mocket::new();
    /// assert!(app.check().is_ok());
    /// ```
    // On wasm the app holds handlers that need not be `Send` (there are no
    // threads); the `Arc` is shared with the native code path.
    #[cfg_attr(target_family = "wasm", allow(clippy::arc_with_non_send_sync))]
    pub fn new() -> Self {
        Mocket {
            inner: Arc::new(AppInner {
                router: Router::new(),
                patterns: Vec::new(),
                handlers: Vec::new(),
                middlewares: Vec::new(),
                scopes: Vec::new(),
                all_global: true,
                error_handler: None,
                not_found: None,
                state: StateMap::default(),
                body_limit: DEFAULT_BODY_LIMIT,
                options: ServerOptions::default(),
                #[cfg(feature = "websocket")]
                publisher: crate::ws::Publisher::default(),
                no_upgrades: false,
                shutdown: Arc::default(),
            }),
            base: String::new(),
            errors: Vec::new(),
        }
    }

    /// An app whose routes and scoped middleware all live under `base`.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut app = mocket_core::Mocket::with_base_path("/api");
    /// app.get("/users", |_req| async { "users" });
    /// assert_eq!(app.request("/api/users").await.status(), 200);
    /// assert_eq!(app.request("/users").await.status(), 404);
    /// # });
    /// ```
    pub fn with_base_path(base: &str) -> Self {
        let mut app = Mocket::new();
        app.base = normalize_prefix(base);
        app
    }

    pub(crate) fn inner_mut(&mut self) -> &mut AppInner {
        Arc::get_mut(&mut self.inner)
            .expect("the app cannot change while in-process requests to it are still running")
    }

    /// Where the methods shared with [`Group`] register: this app, a
    /// route's `path` below its base path, middleware on every request.
    fn place(&mut self, path: Option<&str>) -> (&mut Mocket, Option<String>, Option<&str>) {
        let full = path.map(|path| join_path(&self.base, path));
        (self, full, None)
    }

    registration_methods!();

    fn add_route(
        &mut self,
        method: Result<impl Into<RouteMethod>, String>,
        path: String,
        handler: Box<dyn Handler>,
    ) {
        let method = match method {
            Ok(m) => m.into(),
            Err(e) => {
                return self
                    .errors
                    .push(format!("route {path}: invalid method: {e}"));
            }
        };
        let inner = Arc::get_mut(&mut self.inner)
            .expect("the app cannot change while requests are running");
        let handler_id = inner.handlers.len() as u32;
        // The router parses and validates; the core only reads the result.
        let pattern = match Pattern::parse(&path) {
            Ok(pattern) => pattern,
            Err(e) => return self.errors.push(describe_insert_error(&method, &path, e)),
        };
        let entry = match inner.router.entry(&path) {
            Ok(entry) => entry,
            Err(e) => return self.errors.push(describe_insert_error(&method, &path, e)),
        };
        let is_new = entry.methods.is_empty() && entry.any.is_none();
        let taken = match &method {
            RouteMethod::Any if entry.any.is_some() => true,
            RouteMethod::Any => {
                entry.any = Some(handler_id);
                false
            }
            RouteMethod::One(m) if entry.methods.iter().any(|(k, _)| k == m) => true,
            RouteMethod::One(m) => {
                entry.methods.push((m.clone(), handler_id));
                false
            }
        };
        if taken {
            return self
                .errors
                .push(format!("route {method} {path} is registered twice"));
        }
        if is_new {
            // Route ids follow registration order, in the router and here.
            entry.pattern = inner.patterns.len() as u32;
            let chain = crate::dispatch::chain_of_pattern(inner, &pattern);
            inner.patterns.push(PatternInfo { pattern, chain });
        }
        inner.handlers.push(handler);
    }

    /// Routes registered inside `build` live under `prefix`, and middleware
    /// registered there applies only under it. Groups nest.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut app = mocket_core::Mocket::new();
    /// app.group("/api", |api| {
    ///     api.use_middleware(|req, next| async move {
    ///         let mut res = next.run(req).await;
    ///         res.headers_mut().insert("x-api", "1".parse().unwrap());
    ///         res
    ///     });
    ///     api.group("/v1", |v1| {
    ///         v1.get("/ping", |_req| async { "pong" });
    ///     });
    /// });
    /// let res = app.request("/api/v1/ping").await;
    /// assert_eq!(res.headers()["x-api"], "1");
    /// # });
    /// ```
    pub fn group(&mut self, prefix: &str, build: impl FnOnce(&mut Group<'_>)) -> &mut Self {
        let prefix = join_prefix(&self.base, prefix);
        build(&mut Group { app: self, prefix });
        self
    }

    /// Adds a middleware for paths under `prefix`: `/api` covers `/api` and
    /// `/api/x`, never `/apix`.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::{http::StatusCode, IntoResponse};
    /// let mut app = mocket_core::Mocket::new();
    /// app.use_middleware_at("/admin", |_req, _next| async { StatusCode::FORBIDDEN.into_response() });
    /// app.get("/admin/users", |_req| async { "users" });
    /// app.get("/administrators", |_req| async { "list" });
    /// assert_eq!(app.request("/admin/users").await.status(), 403);
    /// assert_eq!(app.request("/administrators").await.status(), 200);
    /// # });
    /// ```
    pub fn use_middleware_at<F, Fut, R>(&mut self, prefix: &str, middleware: F) -> &mut Self
    where
        F: Fn(Request, Next) -> Fut + MaybeSend + MaybeSync + 'static,
        Fut: Future<Output = R> + 'static,
        R: IntoResponse,
    {
        let scope = join_prefix(&self.base, prefix);
        self.add_middleware(Some(scope), Box::new(middleware));
        self
    }

    /// [`Mocket::wrap`] for paths under `prefix`, as
    /// [`use_middleware_at`](Mocket::use_middleware_at).
    ///
    /// ```
    /// use mocket_core::cors::Cors;
    /// let mut app = mocket_core::Mocket::new();
    /// app.wrap_at("/public", Cors::permissive());
    /// ```
    pub fn wrap_at(&mut self, prefix: &str, middleware: impl IntoMiddleware) -> &mut Self {
        let scope = join_prefix(&self.base, prefix);
        self.add_middleware(Some(scope), Box::new(middleware.into_middleware()));
        self
    }

    fn add_middleware(&mut self, scope: Option<String>, middleware: Box<dyn Middleware>) {
        let inner = self.inner_mut();
        inner.middlewares.push(middleware);
        let scope = scope.filter(|s| !s.is_empty()).map(|s| Prefix::new(&s));
        inner.all_global &= scope.is_none();
        inner.scopes.push(scope);
        for i in 0..inner.patterns.len() {
            if inner.patterns[i].chain.is_some() {
                let chain = crate::dispatch::chain_of_pattern(inner, &inner.patterns[i].pattern);
                inner.patterns[i].chain = chain;
            }
        }
    }

    /// Replaces the error handler, which turns every [`Error`] from a
    /// handler or middleware into a response. The default answers with the
    /// error's status and public message as text, logs 5xx errors at
    /// `error` level, and never shows a 500's cause to the client.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::{Error, Json};
    /// let mut app = mocket_core::Mocket::new();
    /// app.on_error(|err: Error| (err.status(), Json(serde_json::json!({ "error": err.message() }))));
    /// app.get("/", |_req| async { Err::<&str, _>(Error::bad_request("nope")) });
    /// let res = app.request("/").await;
    /// assert_eq!(res.status(), 400);
    /// assert_eq!(res.into_body().to_text().await.unwrap(), r#"{"error":"nope"}"#);
    /// # });
    /// ```
    pub fn on_error<F, R>(&mut self, handler: F) -> &mut Self
    where
        F: Fn(Error) -> R + MaybeSend + MaybeSync + 'static,
        R: IntoResponse,
    {
        self.inner_mut().error_handler = Some(Box::new(handler));
        self
    }

    /// Replaces the answer for paths no route matches (default: 404 through
    /// the error handler).
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::{http::StatusCode, Html};
    /// let mut app = mocket_core::Mocket::new();
    /// app.not_found(|_req| async { (StatusCode::NOT_FOUND, Html("<h1>Lost?</h1>")) });
    /// let res = app.request("/nowhere").await;
    /// assert_eq!(res.status(), 404);
    /// assert_eq!(res.into_body().to_text().await.unwrap(), "<h1>Lost?</h1>");
    /// # });
    /// ```
    pub fn not_found<F, Fut, R>(&mut self, handler: F) -> &mut Self
    where
        F: Fn(Request) -> Fut + MaybeSend + MaybeSync + 'static,
        Fut: Future<Output = R> + 'static,
        R: IntoResponse,
    {
        let inner = self.inner_mut();
        inner.not_found = Some(inner.handlers.len() as u32);
        inner.handlers.push(Box::new(handler));
        self
    }

    /// Registers shared state, reachable from handlers and middleware with
    /// [`Request::state`]. One value per type; a second replaces the first.
    ///
    /// ```
    /// struct Config { greeting: &'static str }
    /// let mut app = mocket_core::Mocket::new();
    /// app.state(Config { greeting: "hi" });
    /// ```
    pub fn state<T: MaybeSend + MaybeSync + 'static>(&mut self, value: T) -> &mut Self {
        self.inner_mut().state.insert(value);
        self
    }

    /// The app's [`Publisher`](crate::ws::Publisher): publishes to the
    /// topics its WebSocket routes subscribe to, from anywhere (keep it in
    /// state for HTTP handlers, or move it into a background task).
    ///
    /// ```
    /// let mut app = mocket_core::Mocket::new();
    /// let publisher = app.publisher();
    /// app.post("/announce", move |mut req| {
    ///     let publisher = publisher.clone();
    ///     async move {
    ///         let text = req.text().await?;
    ///         Ok(publisher.publish("news", text).to_string())
    ///     }
    /// });
    /// ```
    #[cfg(feature = "websocket")]
    pub fn publisher(&self) -> crate::ws::Publisher {
        self.inner.publisher.clone()
    }

    /// Sets the largest request body the body readers accept (default 1 MiB).
    /// A body declared larger by `content-length` is refused with 413 before
    /// the handler runs; a chunked body is cut off with 413 at the limit.
    ///
    /// ```
    /// let mut app = mocket_core::Mocket::new();
    /// app.body_limit(64 * 1024);
    /// ```
    pub fn body_limit(&mut self, bytes: usize) -> &mut Self {
        self.inner_mut().body_limit = bytes;
        self
    }

    /// The limits and timeouts the backend serves this app with.
    ///
    /// ```
    /// let mut app = mocket_core::Mocket::new();
    /// app.server_options().header_read_timeout = std::time::Duration::from_secs(5);
    /// ```
    pub fn server_options(&mut self) -> &mut ServerOptions {
        &mut self.inner_mut().options
    }

    /// Every setup problem found so far (a route registered twice, an
    /// invalid pattern or method), each on its own line.
    ///
    /// ```
    /// let mut app = mocket_core::Mocket::new();
    /// app.get("/a", |_req| async { "1" });
    /// app.get("/a", |_req| async { "2" });
    /// let err = app.check().unwrap_err();
    /// assert_eq!(err.to_string(), "route GET /a is registered twice");
    /// ```
    pub fn check(&self) -> Result<(), SetupError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(SetupError {
                problems: self.errors.clone(),
            })
        }
    }

    /// Sends a request to the app in-process, with no socket, and returns
    /// its response: for tests, like Hono's `app.request` or axum's
    /// `oneshot`. Accepts a path (`"/users/7"`, a GET) or a full
    /// [`http::Request`].
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut app = mocket_core::Mocket::new();
    /// app.post("/echo", |mut req| async move { req.text().await });
    /// let req = mocket_core::http::Request::post("/echo").body("ping").unwrap();
    /// let res = app.request(req).await;
    /// assert_eq!(res.status(), 200);
    /// assert_eq!(res.into_body().to_text().await.unwrap(), "ping");
    /// # });
    /// ```
    pub async fn request(&self, req: impl IntoRequest) -> Response {
        if let Err(e) = self.check() {
            return AppRef::Shared(self.inner.clone())
                .render_error(Error::internal(e).into_response());
        }
        Service::shared(self.inner.clone())
            .call(req.into_request())
            .await
    }

    /// Turns the app into the [`Service`] a backend serves. The app is moved
    /// to a static allocation that lives until the process exits, so no
    /// request has to count references to it. Fails on setup errors.
    ///
    /// ```
    /// let mut app = mocket_core::Mocket::new();
    /// app.get("/", |_req| async { "hi" });
    /// let service = app.into_service().unwrap();
    /// assert_eq!(service.options().max_header_bytes, 16 * 1024);
    /// ```
    pub fn into_service(self) -> Result<Service, SetupError> {
        self.check()?;
        match Arc::try_unwrap(self.inner) {
            Ok(inner) => Ok(Service::leaked(Box::leak(Box::new(inner)))),
            Err(shared) => Ok(Service::shared(shared)),
        }
    }
}

/// Routes registered under a shared prefix, with their own middleware.
/// Made by [`Mocket::group`].
///
/// ```
/// # futures_executor::block_on(async {
/// let mut app = mocket_core::Mocket::new();
/// app.group("/admin", |admin| {
///     admin.get("/", |_req| async { "dashboard" });
///     admin.delete("/users/:id", |_req| async { "deleted" });
/// });
/// assert_eq!(app.request("/admin").await.status(), 200);
/// # });
/// ```
pub struct Group<'a> {
    app: &'a mut Mocket,
    prefix: String,
}

impl Group<'_> {
    /// Where the methods shared with [`Mocket`] register: the group's app,
    /// a route's `path` and middleware both under the group's prefix.
    fn place(&mut self, path: Option<&str>) -> (&mut Mocket, Option<String>, Option<&str>) {
        let full = path.map(|path| join_path(&self.prefix, path));
        (&mut *self.app, full, Some(&self.prefix))
    }

    registration_methods!();

    /// The group's whole prefix, the app's base path included.
    #[cfg(feature = "static-files")]
    pub(crate) fn full_prefix(&self) -> &str {
        &self.prefix
    }

    /// Records a setup problem, reported by `check` and `listen`.
    #[cfg(feature = "static-files")]
    pub(crate) fn setup_error(&mut self, problem: String) {
        self.app.errors.push(problem);
    }

    /// A nested group under this group's prefix.
    ///
    /// ```
    /// let mut app = mocket_core::Mocket::new();
    /// app.group("/api", |api| { api.group("/v2", |v2| { v2.get("/", |_req| async { "" }); }); });
    /// ```
    pub fn group(&mut self, prefix: &str, build: impl FnOnce(&mut Group<'_>)) -> &mut Self {
        let prefix = join_prefix(&self.prefix, prefix);
        build(&mut Group {
            app: self.app,
            prefix,
        });
        self
    }
}

/// Problems found while setting up an app; `listen` refuses to serve it.
///
/// ```
/// let mut app = mocket_core::Mocket::new();
/// app.get("no-slash", |_req| async { "" });
/// assert!(app.check().unwrap_err().to_string().starts_with("route GET no-slash:"));
/// ```
#[derive(Debug, Clone)]
pub struct SetupError {
    problems: Vec<String>,
}

impl SetupError {
    /// Each problem, one sentence each.
    ///
    /// ```
    /// let mut app = mocket_core::Mocket::new();
    /// app.on("BAD METHOD", "/", |_req| async { "" });
    /// assert_eq!(app.check().unwrap_err().problems().len(), 1);
    /// ```
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.problems.join("; "))
    }
}

impl std::error::Error for SetupError {}

struct AnyMethod;

enum RouteMethod {
    One(Method),
    Any,
}

impl From<Method> for RouteMethod {
    fn from(m: Method) -> Self {
        RouteMethod::One(m)
    }
}

impl From<AnyMethod> for RouteMethod {
    fn from(_: AnyMethod) -> Self {
        RouteMethod::Any
    }
}

impl fmt::Display for RouteMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteMethod::One(m) => f.write_str(m.as_str()),
            RouteMethod::Any => f.write_str("ALL"),
        }
    }
}

fn describe_insert_error(method: &RouteMethod, path: &str, e: InsertError) -> String {
    match e {
        InsertError::InvalidPattern { reason, .. } => format!("route {method} {path}: {reason}"),
        other => format!("route {method} {path}: {other}"),
    }
}

/// `/api/` and `api` become `/api`; `/` and `` become `` (the root).
fn normalize_prefix(prefix: &str) -> String {
    let trimmed = prefix.trim_end_matches('/');
    match trimmed {
        "" => String::new(),
        p if p.starts_with('/') => p.to_owned(),
        p => format!("/{p}"),
    }
}

fn join_prefix(base: &str, prefix: &str) -> String {
    format!("{base}{}", normalize_prefix(prefix))
}

/// Joins a route path to a prefix; `/` under `/api` is `/api` itself. A
/// path without its leading `/` is passed on alone, for the router to
/// reject, instead of being glued into `/apiusers`.
fn join_path(prefix: &str, path: &str) -> String {
    match (prefix, path) {
        ("", p) => p.to_owned(),
        (pre, "" | "/") => pre.to_owned(),
        (_, p) if !p.starts_with('/') => p.to_owned(),
        (pre, p) => format!("{pre}{p}"),
    }
}

impl AppInner {
    pub(crate) fn param_names(
        &self,
        pattern: u32,
    ) -> impl ExactSizeIterator<Item = &str> + Clone + '_ {
        self.patterns[pattern as usize].pattern.param_names()
    }

    pub(crate) fn pattern(&self, pattern: u32) -> &str {
        self.patterns[pattern as usize].pattern.as_str()
    }

    pub(crate) fn middleware(&self, i: usize) -> &dyn Middleware {
        &*self.middlewares[i]
    }

    pub(crate) fn body_limit(&self) -> usize {
        self.body_limit
    }

    pub(crate) fn state<T: MaybeSend + MaybeSync + 'static>(&self) -> Option<Arc<T>> {
        self.state.get::<T>()
    }

    /// Renders an error response through the error handler. A handler that
    /// itself answers with an error falls back to the default rendering.
    pub(crate) fn render_error(&self, mut res: Response) -> Response {
        self.render_error_in_place(&mut res);
        res
    }

    /// [`AppInner::render_error`] without moving the response: the check
    /// is inlined, and a finished chain step pays nothing more for it.
    #[inline]
    pub(crate) fn render_error_in_place(&self, res: &mut Response) {
        if let Some(error) = res.body_mut().take_error() {
            // Headers returned beside the error are kept on what is rendered.
            *res = self.render(error, res.headers_mut());
        }
    }

    #[cold]
    fn render(&self, error: Error, carried: &mut http::HeaderMap) -> Response {
        log_error(&error);
        let Some(handler) = &self.error_handler else {
            let mut rendered = error.default_response();
            crate::error::merge_missing(rendered.headers_mut(), carried);
            return rendered;
        };
        // Copied before the handler takes the error, which may read them;
        // most errors have none.
        let mut attached = error.headers().clone();
        let caught =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| handler.handle(error)));
        let mut rendered = match caught {
            // A handler answering with an error gets the default rendering
            // of that one.
            Ok(mut res) => match res.body_mut().take_error() {
                Some(error) => error.default_response(),
                None => res,
            },
            Err(_) => {
                let error = Error::internal("the error handler panicked");
                log_error(&error);
                error.default_response()
            }
        };
        crate::error::merge_missing(rendered.headers_mut(), &mut attached);
        crate::error::merge_missing(rendered.headers_mut(), carried);
        rendered
    }
}

/// Every error is logged here, before any error handler runs, so that
/// replacing the handler never loses the log: 5xx at `error` (with the
/// cause), the rest at `debug`.
fn log_error(error: &Error) {
    log_answer(error.status(), error);
}

/// The log event of an error answer, for an `Error` or for an answer
/// rendered without one (the default 404).
pub(crate) fn log_answer(status: http::StatusCode, error: &dyn fmt::Display) {
    if status.is_server_error() {
        tracing::error!(%status, error = %error, "request failed");
    } else {
        tracing::debug!(%status, error = %error, "request rejected");
    }
}

#[doc(hidden)]
/// Runs `f` on a sample request (`GET /doc?a=1&b=x%20y`, header `x-doc:
/// yes`): a helper for this crate's documentation examples.
pub fn doc_request(f: impl FnOnce(Request)) {
    let (head, body) = http::Request::get("/doc?a=1&b=x%20y")
        .header("x-doc", "yes")
        .body(Body::empty())
        .expect("valid request")
        .into_parts();
    let app = AppRef::Shared(Mocket::new().inner);
    f(Request::new(head, body, Default::default(), None, app));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_prefixes_and_paths() {
        assert_eq!(join_path("", "/a"), "/a");
        assert_eq!(join_path("/api", "/"), "/api");
        assert_eq!(join_path("/api", "/a"), "/api/a");
        assert_eq!(join_prefix("/api", "v1/"), "/api/v1");
        assert_eq!(normalize_prefix("/"), "");
    }
}
