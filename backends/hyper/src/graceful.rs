//! Graceful shutdown for one worker's connections.
//!
//! hyper-util's `GracefulShutdown` polls a watch channel every time a
//! connection is polled (about 180 instructions per request under
//! callgrind). A worker's connections all live on its thread, so a
//! thread-local flag and a table of wakers do the same job: a connection
//! checks the flag, registers its waker once, and the worker wakes them all
//! when it stops.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::pin::pin;
use std::task::Waker;

use std::pin::Pin;

use hyper::body::Incoming;
use hyper::rt::{Read, Write};
use hyper::server::conn::{http1, http2};
use hyper::service::HttpService;

thread_local! {
    static STOPPING: Cell<bool> = const { Cell::new(false) };
    /// Open connections' wakers; `None` marks a free slot.
    static OPEN: RefCell<Vec<Option<Waker>>> = const { RefCell::new(Vec::new()) };
}

/// Serves `conn` to the end, asking it to finish gracefully once the worker
/// stops.
pub(crate) async fn watch<C: Graceful>(conn: C) -> C::Output {
    let mut conn = pin!(conn);
    let slot = Slot::take();
    let mut told = false;
    poll_fn(|cx| {
        if !told {
            if STOPPING.with(Cell::get) {
                conn.as_mut().graceful_shutdown();
                told = true;
            } else {
                slot.remember(cx.waker());
            }
        }
        conn.as_mut().poll(cx)
    })
    .await
}

/// Tells every connection on this thread to finish.
pub(crate) fn stop() {
    STOPPING.with(|s| s.set(true));
    OPEN.with(|open| open.borrow().iter().flatten().for_each(Waker::wake_by_ref));
}

/// How many connections on this thread are still open.
pub(crate) fn open_connections() -> usize {
    OPEN.with(|open| open.borrow().iter().flatten().count())
}

/// A connection's place in the table, freed when it closes.
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
pub(crate) trait Graceful: Future {
    fn graceful_shutdown(self: Pin<&mut Self>);
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

impl<I, S, E> Graceful for http2::Connection<I, S, E>
where
    S: HttpService<Incoming>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: Read + Write + Unpin + 'static,
    S::ResBody: 'static,
    <S::ResBody as hyper::body::Body>::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    E: hyper::rt::bounds::Http2ServerConnExec<S::Future, S::ResBody>,
{
    fn graceful_shutdown(self: Pin<&mut Self>) {
        http2::Connection::graceful_shutdown(self);
    }
}
