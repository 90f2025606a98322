//! From a request to a response: routing, then the middleware chain.
//!
//! Everything up to the first handler or middleware future runs
//! synchronously in [`dispatch`], and the futures that carry a request
//! through the chain are small hand-written ones holding only a boxed
//! future and a handle on the app. An `async fn` here would nest each
//! level's whole state (the request included) inside the next, and hyper
//! moves the outermost future into place per request: measured with
//! callgrind, that copying alone was 15% of a plaintext request.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::ALLOW;
use http::{HeaderValue, Method, StatusCode};
use mocket_router::{Coverage, Pattern};

use crate::app::{AppInner, AppRef};
use crate::backend::Framing;
use crate::body::Body;
use crate::error::Error;
use crate::handler::ResponseFuture;
use crate::in_process::BadTarget;
use crate::middleware::{Chain, Next};
use crate::params::Params;
use crate::request::Request;
use crate::response::{IntoResponse, Response};

/// What a request is routed to, decided before middleware runs.
pub(crate) enum Endpoint {
    Handler(u32),
    NotFound,
    /// The `Allow` value, boxed to keep the common variants small.
    MethodNotAllowed(Box<HeaderValue>),
    Fail(Error),
}

/// Routes `req` and starts the chain; the returned future finishes it.
pub(crate) fn dispatch(app: AppRef, head: http::request::Parts, body: Body) -> Dispatch {
    let is_head = head.method == Method::HEAD;
    let (endpoint, params, route) = route(&app, &head);
    let endpoint = match endpoint {
        _ if head.extensions.get::<BadTarget>().is_some() => {
            Endpoint::Fail(Error::bad_request("malformed request target"))
        }
        Endpoint::Handler(_) if too_large(&app, &head.headers, &body) => {
            Endpoint::Fail(Error::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "request body is larger than the limit of {} bytes",
                    app.body_limit
                ),
            ))
        }
        endpoint => endpoint,
    };
    let chain = chain_for(&app, head.uri.path(), route);
    let req = Request::new(head, body, params, route, app.clone());
    let next = Next::new(app.clone(), chain, endpoint);
    let inner = match catch_unwind(AssertUnwindSafe(|| next.step(req))) {
        Ok(inner) => inner,
        Err(panic) => Step::ready(app.clone(), panic_error(&*panic).into_response()),
    };
    Dispatch {
        inner,
        is_head,
        framing: Framing::Streamed,
    }
}

fn route(app: &AppInner, head: &http::request::Parts) -> (Endpoint, Params, Option<u32>) {
    let path = head.uri.path();
    // The router offers the matching patterns by precedence (a static
    // pattern first, in one lookup); the first with a handler for the
    // method wins, and the methods of the others make a 405's `Allow`.
    let mut handler = 0;
    let mut allowed: Vec<Method> = Vec::new();
    let found = app
        .router
        .find(path, |routes| match routes.handler_for(&head.method) {
            Some(h) => {
                handler = h;
                true
            }
            None => {
                for (m, _) in &routes.methods {
                    if !allowed.contains(m) {
                        allowed.push(m.clone());
                    }
                }
                false
            }
        });
    match found {
        Some(m) if m.params.is_empty() => (
            Endpoint::Handler(handler),
            Params::default(),
            Some(m.value.pattern),
        ),
        Some(m) => match Params::decode(path, m.params.iter().map(|(_, v)| v)) {
            Ok(params) => (Endpoint::Handler(handler), params, Some(m.value.pattern)),
            // No route: its parameter names must not meet empty values.
            Err(e) => (Endpoint::Fail(e), Params::default(), None),
        },
        None if allowed.is_empty() => (Endpoint::NotFound, Params::default(), None),
        None => (
            Endpoint::MethodNotAllowed(Box::new(allow_header(allowed))),
            Params::default(),
            None,
        ),
    }
}

/// A body declared larger than the limit, by the body's own length (a
/// backend's stream knows `content-length`) or by the header.
fn too_large(app: &AppInner, headers: &http::HeaderMap, body: &Body) -> bool {
    let limit = app.body_limit as u64;
    http_body::Body::size_hint(body).lower() > limit
        || crate::backend::declared_length(headers).is_some_and(|len| len > limit)
}

fn chain_for(app: &AppInner, path: &str, route: Option<u32>) -> Chain {
    if app.all_global {
        return Chain::All(app.middlewares.len() as u16);
    }
    match route {
        Some(pattern) if app.patterns[pattern as usize].chain.is_some() => {
            Chain::OfPattern(pattern)
        }
        _ => Chain::Picked(covering(app, path).collect()),
    }
}

/// The middlewares that apply to `path`, in registration order.
fn covering<'a>(app: &'a AppInner, path: &'a str) -> impl Iterator<Item = u16> + 'a {
    app.scopes
        .iter()
        .enumerate()
        .filter_map(move |(i, scope)| match scope {
            None => Some(i as u16),
            Some(prefix) if prefix.covers(path) => Some(i as u16),
            Some(_) => None,
        })
}

