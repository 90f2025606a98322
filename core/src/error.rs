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

use http::StatusCode;

use crate::body::BoxError;

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
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    status: StatusCode,
    message: Option<Cow<'static, str>>,
    source: Option<BoxError>,
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
            }),
        }
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

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.inner.status, self.message())?;
        let mut cause = self.source().map(|e| e as &dyn std::error::Error);
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
