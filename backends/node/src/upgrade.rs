//! Upgraded connections (WebSocket): a Node `net.Socket` as the core's
//! [`Transport`](mocket_core::backend::Transport).
//!
//! A request with `connection: upgrade` reaches the host as Node's
//! `'upgrade'` event and crosses like any other (same head, no body). An
//! answer that takes the connection over — a `101` carrying an
//! [`Upgrade`] — is parked here under an id, which the answer carries in
//! place of a body ([`park`]). The host writes the `101` head on the raw
//! socket itself and calls [`run`] with the id, a record of the socket
//! (`js/upgrade.js`) and the bytes Node read past the request head; the
//! upgrade then runs on a [`NodeSocket`] as a task of its own
//! (`wasm_bindgen_futures::spawn_local`).
//!
//! The bytes travel in coarse crossings, a `'data'` chunk or a write each:
//!
//! - **in**: each `'data'` chunk is one call of [`event`], which copies it
//!   into the connection's queue and wakes the reader. Once
//!   [`PAUSE_AT`] bytes wait unread the call tells the host to
//!   `socket.pause()`, and the read that brings the queue under
//!   [`RESUME_AT`] calls `socket.resume()`: a client that floods fills
//!   the kernel's buffers, not this one. `'end'`, `'error'` and `'close'`
//!   are events too: the end of the stream, or its failure.
//! - **out**: each write is one `socketWrite` call, which copies the bytes
//!   out of wasm memory into `socket.write`. When that returns false
//!   (Node's buffer is over its high-water mark) the write still counts,
//!   but the next write and any flush wait for the `'drain'` event;
//!   several small buffers of a vectored write go out as one.
//!   `poll_close` is `socket.end()`.
//!
//! When the task ends the socket is released: the host ends it if it is
//! still open, stops passing its events, and destroys it if the peer does
//! not close its side soon.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures_io::{AsyncRead, AsyncWrite};
use js_sys::Uint8Array;
use mocket_core::backend::Upgrade;
use wasm_bindgen::prelude::*;

use crate::host::js_error;

#[wasm_bindgen(module = "/js/upgrade.js")]
extern "C" {
    /// Writes `bytes` (copied) on the socket: [`WRITE_OK`], [`WRITE_FULL`]
    /// (written, but Node's buffer is over its high-water mark: wait for
    /// `'drain'`) or [`WRITE_CLOSED`] (not written).
    #[wasm_bindgen(js_name = socketWrite)]
    fn socket_write(conn: &JsValue, bytes: &[u8]) -> u32;

    /// `socket.resume()`, after a pause asked by [`event`].
    #[wasm_bindgen(js_name = socketResume)]
    fn socket_resume(conn: &JsValue);

    /// `socket.end()`: the last bytes are written, then a FIN.
    #[wasm_bindgen(js_name = socketEnd)]
    fn socket_end(conn: &JsValue);

    /// The Rust side is done with the socket: end it if it is open, pass
    /// no more events.
    #[wasm_bindgen(js_name = socketRelease)]
    fn socket_release(conn: &JsValue);
}

/// Unread bytes at which the host pauses the socket.
pub(crate) const PAUSE_AT: usize = 64 * 1024;
/// Unread bytes under which a paused socket resumes.
pub(crate) const RESUME_AT: usize = 16 * 1024;
/// Small buffers of a vectored write are copied into one write, up to
/// this many bytes; a larger buffer goes out alone, uncopied.
const COALESCE: usize = 64 * 1024;

const WRITE_OK: u32 = 0;
const WRITE_FULL: u32 = 1;
const WRITE_CLOSED: u32 = 2;

/// What the host reports from the socket (`EVENT_*` in `js/upgrade.js`).
const EVENT_DATA: u32 = 0;
const EVENT_END: u32 = 1;
const EVENT_ERROR: u32 = 2;
const EVENT_DRAIN: u32 = 3;
const EVENT_CLOSE: u32 = 4;

/// [`event`]'s answer: whether the host should pause the socket.
const KEEP_READING: u32 = 0;
const PAUSE: u32 = 1;

#[derive(Default)]
struct Table {
    next: u32,
    /// Answered, waiting for the host to send the `101` head.
    parked: HashMap<u32, Upgrade>,
    /// Running: the state the host's events feed.
    live: HashMap<u32, Rc<RefCell<State>>>,
}

