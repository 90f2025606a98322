//! The backend's executor, for both modes: one thread, a run queue of tasks
//! woken by wakers, and a reactor on `wasi:io/poll`. A `wasi:http` request
//! runs on it (one `block_on` per request), a `wasi:sockets` server runs
//! its accept loop and connections on it, and `mocket::time`'s timers wait
//! on its reactor in either mode.
//!
//! Why not wstd's `block_on` (which mode 1 used before): it polls every registered pollable, plus an
//! always-ready clock, after every task run, so the guest never suspends.
//! wasmtime runs the guest inside one tokio task whose cooperative budget is
//! charged for each readiness check that succeeds and refilled only when
//! that task suspends; with the guest never suspending, once more than
//! ~128 pollables were ready at once, `poll` reported streams writable while
//! `check-write` answered 0, forever (see the README).
//!
//! Here `wasi:io/poll.poll` is called only when no task is runnable, on the
//! pollables some task waits on and nothing else (never an always-ready
//! one), at most [`CHUNK`] at a time, in turns: those waited on longest go
//! first, and one passed but not ready goes to the back, so none starves
//! however many there are or however often new ones arrive. When there are
//! more than fit, a short timer joins the chunk so the call returns and the
//! next chunk gets its turn. Every registration found ready wakes its
//! waiters once.
//!
//! Sleeps (`mocket::time`, a connection's header-read timeout) are not
//! pollables of their own: they wait in a deadline queue, and one clock
//! pollable, for the earliest, joins each `poll`. A server with a timeout
//! per connection thus passes `poll` its sockets, not as many timers that
//! are almost never due.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use wasip2::clocks::monotonic_clock::{self, subscribe_duration, subscribe_instant};
use wasip2::io::poll::{Pollable, poll};

/// The most pollables passed to one `poll` call.
const CHUNK: usize = 64;

/// How long one chunk is waited on when other pollables are left out of
/// it: 1 ms, doubled after each full round that found nothing ready, up to
/// 16 ms, so many idle connections cost little CPU.
const ROTATE_AFTER: Duration = Duration::from_millis(1);
const MAX_BACKOFF: u32 = 4;

type Task = Pin<Box<dyn Future<Output = ()>>>;

/// The ids of tasks woken and not yet run. A `Waker` must be `Send` and
/// `Sync`, hence the mutex, uncontended on this one thread.
#[derive(Default)]
struct RunQueue(Mutex<VecDeque<u64>>);

impl RunQueue {
    fn push(&self, id: u64) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push_back(id);
    }

    fn pop(&self) -> Option<u64> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).pop_front()
    }
}

/// A task's waker: queues the task, once until it runs again.
struct TaskWaker {
    id: u64,
    queued: AtomicBool,
    queue: Arc<RunQueue>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if !self.queued.swap(true, Ordering::AcqRel) {
            self.queue.push(self.id);
        }
    }
}

#[derive(Default)]
struct Tasks {
    next_id: u64,
    live: HashMap<u64, (Task, Arc<TaskWaker>)>,
}

/// A pollable some futures may wait on.
struct Entry {
    pollable: Pollable,
    /// Bumped each time the pollable is found ready.
    fired: u64,
    /// The futures waiting, by wait id.
    waiters: Vec<(u64, Waker)>,
    /// In `Reactor::turns`.
    in_turn: bool,
}

#[derive(Default)]
struct Reactor {
    next_id: u64,
    entries: BTreeMap<u64, Entry>,
    /// Registrations waited on, longest-waiting first (an id may outlive
    /// its waiters here: it is skipped when its turn comes).
    turns: VecDeque<u64>,
    /// Sleeps by (deadline in monotonic-clock nanoseconds, sleep id).
    deadlines: BTreeSet<(u64, u64)>,
    sleepers: HashMap<u64, Waker>,
    /// `poll` calls in a row that only the rotation timer ended.
    idle_polls: u32,
}

impl Reactor {
    /// Wakes the sleeps that are due.
    fn fire_due(&mut self, woken: &mut Vec<Waker>) {
        let now = monotonic_clock::now();
        while let Some(&(deadline, id)) = self.deadlines.first() {
            if deadline > now {
                break;
            }
            self.deadlines.pop_first();
            woken.extend(self.sleepers.remove(&id));
        }
    }
}

/// The id [`block_on`]'s own task is queued under when woken.
const MAIN_ID: u64 = u64::MAX;

thread_local! {
    static QUEUE: Arc<RunQueue> = Arc::default();
    /// The waker of [`block_on`]'s task, made once per instance.
    static MAIN: Arc<TaskWaker> = Arc::new(TaskWaker {
        id: MAIN_ID,
        queued: AtomicBool::new(false),
        queue: QUEUE.with(Arc::clone),
    });
    static TASKS: RefCell<Tasks> = RefCell::default();
    static REACTOR: RefCell<Reactor> = RefCell::default();
}

