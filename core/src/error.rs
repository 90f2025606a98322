//! Errors that become HTTP responses.
//!
//! One type, [`Error`], serves both needs: a typed HTTP error with a status
//! and a message meant for the client (`Error::new(StatusCode::NOT_FOUND,
//! "no such user")`), and any other error raised with `?`, which becomes a
//! 500 whose details stay in the log. Every error passes through the app's
//! error handler ([`Mocket::on_error`](crate::Mocket::on_error)), so one place
//! decides how errors look.

use std::borrow::Cow;
use std::fmt;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::body::BoxError;
use crate::response::{IntoResponse, Response};

/// An error with an HTTP status, a public message and an optional cause.
///
/// Handlers return `Result<T, Error>`; `?` converts any
/// [`std::error::Error`] into a 500 whose cause is logged, never sent.
///
/// ```
/// use mocket_core::{Error, http::StatusCode};
/// let e = Error::new(StatusCode::NOT_FOUND, "no such user");
/// assert_eq!(e.status(), StatusCode::NOT_FOUND);
/// assert_eq!(e.message(), "no such user");
///
/// let parse: Error = "x".parse::<u32>().unwrap_err().into();
/// assert_eq!(parse.status(), StatusCode::INTERNAL_SERVER_ERROR);
/// assert_eq!(parse.message(), "Internal Server Error");
/// ```
#[must_use = "an error does nothing unless it is returned"]
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    status: StatusCode,
    message: Option<Cow<'static, str>>,
    source: Option<BoxError>,
    /// Sent with whatever the error handler renders (a 401's
    /// `www-authenticate`, a 405's `allow`). Boxed and optional: most
    /// errors have none, and then making and dropping one costs nothing.
    headers: Option<Box<HeaderMap>>,
}

