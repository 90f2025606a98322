//! `multipart/form-data` request bodies (RFC 7578), streamed.
//!
//! [`Request::multipart`] returns a [`Multipart`] whose
//! [`next_field`](Multipart::next_field) yields one [`Field`] at a time;
//! a field's bytes arrive as chunks ([`Field::chunk`]) or collected
//! ([`Field::bytes`], [`Field::text`]). Nothing is buffered beyond the chunk
//! being parsed, so an upload can be streamed elsewhere without being held
//! in memory twice. For small forms, [`Multipart::collect`] gathers
//! everything into a [`MultipartForm`].
//!
//! Parsing is the `multer` crate's (axum's and Rocket's parser), fed as
//! described in `feed.rs`. The app's body limit applies to the whole body
//! (413). A content type other than `multipart/form-data` is a 415; a
//! missing or invalid boundary, a truncated body, and malformed part headers
//! (including a part without `Content-Disposition: form-data; name=…`) are a
//! 400 whose message names the problem.
//!
//! ```
//! # futures_executor::block_on(async {
//! let mut app = mocket_core::Mocket::new();
//! app.post("/upload", |mut req| async move {
//!     let mut multipart = req.multipart()?;
//!     let mut report = Vec::new();
//!     while let Some(mut field) = multipart.next_field().await? {
//!         let name = field.name().to_owned();
//!         let file = field.file_name().unwrap_or("-").to_owned();
//!         let mut size = 0;
//!         while let Some(chunk) = field.chunk().await? {
//!             size += chunk.len(); // or write it somewhere
//!         }
//!         report.push(format!("{name} {file} {size}"));
//!     }
//!     Ok(report.join("\n"))
//! });
//! let body: &[u8] = b"--XYZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHoliday\r\n\
//!     --XYZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\
//!     Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff\r\n--XYZ--\r\n";
//! let req = mocket_core::http::Request::post("/upload")
//!     .header("content-type", "multipart/form-data; boundary=XYZ")
//!     .body(body)
//!     .unwrap();
//! let text = app.request(req).await.into_body().to_text().await.unwrap();
//! assert_eq!(text, "title - 7\nphoto a.jpg 3");
//! # });
//! ```

mod boundary;
mod feed;
mod form;
mod problems;

use std::future::poll_fn;
use std::pin::Pin;

use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, StatusCode};

pub use form::{MultipartForm, UploadedFile};

use self::feed::Feed;
use self::problems::{check_disposition, to_error};
use crate::body::Body;
use crate::error::Error;
use crate::form::has_essence;
use crate::request::Request;

/// RFC 2046: a boundary is 1 to 70 characters.
const MAX_BOUNDARY_LEN: usize = 70;

impl Request {
    /// The body as a stream of `multipart/form-data` fields. It takes the
    /// body; the fields are read with [`Multipart::next_field`]. A content
    /// type other than `multipart/form-data` is a 415; a missing or invalid
    /// boundary is a 400.
    ///
    /// ```
    /// # mocket_core::doc_request(|mut req| {
    /// // The sample request has no multipart content type.
    /// assert_eq!(req.multipart().unwrap_err().status(), 415);
    /// # });
    /// ```
    pub fn multipart(&mut self) -> Result<Multipart, Error> {
        let boundary = boundary(self.header(CONTENT_TYPE.as_str()))?;
        let limit = self.body_limit();
        Ok(Multipart::start(self.take_body(), boundary, limit))
    }
}

/// The boundary of a `multipart/form-data` content type.
fn boundary(content_type: Option<&str>) -> Result<String, Error> {
    if !has_essence(content_type, "multipart/form-data") {
        return Err(Error::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected a request with content-type: multipart/form-data",
        ));
    }
    match boundary::boundary_param(content_type.unwrap_or_default()) {
        Ok(Some(b)) if (1..=MAX_BOUNDARY_LEN).contains(&b.len()) => Ok(b),
        Ok(Some(_)) => Err(Error::bad_request(
            "invalid multipart boundary: it must be 1 to 70 characters long",
        )),
        Ok(None) => Err(Error::bad_request(
            "multipart/form-data content type without a boundary parameter",
        )),
        Err(boundary::Invalid) => Err(Error::bad_request(
            "invalid multipart/form-data content type",
        )),
    }
}

