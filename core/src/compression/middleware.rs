//! The compression middleware: which responses to compress, and how.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use http::header::{
    ACCEPT_RANGES, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE,
    ETAG,
};
use http::{HeaderMap, HeaderValue, StatusCode};

use super::Encoding;
use super::encoder::{EncodedBody, Encoder, Input, Levels};
use crate::body::Body;
use crate::dispatch::Step;
use crate::handler::ResponseFuture;
use crate::maybe_send::{MaybeSend, MaybeSync};
use crate::middleware::{IntoMiddleware, Middleware, Next};
use crate::request::Request;
use crate::response::Response;
use crate::vary;

/// The default smallest body worth compressing, in bytes.
///
/// ```
/// assert_eq!(mocket_core::compression::DEFAULT_MIN_SIZE, 1024);
/// ```
pub const DEFAULT_MIN_SIZE: u64 = 1024;

/// Compresses responses with gzip or Brotli, as the request's
/// `Accept-Encoding` allows (see [`Encoding::negotiate`]; Brotli wins
/// ties).
///
/// Defaults: bodies of at least 1 KiB (any size when the length is not
/// known in advance), Brotli quality 4 and gzip level 4 (fast levels,
/// meant for compressing per request: on a 71 KB JSON body, Brotli 4 made
/// 7.3% of it and gzip 4 9.9%, each in about 0.5 ms; gzip 6 was no smaller
/// and took half as long again), content types that
/// [`is_compressible`](super::is_compressible) accepts.
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket_core::compression::Compression;
/// let mut app = mocket_core::Mocket::new();
/// app.wrap(Compression::new());
/// app.get("/report", |_req| async { "all quiet. ".repeat(200) });
///
/// let req = mocket_core::http::Request::get("/report")
///     .header("accept-encoding", "gzip, br")
///     .body(())
///     .unwrap();
/// let res = app.request(req).await;
/// assert_eq!(res.headers()["content-encoding"], "br");
/// assert_eq!(res.headers()["vary"], "Accept-Encoding");
/// assert!(res.body().exact_len().unwrap() < 2200);
/// # });
/// ```
#[must_use = "a builder does nothing until it is used"]
#[derive(Clone)]
pub struct Compression {
    min_size: u64,
    levels: Levels,
    gzip: bool,
    brotli: bool,
    /// Shared, so that a `Compression` can be cloned.
    compressible: Arc<dyn ContentTypeFn>,
}

/// `Fn(&str) -> bool`, `Send + Sync` where there are threads.
trait ContentTypeFn: Fn(&str) -> bool + MaybeSend + MaybeSync {}
impl<F: Fn(&str) -> bool + MaybeSend + MaybeSync> ContentTypeFn for F {}

impl Default for Compression {
    fn default() -> Self {
        Compression::new()
    }
}

impl std::fmt::Debug for Compression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compression")
            .field("min_size", &self.min_size)
            .field("levels", &self.levels)
            .field("gzip", &self.gzip)
            .field("brotli", &self.brotli)
            .finish_non_exhaustive()
    }
}

impl Compression {
    /// The default settings (see the type's documentation).
    ///
    /// ```
    /// let mut app = mocket_core::Mocket::new();
    /// app.wrap(mocket_core::compression::Compression::new());
    /// ```
    pub fn new() -> Self {
        Compression {
            min_size: DEFAULT_MIN_SIZE,
            levels: Levels { gzip: 4, brotli: 4 },
            gzip: true,
            brotli: true,
            compressible: Arc::new(super::is_compressible),
        }
    }

    /// Leaves bodies shorter than `bytes` as they are (when their length is
    /// known: a streamed body of unknown length is always compressed).
    ///
    /// ```
    /// use mocket_core::compression::Compression;
    /// let compression = Compression::new().min_size(4096);
    /// ```
    pub fn min_size(mut self, bytes: u64) -> Self {
        self.min_size = bytes;
        self
    }

