//! A single-threaded executor on `wasi:io/poll`.
//!
//! Tasks sit in a slab; a woken task's id goes into a queue, and the queue
//! is run until it is empty. Only then does the guest call
//! `wasi:io/poll.poll`, on the pollables some task is waiting on and on
//! nothing else, so whenever it has nothing to do it suspends inside the
//! host. At most [`CHUNK`] pollables go into one call: when more are
//! waited on, the first `CHUNK` go in with a 1 ms timer, so the call
//! returns soon either way, and those found not ready go to the back of
//! the line for the next call.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use wasip2::clocks::monotonic_clock::subscribe_duration;
use wasip2::io::poll::{Pollable, poll};

/// The most pollables one `poll` call is given (its timer aside).
const CHUNK: usize = 64;
/// How long one chunk is waited on when others are waiting their turn.
const TURN_NS: u64 = 1_000_000;

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// The ids of the tasks woken and not yet run. A `Waker` must be `Send`
/// and `Sync`, hence the mutex; on one thread it is never contended.
static WOKEN: Mutex<VecDeque<usize>> = Mutex::new(VecDeque::new());

fn push_woken(id: usize) {
    WOKEN
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push_back(id);
}

fn pop_woken() -> Option<usize> {
    WOKEN.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
}

/// Queues its task, once until the task has run again.
struct TaskWaker {
    id: usize,
    queued: AtomicBool,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::Relaxed) {
            push_woken(self.id);
        }
    }
}

struct Slot {
    task: Task,
    flag: Arc<TaskWaker>,
    waker: Waker,
}

/// A pollable some task waits on.
struct Waiter {
    pollable: Rc<Pollable>,
    waker: Waker,
    fired: Rc<Cell<bool>>,
}

#[derive(Default)]
struct Executor {
    /// `None`: a free slot, or the task being run.
    tasks: Vec<Option<Slot>>,
    free: Vec<usize>,
    live: usize,
    /// In the order they get their turn in `poll`.
    waiting: VecDeque<Waiter>,
}

thread_local! {
    static EXECUTOR: RefCell<Executor> = RefCell::default();
}

/// Runs `task` on the executor, from the next turn on.
pub fn spawn(task: impl Future<Output = ()> + 'static) {
    let id = EXECUTOR.with_borrow_mut(|ex| {
        let id = ex.free.pop().unwrap_or_else(|| {
            ex.tasks.push(None);
            ex.tasks.len() - 1
        });
        let flag = Arc::new(TaskWaker {
            id,
            queued: AtomicBool::new(true),
        });
        let waker = Waker::from(flag.clone());
        ex.tasks[id] = Some(Slot {
            task: Box::pin(task),
            flag,
            waker,
        });
        ex.live += 1;
        id
    });
    push_woken(id);
}

/// Runs `main` and every task spawned until all have finished (or none
/// can ever be woken again).
pub fn run(main: impl Future<Output = ()> + 'static) {
    spawn(main);
    loop {
        while let Some(id) = pop_woken() {
            run_task(id);
        }
        let idle = EXECUTOR.with_borrow(|ex| ex.live == 0 || ex.waiting.is_empty());
        if idle {
            return;
        }
        wait_for_some();
    }
}

fn run_task(id: usize) {
    // Taken out while it runs, so that it can spawn and wait.
    let Some(mut slot) = EXECUTOR.with_borrow_mut(|ex| ex.tasks.get_mut(id).and_then(Option::take))
    else {
        // Woken while it finished.
        return;
    };
    slot.flag.queued.store(false, Ordering::Relaxed);
    let done = slot
        .task
        .as_mut()
        .poll(&mut Context::from_waker(&slot.waker))
        .is_ready();
    if done {
        drop(slot);
        EXECUTOR.with_borrow_mut(|ex| {
            ex.free.push(id);
            ex.live -= 1;
        });
    } else {
        EXECUTOR.with_borrow_mut(|ex| ex.tasks[id] = Some(slot));
    }
}

/// One `poll` call, on the first [`CHUNK`] pollables waited on; wakes the
/// tasks of those found ready and sends the others to the back.
fn wait_for_some() {
    EXECUTOR.with_borrow_mut(|ex| {
        let n = ex.waiting.len().min(CHUNK);
        let timer = (ex.waiting.len() > CHUNK).then(|| subscribe_duration(TURN_NS));
        let mut list: Vec<&Pollable> = ex.waiting.iter().take(n).map(|w| &*w.pollable).collect();
        list.extend(timer.as_ref());
        let mut ready = [false; CHUNK];
        for i in poll(&list) {
            // The timer's index is CHUNK, past the end.
            if let Some(r) = ready.get_mut(i as usize) {
                *r = true;
            }
        }
        drop(list);
        for &r in &ready[..n] {
            let Some(w) = ex.waiting.pop_front() else {
                break;
            };
            if r {
                w.fired.set(true);
                w.waker.wake_by_ref();
            } else {
                ex.waiting.push_back(w);
            }
        }
    });
}

/// Completes once `pollable` is ready: the executor's `poll` found it so.
/// Polled again before that, it keeps waiting for the task that first
/// polled it.
pub struct Ready {
    pollable: Rc<Pollable>,
    fired: Option<Rc<Cell<bool>>>,
}

pub fn ready(pollable: &Rc<Pollable>) -> Ready {
    Ready {
        pollable: pollable.clone(),
        fired: None,
    }
}

impl Future for Ready {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &self.fired {
            Some(fired) if fired.get() => {
                self.fired = None;
                Poll::Ready(())
            }
            Some(_) => Poll::Pending,
            None => {
                let fired = Rc::new(Cell::new(false));
                EXECUTOR.with_borrow_mut(|ex| {
                    ex.waiting.push_back(Waiter {
                        pollable: self.pollable.clone(),
                        waker: cx.waker().clone(),
                        fired: fired.clone(),
                    })
                });
                self.fired = Some(fired);
                Poll::Pending
            }
        }
    }
}

impl Drop for Ready {
    /// Dropped while waiting: leave the line, so the pollable (a child of a
    /// stream or a socket) is not kept past its parent.
    fn drop(&mut self) {
        if let Some(fired) = self.fired.take().filter(|f| !f.get()) {
            EXECUTOR.with_borrow_mut(|ex| ex.waiting.retain(|w| !Rc::ptr_eq(&w.fired, &fired)));
        }
    }
}

/// Completes after `ns` nanoseconds.
pub async fn sleep(ns: u64) {
    ready(&Rc::new(subscribe_duration(ns))).await;
}
