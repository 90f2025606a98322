//! Requests made in-process, without a socket, for
//! [`Mocket::request`](crate::Mocket::request): a path or a full request.

use crate::body::Body;

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
pub(crate) struct BadTarget;