    /// The gzip level, 0 (store) to 9 (smallest, slowest); default 4.
    ///
    /// ```
    /// use mocket_core::compression::Compression;
    /// let compression = Compression::new().gzip_level(1);
    /// ```
    pub fn gzip_level(mut self, level: u32) -> Self {
        self.levels.gzip = level.min(9);
        self
    }

    /// The Brotli quality, 0 to 11 (smallest, far too slow per request);
    /// default 4. From 5 up the encoder sets up much larger tables per
    /// response: a 5 KB JSON body took 1.3 ms at 5 against 36 µs at 4.
    ///
    /// ```
    /// use mocket_core::compression::Compression;
    /// let compression = Compression::new().brotli_quality(5);
    /// ```
    pub fn brotli_quality(mut self, quality: u32) -> Self {
        self.levels.brotli = quality.min(11);
        self
    }

    /// Whether gzip is offered (default: yes).
    ///
    /// ```
    /// use mocket_core::compression::Compression;
    /// let brotli_only = Compression::new().gzip(false);
    /// ```
    pub fn gzip(mut self, enabled: bool) -> Self {
        self.gzip = enabled;
        self
    }

    /// Whether Brotli is offered (default: yes).
    ///
    /// ```
    /// use mocket_core::compression::Compression;
    /// let gzip_only = Compression::new().brotli(false);
    /// ```
    pub fn brotli(mut self, enabled: bool) -> Self {
        self.brotli = enabled;
        self
    }

    /// Which content types to compress, replacing
    /// [`is_compressible`](super::is_compressible). The predicate receives
    /// the media type lowercased without parameters (`text/html`), or `""`
    /// when the response has no `Content-Type`.
    ///
    /// ```
    /// use mocket_core::compression::{Compression, is_compressible};
    /// // Also compress application/octet-stream, which is skipped by default.
    /// let compression = Compression::new()
    ///     .content_types(|ct| ct == "application/octet-stream" || is_compressible(ct));
    /// ```
    pub fn content_types<F>(mut self, predicate: F) -> Self
    where
        F: Fn(&str) -> bool + MaybeSend + MaybeSync + 'static,
    {
        self.compressible = Arc::new(predicate);
        self
    }

    /// Whether the response may be compressed at all, whatever the client
    /// accepts: if so, it varies on `Accept-Encoding`.
    fn applies_to(&self, res: &Response) -> bool {
        let status = res.status();
        let headers = res.headers();
        let no_content = crate::backend::is_bodiless_status(status)
            // Ranges are of the identity representation.
            || status == StatusCode::PARTIAL_CONTENT
            || headers.contains_key(CONTENT_RANGE);
        if no_content || headers.contains_key(CONTENT_ENCODING) || forbids_transform(headers) {
            return false;
        }
        match res.body().exact_len() {
            Some(0) => return false,
            Some(len) if len < self.min_size => return false,
            _ => {}
        }
        match headers.get(CONTENT_TYPE).map(HeaderValue::to_str) {
            None => (self.compressible)(""),
            Some(Ok(ct)) => {
                let essence = ct.split(';').next().unwrap_or("").trim();
                (self.compressible)(&essence.to_ascii_lowercase())
            }
            Some(Err(_)) => false,
        }
    }

    fn apply(&self, res: &mut Response, encoding: Encoding) {
        if !self.applies_to(res) {
            return;
        }
        vary::add(res.headers_mut(), "Accept-Encoding");
        let input = match res.body().as_full() {
            Some(bytes) => Input::Whole(bytes.len() as u64),
            None => Input::Stream,
        };
        let Some(encoder) = Encoder::new(encoding, self.levels, input) else {
            return;
        };
        let body = std::mem::take(res.body_mut());
        // For HEAD too: the body is dropped after the chain, but its
        // compressed length is the `Content-Length` a GET would get. A
        // stream's encoder never runs for HEAD, as nothing polls it.
        *res.body_mut() = match body.as_full().cloned() {
            None => Body::from_http_body(EncodedBody::new(body, encoder)),
            Some(bytes) => match encoder.compress(&bytes) {
                Ok(out) if out.len() < bytes.len() => Body::from(out),
                // Not smaller (the data was compressed already): as it is.
                Ok(_) => {
                    *res.body_mut() = body;
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "compression failed; sending the body uncompressed");
                    *res.body_mut() = body;
                    return;
                }
            },
        };
        let headers = res.headers_mut();
        headers.insert(
            CONTENT_ENCODING,
            HeaderValue::from_static(encoding.as_str()),
        );
        headers.remove(CONTENT_LENGTH);
        // Byte ranges would count compressed bytes that differ per coding.
        headers.remove(ACCEPT_RANGES);
        weaken_etag(headers);
    }
}

