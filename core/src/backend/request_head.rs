//! Reading a request head the platform has already parsed, for backends
//! whose platform hands over method, target and headers rather than bytes.

use http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use http::{HeaderMap, Method};

/// The request's `content-length`: its value when there is exactly one and
/// it is a number, else `None` (absent, repeated, or malformed: the body is
/// then read to its end, and the core's limits apply as it is read).
///
/// ```
/// use mocket_core::http::HeaderMap;
/// let mut headers = HeaderMap::new();
/// assert_eq!(mocket_core::backend::declared_length(&headers), None);
/// headers.insert("content-length", "42".parse().unwrap());
/// assert_eq!(mocket_core::backend::declared_length(&headers), Some(42));
/// headers.append("content-length", "42".parse().unwrap());
/// assert_eq!(mocket_core::backend::declared_length(&headers), None);
/// ```
pub fn declared_length(headers: &HeaderMap) -> Option<u64> {
    let mut values = headers.get_all(CONTENT_LENGTH).iter();
    let first = values.next()?;
    if values.next().is_some() {
        return None;
    }
    first.to_str().ok()?.trim().parse().ok()
}

/// Whether an HTTP/1.1 request with these headers has a body: a
/// `transfer-encoding`, or a `content-length` above 0 (RFC 9112 §6.3).
///
/// ```
/// use mocket_core::http::HeaderMap;
/// let mut headers = HeaderMap::new();
/// assert!(!mocket_core::backend::has_body(&headers));
/// headers.insert("transfer-encoding", "chunked".parse().unwrap());
/// assert!(mocket_core::backend::has_body(&headers));
/// ```
pub fn has_body(headers: &HeaderMap) -> bool {
    headers.contains_key(TRANSFER_ENCODING) || declared_length(headers).is_some_and(|n| n > 0)
}

/// Whether a request may carry a body when the platform has parsed its
/// framing and keeps `transfer-encoding` to itself (`wasi:http` hosts do):
/// a `content-length` above 0, or any method but GET and HEAD. A chunked
/// GET or HEAD is then taken to have no body; content in one has no
/// defined meaning (RFC 9110 §9.3.1), so nothing an app needs is lost.
///
/// ```
/// use mocket_core::http::{HeaderMap, Method};
/// let mut headers = HeaderMap::new();
/// assert!(!mocket_core::backend::may_have_body_unframed(&Method::GET, &headers));
/// assert!(mocket_core::backend::may_have_body_unframed(&Method::POST, &headers));
/// headers.insert("content-length", "3".parse().unwrap());
/// assert!(mocket_core::backend::may_have_body_unframed(&Method::GET, &headers));
/// ```
pub fn may_have_body_unframed(method: &Method, headers: &HeaderMap) -> bool {
    declared_length(headers).is_some_and(|n| n > 0)
        || !matches!(*method, Method::GET | Method::HEAD)
}

/// The size of the request head as HTTP/1.1 would carry it (request line,
/// each header line, the blank line), to hold it to
/// [`ServerOptions::max_header_bytes`](super::ServerOptions::max_header_bytes)
/// (a larger head is answered 431) where the platform does not.
///
/// ```
/// use mocket_core::http::{HeaderMap, Method};
/// let mut headers = HeaderMap::new();
/// headers.insert("host", "a".parse().unwrap());
/// // "GET / HTTP/1.1\r\n" + "host: a\r\n" + "\r\n"
/// assert_eq!(mocket_core::backend::head_size(&Method::GET, "/", &headers), 16 + 9 + 2);
/// ```
pub fn head_size(method: &Method, target: &str, headers: &HeaderMap) -> usize {
    // "METHOD SP TARGET SP HTTP/1.1 CRLF", then "NAME: VALUE CRLF", then CRLF.
    let line = method.as_str().len() + 1 + target.len() + 1 + "HTTP/1.1\r\n".len();
    let fields: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + 2 + value.len() + 2)
        .sum();
    line + fields + 2
}
