//! Server-Sent Events: [`Sse`] and [`Event`] (see `mocket_core::sse` for
//! the framing), plus [`KeepAlive`], which sends keep-alive comments on
//! the portable clock of [`crate::time`], the same on every backend.
//!
//! ```
//! use mocket::prelude::*;
//! use mocket::sse::{Event, KeepAlive as _, Sse};
//! use mocket::time::Duration;
//! let mut app = Mocket::new();
//! app.get("/feed", |_req| async {
//!     let events = futures_util::stream::iter([Ok::<_, std::convert::Infallible>(Event::data("hello"))]);
//!     Sse::new(events).keep_alive(Duration::from_secs(15))
//! });
//! ```

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
pub use mocket_core::sse::{Event, Sse};

use crate::time::{Duration, Interval, interval};

/// Keep-alive comments every `period` for an [`Sse`] response.
pub trait KeepAlive {
    /// Sends `: keep-alive` every `period`, so proxies do not close a
    /// stream that is quiet for a while (15 s suits most of them).
    fn keep_alive(self, period: Duration) -> Self;
}

impl<S> KeepAlive for Sse<S> {
    fn keep_alive(self, period: Duration) -> Self {
        self.keep_alive_on(Ticks {
            interval: Box::pin(interval(period)),
            started: false,
        })
    }
}

/// An interval's ticks after its first (which comes at once).
struct Ticks {
    interval: Pin<Box<Interval>>,
    started: bool,
}

impl Stream for Ticks {
    type Item = ();

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<()>> {
        loop {
            match self.interval.as_mut().poll_next(cx) {
                Poll::Ready(Some(_)) if !self.started => self.started = true,
                Poll::Ready(Some(_)) => return Poll::Ready(Some(())),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
