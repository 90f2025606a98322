//! Turning handler results into responses.
//!
//! Handlers return anything that implements [`IntoResponse`]. Each body type
//! sets a default `content-type` only where none is set yet, and headers a
//! handler passes in a tuple are applied after the body, so a content type
//! the handler chose is never overwritten. Header values go through
//! [`http::HeaderValue`], which refuses CR, LF and NUL, so a handler cannot
//! emit an injected header: a bad value becomes a 500 through the error
//! handler instead.

use std::borrow::Cow;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, LOCATION};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::Serialize;

use crate::body::Body;
use crate::error::Error;

/// The response type: [`http::Response`] with a Mocket [`Body`].
pub type Response<B = Body> = http::Response<B>;

const TEXT: HeaderValue = HeaderValue::from_static("text/plain; charset=utf-8");
const HTML: HeaderValue = HeaderValue::from_static("text/html; charset=utf-8");
const JSON: HeaderValue = HeaderValue::from_static("application/json");
const OCTETS: HeaderValue = HeaderValue::from_static("application/octet-stream");

/// Converts a value into a [`Response`].
///
/// ```
/// use mocket_core::{IntoResponse, http::StatusCode};
/// let res = (StatusCode::CREATED, "made").into_response();
/// assert_eq!(res.status(), StatusCode::CREATED);
/// assert_eq!(res.headers()["content-type"], "text/plain; charset=utf-8");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be turned into an HTTP response",
    label = "a handler or middleware must return something that implements `IntoResponse`",
    note = "return a `&str`, `String`, `Json(..)`, `Html(..)`, `StatusCode`, `(StatusCode, body)`, a `Response`, or `Result<T, mocket::Error>` where `T` is one of these"
)]
pub trait IntoResponse {
    /// Builds the response.
    fn into_response(self) -> Response;
}

fn with_type(body: impl Into<Body>, content_type: HeaderValue) -> Response {
    let mut res = Response::new(body.into());
    res.headers_mut().insert(CONTENT_TYPE, content_type);
    res
}

impl IntoResponse for Response {
    fn into_response(self) -> Response {
        self
    }
}

impl IntoResponse for Body {
    fn into_response(self) -> Response {
        Response::new(self)
    }
}

impl IntoResponse for () {
    fn into_response(self) -> Response {
        Response::new(Body::empty())
    }
}

impl IntoResponse for &'static str {
    fn into_response(self) -> Response {
        with_type(self, TEXT)
    }
}

impl IntoResponse for String {
    fn into_response(self) -> Response {
        with_type(self, TEXT)
    }
}

impl IntoResponse for Cow<'static, str> {
    fn into_response(self) -> Response {
        with_type(self, TEXT)
    }
}

impl IntoResponse for Bytes {
    fn into_response(self) -> Response {
        with_type(self, OCTETS)
    }
}

impl IntoResponse for Vec<u8> {
    fn into_response(self) -> Response {
        with_type(self, OCTETS)
    }
}

impl IntoResponse for &'static [u8] {
    fn into_response(self) -> Response {
        with_type(self, OCTETS)
    }
}

impl IntoResponse for StatusCode {
    fn into_response(self) -> Response {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = self;
        res
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let mut res = Response::new(Body::empty());
        *res.status_mut() = self.status();
        *res.body_mut() = Body::from_error(self);
        res
    }
}

/// The error type is fixed to [`Error`] on purpose: with one `Result`
/// impl, a handler that uses `?` and ends in `Ok(value)` needs no
/// `Ok::<_, Error>` annotation, because the compiler infers the error type
/// from this impl. Other error types convert into [`Error`] through `?`
/// (any [`std::error::Error`] becomes a 500; implement `From<YourError> for
/// Error` to choose the status).
impl<T: IntoResponse> IntoResponse for Result<T, Error> {
    fn into_response(self) -> Response {
        match self {
            Ok(v) => v.into_response(),
            Err(e) => e.into_response(),
        }
    }
}

