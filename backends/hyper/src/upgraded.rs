//! hyper's upgraded connection as the core's [`Transport`](mocket_core::backend::Transport):
//! hyper's own I/O traits turned into `futures_io`'s, which every backend
//! shares.

use std::cell::RefCell;
use std::fmt;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};

use bytes::{Buf, Bytes};
use futures_io::{AsyncRead, AsyncWrite};
use hyper::rt::{Read, ReadBuf, Write};
use mocket_core::backend::Upgrade;

/// A connection hyper has handed over after a `101`.
#[derive(Debug)]
pub struct Upgraded(hyper::upgrade::Upgraded);

/// Where [`MocketService::keeping_upgrades`](crate::MocketService::keeping_upgrades)
/// leaves an accepted upgrade for the connection's owner. One per
/// connection; single-threaded, as such connections are.
#[derive(Clone, Default)]
pub struct UpgradeSlot(Rc<RefCell<Option<Upgrade>>>);

impl UpgradeSlot {
    pub(crate) fn put(&self, upgrade: Upgrade) {
        *self.0.borrow_mut() = Some(upgrade);
    }

    /// The upgrade an answer accepted, if one did.
    pub fn take(&self) -> Option<Upgrade> {
        self.0.borrow_mut().take()
    }
}

impl fmt::Debug for UpgradeSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("UpgradeSlot")
    }
}

/// A connection hyper let go of (`without_shutdown()`): the bytes it had
/// read past the request first, then the connection itself.
#[derive(Debug)]
pub struct Handed<I> {
    read_buf: Bytes,
    io: I,
}

impl<I> Handed<I> {
    /// The connection and what hyper had read ahead on it.
    pub fn new(io: I, read_buf: Bytes) -> Self {
        Handed { read_buf, io }
    }
}

impl<I: Read + Unpin> AsyncRead for Handed<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if !self.read_buf.is_empty() {
            let n = buf.len().min(self.read_buf.len());
            buf[..n].copy_from_slice(&self.read_buf[..n]);
            self.read_buf.advance(n);
            return Poll::Ready(Ok(n));
        }
        let mut read = ReadBuf::new(buf);
        ready!(Pin::new(&mut self.io).poll_read(cx, read.unfilled()))?;
        Poll::Ready(Ok(read.filled().len()))
    }
}

impl<I: Write + Unpin> AsyncWrite for Handed<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

impl Upgraded {
    /// Wraps hyper's upgraded connection.
    pub fn new(io: hyper::upgrade::Upgraded) -> Self {
        Upgraded(io)
    }
}

impl AsyncRead for Upgraded {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut read = ReadBuf::new(buf);
        ready!(Pin::new(&mut self.0).poll_read(cx, read.unfilled()))?;
        Poll::Ready(Ok(read.filled().len()))
    }
}

impl AsyncWrite for Upgraded {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
