//! Answering one request for a mounted folder: path, lookup, index and
//! redirect, variant, preconditions, range, headers, body.

use std::io;
use std::ops::Range;
use std::time::SystemTime;

use http::header::{
    ACCEPT_RANGES, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG,
    LAST_MODIFIED, RANGE, VARY,
};
use http::{HeaderValue, Method, StatusCode};

use super::ServeDir;
use super::conditional::{self, Precondition, Validators};
use super::encoding;
use super::fs::{Entry, StaticFs};
use super::path::{SafePath, below_mount};
use super::range::{RangeRequest, parse_range};
use crate::body::Body;
use crate::compression::Encoding;
use crate::error::Error;
use crate::middleware::Next;
use crate::request::Request;
use crate::response::{IntoResponse, Redirect, Response};

/// A [`ServeDir`] at its mount: how many path segments the mount has.
pub(crate) struct Mounted<F> {
    pub(crate) dir: ServeDir<F>,
    pub(crate) mount_segments: usize,
}

/// Why the folder has no answer for a request: a 404 or 400 by default,
/// or, when falling through, the rest of the app's turn.
struct Miss(Error);

fn not_found() -> Miss {
    Miss(Error::not_found("Not Found"))
}

impl<F: StaticFs> Mounted<F> {
    /// The folder; only a folder that can be served is ever mounted.
    fn fs(&self) -> io::Result<&F> {
        self.dir
            .fs
            .as_ref()
            .map_err(|_| io::ErrorKind::NotFound.into())
    }

    /// As a route: every miss is answered with its error.
    pub(crate) async fn serve(&self, req: Request) -> Response {
        match self.respond(&req).await {
            Ok(res) => res,
            Err(Miss(error)) => error.into_response(),
        }
    }

    /// As a middleware: a miss, or a method other than GET and HEAD, is
    /// passed on to the rest of the app.
    pub(crate) async fn serve_or_next(&self, req: Request, next: Next) -> Response {
        if req.method() != Method::GET && req.method() != Method::HEAD {
            return next.run(req).await;
        }
        match self.respond(&req).await {
            Ok(res) => res,
            Err(Miss(_)) => next.run(req).await,
        }
    }

    async fn respond(&self, req: &Request) -> Result<Response, Miss> {
        let (path, trailing_slash) = match below_mount(req.path(), self.mount_segments) {
            // The mount itself, without its trailing slash: a folder.
            None => (SafePath::root(), false),
            Some(rest) => {
                let (raw, trailing) = match rest.strip_suffix('/') {
                    Some(raw) => (raw, true),
                    None => (rest, rest.is_empty()),
                };
                let path = SafePath::parse(raw)
                    .map_err(|e| Miss(Error::bad_request(format!("invalid path: {e}"))))?;
                (path, trailing)
            }
        };
        if !self.dir.dotfiles && path.has_dot_segment() {
            return Err(not_found());
        }
        let (path, entry) = match self.stat(&path).await? {
            Entry::File { .. } if trailing_slash => return Err(not_found()),
            Entry::Dir => {
                let Some(index) = &self.dir.index else {
                    return Err(not_found());
                };
                if !trailing_slash {
                    return Ok(redirect_to_folder(req));
                }
                let index = path.join(index);
                let entry = self.stat(&index).await?;
                (index, entry)
            }
            file => (path, file),
        };
        match entry {
            Entry::File {
                len,
                modified,
                file,
            } => {
                let found = Found {
                    len,
                    modified,
                    file,
                };
                Ok(self.file(req, &path, found).await)
            }
            // A folder named like the index file.
            Entry::Dir => Err(not_found()),
        }
    }

    /// `stat`, with host errors sorted into misses and failures.
    async fn stat(&self, path: &SafePath) -> Result<Entry<F::File>, Miss> {
        let found = match self.fs() {
            Ok(fs) => fs.stat(path).await,
            Err(e) => Err(e),
        };
        found.map_err(|e| match e.kind() {
            io::ErrorKind::NotFound
            | io::ErrorKind::NotADirectory
            | io::ErrorKind::IsADirectory
            | io::ErrorKind::InvalidFilename
            | io::ErrorKind::InvalidInput => not_found(),
            io::ErrorKind::PermissionDenied => Miss(
                Error::new(StatusCode::FORBIDDEN, "Forbidden")
                    .with_source(format!("static file {:?}: {e}", path.as_str())),
            ),
            _ => Miss(Error::internal(format!(
                "static file {:?}: {e}",
                path.as_str()
            ))),
        })
    }

    /// Answers with a file found at `path` (its name decides the type).
    async fn file(&self, req: &Request, path: &SafePath, original: Found<F::File>) -> Response {
        let (found, coding) = self.variant(req, path, original).await;
        let validators = Validators::new(
            found.len,
            found.modified,
            coding.map_or("", |c| match c {
                Encoding::Brotli => "-br",
                Encoding::Gzip => "-gz",
                Encoding::Identity => "",
            }),
        );
        let mut res = Response::new(Body::empty());
        let headers = res.headers_mut();
        if !self.dir.precompressed.is_empty() {
            headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
        }
        if let Some(etag) = validators
            .etag
            .as_deref()
            .and_then(|t| HeaderValue::try_from(t).ok())
        {
            headers.insert(ETAG, etag);
        }
        if let Some(date) = validators
            .last_modified()
            .and_then(|d| HeaderValue::try_from(d).ok())
        {
            headers.insert(LAST_MODIFIED, date);
        }
        match conditional::evaluate(req.headers(), &validators) {
            Precondition::Proceed => {}
            Precondition::NotModified => {
                *res.status_mut() = StatusCode::NOT_MODIFIED;
                return res;
            }
            Precondition::Failed => {
                return Error::new(StatusCode::PRECONDITION_FAILED, "Precondition Failed")
                    .into_response();
            }
        }
        let headers = res.headers_mut();
        headers.insert(CONTENT_TYPE, content_type(path.file_name().unwrap_or("")));
        headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
        if let Some(coding) = coding {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static(coding.as_str()));
        }