impl Table {
    fn fresh_id(&mut self) -> u32 {
        loop {
            self.next = self.next.wrapping_add(1).max(1);
            let id = self.next;
            if !self.parked.contains_key(&id) && !self.live.contains_key(&id) {
                return id;
            }
        }
    }
}

thread_local! {
    static TABLE: RefCell<Table> = RefCell::new(Table::default());
}

/// Keeps `upgrade` until the host has sent the `101` head; the id the
/// answer carries to the host.
pub(crate) fn park(upgrade: Upgrade) -> u32 {
    TABLE.with_borrow_mut(|t| {
        let id = t.fresh_id();
        t.parked.insert(id, upgrade);
        id
    })
}

/// The host sent the `101` head of upgrade `id` on the socket `conn`:
/// run the upgrade on it, `head` (the bytes Node read past the request
/// head, or `undefined`) first. With `conn` undefined (the client left
/// before the answer) the upgrade is dropped.
pub(crate) fn run(id: u32, conn: JsValue, head: JsValue) {
    let Some(upgrade) = TABLE.with_borrow_mut(|t| t.parked.remove(&id)) else {
        return;
    };
    if conn.is_undefined() || conn.is_null() {
        return;
    }
    let mut state = State::default();
    if let Some(head) = head.dyn_ref::<Uint8Array>()
        && head.length() > 0
    {
        state.push(head.to_vec());
    }
    let state = Rc::new(RefCell::new(state));
    TABLE.with_borrow_mut(|t| t.live.insert(id, state.clone()));
    let socket = NodeSocket { id, conn, state };
    wasm_bindgen_futures::spawn_local(upgrade.run(socket));
}

/// What happened on socket `id`: `kind` is one of the `EVENT_*`, `payload`
/// the chunk (data) or the error. Returns [`PAUSE`] when the host should
/// pause the socket.
pub(crate) fn event(id: u32, kind: u32, payload: JsValue) -> u32 {
    let Some(state) = TABLE.with_borrow(|t| t.live.get(&id).cloned()) else {
        return KEEP_READING;
    };
    let mut s = state.borrow_mut();
    let mut answer = KEEP_READING;
    match kind {
        EVENT_DATA => {
            if let Some(chunk) = payload.dyn_ref::<Uint8Array>() {
                // One copy, straight into wasm memory.
                s.push(chunk.to_vec());
            }
            if s.unread >= PAUSE_AT && !s.paused {
                s.paused = true;
                answer = PAUSE;
            }
        }
        EVENT_END => s.eof = true,
        EVENT_ERROR => {
            s.error = Some(socket_error(&payload));
            s.write_closed = true;
        }
        EVENT_DRAIN => s.full = false,
        EVENT_CLOSE => {
            s.eof = true;
            s.write_closed = true;
            s.full = false;
        }
        _ => {}
    }
    let (reader, writer) = (s.reader.take(), s.writer.take());
    drop(s);
    // Wakers only queue their task: nothing runs inside this call.
    for waker in [reader, writer].into_iter().flatten() {
        waker.wake();
    }
    answer
}

/// Node's socket error as an `io::Error` of the matching kind.
fn socket_error(error: &JsValue) -> io::Error {
    let code = js_sys::Reflect::get(error, &JsValue::from_str("code"))
        .ok()
        .and_then(|c| c.as_string());
    let kind = match code.as_deref() {
        Some("ECONNRESET") => io::ErrorKind::ConnectionReset,
        Some("EPIPE") => io::ErrorKind::BrokenPipe,
        Some("ETIMEDOUT") => io::ErrorKind::TimedOut,
        _ => return js_error(error),
    };
    io::Error::new(kind, js_error(error))
}

/// One socket's side of the crossings: what came in and is not read yet,
/// and whether writes must wait.
#[derive(Default)]
struct State {
    chunks: VecDeque<Vec<u8>>,
    /// Bytes of the front chunk already read.
    offset: usize,
    unread: usize,
    paused: bool,
    eof: bool,
    error: Option<io::Error>,
    /// Node's write buffer is over its high-water mark: wait for 'drain'.
    full: bool,
    write_closed: bool,
    reader: Option<Waker>,
    writer: Option<Waker>,
}

impl State {
    fn push(&mut self, chunk: Vec<u8>) {
        if !chunk.is_empty() {
            self.unread += chunk.len();
            self.chunks.push_back(chunk);
        }
    }

