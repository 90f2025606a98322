//! Timers and standard error on Node.js: what `mocket::time::sleep` and
//! `mocket::stderr` are on this target. Rust's std has neither here (its
//! clock panics and its stderr writes nowhere on wasm32-unknown-unknown), so
//! both go through the host: `setTimeout` and `process.stderr`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use wasm_bindgen_futures::JsFuture;

use crate::host;

/// A timer on Node's event loop.
#[derive(Debug)]
pub struct Sleep(JsFuture);

/// Resolves after `duration`, on Node's timers.
///
/// ```ignore
/// mocket_node::sleep(std::time::Duration::from_millis(5)).await;
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    // Whole milliseconds, rounded up: Node's timers have no finer grain.
    let ms = duration.as_micros().div_ceil(1000) as f64;
    Sleep(JsFuture::from(host::sleep(ms)))
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // The promise never rejects.
        Pin::new(&mut self.0).poll(cx).map(|_| ())
    }
}

/// Writes `bytes` to the process's standard error.
///
/// ```ignore
/// mocket_node::write_stderr(b"hello\n");
/// ```
pub fn write_stderr(bytes: &[u8]) {
    host::write_stderr(bytes);
}
