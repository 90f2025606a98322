//! hyper's timer on the wstd reactor: hyper needs one for the header read
//! timeout.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use wstd::time::{Timer, Wait};

/// Sleeps on `wasi:clocks` through the reactor the server runs on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WasiTimer;

impl hyper::rt::Timer for WasiTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        let timer = Timer::after(duration.into());
        let wait = timer.wait();
        Box::pin(Sleep {
            wait,
            _timer: timer,
        })
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep(deadline.saturating_duration_since(Instant::now()))
    }
}

/// The wait drops before the timer whose pollable it waits on.
struct Sleep {
    wait: Wait,
    _timer: Timer,
}

impl hyper::rt::Sleep for Sleep {}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // `Wait` is `Unpin`: it holds no self-references.
        let this = self.get_mut();
        Pin::new(&mut this.wait).poll(cx).map(|_| ())
    }
}
