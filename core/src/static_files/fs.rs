//! The one place static files touch the host: the [`StaticFs`] trait each
//! backend implements, and [`MemoryFs`], an implementation over files held
//! in memory (for tests, and for assets compiled into the binary).

use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::ops::Range;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;

use super::path::SafePath;
use crate::body::Body;
use crate::maybe_send::{MaybeSend, MaybeSync};

/// What a path names inside the served folder.
///
/// ```
/// use mocket_core::static_files::Entry;
/// let entry: Entry<()> = Entry::File { len: 3, modified: None, file: () };
/// assert!(matches!(entry, Entry::File { len: 3, .. }));
/// ```
#[derive(Debug, Clone)]
pub enum Entry<F> {
    /// A regular file (symlinks followed), with what [`StaticFs::open`]
    /// needs to read it.
    File {
        /// Its size in bytes.
        len: u64,
        /// When it last changed, if the host says: the source of
        /// `Last-Modified` and, with `len`, of the `ETag`.
        modified: Option<SystemTime>,
        /// The resolved file, for `open` (a canonical path, an open handle).
        file: F,
    },
    /// A folder.
    Dir,
}

impl<F> Entry<F> {
    /// What a host's `std::fs` metadata says `file` is: a file, a folder,
    /// or (for sockets, devices and FIFOs, never served) not found. For
    /// backends whose host has `std::fs`.
    ///
    /// ```no_run
    /// use mocket_core::static_files::Entry;
    /// let meta = std::fs::metadata("public/index.html").unwrap();
    /// let entry = Entry::from_metadata(&meta, "public/index.html").unwrap();
    /// assert!(matches!(entry, Entry::File { .. }));
    /// ```
    pub fn from_metadata(meta: &std::fs::Metadata, file: F) -> io::Result<Entry<F>> {
        if meta.is_dir() {
            Ok(Entry::Dir)
        } else if meta.is_file() {
            Ok(Entry::File {
                len: meta.len(),
                modified: meta.modified().ok(),
                file,
            })
        } else {
            Err(io::ErrorKind::NotFound.into())
        }
    }
}

/// Read access to one folder of the host, which each backend implements
/// with its platform's file API (tokio natively, `node:fs` on Node.js,
/// preopened directories on WASI).
///
/// The core decides everything HTTP (which path, which variant, which
/// range); an implementation only resolves paths and streams bytes. Its
/// duty is containment: `stat` must never resolve to anything outside the
/// folder, following symlinks as the host does (a canonical path checked
/// against the folder's canonical path, where the host can say), and
/// answer such a path as [`io::ErrorKind::NotFound`]. The paths it gets
/// are already sanitised ([`SafePath`]: no `..`, no separators inside a
/// segment, no NUL).
///
/// A backend's folder type is made from the folder's path with
/// `TryFrom<PathBuf>`, which fails saying why it cannot be served
/// (missing, not a folder, not granted by the host); the core reports
/// `cannot serve the folder PATH: WHY` as a setup error when the folder is
/// mounted, so `listen` refuses to start.
///
/// Futures need not be `Send`: like handlers, they run on the thread that
/// polls the request.
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket_core::static_files::{Entry, MemoryFs, SafePath, StaticFs};
/// let fs = MemoryFs::new().file("css/site.css", "body{}");
/// let path = SafePath::parse("css/site.css").unwrap();
/// let Ok(Entry::File { len, file, .. }) = fs.stat(&path).await else { panic!() };
/// assert_eq!(len, 6);
/// let body = fs.open(file, 0..4).await.unwrap();
/// assert_eq!(body.to_text().await.unwrap(), "body");
/// # });
/// ```
pub trait StaticFs: MaybeSend + MaybeSync + 'static {
    /// What [`stat`](StaticFs::stat) hands to [`open`](StaticFs::open):
    /// the resolved file, so `open` need not resolve it again.
    type File: 'static;

    /// What `path` names, following symlinks; a missing path, or one that
    /// resolves outside the folder, is [`io::ErrorKind::NotFound`].
    fn stat(&self, path: &SafePath) -> impl Future<Output = io::Result<Entry<Self::File>>>;

    /// The bytes `range` of `file`, as a body whose length is exactly
    /// `range`'s (read in chunks, never all at once for a real file).
    fn open(&self, file: Self::File, range: Range<u64>) -> impl Future<Output = io::Result<Body>>;
}

/// Files held in memory, addressed by `/`-separated paths; folders are
/// implied by the files' paths. For tests of static serving, and for assets
/// compiled into the binary with `include_bytes!`.
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket_core::static_files::{MemoryFs, ServeDir};
/// let mut app = mocket_core::Mocket::new();
/// let fs = MemoryFs::new().file("index.html", "<h1>Home</h1>");
/// app.serve_dir("/", ServeDir::with_fs(fs));
/// let res = app.request("/").await;
/// assert_eq!(res.headers()["content-type"], "text/html; charset=utf-8");
/// # });
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryFs {
    files: Arc<BTreeMap<String, MemoryFile>>,
}

#[derive(Debug, Clone)]
struct MemoryFile {
    contents: Bytes,
    modified: Option<SystemTime>,
}

impl MemoryFs {
    /// An empty folder.
    ///
    /// ```
    /// let fs = mocket_core::static_files::MemoryFs::new();
    /// ```
    pub fn new() -> Self {
        MemoryFs::default()
    }

    /// Adds a file with no modification time: it is served without
    /// `Last-Modified` and `ETag`, so conditional requests never match.
    ///
    /// ```
    /// let fs = mocket_core::static_files::MemoryFs::new().file("a/b.txt", "hi");
    /// ```
    pub fn file(self, path: &str, contents: impl Into<Bytes>) -> Self {
        self.insert(path, contents.into(), None)
    }

    /// Adds a file that last changed at `modified`.
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    /// let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    /// let fs = mocket_core::static_files::MemoryFs::new().file_modified("a.txt", "hi", at);
    /// ```
    pub fn file_modified(
        self,
        path: &str,
        contents: impl Into<Bytes>,
        modified: SystemTime,
    ) -> Self {
        self.insert(path, contents.into(), Some(modified))
    }

    fn insert(mut self, path: &str, contents: Bytes, modified: Option<SystemTime>) -> Self {
        let key = path.trim_matches('/').to_owned();
        Arc::make_mut(&mut self.files).insert(key, MemoryFile { contents, modified });
        self
    }
}

impl StaticFs for MemoryFs {
    type File = Bytes;

    async fn stat(&self, path: &SafePath) -> io::Result<Entry<Bytes>> {
        let key = path.as_str();
        if let Some(file) = self.files.get(key) {
            return Ok(Entry::File {
                len: file.contents.len() as u64,
                modified: file.modified,
                file: file.contents.clone(),
            });
        }
        // A folder is any proper prefix of a file's path, ending at a `/`.
        let is_dir = key.is_empty()
            || self
                .files
                .range(format!("{key}/")..)
                .next()
                .is_some_and(|(k, _)| {
                    k.starts_with(key) && k.as_bytes().get(key.len()) == Some(&b'/')
                });
        if is_dir {
            Ok(Entry::Dir)
        } else {
            Err(io::ErrorKind::NotFound.into())
        }
    }

    async fn open(&self, file: Bytes, range: Range<u64>) -> io::Result<Body> {
        let end = usize::try_from(range.end).unwrap_or(usize::MAX);
        let start = usize::try_from(range.start).unwrap_or(usize::MAX);
        if start > end || end > file.len() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the range lies beyond the end of the file",
            ));
        }
        Ok(Body::from(file.slice(start..end)))
    }
}
