//! [`Service`]: a built app, as a backend serves it.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use http::Version;

use super::framing::Outgoing;
use super::leftover::{self, Progress, UnreadBodies};
use super::options::ServerOptions;
use crate::app::{AppInner, AppRef};
use crate::body::Body;
use crate::dispatch::Dispatch;
use crate::error::Error;
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

    /// Tells the app's long-lived answers that the server is stopping:
    /// every open WebSocket sends `1001 Going Away` (and closes once the
    /// peer answers), and every Server-Sent Events stream ends, so their
    /// connections close within the grace period. A backend calls it when
    /// it stops accepting; calling it again does nothing. Ordinary requests
    /// in flight are not affected.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use futures_util::stream;
    /// use mocket_core::sse::{Event, Sse};
    /// let mut app = mocket_core::Mocket::new();
    /// app.get("/events", |_req| async {
    ///     // An endless stream: only the shutdown ends it.
    ///     Sse::new(stream::repeat_with(|| Ok::<_, std::convert::Infallible>(Event::data("tick"))))
    /// });
    /// let service = app.into_service().unwrap();
    /// service.begin_shutdown();
    /// let req = mocket_core::http::Request::get("/events").body(mocket_core::Body::empty()).unwrap();
    /// let body = service.call(req).await.into_body();
    /// assert_eq!(body.to_text().await.unwrap(), "");
    /// # });
    /// ```
    pub fn begin_shutdown(&self) {
        self.app.shutdown.begin();
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

    /// Renders `error` with the app's error handler, as errors from
    /// handlers are, and frames the answer: for a backend that must answer
    /// a request outside the app (the Node.js backend answers requests
    /// whose wasm instance trapped with it; WASI answers a panic with it).
    ///
    /// ```
    /// let mut app = mocket_core::Mocket::new();
    /// app.on_error(|err: mocket_core::Error| (err.status(), "rendered"));
    /// let service = app.into_service().unwrap();
    /// let out = service.render_error(mocket_core::Error::internal("lost"), false);
    /// assert_eq!(out.response.status(), 500);
    /// assert_eq!(out.framing, mocket_core::backend::Framing::Length(8));
    /// ```
    pub fn render_error(&self, error: Error, is_head: bool) -> Outgoing {
        Outgoing::new(self.app.render_error(error.into_response()), is_head)
    }

    /// For a backend whose platform cannot hand a connection over (the
    /// `wasi:http` proxy world has no upgrade): turns an answer that would
    /// upgrade — a WebSocket route that accepted — into a `501 Not
    /// Implemented` rendered by the app's error handler (its message says
    /// `why` the host cannot), so the route
    /// fails at once and says why instead of hanging. Other answers pass
    /// unchanged.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::backend::UnreadBodies;
    /// let mut app = mocket_core::Mocket::new();
    /// app.ws("/ws", |_req, ws| async move { ws.on_upgrade(|_socket| async {}) });
    /// let service = app.into_service().unwrap();
    /// let req = mocket_core::http::Request::get("/ws")
    ///     .header("connection", "upgrade").header("upgrade", "websocket")
    ///     .header("sec-websocket-version", "13")
    ///     .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
    ///     .body(mocket_core::Body::empty()).unwrap();
    /// let out = service.refuse_upgrade(service.serve(req, UnreadBodies::CloseConnection).await, false, "no upgrades");
    /// assert_eq!(out.response.status(), 501);
    /// # });
    /// ```
    pub fn refuse_upgrade(&self, outgoing: Outgoing, is_head: bool, why: &str) -> Outgoing {
        if outgoing.response.status() != http::StatusCode::SWITCHING_PROTOCOLS
            || !outgoing.response.body().is_upgrade()
        {
            return outgoing;
        }
        let message = format!("WebSocket is not available on this host: {why}");
        self.render_error(
            Error::new(http::StatusCode::NOT_IMPLEMENTED, message),
            is_head,
        )
    }

    /// Answers one request for a backend — its body any [`http_body::Body`]
    /// (hyper's, a platform stream, or a [`Body`]): the response with the core's
    /// framing rules applied, how its body travels, and what to do with
    /// any request body the app left unread, given what the platform can do
    /// with one. Never fails: every error and panic becomes a response.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::backend::{Framing, Leftover, UnreadBodies};
    /// let mut app = mocket_core::Mocket::new();
    /// app.get("/", |_req| async { "hi" });
    /// let service = app.into_service().unwrap();
    /// let req = mocket_core::http::Request::get("/").body(mocket_core::Body::empty()).unwrap();
    /// let out = service.serve(req, UnreadBodies::CloseConnection).await;
    /// assert_eq!(out.framing, Framing::Length(2));
    /// assert_eq!(out.leftover, Leftover::None);
    /// # });
    /// ```
    pub fn serve<B>(&self, req: http::Request<B>, unread: UnreadBodies) -> Serving
    where
        B: http_body::Body<Data = bytes::Bytes> + 'static,
        B::Error: Into<crate::BoxError>,
    {
        // Taken apart once: every move of a request head is a copy of it.
        let (head, body) = req.into_parts();
        let mut body = Body::from_http_body(body);
        let progress = leftover::track(&mut body);
        let http1 = head.version < Version::HTTP_2;
        let dispatch = crate::dispatch::dispatch(self.app.clone(), head, body);
        Serving {
            dispatch,
            progress,
            unread,
            http1,
        }
    }

    /// Answers one request, for code that wants a plain response (tests,
    /// a `tower` service): the same answer [`Service::serve`] frames, with
    /// the framing rules applied to its headers.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let service = mocket_core::Mocket::new().into_service().unwrap();
    /// let req = mocket_core::http::Request::get("/none").body(mocket_core::Body::empty()).unwrap();
    /// assert_eq!(service.call(req).await.status(), 404);
    /// # });
    /// ```
    pub fn call(&self, req: http::Request<Body>) -> impl Future<Output = Response> + Unpin + use<> {
        let (head, body) = req.into_parts();
        Calling(crate::dispatch::dispatch(self.app.clone(), head, body))
    }
}

