//! A coarse timer for hyper's header read timeout.
//!
//! hyper arms the header read timeout for every request on a connection:
//! with hyper-util's tokio timer that is a clock read, a boxed sleep and an
//! insert into and removal from tokio's timer wheel per request — about 600
//! instructions of a 11,000-instruction plaintext request under callgrind.
//! The deadline needs no such precision: it only has to cut off a client
//! that is far too slow. So each worker thread keeps a clock that a ticker
//! task refreshes a few times per timeout, and a small table of the sleeps
//! waiting on it; re-arming a connection's sleep just rewrites its deadline,
//! and a sleep registers its waker once, when its connection first waits.
//! A timeout fires between one tick early and one tick late.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};

struct Clock {
    now: Instant,
    /// Waiting sleeps: their deadline and waker; `None` marks a free slot.
    waiting: Vec<Option<(Instant, Waker)>>,
    free: Vec<usize>,
}

thread_local! {
    static CLOCK: RefCell<Clock> = RefCell::new(Clock {
        now: Instant::now(),
        waiting: Vec::new(),
        free: Vec::new(),
    });
}

/// The hyper `Timer` for one worker thread's HTTP/1 connections; `tick`
/// must run on that thread.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CoarseTimer;

impl CoarseTimer {
    /// How often to refresh the clock for a given timeout: a quarter of it,
    /// between 10 ms and 1 s.
    pub(crate) fn resolution(timeout: Duration) -> Duration {
        (timeout / 4).clamp(Duration::from_millis(10), Duration::from_secs(1))
    }

    /// Refreshes the clock and wakes the sleeps whose deadline has passed.
    /// The worker calls this every [`CoarseTimer::resolution`].
    pub(crate) fn tick() {
        CLOCK.with_borrow_mut(|clock| {
            let now = Instant::now();
            clock.now = now;
            for (deadline, waker) in clock.waiting.iter().flatten() {
                if *deadline <= now {
                    waker.wake_by_ref();
                }
            }
        });
    }
}

impl Timer for CoarseTimer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.sleep_until(self.now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(CoarseSleep {
            deadline,
            slot: None,
        })
    }

    fn now(&self) -> Instant {
        CLOCK.with(|clock| clock.borrow().now)
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<CoarseSleep>() {
            Some(mut coarse) => coarse.as_mut().rearm(new_deadline),
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

struct CoarseSleep {
    deadline: Instant,
    /// Where this sleep's waker waits, once it has waited.
    slot: Option<usize>,
}

impl Sleep for CoarseSleep {}

impl CoarseSleep {
    fn rearm(self: Pin<&mut Self>, deadline: Instant) {
        let this = self.get_mut();
        this.deadline = deadline;
        if let Some(slot) = this.slot {
            CLOCK.with(|clock| {
                if let Some(Some(entry)) = clock.borrow_mut().waiting.get_mut(slot) {
                    entry.0 = deadline;
                }
            });
        }
    }
}

impl Future for CoarseSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        CLOCK.with_borrow_mut(|clock| {
            if clock.now >= this.deadline {
                return Poll::Ready(());
            }
            match this.slot {
                Some(slot) => {
                    if let Some(Some((_, waker))) = clock.waiting.get_mut(slot)
                        && !waker.will_wake(cx.waker())
                    {
                        *waker = cx.waker().clone();
                    }
                }
                None => {
                    let entry = Some((this.deadline, cx.waker().clone()));
                    let slot = match clock.free.pop() {
                        Some(slot) => {
                            clock.waiting[slot] = entry;
                            slot
                        }
                        None => {
                            clock.waiting.push(entry);
                            clock.waiting.len() - 1
                        }
                    };
                    this.slot = Some(slot);
                }
            }
            Poll::Pending
        })
    }
}

impl Drop for CoarseSleep {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            // `try_with`: during thread teardown the table may be gone already.
            let _ = CLOCK.try_with(|clock| {
                let mut clock = clock.borrow_mut();
                if let Some(entry) = clock.waiting.get_mut(slot) {
                    *entry = None;
                    clock.free.push(slot);
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_only_after_a_tick_past_the_deadline() {
        let timer = CoarseTimer;
        let waker = Waker::noop();
        let mut cx = Context::from_waker(waker);
        let mut sleep = timer.sleep(Duration::from_millis(20));
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        std::thread::sleep(Duration::from_millis(30));
        // The clock is coarse: nothing moves until the worker ticks.
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        CoarseTimer::tick();
        assert!(sleep.as_mut().poll(&mut cx).is_ready());
    }

    #[test]
    fn rearming_moves_the_deadline_and_drop_frees_the_slot() {
        let timer = CoarseTimer;
        let mut cx = Context::from_waker(Waker::noop());
        let mut sleep = timer.sleep(Duration::from_millis(1));
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        let later = timer.now() + Duration::from_secs(60);
        timer.reset(&mut sleep, later);
        std::thread::sleep(Duration::from_millis(5));
        CoarseTimer::tick();
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
        drop(sleep);
        CLOCK.with(|clock| assert!(clock.borrow().waiting.iter().all(Option::is_none)));
    }
}
