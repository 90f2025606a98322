//! The app's shutdown notice.
//!
//! A backend that stops serving says so once
//! ([`Service::begin_shutdown`](crate::backend::Service::begin_shutdown)).
//! Ordinary requests need not hear it: the backend stops accepting and lets
//! them finish. What outlives a request does: an open WebSocket sends
//! `1001 Going Away` and a Server-Sent Events stream ends, so that the
//! connections under them can close within the grace period instead of
//! being cut when it is over.
//!
//! Only those long-lived answers register (a waker each, in a slab); a
//! request costs nothing here.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

/// Whether the app is shutting down, and who waits to hear it.
#[derive(Default)]
pub(crate) struct Shutdown {
    begun: AtomicBool,
    waiting: Mutex<Waiting>,
}

#[derive(Default)]
struct Waiting {
    /// `None` marks a free slot.
    wakers: Vec<Option<Waker>>,
    free: Vec<usize>,
}

impl Shutdown {
    /// Marks the shutdown begun and wakes every watcher. Idempotent: every
    /// worker of a server may call it.
    pub(crate) fn begin(&self) {
        if self.begun.swap(true, Ordering::AcqRel) {
            return;
        }
        let wakers: Vec<Waker> = {
            let mut waiting = self.lock();
            waiting.wakers.iter_mut().filter_map(Option::take).collect()
        };
        // Woken outside the lock: a waker may run its task right here.
        wakers.into_iter().for_each(Waker::wake);
    }

    pub(crate) fn has_begun(&self) -> bool {
        self.begun.load(Ordering::Acquire)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Waiting> {
        // A watcher never panics while holding the lock; if one did, the
        // table is still consistent.
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One long-lived answer's ear for the shutdown: ready once it has begun.
pub(crate) struct ShutdownWatch {
    shutdown: Arc<Shutdown>,
    slot: Option<usize>,
    /// The waker in our slot, so a poll with the same one takes no lock.
    known: Option<Waker>,
}

impl ShutdownWatch {
    pub(crate) fn new(shutdown: Arc<Shutdown>) -> ShutdownWatch {
        ShutdownWatch {
            shutdown,
            slot: None,
            known: None,
        }
    }

    /// Ready once the shutdown has begun; until then, remembers the
    /// waker to wake when it does.
    pub(crate) fn poll_begun(&mut self, cx: &Context<'_>) -> Poll<()> {
        if self.shutdown.has_begun() {
            return Poll::Ready(());
        }
        if self
            .known
            .as_ref()
            .is_some_and(|known| known.will_wake(cx.waker()))
        {
            return Poll::Pending;
        }
        self.known = Some(cx.waker().clone());
        let mut waiting = self.shutdown.lock();
        match self.slot {
            Some(i) => waiting.wakers[i] = Some(cx.waker().clone()),
            None => {
                let waker = Some(cx.waker().clone());
                let i = match waiting.free.pop() {
                    Some(i) => {
                        waiting.wakers[i] = waker;
                        i
                    }
                    None => {
                        waiting.wakers.push(waker);
                        waiting.wakers.len() - 1
                    }
                };
                self.slot = Some(i);
            }
        }
        drop(waiting);
        // Begun between the first look and the registration: its wake-up
        // may have missed this waker.
        if self.shutdown.has_begun() {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

impl Drop for ShutdownWatch {
    fn drop(&mut self) {
        if let Some(i) = self.slot {
            let mut waiting = self.shutdown.lock();
            waiting.wakers[i] = None;
            waiting.free.push(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Context, Poll, Wake, Waker};

    use super::{Shutdown, ShutdownWatch};

    struct Count(AtomicUsize);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn watchers_are_woken_once_and_then_ready() {
        let shutdown = Arc::new(Shutdown::default());
        let count = Arc::new(Count(AtomicUsize::new(0)));
        let waker = Waker::from(count.clone());
        let cx = Context::from_waker(&waker);
        let mut watches: Vec<_> = (0..3)
            .map(|_| ShutdownWatch::new(shutdown.clone()))
            .collect();
        for w in &mut watches {
            assert_eq!(w.poll_begun(&cx), Poll::Pending);
            // Polled again with the same waker: still one entry.
            assert_eq!(w.poll_begun(&cx), Poll::Pending);
        }
        shutdown.begin();
        shutdown.begin();
        assert_eq!(count.0.load(Ordering::SeqCst), 3);
        for w in &mut watches {
            assert_eq!(w.poll_begun(&cx), Poll::Ready(()));
        }
    }

    #[test]
    fn a_dropped_watcher_frees_its_slot() {
        let shutdown = Arc::new(Shutdown::default());
        let cx = Context::from_waker(Waker::noop());
        for _ in 0..100 {
            let mut w = ShutdownWatch::new(shutdown.clone());
            assert_eq!(w.poll_begun(&cx), Poll::Pending);
        }
        assert_eq!(shutdown.lock().wakers.len(), 1);
    }
}