        let is_get = req.method() == Method::GET;
        let range = match self.range(req, &validators, found.len) {
            Ok(Some(range)) => {
                let content_range =
                    format!("bytes {}-{}/{}", range.start, range.end - 1, found.len);
                if let Ok(v) = HeaderValue::try_from(content_range) {
                    res.headers_mut().insert(CONTENT_RANGE, v);
                }
                *res.status_mut() = StatusCode::PARTIAL_CONTENT;
                range
            }
            Ok(None) => 0..found.len,
            Err(message) => return unsatisfiable(message, found.len),
        };
        res.headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(range.end - range.start));
        if is_get && range.end > range.start {
            let opened = match self.fs() {
                Ok(fs) => fs.open(found.file, range).await,
                Err(e) => Err(e),
            };
            match opened {
                Ok(body) => *res.body_mut() = body,
                Err(e) => {
                    return Error::internal(format!("static file {:?}: {e}", path.as_str()))
                        .into_response();
                }
            }
        }
        res
    }

    /// The one range to send (GET only: HEAD has no range semantics, RFC
    /// 9110 §14.2), `None` for the whole file, or why it is a 416.
    fn range(
        &self,
        req: &Request,
        validators: &Validators,
        len: u64,
    ) -> Result<Option<Range<u64>>, String> {
        let Some(value) = req.headers().get(RANGE) else {
            return Ok(None);
        };
        if req.method() != Method::GET || !conditional::if_range_allows(req.headers(), validators) {
            return Ok(None);
        }
        match parse_range(value.to_str().unwrap_or(""), len) {
            RangeRequest::Ignored | RangeRequest::Multiple => Ok(None),
            RangeRequest::Satisfiable(range) => Ok(Some(range)),
            RangeRequest::Unsatisfiable(message) => Err(message),
        }
    }

    /// The representation to send: the first precompressed sibling the
    /// client prefers that exists, else the file itself.
    async fn variant(
        &self,
        req: &Request,
        path: &SafePath,
        original: Found<F::File>,
    ) -> (Found<F::File>, Option<Encoding>) {
        if self.dir.precompressed.is_empty() {
            return (original, None);
        }
        for coding in Encoding::ranked(req.headers(), &self.dir.precompressed) {
            let Some(suffix) = encoding::suffix(coding) else {
                continue;
            };
            let sibling = path.with_suffix(suffix);
            let Ok(fs) = self.fs() else { break };
            match fs.stat(&sibling).await {
                Ok(Entry::File {
                    len,
                    modified,
                    file,
                }) => {
                    return (
                        Found {
                            len,
                            modified,
                            file,
                        },
                        Some(coding),
                    );
                }
                Ok(Entry::Dir) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    tracing::debug!(path = sibling.as_str(), error = %e, "precompressed sibling skipped");
                }
            }
        }
        (original, None)
    }
}

/// 416 with `content-range: bytes */LEN` (RFC 9110 §15.5.17), kept on
/// whatever the app's error handler renders.
fn unsatisfiable(message: String, len: u64) -> Response {
    Error::new(StatusCode::RANGE_NOT_SATISFIABLE, message)
        .with_header(CONTENT_RANGE, format!("bytes */{len}"))
        .with_header(ACCEPT_RANGES, HeaderValue::from_static("bytes"))
        .into_response()
}

/// A file `stat` found.
struct Found<F> {
    len: u64,
    modified: Option<SystemTime>,
    file: F,
}

/// 307 to the same path with a `/` added (and the query kept), as
/// tower-http does, so relative links in the folder's index resolve.
fn redirect_to_folder(req: &Request) -> Response {
    let location = match req.query_string() {
        Some(q) => format!("{}/?{q}", req.path()),
        None => format!("{}/", req.path()),
    };
    Redirect::temporary(location).into_response()
}

/// The content type for a file name, from its extension (`mime_guess`),
/// with `charset=utf-8` on text types as Hono and Express send them;
/// `application/octet-stream` when the extension says nothing.
fn content_type(name: &str) -> HeaderValue {
    let Some(mime) = mime_guess::from_path(name).first_raw() else {
        return HeaderValue::from_static("application/octet-stream");
    };
    let textual = mime.starts_with("text/")
        || matches!(
            mime,
            "application/javascript" | "application/json" | "application/xml"
        )
        || mime.ends_with("+json")
        || mime.ends_with("+xml");
    if textual {
        HeaderValue::try_from(format!("{mime}; charset=utf-8"))
            .unwrap_or(HeaderValue::from_static("application/octet-stream"))
    } else {
        HeaderValue::from_static(mime)
    }
}