/// A `multipart/form-data` body, read one field at a time.
///
/// Built by [`Request::multipart`]; see the [module](self) for an example.
pub struct Multipart {
    parser: multer::Multipart<'static>,
    feed: Feed,
    /// Parts seen so far, to name the one at fault in errors.
    parts: usize,
}

impl Multipart {
    fn start(body: Body, boundary: String, limit: usize) -> Multipart {
        let (feed, stream) = Feed::new(body);
        let limits = multer::SizeLimit::new().whole_stream(limit as u64);
        let parser = multer::Multipart::with_constraints(
            stream,
            boundary,
            multer::Constraints::new().size_limit(limits),
        );
        Multipart {
            parser,
            feed,
            parts: 0,
        }
    }

    /// The next field, or `None` after the last. A field not read to its
    /// end is skipped. Every part must have a `Content-Disposition:
    /// form-data` header with a name (RFC 7578); one without is a 400.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut app = mocket_core::Mocket::new();
    /// app.post("/", |mut req| async move {
    ///     let mut multipart = req.multipart()?;
    ///     let mut names = Vec::new();
    ///     while let Some(field) = multipart.next_field().await? {
    ///         names.push(field.name().to_owned()); // its bytes are skipped
    ///     }
    ///     Ok(names.join(","))
    /// });
    /// let body = "--b\r\ncontent-disposition: form-data; name=a\r\n\r\n1\r\n\
    ///             --b\r\ncontent-disposition: form-data; name=b\r\n\r\n2\r\n--b--";
    /// let req = mocket_core::http::Request::post("/")
    ///     .header("content-type", "multipart/form-data; boundary=b")
    ///     .body(body)
    ///     .unwrap();
    /// assert_eq!(app.request(req).await.into_body().to_text().await.unwrap(), "a,b");
    /// # });
    /// ```
    pub async fn next_field(&mut self) -> Result<Option<Field<'_>>, Error> {
        let Multipart {
            parser,
            feed,
            parts,
        } = self;
        let next = poll_fn(|cx| feed.drive(cx, |cx| parser.poll_next_field(cx))).await;
        let Some(inner) = next.map_err(to_error)? else {
            return Ok(None);
        };
        *parts += 1;
        check_disposition(&inner, *parts)?;
        Ok(Some(Field { inner, feed }))
    }
}

impl std::fmt::Debug for Multipart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Multipart")
            .field("parts", &self.parts)
            .finish_non_exhaustive()
    }
}

/// One part of a `multipart/form-data` body: a form field or a file.
///
/// It borrows its [`Multipart`], so it must be dropped (or read to its
/// end) before the next one is asked for.
pub struct Field<'a> {
    inner: multer::Field<'static>,
    feed: &'a mut Feed,
}

