//! [`NativeFs`]: the host's files for `ServeDir`, natively.
//!
//! Each lookup resolves the path with `canonicalize` (so symlinks are
//! followed to wherever they really point) and refuses anything whose real
//! path is not inside the folder's real path. Files are read in 64 KiB
//! chunks as the client takes them, never whole. File system calls block,
//! so they run on tokio's blocking pool (one hop per lookup and per
//! chunk), as `tokio::fs` does; outside a tokio runtime (an in-process
//! test on another executor) they run inline.
//!
//! The body is this small reader rather than `tokio::fs::File` with
//! tokio-util's `ReaderStream`: it does the same blocking-pool hop per
//! chunk, also works without a runtime, knows its exact length (so HEAD and
//! `content-length` need no second look), and fails loudly if the file
//! shrinks while it is sent.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use bytes::{Bytes, BytesMut};
use http_body::{Frame, SizeHint};
use mocket_core::static_files::{Entry, FolderRoot, SafePath, StaticFs};
use mocket_core::{Body, BoxError};
use tokio::task::JoinHandle;

/// How much one read takes from a file.
const CHUNK: usize = 64 * 1024;

/// One folder of the host, read with `std::fs` on tokio's blocking pool.
/// Made from the folder's path, relative to the working directory:
/// `mocket::ServeDir::new("public")` makes one.
///
/// ```no_run
/// use mocket_core::static_files::ServeDir;
/// let dir: ServeDir<mocket_native::NativeFs> = ServeDir::new("public");
/// let mut app = mocket_core::Mocket::new();
/// app.serve_dir("/", dir);
/// ```
#[derive(Debug, Clone)]
pub struct NativeFs {
    /// The folder's canonical path, or why it cannot be served.
    root: FolderRoot<Arc<Path>>,
}

impl From<PathBuf> for NativeFs {
    fn from(root: PathBuf) -> Self {
        let resolved = std::fs::canonicalize(&root).and_then(|real| {
            if real.is_dir() {
                Ok(real)
            } else {
                Err(io::Error::new(io::ErrorKind::NotADirectory, "not a folder"))
            }
        });
        NativeFs {
            root: match resolved {
                Ok(real) => FolderRoot::found(Arc::from(real)),
                Err(e) => {
                    FolderRoot::unusable(format!("cannot serve the folder {}: {e}", root.display()))
                }
            },
        }
    }
}

impl StaticFs for NativeFs {
    type File = PathBuf;

    fn check(&self) -> io::Result<()> {
        self.root.check()
    }

    async fn stat(&self, path: &SafePath) -> io::Result<Entry<PathBuf>> {
        let root = self.root.get()?.clone();
        let mut candidate = root.to_path_buf();
        candidate.extend(path.segments());
        blocking(move || stat_inside(&root, &candidate)).await
    }

    async fn open(&self, file: PathBuf, range: Range<u64>) -> io::Result<Body> {
        let opened = blocking(move || {
            let mut f = File::open(&file)?;
            f.seek(SeekFrom::Start(range.start))?;
            Ok(f)
        })
        .await?;
        Ok(Body::from_stream(FileBody {
            state: State::Idle(Some(opened)),
            remaining: range.end - range.start,
        }))
    }
}

/// What `candidate` names, if its real path lies inside `root`.
fn stat_inside(root: &Path, candidate: &Path) -> io::Result<Entry<PathBuf>> {
    let real = std::fs::canonicalize(candidate)?;
    if !real.starts_with(root) {
        tracing::debug!(path = %candidate.display(), real = %real.display(), "a symlink points out of the served folder: not found");
        return Err(io::ErrorKind::NotFound.into());
    }
    let meta = std::fs::metadata(&real)?;
    Entry::from_metadata(&meta, real)
}

/// Runs `f` on tokio's blocking pool, or inline outside a runtime.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    match tokio::runtime::Handle::try_current() {
        Ok(rt) => rt.spawn_blocking(f).await.map_err(io::Error::other)?,
        Err(_) => f(),
    }
}

/// A byte range of a file, read a chunk at a time as it is polled.
struct FileBody {
    state: State,
    remaining: u64,
}

enum State {
    /// Waiting to be polled (the file is `None` only after an error).
    Idle(Option<File>),
    /// A chunk is being read on the blocking pool.
    Reading(JoinHandle<(File, io::Result<Bytes>)>),
}

fn read_chunk(mut file: File, want: usize) -> (File, io::Result<Bytes>) {
    let mut buf = BytesMut::zeroed(want);
    let read = file.read(&mut buf).and_then(|n| {
        if n == 0 {
            Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file shrank while it was being sent",
            ))
        } else {
            buf.truncate(n);
            Ok(buf.freeze())
        }
    });
    (file, read)
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        let (file, chunk) = match &mut this.state {
            State::Idle(_) if this.remaining == 0 => return Poll::Ready(None),
            State::Idle(file) => {
                let Some(file) = file.take() else {
                    return Poll::Ready(None);
                };
                let want = this.remaining.min(CHUNK as u64) as usize;
                match tokio::runtime::Handle::try_current() {
                    Ok(rt) => {
                        this.state =
                            State::Reading(rt.spawn_blocking(move || read_chunk(file, want)));
                        return Pin::new(this).poll_frame(cx);
                    }
                    Err(_) => read_chunk(file, want),
                }
            }
            State::Reading(task) => match ready!(Pin::new(task).poll(cx)) {
                Ok(done) => done,
                Err(e) => {
                    this.state = State::Idle(None);
                    return Poll::Ready(Some(Err(Box::new(e))));
                }
            },
        };
        match chunk {
            Ok(chunk) => {
                // Never more than asked for: a file that grew is cut at the
                // length announced.
                let chunk = if chunk.len() as u64 > this.remaining {
                    chunk.slice(..this.remaining as usize)
                } else {
                    chunk
                };
                this.remaining -= chunk.len() as u64;
                this.state = State::Idle(Some(file));
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            Err(e) => {
                this.state = State::Idle(None);
                Poll::Ready(Some(Err(Box::new(e))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0 || matches!(self.state, State::Idle(None))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
