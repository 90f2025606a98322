//! Deciding a request's CORS answer, and the future that applies it.
//!
//! Everything that depends on the request is decided before the handler
//! runs, so the future holds only the headers to add, not the settings.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use super::{Allow, Cors, Expose, Origins};
use crate::body::Body;
use crate::dispatch::Step;
use crate::middleware::Next;
use crate::request::Request;
use crate::response::Response;
use crate::vary;

const ANY: HeaderValue = HeaderValue::from_static("*");
const TRUE: HeaderValue = HeaderValue::from_static("true");

/// Response headers a page may always read (Fetch's CORS-safelisted
/// response-header names), and ones it never may: not worth exposing.
const NOT_EXPOSED: [HeaderName; 8] = [
    http::header::CACHE_CONTROL,
    http::header::CONTENT_LANGUAGE,
    http::header::CONTENT_LENGTH,
    http::header::CONTENT_TYPE,
    http::header::EXPIRES,
    http::header::LAST_MODIFIED,
    http::header::PRAGMA,
    http::header::SET_COOKIE,
];

/// What `Access-Control-Allow-Origin` says for a request, if anything.
enum Verdict {
    /// `*`: any origin, without credentials.
    Wildcard,
    /// The request's own origin.
    Echo(HeaderValue),
    /// No CORS headers.
    Refused,
}

/// The headers an actual (non-preflight) response gets.
struct Plan {
    allow_origin: Option<HeaderValue>,
    credentials: bool,
    expose: ExposePlan,
    vary_origin: bool,
}

enum ExposePlan {
    None,
    Value(HeaderValue),
    /// Credentials forbid `*`: list the response's own header names.
    ResponseNames,
}

impl Cors {
    pub(super) fn handle(&self, req: Request, next: Next) -> CorsFuture {
        let headers = req.headers();
        let origin = headers.get(ORIGIN);
        let verdict = self.judge(origin);
        let is_preflight = req.method() == Method::OPTIONS
            && origin.is_some()
            && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD);
        if is_preflight {
            let res = self.preflight(headers, verdict);
            return CorsFuture {
                state: State::Answered(Some(res)),
            };
        }
        let allow_origin = match verdict {
            Verdict::Wildcard => Some(ANY),
            Verdict::Echo(origin) => Some(origin),
            Verdict::Refused => None,
        };
        let expose = match &self.expose {
            _ if allow_origin.is_none() => ExposePlan::None,
            Expose::None => ExposePlan::None,
            Expose::List(value) => ExposePlan::Value(value.clone()),
            Expose::Any if self.credentials => ExposePlan::ResponseNames,
            Expose::Any => ExposePlan::Value(ANY),
        };
        let plan = Plan {
            credentials: self.credentials && allow_origin.is_some(),
            allow_origin,
            expose,
            vary_origin: self.varies_by_origin(),
        };
        CorsFuture {
            state: State::Running {
                step: next.step(req),
                plan,
            },
        }
    }

    /// Whether the answer depends on `Origin`: always, except for the
    /// constant `*`.
    fn varies_by_origin(&self) -> bool {
        !matches!(self.origins, Origins::Any) || self.credentials
    }

    fn judge(&self, origin: Option<&HeaderValue>) -> Verdict {
        if matches!(self.origins, Origins::Any) && !self.credentials {
            return Verdict::Wildcard;
        }
        let Some((value, text)) = origin.and_then(|v| Some((v, v.to_str().ok()?))) else {
            return Verdict::Refused;
        };
        let allowed = match &self.origins {
            Origins::None => false,
            // With credentials: mirror any origin but the opaque `null`.
            Origins::Any => text != "null",
            Origins::List(list) => {
                let text = text.trim_end_matches('/');
                list.iter().any(|o| o.eq_ignore_ascii_case(text))
            }
            Origins::Predicate(allows) => allows(text),
        };
        if allowed {
            Verdict::Echo(value.clone())
        } else {
            Verdict::Refused
        }
    }

    fn preflight(&self, req: &HeaderMap, verdict: Verdict) -> Response {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = StatusCode::NO_CONTENT;
        let headers = res.headers_mut();
        if self.varies_by_origin() {
            vary::add(headers, "Origin");
        }
        let allow_origin = match verdict {
            Verdict::Wildcard => ANY,
            Verdict::Echo(origin) => origin,
            Verdict::Refused => return res,
        };
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
        if self.credentials {
            headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
        }
        grant(
            headers,
            &self.methods,
            req.get(ACCESS_CONTROL_REQUEST_METHOD),
            ACCESS_CONTROL_ALLOW_METHODS,
            "Access-Control-Request-Method",
        );
        grant(
            headers,
            &self.headers,
            req.get(ACCESS_CONTROL_REQUEST_HEADERS),
            ACCESS_CONTROL_ALLOW_HEADERS,
            "Access-Control-Request-Headers",
        );
        if let Some(max_age) = &self.max_age {
            headers.insert(ACCESS_CONTROL_MAX_AGE, max_age.clone());
        }
        res
    }
}

