//! From a Node request to `http::Request<Body>`: the head from the one
//! buffer the host writes (decoded in `crate::head`), the body from the
//! host.
//!
//! The body is a pull stream: [`NodeBody`] asks the host for the next chunk
//! only when the core polls it, so nothing is read ahead of the body limit.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use bytes::Bytes;
use http::Uri;
use js_sys::Uint8Array;
use mocket_core::backend::{Chunk, ChunkSource, declared_length, has_body};
use mocket_core::{Body, IntoRequest};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::head;
use crate::host::{self, js_error};

/// What the host knows about the request body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyHint {
    /// None (a fetch `Request` whose `body` is null).
    Absent,
    /// Present, length unknown unless `content-length` says (fetch).
    Present,
    /// Decide from the headers, as HTTP/1.1 does (Node).
    FromHeaders,
    /// None: a request Node handed over as `'upgrade'`, whose socket is
    /// the answer's to take (its bytes after the head belong to the new
    /// protocol, not to a body).
    Upgrade,
    /// Complete, after the head in the shared input buffer: the host read
    /// a small body of declared length whole before calling in.
    Collected,
}

impl BodyHint {
    pub(crate) fn from_js(hint: u32) -> BodyHint {
        match hint {
            0 => BodyHint::Absent,
            1 => BodyHint::Present,
            3 => BodyHint::Upgrade,
            4 => BodyHint::Collected,
            _ => BodyHint::FromHeaders,
        }
    }
}

/// Builds the request from the encoded head; the body is `collected`
/// (`BodyHint::Collected`) or reads from `exchange`.
pub(crate) fn build(
    head: &[u8],
    collected: &[u8],
    exchange: JsValue,
    hint: BodyHint,
) -> http::Request<Body> {
    let Ok(head) = head::decode(head) else {
        // Not a block the host writes: answered 400 through the app's error
        // handler, as a malformed target is.
        return "".into_request();
    };
    let mut req = match Uri::try_from(head.target) {
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
    *req.method_mut() = head.method;
    *req.version_mut() = head.version;
    *req.headers_mut() = head.headers;
    let headers = req.headers();

    if hint == BodyHint::Collected {
        *req.body_mut() = Body::from(Bytes::copy_from_slice(collected));
        return req;
    }
    let length = declared_length(headers);
    let has_body = match hint {
        BodyHint::Absent | BodyHint::Upgrade | BodyHint::Collected => false,
        BodyHint::Present => length != Some(0),
        BodyHint::FromHeaders => has_body(headers),
    };
    if has_body {
        let body = NodeBody {
            exchange,
            pending: None,
        };
        *req.body_mut() = Body::from_chunks(body, length);
    }
    req
}

/// A request body read from the host chunk by chunk, on demand (the core
/// counts it against `content-length`: `Body::from_chunks`).
struct NodeBody {
    exchange: JsValue,
    pending: Option<JsFuture>,
}

impl ChunkSource for NodeBody {
    fn poll_chunk(&mut self, cx: &mut Context<'_>, _want: usize) -> Poll<Chunk> {
        let exchange = &self.exchange;
        let pending = self
            .pending
            .get_or_insert_with(|| JsFuture::from(host::read_chunk(exchange)));
        let result = ready!(Pin::new(pending).poll(cx));
        self.pending = None;
        match result.map_err(|e| js_error(&e))? {
            chunk if chunk.is_undefined() || chunk.is_null() => Poll::Ready(Ok(None)),
            // One copy, straight into wasm memory.
            chunk => Poll::Ready(Ok(Some(Bytes::from(
                chunk.unchecked_into::<Uint8Array>().to_vec(),
            )))),
        }
    }
}