impl<T: IntoResponse> IntoResponse for (StatusCode, T) {
    fn into_response(self) -> Response {
        let mut res = self.1.into_response();
        *res.status_mut() = self.0;
        res
    }
}

impl<H: IntoHeaders, T: IntoResponse> IntoResponse for (StatusCode, H, T) {
    fn into_response(self) -> Response {
        let (status, headers, body) = self;
        let mut res = (headers, body).into_response();
        *res.status_mut() = status;
        res
    }
}

impl<H: IntoHeaders, T: IntoResponse> IntoResponse for (H, T) {
    fn into_response(self) -> Response {
        let mut res = self.1.into_response();
        match self.0.apply_to(res.headers_mut()) {
            Ok(()) => res,
            Err(e) => e.into_response(),
        }
    }
}

/// Headers a handler adds to its response, as in `(StatusCode, headers, body)`.
///
/// Implemented for [`HeaderMap`] and for arrays and vectors of
/// `(name, value)` pairs. Each name given replaces what the body set (such
/// as its default `content-type`); a name given twice keeps both values.
///
/// ```
/// use mocket_core::{IntoResponse, http::StatusCode};
/// let res = (StatusCode::OK, [("content-type", "text/csv"), ("x-a", "1")], "a,b").into_response();
/// assert_eq!(res.headers()["content-type"], "text/csv");
///
/// // CR/LF can never reach the wire: the response becomes an error.
/// let bad = ([("x-a", "1\r\nx-evil: 1")], "body").into_response();
/// assert_eq!(bad.status(), StatusCode::INTERNAL_SERVER_ERROR);
/// ```
pub trait IntoHeaders {
    /// Writes the headers into `headers`.
    fn apply_to(self, headers: &mut HeaderMap) -> Result<(), Error>;
}

impl IntoHeaders for HeaderMap {
    fn apply_to(self, headers: &mut HeaderMap) -> Result<(), Error> {
        let mut last = None;
        for (name, value) in self {
            // `None` means "same name as the previous value".
            let name = name
                .or_else(|| last.clone())
                .ok_or_else(|| Error::internal("header map"))?;
            if last.as_ref() != Some(&name) {
                headers.remove(&name);
            }
            headers.append(name.clone(), value);
            last = Some(name);
        }
        Ok(())
    }
}

fn apply_pairs<K, V>(
    pairs: impl IntoIterator<Item = (K, V)>,
    headers: &mut HeaderMap,
) -> Result<(), Error>
where
    K: TryInto<HeaderName>,
    K::Error: Into<http::Error>,
    V: TryInto<HeaderValue>,
    V::Error: Into<http::Error>,
{
    let mut converted: smallvec::SmallVec<[(HeaderName, HeaderValue, bool); 4]> =
        smallvec::SmallVec::new();
    for (k, v) in pairs {
        let name = k.try_into().map_err(|e| Error::internal(e.into()))?;
        let value = v.try_into().map_err(|e| Error::internal(e.into()))?;
        let repeated = converted.iter().any(|(seen, _, _)| *seen == name);
        converted.push((name, value, repeated));
    }
    // One hash lookup per pair: the first value of a name replaces what the
    // map held, later ones join it.
    for (name, value, repeated) in converted {
        if repeated {
            headers.append(name, value);
        } else {
            headers.insert(name, value);
        }
    }
    Ok(())
}

impl<K, V, const N: usize> IntoHeaders for [(K, V); N]
where
    K: TryInto<HeaderName>,
    K::Error: Into<http::Error>,
    V: TryInto<HeaderValue>,
    V::Error: Into<http::Error>,
{
    fn apply_to(self, headers: &mut HeaderMap) -> Result<(), Error> {
        apply_pairs(self, headers)
    }
}

impl<K, V> IntoHeaders for Vec<(K, V)>
where
    K: TryInto<HeaderName>,
    K::Error: Into<http::Error>,
    V: TryInto<HeaderValue>,
    V::Error: Into<http::Error>,
{
    fn apply_to(self, headers: &mut HeaderMap) -> Result<(), Error> {
        apply_pairs(self, headers)
    }
}