/// [`Service::call`]'s future.
struct Calling(Dispatch);

impl Future for Calling {
    type Output = Response;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        Pin::new(&mut self.0).poll(cx)
    }
}

/// [`Service::serve`]'s future: the answer, framed for the wire.
pub struct Serving {
    dispatch: Dispatch,
    progress: Option<Rc<Progress>>,
    unread: UnreadBodies,
    http1: bool,
}

impl std::fmt::Debug for Serving {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serving").finish_non_exhaustive()
    }
}

impl Serving {
    /// Polls for the answer as a plain response, for a platform that
    /// frames by the body itself (hyper: see `Outgoing::declare_length`)
    /// and carries out a `Leftover::Close` by closing: the leftover
    /// decision is applied to the headers, and the response is not moved
    /// through an [`Outgoing`] on its way out.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::backend::UnreadBodies;
    /// let mut app = mocket_core::Mocket::new();
    /// app.get("/", |_req| async { "hi" });
    /// let service = app.into_service().unwrap();
    /// let req = mocket_core::http::Request::get("/").body(mocket_core::Body::empty()).unwrap();
    /// let mut serving = service.serve(req, UnreadBodies::CloseConnection);
    /// let res = std::future::poll_fn(|cx| serving.poll_response(cx)).await;
    /// assert_eq!(res.status(), 200);
    /// # });
    /// ```
    #[inline]
    pub fn poll_response(&mut self, cx: &mut Context<'_>) -> Poll<Response> {
        let mut polled = self.dispatch.poll_framed(cx);
        if let Poll::Ready(response) = &mut polled {
            leftover::decide(self.progress.as_deref(), self.unread, self.http1, response);
        }
        polled
    }
}

impl Future for Serving {
    type Output = Outgoing;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outgoing> {
        let this = &mut *self;
        let mut response = ready!(Pin::new(&mut this.dispatch).poll(cx));
        let framing = this.dispatch.framing;
        let leftover = leftover::decide(
            this.progress.as_deref(),
            this.unread,
            this.http1,
            &mut response,
        );
        Poll::Ready(Outgoing {
            response,
            framing,
            leftover,
        })
    }
}