    /// Copies unread bytes into `buf`, chunk after chunk.
    fn read_into(&mut self, buf: &mut [u8]) -> usize {
        let mut filled = 0;
        while filled < buf.len() {
            let Some(front) = self.chunks.front() else {
                break;
            };
            let rest = &front[self.offset..];
            let n = rest.len().min(buf.len() - filled);
            buf[filled..filled + n].copy_from_slice(&rest[..n]);
            filled += n;
            self.offset += n;
            if self.offset == front.len() {
                self.chunks.pop_front();
                self.offset = 0;
            }
        }
        self.unread -= filled;
        filled
    }
}

fn register(slot: &mut Option<Waker>, cx: &Context<'_>) {
    match slot {
        Some(w) if w.will_wake(cx.waker()) => {}
        _ => *slot = Some(cx.waker().clone()),
    }
}

/// An upgraded Node socket, as `futures_io`'s `AsyncRead + AsyncWrite`.
/// Not `Send`: it lives on the one thread there is.
pub(crate) struct NodeSocket {
    id: u32,
    /// The host's record of the socket (`js/upgrade.js`), kept out of the
    /// shared state so that no borrow is held while JavaScript runs.
    conn: JsValue,
    state: Rc<RefCell<State>>,
}

impl NodeSocket {
    /// One write crossing; `Pending` while Node's buffer is full.
    fn poll_send(&self, cx: &Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>> {
        {
            let mut s = self.state.borrow_mut();
            if s.write_closed {
                return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
            }
            if s.full {
                register(&mut s.writer, cx);
                return Poll::Pending;
            }
        }
        if bytes.is_empty() {
            return Poll::Ready(Ok(0));
        }
        match socket_write(&self.conn, bytes) {
            WRITE_OK => Poll::Ready(Ok(bytes.len())),
            WRITE_FULL => {
                self.state.borrow_mut().full = true;
                Poll::Ready(Ok(bytes.len()))
            }
            closed => {
                debug_assert_eq!(closed, WRITE_CLOSED);
                self.state.borrow_mut().write_closed = true;
                Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()))
            }
        }
    }
}

thread_local! {
    /// Where the small buffers of a vectored write are joined.
    static JOINED: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl AsyncRead for NodeSocket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let mut s = this.state.borrow_mut();
        if s.unread == 0 {
            if let Some(e) = s.error.take() {
                return Poll::Ready(Err(e));
            }
            if s.eof {
                return Poll::Ready(Ok(0));
            }
            register(&mut s.reader, cx);
            return Poll::Pending;
        }
        let n = s.read_into(buf);
        let resume = s.paused && s.unread < RESUME_AT;
        if resume {
            s.paused = false;
        }
        drop(s);
        if resume {
            socket_resume(&this.conn);
        }
        Poll::Ready(Ok(n))
    }
}

impl AsyncWrite for NodeSocket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut().poll_send(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let mut slices = bufs.iter().filter(|b| !b.is_empty());
        let Some(first) = slices.next() else {
            return this.poll_send(cx, &[]);
        };
        // The small buffers in front, up to COALESCE bytes, go out as one
        // write; a large one alone (a message's payload), uncopied.
        let mut total = first.len();
        let mut count = 1;
        for slice in slices {
            if total + slice.len() > COALESCE {
                break;
            }
            total += slice.len();
            count += 1;
        }
        if count == 1 {
            return this.poll_send(cx, first);
        }
        JOINED.with_borrow_mut(|joined| {
            joined.clear();
            for slice in bufs.iter().filter(|b| !b.is_empty()).take(count) {
                joined.extend_from_slice(slice);
            }
            let polled = this.poll_send(cx, joined);
            if joined.capacity() > COALESCE {
                *joined = Vec::new();
            }
            polled
        })
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut s = self.state.borrow_mut();
        if s.full && !s.write_closed {
            register(&mut s.writer, cx);
            return Poll::Pending;
        }
        if s.write_closed {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let closed = std::mem::replace(&mut this.state.borrow_mut().write_closed, true);
        if !closed {
            socket_end(&this.conn);
        }
        Poll::Ready(Ok(()))
    }
}

impl Drop for NodeSocket {
    fn drop(&mut self) {
        TABLE.with_borrow_mut(|t| t.live.remove(&self.id));
        socket_release(&self.conn);
    }
}
