//! [`WasiFs`]: the preopened folders, for `ServeDir`.
//!
//! A WASI component sees only the folders its host preopens (wasmtime's
//! `--dir HOST[::GUEST]`, `cargo mocket run --dir`); paths are resolved
//! against them by wasi-libc, which also emulates `realpath`, so lookups
//! canonicalize and check the real path against the folder's, as natively.
//! The host adds its own fence: nothing outside a preopen can be opened at
//! all, whatever a symlink says.
//!
//! WASI 0.2's file API as `std` exposes it is synchronous, and these
//! components run one request at a time per instance (or on one
//! single-threaded executor as a command), so files are read in 64 KiB
//! chunks as the body is polled, each read a plain host call.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body::{Frame, SizeHint};
use mocket_core::static_files::{Entry, SafePath, StaticFs};
use mocket_core::{Body, BoxError};

/// How much one read takes from a file.
const CHUNK: usize = 64 * 1024;

/// One preopened folder (or a folder inside one). Made from the folder's
/// path as the component sees it: `mocket::ServeDir::new("public")` with
/// `wasmtime serve --dir public` (the guest path defaults to the host's).
///
/// ```ignore
/// use mocket_core::static_files::ServeDir;
/// let dir: ServeDir<mocket_wasi::WasiFs> = ServeDir::new("public");
/// ```
#[derive(Debug, Clone)]
pub struct WasiFs {
    /// The folder's canonical path, or why it cannot be served.
    root: Result<Arc<Path>, Arc<str>>,
}

impl From<PathBuf> for WasiFs {
    fn from(root: PathBuf) -> Self {
        let resolved = std::fs::canonicalize(&root).and_then(|real| {
            if std::fs::metadata(&real)?.is_dir() {
                Ok(real)
            } else {
                Err(io::Error::new(io::ErrorKind::NotADirectory, "not a folder"))
            }
        });
        let shown = root.display();
        WasiFs {
            root: resolved.map(Arc::from).map_err(|e| {
                format!(
                    "cannot serve the folder {shown}: {e}; a WASI component sees only the \
                     folders its host grants: `cargo mocket run --dir {shown}`, or \
                     `wasmtime serve --dir {shown}` / `wasmtime run --dir {shown}`"
                )
                .into()
            }),
        }
    }
}

impl StaticFs for WasiFs {
    type File = PathBuf;

    fn check(&self) -> io::Result<()> {
        match &self.root {
            Ok(_) => Ok(()),
            Err(why) => Err(io::Error::new(io::ErrorKind::NotFound, why.to_string())),
        }
    }

    async fn stat(&self, path: &SafePath) -> io::Result<Entry<PathBuf>> {
        let root = match &self.root {
            Ok(root) => root,
            Err(_) => return Err(io::ErrorKind::NotFound.into()),
        };
        let mut candidate = root.to_path_buf();
        candidate.extend(path.segments());
        let real = std::fs::canonicalize(&candidate).map_err(|e| {
            // The host's fence: a symlink out of every preopened folder
            // cannot even be resolved. Out of the folder is not found.
            if e.kind() == io::ErrorKind::PermissionDenied {
                tracing::debug!(path = %candidate.display(), error = %e, "the host refuses to resolve the path: not found");
                io::ErrorKind::NotFound.into()
            } else {
                e
            }
        })?;
        if !real.starts_with(root) {
            tracing::debug!(path = %candidate.display(), real = %real.display(), "a symlink points out of the served folder: not found");
            return Err(io::ErrorKind::NotFound.into());
        }
        let meta = std::fs::metadata(&real)?;
        if meta.is_dir() {
            Ok(Entry::Dir)
        } else if meta.is_file() {
            Ok(Entry::File {
                len: meta.len(),
                modified: meta.modified().ok(),
                file: real,
            })
        } else {
            Err(io::ErrorKind::NotFound.into())
        }
    }

    async fn open(&self, file: PathBuf, range: Range<u64>) -> io::Result<Body> {
        let mut opened = File::open(&file)?;
        opened.seek(SeekFrom::Start(range.start))?;
        Ok(Body::from_stream(FileBody {
            file: Some(opened),
            remaining: range.end - range.start,
        }))
    }
}

/// A byte range of a file, read a chunk at a time as it is polled.
struct FileBody {
    /// `None` after an error.
    file: Option<File>,
    remaining: u64,
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        let Some(file) = this.file.as_mut().filter(|_| this.remaining > 0) else {
            return Poll::Ready(None);
        };
        let want = this.remaining.min(CHUNK as u64) as usize;
        let mut buf = BytesMut::zeroed(want);
        match file.read(&mut buf) {
            Ok(0) => {
                this.file = None;
                Poll::Ready(Some(Err("the file shrank while it was being sent".into())))
            }
            Ok(n) => {
                buf.truncate(n);
                this.remaining -= n as u64;
                Poll::Ready(Some(Ok(Frame::data(buf.freeze()))))
            }
            Err(e) => {
                this.file = None;
                Poll::Ready(Some(Err(Box::new(e))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0 || self.file.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
