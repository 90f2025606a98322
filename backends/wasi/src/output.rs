//! Writing to a `wasi:io` output stream from async code, on the executor.
//!
//! A write is handed to the host, which completes it in the background:
//! `check-write` says how much may be written now (0: wait on the stream's
//! pollable), and a `flush` is done only when writing is possible again.
//! Both modes write this way: the response bodies of `wasi:http` and the
//! last bytes of a `wasi:sockets` connection.

use std::io;

use wasip2::io::streams::{OutputStream, StreamError};

use crate::executor::Registration;

/// Writes all of `bytes`, waiting on `ready` (the stream's pollable)
/// whenever the host takes no more for now.
pub(crate) async fn write_all(
    stream: &OutputStream,
    ready: &Registration,
    mut bytes: &[u8],
) -> io::Result<()> {
    while !bytes.is_empty() {
        match stream.check_write().map_err(stream_error)? {
            0 => ready.ready().await,
            permitted => {
                let n = bytes
                    .len()
                    .min(usize::try_from(permitted).unwrap_or(usize::MAX));
                stream.write(&bytes[..n]).map_err(stream_error)?;
                bytes = &bytes[n..];
            }
        }
    }
    Ok(())
}

/// Flushes what was written and waits until the host has taken it.
pub(crate) async fn flush(stream: &OutputStream, ready: &Registration) -> io::Result<()> {
    stream.flush().map_err(stream_error)?;
    while stream.check_write().map_err(stream_error)? == 0 {
        ready.ready().await;
    }
    Ok(())
}

/// A stream error as the nearest `std::io` one.
pub(crate) fn stream_error(e: StreamError) -> io::Error {
    match e {
        StreamError::Closed => io::ErrorKind::BrokenPipe.into(),
        StreamError::LastOperationFailed(e) => io::Error::other(e.to_debug_string()),
    }
}
