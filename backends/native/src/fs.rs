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
use mocket_core::Body;
use mocket_core::backend::{Chunk, ChunkSource};
use mocket_core::static_files::{Entry, SafePath, StaticFs};
use tokio::task::JoinHandle;

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
pub struct NativeFs(
    /// The folder's canonical path.
    Arc<Path>,
);

impl TryFrom<PathBuf> for NativeFs {
    type Error = io::Error;

    fn try_from(root: PathBuf) -> io::Result<Self> {
        let real = std::fs::canonicalize(&root)?;
        if !real.is_dir() {
            return Err(io::Error::new(io::ErrorKind::NotADirectory, "not a folder"));
        }
        Ok(NativeFs(real.into()))
    }
}

impl StaticFs for NativeFs {
    type File = PathBuf;

    async fn stat(&self, path: &SafePath) -> io::Result<Entry<PathBuf>> {
        let root = self.0.clone();
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
        let chunks = FileChunks {
            state: State::Idle(Some(opened)),
        };
        Ok(Body::from_chunks(chunks, Some(range.end - range.start)))
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

/// A file read a chunk at a time as the body is polled, on the blocking
/// pool (the core keeps the range's count: `Body::from_chunks`).
struct FileChunks {
    state: State,
}

enum State {
    /// Waiting to be polled.
    Idle(Option<File>),
    /// A chunk is being read on the blocking pool.
    Reading(JoinHandle<(File, io::Result<Bytes>)>),
}

fn read_chunk(mut file: File, want: usize) -> (File, io::Result<Bytes>) {
    let mut buf = BytesMut::zeroed(want);
    let read = file.read(&mut buf).map(|n| {
        buf.truncate(n);
        buf.freeze()
    });
    (file, read)
}

impl ChunkSource for FileChunks {
    fn poll_chunk(&mut self, cx: &mut Context<'_>, want: usize) -> Poll<Chunk> {
        let (file, chunk) = match &mut self.state {
            State::Idle(file) => {
                let Some(file) = file.take() else {
                    return Poll::Ready(Ok(None));
                };
                match tokio::runtime::Handle::try_current() {
                    Ok(rt) => {
                        self.state =
                            State::Reading(rt.spawn_blocking(move || read_chunk(file, want)));
                        return self.poll_chunk(cx, want);
                    }
                    Err(_) => read_chunk(file, want),
                }
            }
            State::Reading(task) => ready!(Pin::new(task).poll(cx)).map_err(io::Error::other)?,
        };
        let chunk = chunk?;
        // An empty read is the end of the file.
        self.state = State::Idle((!chunk.is_empty()).then_some(file));
        Poll::Ready(Ok((!chunk.is_empty()).then_some(chunk)))
    }
}