impl Plan {
    fn apply(self, res: &mut Response) {
        let expose_names = match self.expose {
            ExposePlan::ResponseNames => response_names(res.headers()),
            ExposePlan::Value(value) => Some(value),
            ExposePlan::None => None,
        };
        let headers = res.headers_mut();
        if self.vary_origin {
            vary::add(headers, "Origin");
        }
        let Some(allow_origin) = self.allow_origin else {
            return;
        };
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, allow_origin);
        if self.credentials {
            headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
        }
        if let Some(names) = expose_names {
            headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, names);
        }
    }
}

/// The response's header names a page cannot already read, as a list.
fn response_names(headers: &HeaderMap) -> Option<HeaderValue> {
    let names = headers
        .keys()
        .filter(|name| !NOT_EXPOSED.contains(name))
        .filter(|name| !name.as_str().starts_with("access-control-"))
        .map(HeaderName::as_str);
    super::join(names)
}

/// The future the CORS middleware runs: a preflight's answer, or the
/// rest of the chain followed by adding the CORS headers. A named type, so
/// the middleware costs one allocation per request, like a closure's.
///
/// ```
/// use mocket_core::{Middleware, cors::Cors};
/// fn assert_middleware(_: impl Middleware) {}
/// assert_middleware(Cors::new());
/// ```
pub struct CorsFuture {
    state: State,
}

enum State {
    Answered(Option<Response>),
    Running { step: Step, plan: Plan },
    Done,
}

impl Future for CorsFuture {
    type Output = Response;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        let this = &mut *self;
        match &mut this.state {
            State::Answered(res) => {
                Poll::Ready(res.take().expect("CorsFuture polled after it finished"))
            }
            State::Running { step, .. } => {
                let mut res = ready!(Pin::new(step).poll(cx));
                if let State::Running { plan, .. } = std::mem::replace(&mut this.state, State::Done)
                {
                    plan.apply(&mut res);
                }
                Poll::Ready(res)
            }
            State::Done => panic!("CorsFuture polled after it finished"),
        }
    }
}

impl std::fmt::Debug for CorsFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match self.state {
            State::Answered(_) => "preflight",
            State::Running { .. } => "running",
            State::Done => "done",
        };
        f.debug_struct("CorsFuture").field("state", &state).finish()
    }
}

/// Sets a preflight's `allow` header from the configured list, or mirrors
/// what the preflight `asked` for (and says the answer varies with it).
fn grant(
    headers: &mut HeaderMap,
    allow: &Allow,
    asked: Option<&HeaderValue>,
    header: HeaderName,
    request_header: &'static str,
) {
    match allow {
        Allow::List(Some(value)) => {
            headers.insert(header, value.clone());
        }
        Allow::List(None) => {}
        Allow::Mirror => {
            vary::add(headers, request_header);
            if let Some(value) = asked {
                headers.insert(header, value.clone());
            }
        }
    }
}
