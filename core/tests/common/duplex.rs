//! An in-memory connection for WebSocket tests: two ends, each readable
//! and writable through `futures_io`, with a bounded buffer per direction
//! so a reader that stops reading makes the writer wait, as a socket does.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use futures_io::{AsyncRead, AsyncWrite};

#[derive(Default)]
struct Pipe {
    bytes: VecDeque<u8>,
    closed: bool,
    reader: Option<Waker>,
    writer: Option<Waker>,
}

/// One end of a [`pair`].
pub(crate) struct End {
    incoming: Arc<Mutex<Pipe>>,
    outgoing: Arc<Mutex<Pipe>>,
    capacity: usize,
}

/// Two connected ends; each direction holds at most `capacity` bytes.
pub(crate) fn pair(capacity: usize) -> (End, End) {
    let a = Arc::new(Mutex::new(Pipe::default()));
    let b = Arc::new(Mutex::new(Pipe::default()));
    (
        End {
            incoming: a.clone(),
            outgoing: b.clone(),
            capacity,
        },
        End {
            incoming: b,
            outgoing: a,
            capacity,
        },
    )
}

impl End {
    /// Bytes waiting for this end to read.
    pub(crate) fn pending(&self) -> usize {
        self.incoming.lock().expect("pipe").bytes.len()
    }
}

impl AsyncRead for End {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut pipe = self.incoming.lock().expect("pipe");
        if pipe.bytes.is_empty() {
            if pipe.closed {
                return Poll::Ready(Ok(0));
            }
            pipe.reader = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = buf.len().min(pipe.bytes.len());
        for (slot, byte) in buf.iter_mut().zip(pipe.bytes.drain(..n)) {
            *slot = byte;
        }
        if let Some(w) = pipe.writer.take() {
            w.wake();
        }
        Poll::Ready(Ok(n))
    }
}

impl AsyncWrite for End {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut pipe = self.outgoing.lock().expect("pipe");
        if pipe.closed {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        let room = self.capacity - pipe.bytes.len();
        if room == 0 {
            pipe.writer = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = room.min(buf.len());
        pipe.bytes.extend(&buf[..n]);
        if let Some(w) = pipe.reader.take() {
            w.wake();
        }
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut pipe = self.outgoing.lock().expect("pipe");
        pipe.closed = true;
        if let Some(w) = pipe.reader.take() {
            w.wake();
        }
        Poll::Ready(Ok(()))
    }
}

impl Drop for End {
    fn drop(&mut self) {
        for pipe in [&self.incoming, &self.outgoing] {
            let mut pipe = pipe.lock().expect("pipe");
            pipe.closed = true;
            for w in [pipe.reader.take(), pipe.writer.take()]
                .into_iter()
                .flatten()
            {
                w.wake();
            }
        }
    }
}
