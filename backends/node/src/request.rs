//! From a Node request to `http::Request<Body>`.
//!
//! The host sends the head as one latin-1 byte buffer,
//! `METHOD \n TARGET \n VERSION (\n NAME \n VALUE)*`, built from Node's
//! `req.rawHeaders`: one copy into wasm memory per request instead of one
//! boundary call per header, every repeated header kept in order, and header
//! bytes above 0x7f kept as the bytes the client sent (latin-1 maps them one
//! to one), as hyper does natively. `\n` cannot occur inside any field: Node
//! rejects it in the request line and in header values.
//!
//! The body is a pull stream: [`NodeBody`] asks the host for the next chunk
//! only when the core polls it, so nothing is read ahead of the body limit.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{HeaderName, HeaderValue, Method, Uri, Version};
use http_body::{Frame, SizeHint};
use js_sys::Uint8Array;
use mocket_core::backend::{declared_length, has_body};
use mocket_core::{Body, BoxError, IntoRequest};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::host;

/// What the host knows about the request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyHint {
    /// None (a fetch `Request` whose `body` is null).
    Absent,
    /// Present, length unknown unless `content-length` says (fetch).
    Present,
    /// Decide from the headers, as HTTP/1.1 does (Node).
    FromHeaders,
}

impl BodyHint {
    pub(crate) fn from_js(hint: u32) -> BodyHint {
        match hint {
            0 => BodyHint::Absent,
            1 => BodyHint::Present,
            _ => BodyHint::FromHeaders,
        }
    }
}

/// Builds the request from the encoded head; the body reads from `exchange`.
pub(crate) fn build(head: &[u8], exchange: JsValue, hint: BodyHint) -> http::Request<Body> {
    let mut fields = head.split(|&b| b == b'\n');
    let method = fields.next().unwrap_or_default();
    let target = fields.next().unwrap_or_default();
    let version = fields.next().unwrap_or_default();

    let mut req = match Uri::try_from(target) {
        Ok(uri) => {
            let mut req = http::Request::new(Body::empty());
            *req.uri_mut() = uri;
            req
        }
        // Node accepts some targets `http::Uri` refuses. An empty target never
        // parses, so the core marks the request and answers 400 through the
        // app's error handler, as it does for any malformed target.
        Err(_) => "".into_request(),
    };
    // Node only passes methods its parser knows, all valid tokens.
    *req.method_mut() = Method::from_bytes(method).unwrap_or(Method::GET);
    *req.version_mut() = match version {
        b"1.0" => Version::HTTP_10,
        b"0.9" => Version::HTTP_09,
        b"2.0" => Version::HTTP_2,
        _ => Version::HTTP_11,
    };

    let headers = req.headers_mut();
    let mut rest = fields;
    while let (Some(name), Some(value)) = (rest.next(), rest.next()) {
        // Node validated both; anything `http` still refuses is dropped
        // rather than failing the whole request.
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            headers.append(name, value);
        }
    }

    let length = declared_length(headers);
    let has_body = match hint {
        BodyHint::Absent => false,
        BodyHint::Present => length != Some(0),
        BodyHint::FromHeaders => has_body(headers),
    };
    if has_body {
        *req.body_mut() = Body::from_stream(NodeBody::new(exchange, length));
    }
    req
}

/// A request body read from the host chunk by chunk, on demand.
struct NodeBody {
    exchange: JsValue,
    pending: Option<JsFuture>,
    done: bool,
    /// Bytes still expected, when `content-length` gave the total.
    remaining: Option<u64>,
}

impl NodeBody {
    fn new(exchange: JsValue, length: Option<u64>) -> NodeBody {
        NodeBody {
            exchange,
            pending: None,
            done: false,
            remaining: length,
        }
    }
}

impl http_body::Body for NodeBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        let exchange = &this.exchange;
        let pending = this
            .pending
            .get_or_insert_with(|| JsFuture::from(host::read_chunk(exchange)));
        let result = match Pin::new(pending).poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(result) => result,
        };
        this.pending = None;
        match result {
            Ok(chunk) if chunk.is_undefined() || chunk.is_null() => {
                this.done = true;
                Poll::Ready(None)
            }
            Ok(chunk) => {
                // One copy, straight into wasm memory.
                let bytes = Bytes::from(chunk.unchecked_into::<Uint8Array>().to_vec());
                if let Some(left) = &mut this.remaining {
                    *left = left.saturating_sub(bytes.len() as u64);
                }
                Poll::Ready(Some(Ok(Frame::data(bytes))))
            }
            Err(e) => {
                this.done = true;
                Poll::Ready(Some(Err(js_error(&e).into())))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }

    fn size_hint(&self) -> SizeHint {
        match self.remaining {
            Some(n) if !self.done => SizeHint::with_exact(n),
            _ if self.done => SizeHint::with_exact(0),
            _ => SizeHint::default(),
        }
    }
}

/// A JavaScript error as a Rust one (the message only: JS values cannot
/// leave this thread, and errors must be `Send`).
pub(crate) fn js_error(value: &JsValue) -> std::io::Error {
    let message = match value.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.message()),
        None => value.as_string().unwrap_or_else(|| format!("{value:?}")),
    };
    std::io::Error::other(message)
}
