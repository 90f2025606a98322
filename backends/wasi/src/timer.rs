//! hyper's timer on mode 2's executor: hyper needs one for the header read
//! timeout.

use std::pin::Pin;
use std::time::{Duration, Instant};

use crate::executor::Sleep;

/// Sleeps on `wasi:clocks` through the executor the server runs on.
#[derive(Clone, Copy, Debug)]
pub(crate) struct WasiTimer;

impl hyper::rt::Timer for WasiTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(Sleep::new(duration))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        self.sleep(deadline.saturating_duration_since(Instant::now()))
    }
}

impl hyper::rt::Sleep for Sleep {}