/// Runs `task` to completion on this thread, running spawned tasks and
/// waiting on `wasi:io/poll` meanwhile. `task` itself is polled in place,
/// with a waker kept for the instance: a `wasi:http` request (one
/// `block_on` each) costs no task allocation, no table entry and no queue
/// round when its answer is ready at once.
///
/// # Panics
///
/// If no task can ever run again (nothing runnable, nothing waited on).
pub(crate) fn block_on<T>(task: impl Future<Output = T>) -> T {
    let mut task = std::pin::pin!(task);
    let queue = QUEUE.with(Arc::clone);
    let main = MAIN.with(Arc::clone);
    main.queued.store(false, Ordering::Release);
    let main_waker = Waker::from(main.clone());
    loop {
        if let Poll::Ready(value) = task.as_mut().poll(&mut Context::from_waker(&main_waker)) {
            // The other tasks drop here, outside every borrow.
            let rest = TASKS.with(|t| std::mem::take(&mut t.borrow_mut().live));
            drop(rest);
            return value;
        }
        // Run the other tasks until `task` is woken.
        loop {
            match queue.pop() {
                Some(MAIN_ID) => {
                    main.queued.store(false, Ordering::Release);
                    break;
                }
                Some(id) => run(id),
                None => assert!(
                    wait_for_io(),
                    "the WASI executor: no task can run and none waits on anything"
                ),
            }
        }
    }
}

/// Polls the spawned task `id` once, if it is still alive.
fn run(id: u64) {
    let Some((mut task, waker)) = TASKS.with(|t| t.borrow_mut().live.remove(&id)) else {
        return; // finished since it was woken
    };
    waker.queued.store(false, Ordering::Release);
    let w = Waker::from(waker.clone());
    if task
        .as_mut()
        .poll(&mut Context::from_waker(&w))
        .is_pending()
    {
        TASKS.with(|t| t.borrow_mut().live.insert(id, (task, waker)));
    }
}

/// Runs `task` alongside the others until it completes.
pub(crate) fn spawn(task: impl Future<Output = ()> + 'static) {
    let queue = QUEUE.with(Arc::clone);
    let id = TASKS.with_borrow_mut(|t| {
        let id = t.next_id;
        t.next_id += 1;
        let waker = Arc::new(TaskWaker {
            id,
            queued: AtomicBool::new(true),
            queue: queue.clone(),
        });
        t.live.insert(id, (Box::pin(task), waker));
        id
    });
    queue.push(id);
}

