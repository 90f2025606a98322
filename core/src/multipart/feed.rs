//! Feeding a request body to `multer`, which wants a `Send` stream.
//!
//! Request bodies are not `Send` (on wasm they hold JavaScript values, and
//! natively each connection stays on one thread), so the body cannot be
//! handed to `multer` itself. Instead `multer` gets a [`FeedStream`] over a
//! one-chunk slot, and every poll of the parser goes through
//! [`Feed::drive`]: when the parser waits because the slot is empty, the
//! body is polled for the next chunk (registering the task's waker with the
//! body), the chunk goes into the slot, and the parser is polled again. No
//! chunk is copied and at most one waits in the slot: the upload streams.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use http_body::Body as _;

use crate::body::{Body, BoxError};

#[derive(Default)]
struct Slot {
    /// The next chunk (or read error) for the parser.
    next: Option<Result<Bytes, BoxError>>,
    /// The parser found the slot empty since the last drive step.
    wanted: bool,
    /// The body has ended.
    ended: bool,
}

fn lock(slot: &Mutex<Slot>) -> MutexGuard<'_, Slot> {
    // Nothing can panic while the lock is held; recover anyway.
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The parser's side: chunks as the drive step puts them in.
pub(super) struct FeedStream(Arc<Mutex<Slot>>);

impl Stream for FeedStream {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut slot = lock(&self.0);
        if let Some(next) = slot.next.take() {
            return Poll::Ready(Some(next));
        }
        if slot.ended {
            return Poll::Ready(None);
        }
        // No waker to keep: the parser is only polled by `Feed::drive`,
        // which sees this flag and polls the body with the task's waker.
        slot.wanted = true;
        Poll::Pending
    }
}

/// The body's side.
pub(super) struct Feed {
    body: Body,
    slot: Arc<Mutex<Slot>>,
}

/// What the parser did when [`Feed::drive`] gave up polling it.
pub(super) enum Stalled<E> {
    /// It failed.
    Parser(E),
    /// It waited without asking for input (a parser bug: without this check
    /// the request would hang).
    WithoutAsking,
}

impl Feed {
    pub(super) fn new(body: Body) -> (Feed, FeedStream) {
        let slot = Arc::new(Mutex::new(Slot::default()));
        (
            Feed {
                body,
                slot: slot.clone(),
            },
            FeedStream(slot),
        )
    }

    /// Polls the parser through `poll`, feeding it body chunks until it is
    /// ready or the body has nothing yet.
    pub(super) fn drive<T, E>(
        &mut self,
        cx: &mut Context<'_>,
        mut poll: impl FnMut(&mut Context<'_>) -> Poll<Result<T, E>>,
    ) -> Poll<Result<T, Stalled<E>>> {
        loop {
            lock(&self.slot).wanted = false;
            match poll(cx) {
                Poll::Ready(result) => return Poll::Ready(result.map_err(Stalled::Parser)),
                Poll::Pending if !lock(&self.slot).wanted => {
                    return Poll::Ready(Err(Stalled::WithoutAsking));
                }
                Poll::Pending => {}
            }
            let next = match Pin::new(&mut self.body).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => Some(Ok(data)),
                    Err(_) => continue, // trailers carry no body bytes
                },
                Poll::Ready(Some(Err(e))) => Some(Err(e)),
                Poll::Ready(None) => None,
            };
            let mut slot = lock(&self.slot);
            match next {
                Some(next) => slot.next = Some(next),
                None => slot.ended = true,
            }
        }
    }
}