/// An HTML body, sent as `text/html; charset=utf-8`.
///
/// ```
/// use mocket_core::{Html, IntoResponse};
/// let res = Html("<h1>hi</h1>").into_response();
/// assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
/// ```
#[derive(Debug, Clone, Copy, Default)]
#[must_use = "a responder does nothing unless it is returned"]
pub struct Html<T>(pub T);

impl<T: Into<Body>> IntoResponse for Html<T> {
    fn into_response(self) -> Response {
        with_type(self.0, HTML)
    }
}

/// A JSON body, serialized per response and sent as `application/json`.
///
/// ```
/// use mocket_core::{Json, IntoResponse};
/// let res = Json(serde_json::json!({"ok": true})).into_response();
/// assert_eq!(res.headers()["content-type"], "application/json");
/// ```
#[derive(Debug, Clone, Copy, Default)]
#[must_use = "a responder does nothing unless it is returned"]
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut buf = Vec::with_capacity(128);
        match serde_json::to_writer(&mut buf, &self.0) {
            Ok(()) => with_type(buf, JSON),
            Err(e) => Error::internal(e).into_response(),
        }
    }
}

/// A redirect to another location.
///
/// ```
/// use mocket_core::{IntoResponse, Redirect};
/// let res = Redirect::to("/login").into_response();
/// assert_eq!(res.status(), 303);
/// assert_eq!(res.headers()["location"], "/login");
/// // A location with CR/LF is refused, never sent.
/// assert_eq!(Redirect::to("/\r\nx: y").into_response().status(), 500);
/// ```
#[derive(Debug, Clone)]
#[must_use = "a responder does nothing unless it is returned"]
pub struct Redirect {
    status: StatusCode,
    location: Cow<'static, str>,
}

impl Redirect {
    /// 303 See Other: the client follows with a GET (after a form post).
    ///
    /// ```
    /// assert_eq!(mocket_core::Redirect::to("/").status(), 303);
    /// ```
    pub fn to(location: impl Into<Cow<'static, str>>) -> Self {
        Self::with_status(StatusCode::SEE_OTHER, location)
    }

    /// 307 Temporary Redirect: same method and body.
    ///
    /// ```
    /// assert_eq!(mocket_core::Redirect::temporary("/").status(), 307);
    /// ```
    pub fn temporary(location: impl Into<Cow<'static, str>>) -> Self {
        Self::with_status(StatusCode::TEMPORARY_REDIRECT, location)
    }

    /// 308 Permanent Redirect: same method and body, cacheable.
    ///
    /// ```
    /// assert_eq!(mocket_core::Redirect::permanent("/").status(), 308);
    /// ```
    pub fn permanent(location: impl Into<Cow<'static, str>>) -> Self {
        Self::with_status(StatusCode::PERMANENT_REDIRECT, location)
    }

    /// A redirect with any 3xx status, such as 301 or 302.
    ///
    /// ```
    /// use mocket_core::{Redirect, http::StatusCode};
    /// assert_eq!(Redirect::with_status(StatusCode::FOUND, "/").status(), 302);
    /// ```
    pub fn with_status(status: StatusCode, location: impl Into<Cow<'static, str>>) -> Self {
        Redirect {
            status,
            location: location.into(),
        }
    }

    /// The redirect's status.
    ///
    /// ```
    /// assert_eq!(mocket_core::Redirect::to("/").status(), 303);
    /// ```
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for Redirect {
    fn into_response(self) -> Response {
        let value = match self.location {
            Cow::Borrowed(s) => HeaderValue::try_from(s),
            Cow::Owned(s) => HeaderValue::try_from(s),
        };
        match value {
            Ok(value) => {
                let mut res = self.status.into_response();
                res.headers_mut().insert(LOCATION, value);
                res
            }
            Err(e) => Error::internal(e).into_response(),
        }
    }
}
