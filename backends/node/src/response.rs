//! From the core's framed answer to what the host writes.
//!
//! The answer crosses as `[status, head, body, leftover]`, framed by the
//! core (`content-length`, `connection: close`, no body for HEAD or 204 are
//! already decided); the head is every header as
//! one latin-1 buffer `NAME \n VALUE (\n NAME \n VALUE)*`, which the host
//! splits into the flat array `res.writeHead(status, array)` takes (repeated
//! headers stay separate, as `set-cookie` needs). `http::HeaderValue` has
//! already refused CR, LF and NUL, so a value cannot break the framing.
//!
//! The body is `undefined` (empty), a `Uint8Array` (complete: one copy out
//! of wasm memory), or, for a body still being produced, a number: the id
//! of a stream the host pulls chunk by chunk with [`pull`], writing each
//! before asking for the next, so a slow client slows the producer down.
//! A `101` that takes the connection over carries, in the body's place,
//! the id of its parked upgrade (`crate::upgrade`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::pin::Pin;

use bytes::Bytes;
use http_body::Body as _;
use js_sys::{Array, Promise, Uint8Array};
use mocket_core::Body;
use mocket_core::backend::{Framing, Leftover, Outgoing};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

/// Encodes a framed answer for the host: `[status, head, body, leftover]`,
/// the last what to do with the unread request body (0 nothing, 1 drain,
/// 2 close), as the core decided.
pub(crate) fn encode(answer: Outgoing) -> JsValue {
    encode_with(answer, None, false)
}

/// Encodes an answer the host reads back before anything else calls in
/// (the handler's own return): a complete one goes through the shared
/// buffers (`crate::shared`) and is answered `true`; any other as
/// [`encode`] does.
pub(crate) fn encode_ready(answer: Outgoing) -> JsValue {
    encode_with(answer, None, true)
}

/// Encodes a `101` that takes the connection over: its body (none) is the
/// id of the parked upgrade (`upgrade::park`) instead.
pub(crate) fn encode_upgrade(answer: Outgoing, id: u32) -> JsValue {
    encode_with(answer, Some(id), false)
}

fn encode_with(mut answer: Outgoing, upgrade: Option<u32>, shared: bool) -> JsValue {
    // Whatever the body has ready now; a body that is not finished becomes
    // a stream, so its head goes out before its first slow chunk.
    let complete = answer.try_complete();
    answer.declare_length();
    let leftover = match answer.leftover {
        Leftover::None => 0,
        Leftover::Drain => 1,
        Leftover::Close => 2,
    };
    let bodiless = answer.framing == Framing::Bodiless;
    let (parts, mut body) = answer.response.into_parts();
    if shared && complete && upgrade.is_none() {
        let bytes = if bodiless {
            &[][..]
        } else {
            body.as_bytes().unwrap_or_default()
        };
        let head = |out: &mut Vec<u8>| write_head(&parts.headers, out);
        crate::shared::write_answer(parts.status.as_u16(), leftover, head, bytes);
        return JsValue::TRUE;
    }

    let mut head = Vec::with_capacity(parts.headers.len() * 32);
    write_head(&parts.headers, &mut head);

    let body = if let Some(id) = upgrade {
        JsValue::from(id)
    } else if bodiless {
        JsValue::UNDEFINED
    } else if complete {
        match body.as_bytes() {
            Some(bytes) if !bytes.is_empty() => Uint8Array::from(bytes).into(),
            _ => JsValue::UNDEFINED,
        }
    } else {
        let body = std::mem::take(&mut body);
        JsValue::from(STREAMS.with(|s| s.borrow_mut().insert(body)))
    };
    let out = Array::of3(
        &JsValue::from(parts.status.as_u16()),
        &Uint8Array::from(&head[..]),
        &body,
    );
    out.push(&JsValue::from(leftover));
    out.into()
}

/// Appends `NAME \n VALUE (\n NAME \n VALUE)*` to `out`.
fn write_head(headers: &http::HeaderMap, out: &mut Vec<u8>) {
    let start = out.len();
    for (name, value) in headers {
        if out.len() > start {
            out.push(b'\n');
        }
        out.extend_from_slice(name.as_str().as_bytes());
        out.push(b'\n');
        out.extend_from_slice(value.as_bytes());
    }
}

/// Response bodies the host is still pulling, by id.
#[derive(Default)]
struct Streams {
    next: u32,
    open: HashMap<u32, Slot>,
}

enum Slot {
    /// Waiting for the next pull.
    Idle(Body),
    /// A pull is running and holds the body.
    Busy,
    /// Cancelled while a pull was running: drop the body when it returns.
    Cancelled,
}

impl Streams {
    fn insert(&mut self, body: Body) -> u32 {
        self.next = self.next.wrapping_add(1).max(1);
        let id = self.next;
        self.open.insert(id, Slot::Idle(body));
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
                Slot::Idle(body) => Some(body),
                _ => None,
            },
            _ => None,
        }
    });
    future_to_promise(async move {
        let Some(mut body) = taken else {
            return Ok(JsValue::UNDEFINED);
        };
        let chunk = next_chunk(&mut body).await;
        STREAMS.with(|s| {
            let mut s = s.borrow_mut();
            let keep = matches!(chunk, Ok(Some(_))) && matches!(s.open.get(&id), Some(Slot::Busy));
            if keep {
                s.open.insert(id, Slot::Idle(body));
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