/// `Cache-Control: no-transform`: intermediaries (and we) must not change
/// the content.
fn forbids_transform(headers: &HeaderMap) -> bool {
    headers
        .get_all(CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|directive| directive.trim().eq_ignore_ascii_case("no-transform"))
}

/// A strong `ETag` promises identical bytes, which the compressed body no
/// longer is: made weak, as nginx does, so `If-None-Match` (a weak
/// comparison) still matches and `If-Range` (a strong one) no longer does.
fn weaken_etag(headers: &mut HeaderMap) {
    let Some(etag) = headers.get(ETAG) else {
        return;
    };
    if !etag.as_bytes().starts_with(b"\"") {
        return;
    }
    let mut weak = Vec::with_capacity(etag.len() + 2);
    weak.extend_from_slice(b"W/");
    weak.extend_from_slice(etag.as_bytes());
    if let Ok(weak) = HeaderValue::from_bytes(&weak) {
        headers.insert(ETAG, weak);
    }
}

/// The future the compression middleware runs: the rest of the chain,
/// then its response compressed. A named type, so the middleware costs one
/// allocation per request, like a closure's.
///
/// ```
/// use mocket_core::{IntoMiddleware, compression::Compression};
/// fn assert_middleware(_: impl IntoMiddleware) {}
/// assert_middleware(Compression::new());
/// ```
pub struct CompressionFuture {
    step: Step,
    /// Taken when the response is ready.
    settings: Option<(Arc<Compression>, Encoding)>,
}

impl Future for CompressionFuture {
    type Output = Response;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Response> {
        let this = &mut *self;
        let mut res = ready!(Pin::new(&mut this.step).poll(cx));
        let (settings, encoding) = this
            .settings
            .take()
            .expect("CompressionFuture polled after it finished");
        settings.apply(&mut res, encoding);
        Poll::Ready(res)
    }
}

impl std::fmt::Debug for CompressionFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompressionFuture")
            .field("encoding", &self.settings.as_ref().map(|s| s.1))
            .finish_non_exhaustive()
    }
}

/// Added with [`Mocket::wrap`](crate::Mocket::wrap), on the app, a prefix
/// or a group; the settings are shared by every request from then on.
///
/// ```
/// use mocket_core::compression::Compression;
/// let mut app = mocket_core::Mocket::new();
/// app.group("/api", |api| {
///     api.wrap(Compression::new());
/// });
/// ```
impl IntoMiddleware for Compression {
    type Middleware = CompressionMiddleware;

    // On wasm the settings need not be `Send` (there are no threads); the
    // `Arc` is shared with the native code path.
    #[cfg_attr(target_family = "wasm", allow(clippy::arc_with_non_send_sync))]
    fn into_middleware(self) -> CompressionMiddleware {
        let offers: Vec<Encoding> = [(Encoding::Brotli, self.brotli), (Encoding::Gzip, self.gzip)]
            .into_iter()
            .filter_map(|(encoding, on)| on.then_some(encoding))
            .collect();
        CompressionMiddleware {
            offers,
            settings: Arc::new(self),
        }
    }
}

/// [`Compression`] once added: its settings and the codings it offers.
pub struct CompressionMiddleware {
    offers: Vec<Encoding>,
    settings: Arc<Compression>,
}

impl Middleware for CompressionMiddleware {
    fn call(&self, req: Request, next: Next) -> ResponseFuture {
        let encoding = Encoding::negotiate(req.headers(), &self.offers);
        Box::pin(CompressionFuture {
            step: next.step(req),
            settings: Some((self.settings.clone(), encoding)),
        })
    }
}
