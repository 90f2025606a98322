//! Graceful shutdown for the connections of one thread.
//!
//! hyper-util's `GracefulShutdown` polls a watch channel every time a
//! connection is polled (about 180 instructions per request under
//! callgrind). The backends that use this run each connection on one
//! thread (a native worker, the WASI executor), so a thread-local flag and
//! a table of wakers do the same job: a connection's task is [`track`]ed
//! (it registers its waker once, and counts as open), its hyper connection
//! is [`watch`]ed (asked to finish once the flag is up), and [`stop`]
//! raises the flag and wakes them all.
//!
//! ```
//! # futures_executor::block_on(async {
//! assert_eq!(mocket_hyper::graceful::open_connections(), 0);
//! let task = mocket_hyper::graceful::track(async { 42 });
//! assert_eq!(task.await, 42);
//! assert_eq!(mocket_hyper::graceful::open_connections(), 0);
//! # });
//! ```

use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::task::Waker;

use hyper::body::Incoming;
use hyper::rt::{Read, Write};
use hyper::server::conn::http1;
use hyper::service::HttpService;

thread_local! {
    static STOPPING: Cell<bool> = const { Cell::new(false) };
    /// Open connections' wakers; `None` marks a free slot.
    static OPEN: RefCell<Vec<Option<Waker>>> = const { RefCell::new(Vec::new()) };
}

/// Runs a connection's task (or an upgraded connection's) to the end,
/// counted by [`open_connections`] and woken by [`stop`].
pub async fn track<F: Future>(task: F) -> F::Output {
    let mut task = pin!(task);
    let slot = Slot::take();
    poll_fn(|cx| {
        if !STOPPING.with(Cell::get) {
            slot.remember(cx.waker());
        }
        task.as_mut().poll(cx)
    })
    .await
}

/// Serves a hyper connection to the end, asking it to finish gracefully
/// (answer what is in flight, then close) once this thread [`stop`]s. Its
/// task must be [`track`]ed, so that it is woken then.
pub async fn watch<C: Graceful>(mut conn: Pin<&mut C>) -> C::Output {
    let mut told = false;
    poll_fn(|cx| {
        if !told && STOPPING.with(Cell::get) {
            conn.as_mut().graceful_shutdown();
            told = true;
        }
        conn.as_mut().poll(cx)
    })
    .await
}

/// Tells every connection on this thread to finish.
pub fn stop() {
    STOPPING.with(|s| s.set(true));
    OPEN.with(|open| open.borrow().iter().flatten().for_each(Waker::wake_by_ref));
}

/// How many tracked tasks on this thread are still running.
pub fn open_connections() -> usize {
    OPEN.with(|open| open.borrow().iter().flatten().count())
}

/// A task's place in the table, freed when it ends.
struct Slot(usize);

impl Slot {
    fn take() -> Slot {
        OPEN.with(|open| {
            let mut open = open.borrow_mut();
            let waker = Some(Waker::noop().clone());
            match open.iter().position(Option::is_none) {
                Some(i) => {
                    open[i] = waker;
                    Slot(i)
                }
                None => {
                    open.push(waker);
                    Slot(open.len() - 1)
                }
            }
        })
    }

    fn remember(&self, waker: &Waker) {
        OPEN.with(|open| {
            if let Some(Some(known)) = open.borrow_mut().get_mut(self.0)
                && !known.will_wake(waker)
            {
                *known = waker.clone();
            }
        });
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let _ = OPEN.try_with(|open| open.borrow_mut()[self.0] = None);
    }
}

/// A hyper connection that can be asked to finish: hyper-util's
/// `GracefulConnection` leaves out HTTP/1 connections that carry upgrades.
pub trait Graceful: Future {
    /// Answer what is in flight, then close.
    fn graceful_shutdown(self: Pin<&mut Self>);
}

impl<I, S> Graceful for http1::Connection<I, S>
where
    S: HttpService<Incoming>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: Read + Write + Unpin,
    S::ResBody: 'static,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        http1::Connection::graceful_shutdown(self);
    }
}

impl<I, S> Graceful for http1::UpgradeableConnection<I, S>
where
    S: HttpService<Incoming>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: Read + Write + Unpin + Send + 'static,
    S::ResBody: 'static,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        http1::UpgradeableConnection::graceful_shutdown(self);
    }
}

#[cfg(feature = "http2")]
impl<I, S, E> Graceful for hyper::server::conn::http2::Connection<I, S, E>
where
    S: HttpService<Incoming>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: Read + Write + Unpin + 'static,
    S::ResBody: 'static,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    E: hyper::rt::bounds::Http2ServerConnExec<S::Future, S::ResBody>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        hyper::server::conn::http2::Connection::graceful_shutdown(self);
    }
}
