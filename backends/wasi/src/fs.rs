//! [`WasiFs`]: the preopened folders, for `ServeDir`.
//!
//! A WASI component sees only the folders its host preopens (wasmtime's
//! `--dir HOST[::GUEST]`, `cargo mocket run --dir`), and the host already
//! refuses to open anything outside them. Within them, this module keeps
//! lookups inside the served folder itself: it walks the path one name at a
//! time, reads each symlink it meets and resolves its target by hand,
//! refusing a target that is absolute or climbs above the folder.
//! `std::fs::canonicalize` cannot do it here: wasi-libc emulates `realpath`
//! by walking from `/`, which fails when the folder is preopened under a
//! nested name such as `examples/site/public`.
//!
//! WASI 0.2's file API as `std` exposes it is synchronous, and these
//! components run one request at a time per instance (or on one
//! single-threaded executor as a command), so files are read in 64 KiB
//! chunks as the body is polled, each read a plain host call.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::BytesMut;
use mocket_core::Body;
use mocket_core::backend::{Chunk, ChunkSource};
use mocket_core::static_files::{Entry, SafePath, StaticFs};

/// One preopened folder (or a folder inside one). Made from the folder's
/// path as the component sees it: `mocket::ServeDir::new("public")` with
/// `wasmtime serve --dir public` (the guest path defaults to the host's).
///
/// ```ignore
/// use mocket_core::static_files::ServeDir;
/// let dir: ServeDir<mocket_wasi::WasiFs> = ServeDir::new("public");
/// ```
#[derive(Debug, Clone)]
pub struct WasiFs(
    /// The folder as given.
    Arc<Path>,
);

/// How many symlinks one lookup follows before giving up (Linux's limit).
const MAX_LINKS: usize = 40;

impl TryFrom<PathBuf> for WasiFs {
    type Error = String;

    fn try_from(root: PathBuf) -> Result<Self, String> {
        let checked = std::fs::metadata(&root).and_then(|meta| {
            if meta.is_dir() {
                Ok(())
            } else {
                Err(io::Error::new(io::ErrorKind::NotADirectory, "not a folder"))
            }
        });
        let shown = root.display();
        match checked {
            Ok(()) => Ok(WasiFs(Arc::from(root.as_path()))),
            Err(e) => Err(format!(
                "{e}; a WASI component sees only the folders its host grants: \
                 `cargo mocket run --dir {shown}`, or `wasmtime serve --dir {shown}` / \
                 `wasmtime run --dir {shown}`"
            )),
        }
    }
}

impl StaticFs for WasiFs {
    type File = PathBuf;

    async fn stat(&self, path: &SafePath) -> io::Result<Entry<PathBuf>> {
        let real = resolve_within(&self.0, path.segments().map(str::to_owned).collect())?;
        let meta = std::fs::metadata(&real).map_err(fenced)?;
        Entry::from_metadata(&meta, real)
    }

    async fn open(&self, file: PathBuf, range: Range<u64>) -> io::Result<Body> {
        let mut opened = File::open(&file)?;
        opened.seek(SeekFrom::Start(range.start))?;
        Ok(Body::from_chunks(
            FileChunks(opened),
            Some(range.end - range.start),
        ))
    }
}

/// The path `names` lead to below `root`, symlinks followed by hand: a
/// relative target is read from the link's own folder, and a target that
/// is absolute or climbs above `root` is not found.
fn resolve_within(root: &Path, names: VecDeque<String>) -> io::Result<PathBuf> {
    let mut todo = names;
    let mut here = root.to_path_buf();
    let mut depth = 0usize;
    let mut links = 0;
    while let Some(name) = todo.pop_front() {
        match name.as_str() {
            "" | "." => continue,
            ".." => {
                // Only a symlink's target can say `..`: sanitised paths never do.
                if depth == 0 {
                    return Err(outside(&here, ".."));
                }
                here.pop();
                depth -= 1;
                continue;
            }
            _ => {}
        }
        here.push(&name);
        let meta = std::fs::symlink_metadata(&here).map_err(fenced)?;
        if !meta.file_type().is_symlink() {
            depth += 1;
            continue;
        }
        links += 1;
        if links > MAX_LINKS {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                "too many levels of symlinks",
            ));
        }
        // The host may refuse to read a link that leads out (wasmtime does,
        // for absolute targets).
        let target = std::fs::read_link(&here).map_err(fenced)?;
        here.pop();
        let Some(target) = target.to_str().filter(|t| !t.starts_with('/')) else {
            return Err(outside(&here, &target.display().to_string()));
        };
        for part in target.rsplit('/') {
            todo.push_front(part.to_owned());
        }
    }
    Ok(here)
}

fn outside(at: &Path, target: &str) -> io::Error {
    tracing::debug!(at = %at.display(), target, "a symlink points out of the served folder: not found");
    io::ErrorKind::NotFound.into()
}

/// The host's fence: a path out of every preopened folder cannot even be
/// looked at. For the served folder, that is not found.
fn fenced(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::PermissionDenied {
        io::ErrorKind::NotFound.into()
    } else {
        e
    }
}

/// A file read a chunk at a time as the body is polled (the core keeps
/// the range's count: `Body::from_chunks`). Reads block, briefly: WASI
/// file reads have no readiness to wait on.
struct FileChunks(File);

impl ChunkSource for FileChunks {
    fn poll_chunk(&mut self, _cx: &mut Context<'_>, want: usize) -> Poll<Chunk> {
        let mut buf = BytesMut::zeroed(want);
        let n = self.0.read(&mut buf)?;
        buf.truncate(n);
        Poll::Ready(Ok((n > 0).then(|| buf.freeze())))
    }
}