impl Field<'_> {
    /// The field's name, from its `Content-Disposition`.
    ///
    /// ```
    /// # mocket_core::multipart::doc_field("a", None, "", |field| {
    /// assert_eq!(field.name(), "a");
    /// # });
    /// ```
    pub fn name(&self) -> &str {
        // `next_field` refused parts without a name.
        self.inner.name().unwrap_or_default()
    }

    /// The file name the client gave, if this part is a file. It is the
    /// client's text: never use it as a path without sanitizing it.
    ///
    /// ```
    /// # mocket_core::multipart::doc_field("doc", Some("../a.txt"), "", |field| {
    /// assert_eq!(field.file_name(), Some("../a.txt"));
    /// # });
    /// ```
    pub fn file_name(&self) -> Option<&str> {
        self.inner.file_name()
    }

    /// The part's `Content-Type`, as sent.
    ///
    /// ```
    /// # mocket_core::multipart::doc_field("a", Some("a.txt"), "", |field| {
    /// assert_eq!(field.content_type(), Some("text/plain"));
    /// # });
    /// ```
    pub fn content_type(&self) -> Option<&str> {
        self.headers().get(CONTENT_TYPE)?.to_str().ok()
    }

    /// All of the part's headers.
    ///
    /// ```
    /// # mocket_core::multipart::doc_field("a", None, "", |field| {
    /// assert!(field.headers().contains_key("content-disposition"));
    /// # });
    /// ```
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// The next chunk of the field's bytes, or `None` at its end.
    ///
    /// ```
    /// # mocket_core::multipart::doc_field("a", None, "hello", |mut field| {
    /// # futures_executor::block_on(async move {
    /// let mut all = Vec::new();
    /// while let Some(chunk) = field.chunk().await.unwrap() {
    ///     all.extend_from_slice(&chunk);
    /// }
    /// assert_eq!(all, b"hello");
    /// # });
    /// # });
    /// ```
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, Error> {
        let Field { inner, feed } = self;
        let next = poll_fn(|cx| {
            feed.drive(cx, |cx| {
                Pin::new(&mut *inner).poll_next(cx).map(Option::transpose)
            })
        })
        .await;
        next.map_err(to_error)
    }

    /// The field's bytes, all of them.
    ///
    /// ```
    /// # mocket_core::multipart::doc_field("a", None, "hello", |field| {
    /// # futures_executor::block_on(async move {
    /// assert_eq!(&field.bytes().await.unwrap()[..], b"hello");
    /// # });
    /// # });
    /// ```
    pub async fn bytes(mut self) -> Result<Bytes, Error> {
        let Some(first) = self.chunk().await? else {
            return Ok(Bytes::new());
        };
        let Some(second) = self.chunk().await? else {
            return Ok(first); // one chunk: nothing copied
        };
        let mut all = BytesMut::with_capacity(first.len() + second.len());
        all.extend_from_slice(&first);
        all.extend_from_slice(&second);
        while let Some(chunk) = self.chunk().await? {
            all.extend_from_slice(&chunk);
        }
        Ok(all.freeze())
    }

    /// The field's bytes as UTF-8 text; other bytes are a 400 naming the
    /// field.
    ///
    /// ```
    /// # mocket_core::multipart::doc_field("a", None, "héllo", |field| {
    /// # futures_executor::block_on(async move {
    /// assert_eq!(field.text().await.unwrap(), "héllo");
    /// # });
    /// # });
    /// ```
    pub async fn text(self) -> Result<String, Error> {
        let name = self.name().to_owned();
        let bytes = self.bytes().await?;
        String::from_utf8(bytes.into()).map_err(|e| {
            Error::bad_request(format!(
                "multipart field {name:?} is not valid UTF-8 (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ))
        })
    }
}

impl std::fmt::Debug for Field<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Field")
            .field("name", &self.name())
            .field("file_name", &self.file_name())
            .field("content_type", &self.content_type())
            .finish_non_exhaustive()
    }
}

#[doc(hidden)]
/// Runs `f` on one field with this name, file name and content (file
/// fields are `text/plain`): a helper for this module's documentation.
pub fn doc_field(name: &str, file_name: Option<&str>, content: &str, f: impl FnOnce(Field<'_>)) {
    let file = match file_name {
        Some(file) => format!("; filename=\"{file}\"\r\ncontent-type: text/plain"),
        None => String::new(),
    };
    let body = format!(
        "--b\r\ncontent-disposition: form-data; name=\"{name}\"{file}\r\n\r\n{content}\r\n--b--\r\n"
    );
    let mut multipart = Multipart::start(Body::from(body), "b".into(), usize::MAX);
    let field = futures_util::FutureExt::now_or_never(multipart.next_field())
        .expect("a complete body parses at once")
        .expect("a valid body")
        .expect("one field");
    f(field);
}

#[doc(hidden)]
/// The form of [`MultipartForm`]'s example (a field `title=Notes` and a file
/// `doc`, `n.txt`, `text/plain`, `hello`): a helper for this module's
/// documentation.
pub fn doc_form() -> MultipartForm {
    let body = "--b\r\ncontent-disposition: form-data; name=title\r\n\r\nNotes\r\n\
                --b\r\ncontent-disposition: form-data; name=doc; filename=n.txt\r\n\
                content-type: text/plain\r\n\r\nhello\r\n--b--\r\n";
    let multipart = Multipart::start(Body::from(body), "b".into(), usize::MAX);
    futures_util::FutureExt::now_or_never(multipart.collect())
        .expect("a complete body parses at once")
        .expect("a valid body")
}
