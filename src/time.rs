//! A clock and timers that work on every backend.
//!
//! `std::time::Instant::now()` panics on the Node.js target ("time not
//! implemented on this platform") and an app has no runtime of its own to
//! sleep on: the backend's is natively tokio's, Node's event loop on
//! Node.js, and `wasi:clocks` on WASI. This module is the one spelling
//! of all three: [`Instant`] reads the host's monotonic clock
//! (`performance.now()` on Node.js, through `web-time`, std's elsewhere),
//! [`sleep`] and [`interval`] wait on the backend's timers.
//!
//! ```
//! # futures_executor::block_on(async {
//! use mocket::time::{Duration, Instant, sleep};
//! let start = Instant::now();
//! sleep(Duration::from_millis(2)).await;
//! assert!(start.elapsed() >= Duration::from_millis(2));
//! # });
//! ```

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

pub use std::time::Duration;
pub use web_time::{Instant, SystemTime, UNIX_EPOCH};

use crate::serve::backend;

/// A timer from [`sleep`] or [`sleep_until`]; a `Future` of `()`. It never
/// ends before its deadline by [`Instant`]: a backend timer that fires a
/// little early (Node's loop clock lags the real one by up to a
/// millisecond) is armed again for the rest.
#[derive(Debug)]
#[must_use = "a timer does nothing unless awaited"]
pub struct Sleep {
    timer: backend::Sleep,
    deadline: Instant,
}

/// Waits for `duration` on the backend's timers.
///
/// ```
/// # futures_executor::block_on(async {
/// mocket::time::sleep(mocket::time::Duration::from_millis(1)).await;
/// # });
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    Sleep {
        timer: backend::sleep(duration),
        deadline: Instant::now() + duration,
    }
}

/// Waits until `deadline` (at once if it has passed).
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket::time::{Duration, Instant};
/// mocket::time::sleep_until(Instant::now() + Duration::from_millis(1)).await;
/// # });
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    sleep(deadline.saturating_duration_since(Instant::now()))
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            ready!(Pin::new(&mut self.timer).poll(cx));
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Poll::Ready(());
            }
            self.timer = backend::sleep(left);
        }
    }
}

/// Ticks every `period`, the first tick at once: a keep-alive, a poll of
/// something slow, a stream of progress. A tick that comes late (the task
/// was busy) does not make the next ones come early: they keep the period
/// from the late one.
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket::time::{Duration, Instant, interval};
/// let start = Instant::now();
/// let mut ticks = interval(Duration::from_millis(2));
/// for _ in 0..3 {
///     ticks.tick().await;
/// }
/// assert!(start.elapsed() >= Duration::from_millis(4));
/// # });
/// ```
///
/// # Panics
///
/// If `period` is zero.
pub fn interval(period: Duration) -> Interval {
    assert!(
        !period.is_zero(),
        "mocket::time::interval: the period must not be zero"
    );
    Interval {
        period,
        next: Instant::now(),
        timer: None,
    }
}

/// The ticks of [`interval`]: `tick().await`, or use it as a
/// `futures::Stream` of the instants it ticked at.
#[derive(Debug)]
#[must_use = "an interval does nothing unless its ticks are awaited"]
pub struct Interval {
    period: Duration,
    next: Instant,
    timer: Option<Sleep>,
}

impl Interval {
    /// Waits for the next tick and returns when it was due.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut ticks = mocket::time::interval(mocket::time::Duration::from_millis(1));
    /// let first = ticks.tick().await;
    /// let second = ticks.tick().await;
    /// assert!(second > first);
    /// # });
    /// ```
    pub async fn tick(&mut self) -> Instant {
        std::future::poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// The tick as a poll, for hand-written futures and streams.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut ticks = mocket::time::interval(mocket::time::Duration::from_millis(1));
    /// std::future::poll_fn(|cx| ticks.poll_tick(cx)).await;
    /// # });
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        let now = Instant::now();
        if now < self.next {
            let timer = self.timer.get_or_insert_with(|| sleep_until(self.next));
            ready!(Pin::new(timer).poll(cx));
        }
        self.timer = None;
        let due = self.next;
        // A late tick pushes the schedule back instead of bunching up.
        let after = due + self.period;
        self.next = if after <= now {
            now + self.period
        } else {
            after
        };
        Poll::Ready(due)
    }
}

impl futures_core::Stream for Interval {
    type Item = Instant;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.poll_tick(cx).map(Some)
    }
}
