//! Timers natively: what `mocket::time::sleep` is on this target.
//!
//! Inside the server a timer is tokio's, on the worker's runtime, like any
//! other wait of the request. Outside one (an in-process test driving
//! `app.request` with another executor) there is no tokio timer to register
//! with, so the timer is a thread that sleeps and wakes the task: slower,
//! but it works wherever the app's code runs.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

/// A timer; see the module doc.
#[derive(Debug)]
pub struct Sleep(Timer);

#[derive(Debug)]
enum Timer {
    Tokio(Pin<Box<tokio::time::Sleep>>),
    Thread {
        deadline: Instant,
        shared: Option<Arc<Mutex<Shared>>>,
    },
}

#[derive(Debug, Default)]
struct Shared {
    done: bool,
    waker: Option<Waker>,
}

/// Resolves after `duration`.
///
/// ```
/// # futures_executor::block_on(async {
/// let start = std::time::Instant::now();
/// mocket_native::sleep(std::time::Duration::from_millis(5)).await;
/// assert!(start.elapsed() >= std::time::Duration::from_millis(5));
/// # });
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    let deadline = Instant::now() + duration;
    match tokio::runtime::Handle::try_current() {
        Ok(_) => Sleep(Timer::Tokio(Box::pin(tokio::time::sleep(duration)))),
        Err(_) => Sleep(Timer::Thread {
            deadline,
            shared: None,
        }),
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.0 {
            Timer::Tokio(sleep) => sleep.as_mut().poll(cx),
            Timer::Thread { deadline, shared } => {
                if Instant::now() >= *deadline {
                    return Poll::Ready(());
                }
                let shared = shared.get_or_insert_with(|| start_thread(*deadline));
                let mut state = shared
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if state.done {
                    return Poll::Ready(());
                }
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

fn start_thread(deadline: Instant) -> Arc<Mutex<Shared>> {
    let shared = Arc::new(Mutex::new(Shared::default()));
    let theirs = shared.clone();
    let spawned = std::thread::Builder::new()
        .name("mocket-timer".into())
        .spawn(move || {
            std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
            let waker = {
                let mut state = theirs
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                state.done = true;
                state.waker.take()
            };
            if let Some(waker) = waker {
                waker.wake();
            }
        });
    if spawned.is_err() {
        // No thread to wait with: finish rather than hang forever.
        shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .done = true;
    }
    shared
}
