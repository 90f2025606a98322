//! From `http::Response<Body>` to what the host writes.
//!
//! The answer crosses as `[status, head, body]`: the head is every header as
//! one latin-1 buffer `NAME \n VALUE (\n NAME \n VALUE)*`, which the host
//! splits into the flat array `res.writeHead(status, array)` takes (repeated
//! headers stay separate, as `set-cookie` needs). `http::HeaderValue` has
//! already refused CR, LF and NUL, so a value cannot break the framing.
//!
//! The body is `undefined` (empty), a `Uint8Array` (complete: one copy out
//! of wasm memory), or, for a body still being produced, a number: the id
//! of a stream the host pulls chunk by chunk with [`pull`], writing each
//! before asking for the next, so a slow client slows the producer down.

use std::cell::RefCell;
use std::collections::HashMap;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use bytes::{Bytes, BytesMut};
use http::header::CONTENT_LENGTH;
use http::{HeaderValue, StatusCode};
use http_body::Body as _;
use js_sys::{Array, Promise, Uint8Array};
use mocket_core::{Body, Response};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

/// Encodes a finished response for the host. The answer to a HEAD request
/// has lost its body already, so its length is the core's to state or not.
pub(crate) fn encode(res: Response, is_head: bool) -> JsValue {
    let (mut parts, mut body) = res.into_parts();
    let status = parts.status;

    // Whatever the body has ready now; a body that is not finished becomes
    // a stream, so its head goes out before its first slow chunk.
    let (ready, finished) = take_ready(&mut body);
    let ready_len: usize = ready.iter().map(Bytes::len).sum();
    let may_have_body = !(status.is_informational()
        || status == StatusCode::NO_CONTENT
        || status == StatusCode::NOT_MODIFIED);
    if finished && may_have_body && !is_head && !parts.headers.contains_key(CONTENT_LENGTH) {
        // As hyper does natively: a known length is sent as such rather than
        // chunked.
        parts
            .headers
            .insert(CONTENT_LENGTH, HeaderValue::from(ready_len));
    }

    let mut head = Vec::with_capacity(parts.headers.len() * 32);
    for (name, value) in &parts.headers {
        if !head.is_empty() {
            head.push(b'\n');
        }
        head.extend_from_slice(name.as_str().as_bytes());
        head.push(b'\n');
        head.extend_from_slice(value.as_bytes());
    }

    let body = if finished {
        match ready.len() {
            0 => JsValue::UNDEFINED,
            1 => Uint8Array::from(&ready[0][..]).into(),
            _ => Uint8Array::from(&concat(&ready)[..]).into(),
        }
    } else {
        JsValue::from(STREAMS.with(|s| s.borrow_mut().insert(ready, body)))
    };
    Array::of3(
        &JsValue::from(status.as_u16()),
        &Uint8Array::from(&head[..]),
        &body,
    )
    .into()
}

/// Polls the body without waiting: the chunks available now, and whether
/// that was all of it.
fn take_ready(body: &mut Body) -> (Vec<Bytes>, bool) {
    let mut chunks = Vec::new();
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if body.is_end_stream() {
            return (chunks, true);
        }
        match Pin::new(&mut *body).poll_frame(&mut cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data()
                    && !data.is_empty()
                {
                    chunks.push(data);
                }
            }
            Poll::Ready(None) => return (chunks, true),
            // An error is a stream failing later: let the host see it then.
            Poll::Ready(Some(Err(_))) | Poll::Pending => return (chunks, false),
        }
    }
}

fn concat(chunks: &[Bytes]) -> Bytes {
    let mut all = BytesMut::with_capacity(chunks.iter().map(Bytes::len).sum());
    for chunk in chunks {
        all.extend_from_slice(chunk);
    }
    all.freeze()
}

/// Response bodies the host is still pulling, by id.
#[derive(Default)]
struct Streams {
    next: u32,
    open: HashMap<u32, Slot>,
}

enum Slot {
    /// Waiting for the next pull: chunks already read, then the body.
    Idle(Vec<Bytes>, Body),
    /// A pull is running and holds the body.
    Busy,
    /// Cancelled while a pull was running: drop the body when it returns.
    Cancelled,
}

impl Streams {
    fn insert(&mut self, ready: Vec<Bytes>, body: Body) -> u32 {
        self.next = self.next.wrapping_add(1).max(1);
        let id = self.next;
        self.open.insert(id, Slot::Idle(ready, body));
        id
    }
}

thread_local! {
    static STREAMS: RefCell<Streams> = RefCell::new(Streams::default());
}

/// The next chunk of stream `id`: a promise of a `Uint8Array`, or of
/// `undefined` at the end (the stream is then closed).
pub(crate) fn pull(id: u32) -> Promise {
    let taken = STREAMS.with(|s| {
        let mut s = s.borrow_mut();
        match s.open.get_mut(&id) {
            Some(slot @ Slot::Idle(..)) => match std::mem::replace(slot, Slot::Busy) {
                Slot::Idle(ready, body) => Some((ready, body)),
                _ => None,
            },
            _ => None,
        }
    });
    future_to_promise(async move {
        let Some((mut ready, mut body)) = taken else {
            return Ok(JsValue::UNDEFINED);
        };
        let chunk = if ready.is_empty() {
            next_chunk(&mut body).await
        } else {
            Ok(Some(ready.remove(0)))
        };
        STREAMS.with(|s| {
            let mut s = s.borrow_mut();
            let keep = matches!(chunk, Ok(Some(_))) && matches!(s.open.get(&id), Some(Slot::Busy));
            if keep {
                s.open.insert(id, Slot::Idle(ready, body));
            } else {
                s.open.remove(&id);
            }
        });
        match chunk {
            Ok(Some(bytes)) => Ok(Uint8Array::from(&bytes[..]).into()),
            Ok(None) => Ok(JsValue::UNDEFINED),
            Err(e) => Err(js_sys::Error::new(&e).into()),
        }
    })
}

async fn next_chunk(body: &mut Body) -> Result<Option<Bytes>, String> {
    loop {
        let frame = std::future::poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await;
        match frame {
            None => return Ok(None),
            Some(Err(e)) => return Err(e.to_string()),
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) if !data.is_empty() => return Ok(Some(data)),
                _ => continue, // empty chunks and trailers carry nothing to write
            },
        }
    }
}

/// Drops stream `id`: the client went away.
pub(crate) fn cancel(id: u32) {
    STREAMS.with(|s| {
        let mut s = s.borrow_mut();
        if let Some(slot) = s.open.get_mut(&id) {
            if matches!(slot, Slot::Busy) {
                *slot = Slot::Cancelled;
            } else {
                s.open.remove(&id);
            }
        }
    });
}