impl Error {
    /// An error whose status and message are sent to the client.
    ///
    /// ```
    /// use mocket_core::{Error, http::StatusCode};
    /// let e = Error::new(StatusCode::CONFLICT, "name taken");
    /// assert_eq!(e.to_string(), "409 Conflict: name taken");
    /// ```
    pub fn new(status: StatusCode, message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            inner: Box::new(Inner {
                status,
                message: Some(message.into()),
                source: None,
                headers: None,
            }),
        }
    }

    /// An error with `status` and its reason phrase as the message.
    ///
    /// ```
    /// use mocket_core::{Error, http::StatusCode};
    /// let e = Error::from_status(StatusCode::GONE);
    /// assert_eq!((e.status().as_u16(), e.message()), (410, "Gone"));
    /// ```
    pub fn from_status(status: StatusCode) -> Self {
        Error::new(status, status.canonical_reason().unwrap_or("Error"))
    }

    /// A 400 Bad Request with a public message.
    ///
    /// ```
    /// assert_eq!(mocket_core::Error::bad_request("no").status(), 400);
    /// ```
    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(StatusCode::BAD_REQUEST, message)
    }

    /// A 404 Not Found with a public message.
    ///
    /// ```
    /// assert_eq!(mocket_core::Error::not_found("gone").status(), 404);
    /// ```
    pub fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        Error::new(StatusCode::NOT_FOUND, message)
    }

    /// A 500 whose cause is logged but never sent to the client.
    ///
    /// ```
    /// let e = mocket_core::Error::internal("database is down");
    /// assert_eq!(e.message(), "Internal Server Error");
    /// assert!(e.to_string().contains("database is down"));
    /// ```
    pub fn internal(cause: impl Into<BoxError>) -> Self {
        Error {
            inner: Box::new(Inner {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: None,
                source: Some(cause.into()),
                headers: None,
            }),
        }
    }

    /// Attaches a cause, kept for the log.
    ///
    /// ```
    /// use mocket_core::{Error, http::StatusCode};
    /// let e = Error::new(StatusCode::BAD_GATEWAY, "upstream failed").with_source("timeout");
    /// assert!(e.source().is_some());
    /// ```
    pub fn with_source(mut self, cause: impl Into<BoxError>) -> Self {
        self.inner.source = Some(cause.into());
        self
    }

    /// Adds a header to the response this error becomes, whatever the
    /// error handler renders: a 401's `www-authenticate`, a 429's
    /// `retry-after`. A header the error handler sets itself wins.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::{Error, http::StatusCode};
    /// let mut app = mocket_core::Mocket::new();
    /// app.get("/", |_req| async {
    ///     Error::new(StatusCode::UNAUTHORIZED, "log in first")
    ///         .with_header("www-authenticate", r#"Basic realm="app""#)
    /// });
    /// let res = app.request("/").await;
    /// assert_eq!(res.status(), 401);
    /// assert_eq!(res.headers()["www-authenticate"], r#"Basic realm="app""#);
    /// # });
    /// ```
    pub fn with_header<K, V>(mut self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        K::Error: Into<http::Error>,
        V: TryInto<HeaderValue>,
        V::Error: Into<http::Error>,
    {
        match (name.try_into(), value.try_into()) {
            (Ok(name), Ok(value)) => {
                self.inner
                    .headers
                    .get_or_insert_with(Default::default)
                    .append(name, value);
                self
            }
            // A header that cannot be sent must not vanish silently.
            (Err(e), _) => Error::internal(e.into()),
            (_, Err(e)) => Error::internal(e.into()),
        }
    }

    /// The headers attached with [`Error::with_header`].
    ///
    /// ```
    /// let e = mocket_core::Error::bad_request("x").with_header("x-why", "test");
    /// assert_eq!(e.headers()["x-why"], "test");
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        static NONE: std::sync::OnceLock<HeaderMap> = std::sync::OnceLock::new();
        match &self.inner.headers {
            Some(headers) => headers,
            None => NONE.get_or_init(HeaderMap::new),
        }
    }

    /// Takes the attached headers out, if there are any.
    pub(crate) fn take_headers(&mut self) -> Option<Box<HeaderMap>> {
        self.inner.headers.take()
    }

    /// The response the default error handler gives: the status and the
    /// public message as `text/plain` (a status that is not an error
    /// becomes 500). For an `on_error` that changes some errors and leaves
    /// the rest as they were.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::{Error, Html, IntoResponse, http::StatusCode};
    /// let mut app = mocket_core::Mocket::new();
    /// app.on_error(|err: Error| match err.status() {
    ///     StatusCode::NOT_FOUND => (StatusCode::NOT_FOUND, Html("<h1>Lost?</h1>")).into_response(),
    ///     _ => err.default_response(),
    /// });
    /// app.get("/", |_req| async { Error::bad_request("nope") });
    /// let res = app.request("/").await;
    /// assert_eq!(res.status(), 400);
    /// assert_eq!(res.into_body().to_text().await.unwrap(), "nope");
    /// # });
    /// ```
    pub fn default_response(mut self) -> Response {
        let status = self.status();
        let headers = self.take_headers();
        let mut res = self.into_message().into_response();
        if let Some(mut headers) = headers {
            merge_missing(res.headers_mut(), &mut headers);
        }
        *res.status_mut() = if status.is_client_error() || status.is_server_error() {
            status
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        res
    }

    /// The HTTP status.
    ///
    /// ```
    /// assert_eq!(mocket_core::Error::bad_request("x").status().as_u16(), 400);
    /// ```
    pub fn status(&self) -> StatusCode {
        self.inner.status
    }

    /// The message meant for the client: the one given, or the status's
    /// reason phrase.
    ///
    /// ```
    /// assert_eq!(mocket_core::Error::internal("secret").message(), "Internal Server Error");
    /// ```
    pub fn message(&self) -> &str {
        match &self.inner.message {
            Some(m) => m,
            None => self.inner.status.canonical_reason().unwrap_or("Error"),
        }
    }

    /// The public message, taken without copying when it is static.
    pub(crate) fn into_message(self) -> Cow<'static, str> {
        let Inner {
            status, message, ..
        } = *self.inner;
        message.unwrap_or(Cow::Borrowed(status.canonical_reason().unwrap_or("Error")))
    }

    /// The cause, if any; it is for logs, not for clients.
    ///
    /// ```
    /// assert!(mocket_core::Error::bad_request("x").source().is_none());
    /// ```
    pub fn source(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.inner.source.as_deref()
    }
}

/// Moves each header of `extra` whose name `headers` does not have yet
/// into `headers` (every value of a repeated one). By reference, so that
/// the usual empty `extra` costs one check and no copy.
#[inline]
pub(crate) fn merge_missing(headers: &mut HeaderMap, extra: &mut HeaderMap) {
    if !extra.is_empty() {
        merge_each(headers, extra);
    }
}

#[cold]
fn merge_each(headers: &mut HeaderMap, extra: &mut HeaderMap) {
    let mut last: Option<(HeaderName, bool)> = None;
    for (name, value) in extra.drain() {
        // `None` continues the previous name.
        let (name, add) = match (name, last.take()) {
            (Some(name), _) => {
                let add = !headers.contains_key(&name);
                (name, add)
            }
            (None, Some(prev)) => prev,
            (None, None) => continue,
        };
        if add {
            headers.append(name.clone(), value);
        }
        last = Some((name, add));
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.inner.status, self.message())?;
        let mut cause = self.source().map(|e| -> &dyn std::error::Error { e });
        while let Some(e) = cause {
            write!(f, ": {e}")?;
            cause = e.source();
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("status", &self.inner.status)
            .field("message", &self.inner.message)
            .field("source", &self.inner.source)
            .finish()
    }
}

impl<E> From<E> for Error
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn from(error: E) -> Self {
        Error::internal(error)
    }
}