/// Blocks in `wasi:io/poll.poll` on (a chunk of) the pollables waited on
/// and the earliest sleep, then wakes the waiters of those found ready.
/// False when nothing is waited on.
fn wait_for_io() -> bool {
    let woken = REACTOR.with_borrow_mut(|r| {
        // The next chunk: the longest-waiting registrations still waited on.
        let mut chunk = Vec::with_capacity(CHUNK);
        while chunk.len() < CHUNK {
            let Some(id) = r.turns.pop_front() else { break };
            match r.entries.get_mut(&id) {
                Some(e) if !e.waiters.is_empty() => chunk.push(id),
                Some(e) => e.in_turn = false,
                None => {}
            }
        }
        let earliest = r.deadlines.first().map(|&(deadline, _)| deadline);
        if chunk.is_empty() && earliest.is_none() {
            return None;
        }
        let more = !r.turns.is_empty();
        let rotation = more.then(|| {
            let rounds = u32::try_from(r.turns.len().div_ceil(CHUNK) + 1).unwrap_or(u32::MAX);
            let backoff = (r.idle_polls / rounds).min(MAX_BACKOFF);
            subscribe_duration(nanos(ROTATE_AFTER * (1 << backoff)))
        });
        let clock = earliest.map(subscribe_instant);
        let mut list: Vec<&Pollable> = chunk.iter().map(|id| &r.entries[id].pollable).collect();
        list.extend(rotation.as_ref());
        list.extend(clock.as_ref());
        let ready = poll(&list);
        drop(list);
        let mut ready_ids = vec![false; chunk.len()];
        for i in ready {
            if let Some(flag) = ready_ids.get_mut(i as usize) {
                *flag = true;
            }
        }
        let mut woken = Vec::new();
        for (&id, ready) in chunk.iter().zip(ready_ids) {
            let Some(e) = r.entries.get_mut(&id) else {
                continue;
            };
            if ready {
                e.fired += 1;
                e.in_turn = false;
                woken.extend(e.waiters.drain(..).map(|(_, w)| w));
            } else {
                r.turns.push_back(id);
            }
        }
        r.fire_due(&mut woken);
        r.idle_polls = if !woken.is_empty() || !more {
            0
        } else {
            r.idle_polls.saturating_add(1)
        };
        Some(woken)
    });
    match woken {
        None => false,
        Some(wakers) => {
            wakers.into_iter().for_each(Waker::wake);
            true
        }
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// A pollable handed to the reactor. Dropping it drops the pollable, so it
/// must drop before the resource it was subscribed from.
#[derive(Debug)]
pub(crate) struct Registration {
    id: u64,
}

impl Registration {
    pub(crate) fn new(pollable: Pollable) -> Registration {
        REACTOR.with_borrow_mut(|r| {
            let id = r.next_id;
            r.next_id += 1;
            r.entries.insert(
                id,
                Entry {
                    pollable,
                    fired: 0,
                    waiters: Vec::new(),
                    in_turn: false,
                },
            );
            Registration { id }
        })
    }

    /// A future ready once the pollable is next found ready by the reactor.
    pub(crate) fn wait(&self) -> Wait {
        let waiter = REACTOR.with_borrow_mut(|r| {
            let id = r.next_id;
            r.next_id += 1;
            id
        });
        Wait {
            registration: self.id,
            waiter,
            seen: None,
        }
    }

    /// Waits once for the pollable.
    pub(crate) async fn ready(&self) {
        self.wait().await;
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let entry = REACTOR.with(|r| r.borrow_mut().entries.remove(&self.id));
        drop(entry);
    }
}

/// Waits for a [`Registration`]'s pollable; see [`Registration::wait`].
/// Ready at once if the registration was dropped.
#[derive(Debug)]
pub(crate) struct Wait {
    registration: u64,
    waiter: u64,
    /// The entry's `fired` count when this wait started.
    seen: Option<u64>,
}

impl Future for Wait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        REACTOR.with_borrow_mut(|r| {
            let Some(entry) = r.entries.get_mut(&this.registration) else {
                return Poll::Ready(());
            };
            let seen = *this.seen.get_or_insert(entry.fired);
            if entry.fired != seen {
                entry.waiters.retain(|(w, _)| *w != this.waiter);
                return Poll::Ready(());
            }
            match entry.waiters.iter_mut().find(|(w, _)| *w == this.waiter) {
                Some((_, waker)) => waker.clone_from(cx.waker()),
                None => entry.waiters.push((this.waiter, cx.waker().clone())),
            }
            if !entry.in_turn {
                entry.in_turn = true;
                r.turns.push_back(this.registration);
            }
            Poll::Pending
        })
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        let waker = REACTOR.with_borrow_mut(|r| {
            let entry = r.entries.get_mut(&self.registration)?;
            let at = entry.waiters.iter().position(|(w, _)| *w == self.waiter)?;
            Some(entry.waiters.swap_remove(at))
        });
        drop(waker);
    }
}

/// A sleep on the reactor's deadline queue (`wasi:clocks/monotonic-clock`
/// time).
#[derive(Debug)]
pub struct Sleep {
    deadline: u64,
    id: u64,
    queued: bool,
}

impl Sleep {
    pub(crate) fn new(duration: Duration) -> Sleep {
        let id = REACTOR.with_borrow_mut(|r| {
            let id = r.next_id;
            r.next_id += 1;
            id
        });
        Sleep {
            deadline: monotonic_clock::now().saturating_add(nanos(duration)),
            id,
            queued: false,
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        REACTOR.with_borrow_mut(|r| {
            if this.queued && !r.sleepers.contains_key(&this.id) {
                // Fired (its waker was taken).
                this.queued = false;
                return Poll::Ready(());
            }
            if monotonic_clock::now() >= this.deadline {
                r.deadlines.remove(&(this.deadline, this.id));
                r.sleepers.remove(&this.id);
                this.queued = false;
                return Poll::Ready(());
            }
            r.sleepers.insert(this.id, cx.waker().clone());
            if !this.queued {
                r.deadlines.insert((this.deadline, this.id));
                this.queued = true;
            }
            Poll::Pending
        })
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if self.queued {
            let waker = REACTOR.with_borrow_mut(|r| {
                r.deadlines.remove(&(self.deadline, self.id));
                r.sleepers.remove(&self.id)
            });
            drop(waker);
        }
    }
}

/// Runs `task`, giving up after `limit`: `None` if it did not finish.
pub(crate) async fn timeout<T>(limit: Duration, task: impl Future<Output = T>) -> Option<T> {
    let mut task = Box::pin(task);
    let mut sleep = Sleep::new(limit);
    std::future::poll_fn(|cx| {
        if let Poll::Ready(value) = task.as_mut().poll(cx) {
            return Poll::Ready(Some(value));
        }
        Pin::new(&mut sleep).poll(cx).map(|()| None)
    })
    .await
}
