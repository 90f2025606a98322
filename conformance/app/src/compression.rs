//! Compression: text large enough to compress, bodies it must leave alone,
//! and a streamed body that waits between its chunks.

use std::pin::Pin;
use std::task::{Context, Poll};

use mocket::Body;
use mocket::bytes::Bytes;
use mocket::prelude::*;

/// The text `/compress/text` sends (the cases rebuild it to compare).
fn text() -> String {
    (0..200)
        .map(|i| format!("line {i}: the quick brown fox jumps over the lazy dog\n"))
        .collect()
}

pub(crate) fn register(app: &mut Mocket) {
    app.group("/compress", |c| {
        c.wrap(Compression::new());
        c.get("/text", |_req| async { text() });
        c.get("/small", |_req| async { "too small to compress" });
        c.get("/png", |_req| async {
            ([("content-type", "image/png")], text())
        });
        c.get("/encoded", |_req| async {
            ([("content-encoding", "x-custom")], text())
        });
        c.get("/no-transform", |_req| async {
            ([("cache-control", "no-transform")], text())
        });
        c.get("/no-content", |_req| async { StatusCode::NO_CONTENT });
        c.get("/stream", |_req| async {
            let body = Body::from_http_body(Ticks {
                next: 0,
                waited: false,
            });
            ([("content-type", "text/plain; charset=utf-8")], body)
        });
    });
}

/// 200 lines, one per chunk, with a wait (`Pending`, then an immediate
/// wake-up) before each: the encoder flushes at every wait, so this
/// exercises the streaming path as a slow source would.
struct Ticks {
    next: u32,
    waited: bool,
}

impl http_body::Body for Ticks {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        if self.next == 200 {
            return Poll::Ready(None);
        }
        if !std::mem::replace(&mut self.waited, true) {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        self.waited = false;
        let line = format!(
            "tick {}: the quick brown fox jumps over the lazy dog\n",
            self.next
        );
        self.next += 1;
        Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from(line)))))
    }
}