/// The chain of every path `pattern` matches, computed at setup, or
/// `None` if some scope covers only part of them (`/:a` and a scope `/api`).
pub(crate) fn chain_of_pattern(app: &AppInner, pattern: &Pattern) -> Option<Box<[u16]>> {
    let mut chain = Vec::new();
    for (i, scope) in app.scopes.iter().enumerate() {
        let covered = match scope.as_ref().map(|prefix| prefix.covers_pattern(pattern)) {
            None | Some(Coverage::All) => true,
            Some(Coverage::None) => false,
            Some(Coverage::Depends) => return None,
        };
        if covered {
            chain.push(i as u16);
        }
    }
    Some(chain.into())
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

fn panic_error(panic: &(dyn Any + Send)) -> Error {
    let message = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    Error::internal(format!("handler panicked: {message}"))
}

/// The answer to one request, with the framing rules applied to it
/// (`crate::backend::framing`).
pub(crate) struct Dispatch {
    inner: Step,
    is_head: bool,
    /// Decided when the response is ready. Kept here rather than returned
    /// beside the response: every move of a response is a copy of it.
    pub(crate) framing: Framing,
}

impl Dispatch {
    /// [`Future::poll`], callable without pinning (the future is `Unpin`)
    /// so that wrappers poll it in one frame.
    /// The answer is changed where it lies, never unpacked and packed
    /// again: each of those is a copy of the whole response.
    #[inline(always)]
    pub(crate) fn poll_framed(&mut self, cx: &mut Context<'_>) -> Poll<Response> {
        let mut polled = Pin::new(&mut self.inner).poll(cx);
        if let Poll::Ready(res) = &mut polled {
            self.framing = crate::backend::finish(res, self.is_head);
            if res.body().is_stream() {
                hear_shutdown(res, &self.inner.app);
            }
        }
        polled
    }
}

impl Future for Dispatch {
    type Output = Response;

    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        self.poll_framed(cx)
    }
}

/// An event stream ends when the app shuts down: it learns of which app
/// here, once its answer is final.
#[cold]
fn hear_shutdown(res: &mut Response, app: &AppInner) {
    if let Some(ear) = res.extensions_mut().remove::<crate::sse::HearsShutdown>() {
        ear.hear(&app.shutdown);
    }
}

/// One step of the chain: a middleware's future, the handler's, or an
/// answer known at once. Errors are rendered when the step finishes, so the
/// step before it always sees a finished response.
pub(crate) struct Step {
    state: StepState,
    app: AppRef,
}

enum StepState {
    /// Boxed: rare (404, 405, early errors), and inline it would make every
    /// step as large as a response, and steps are moved.
    Ready(Option<Box<Response>>),
    /// A middleware's or handler's future: its panics become a 500 here, so
    /// the middlewares around it see that 500 like any other answer.
    Running(ResponseFuture),
}

impl Step {
    pub(crate) fn middleware(app: AppRef, fut: ResponseFuture) -> Step {
        Step {
            state: StepState::Running(fut),
            app,
        }
    }

    fn ready(app: AppRef, res: Response) -> Step {
        Step {
            state: StepState::Ready(Some(Box::new(res))),
            app,
        }
    }

    /// Starts the endpoint routing chose, after the middlewares.
    pub(crate) fn endpoint(app: AppRef, endpoint: Endpoint, req: Request) -> Step {
        match endpoint {
            Endpoint::Handler(id) => Step::handler(app, id, req),
            Endpoint::NotFound => match app.not_found {
                Some(id) => Step::handler(app, id, req),
                None if app.error_handler.is_none() => Step::ready(app, default_not_found()),
                None => Step::ready(
                    app,
                    Error::new(StatusCode::NOT_FOUND, NOT_FOUND).into_response(),
                ),
            },
            Endpoint::MethodNotAllowed(allow) => {
                let error = Error::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
                    .with_header(ALLOW, *allow);
                Step::ready(app, error.into_response())
            }
            Endpoint::Fail(error) => Step::ready(app, error.into_response()),
        }
    }

    fn handler(app: AppRef, id: u32, req: Request) -> Step {
        // Calling the closure runs user code before its future exists.
        match catch_unwind(AssertUnwindSafe(|| app.handlers[id as usize].call(req))) {
            Ok(fut) => Step {
                state: StepState::Running(fut),
                app,
            },
            Err(panic) => Step::ready(app, panic_error(&*panic).into_response()),
        }
    }
}

impl Future for Step {
    type Output = Response;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        let this = &mut *self;
        let mut res = match &mut this.state {
            StepState::Ready(res) => *res.take().expect("a chain step polled after it finished"),
            StepState::Running(fut) => {
                match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
                    Ok(Poll::Ready(res)) => res,
                    Ok(Poll::Pending) => return Poll::Pending,
                    Err(panic) => panic_error(&*panic).into_response(),
                }
            }
        };
        this.app.render_error_in_place(&mut res);
        Poll::Ready(res)
    }
}

/// The 404 of an app without an error handler, exactly as rendering
/// `Error::new(404, "Not Found")` gives it (and logged the same), without
/// allocating the error on the way: the answer scanners get most.
fn default_not_found() -> Response {
    let status = StatusCode::NOT_FOUND;
    // The text `Error`'s Display would give.
    crate::app::log_answer(status, &format_args!("{status}: {NOT_FOUND}"));
    let mut res = NOT_FOUND.into_response();
    *res.status_mut() = status;
    res
}

/// The public message of a 404.
const NOT_FOUND: &str = "Not Found";

#[cfg(test)]
mod not_found_tests {
    use super::default_not_found;
    use crate::Error;
    use http::StatusCode;

    #[test]
    fn the_shortcut_404_is_the_rendered_one() {
        let short = default_not_found();
        let rendered = Error::new(StatusCode::NOT_FOUND, "Not Found").default_response();
        assert_eq!(short.status(), rendered.status());
        assert_eq!(short.headers(), rendered.headers());
        assert_eq!(short.body().as_bytes(), rendered.body().as_bytes());
        let error = Error::new(StatusCode::NOT_FOUND, "Not Found");
        assert_eq!(
            error.to_string(),
            "404 Not Found: Not Found",
            "the logged text"
        );
    }
}
