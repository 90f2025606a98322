//! Serving a folder of files: [`ServeDir`], mounted with
//! [`Mocket::serve_dir`].
//!
//! Everything HTTP happens here, once for every backend: sanitising the
//! path ([`SafePath`]), folders (`index.html`, and `/dir` redirected to
//! `/dir/`), the content type, precompressed `.br`/`.gz` siblings chosen by
//! `Accept-Encoding`, validators (`ETag`, `Last-Modified`) and conditional
//! requests (304, 412), single byte ranges (206, 416) with `If-Range`, and
//! HEAD. The files themselves are read through [`StaticFs`], which each
//! backend implements for its host, so this module does no I/O: natively
//! with tokio, on Node.js through `node:fs`, on WASI through the preopened
//! folders. The `mocket` crate's `ServeDir` is this type with the target's
//! backend filled in; [`MemoryFs`] serves files held in memory.
//!
//! A `ServeDir` is mounted in one of two ways:
//!
//! - by default as a `GET` route for the mount and everything below it:
//!   a missing file is a 404 through the app's error handler, a bad path a
//!   400 that says why, another method a 405 with `Allow: GET, HEAD`, and
//!   routes that are more specific than the mount still win;
//! - with [`ServeDir::fall_through`], as a middleware for the mount: a file
//!   that exists is served, anything else (a missing file, a bad path,
//!   another method) goes on to the routes and the app's 404, like Hono's
//!   `serveStatic`. Middleware registered before it runs around it.

pub(crate) mod conditional;
#[cfg(test)]
mod conditional_props;
mod encoding;
mod fs;
mod path;
pub(crate) mod range;
#[cfg(test)]
mod range_props;
mod serve;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

pub use fs::{Entry, MemoryFs, StaticFs};
pub use path::{PathError, SafePath};

use crate::app::{Group, Mocket};
use crate::compression::Encoding;
use serve::Mounted;

/// A folder to serve, and how: see [the module](self). Mount it with
/// [`Mocket::serve_dir`] or [`Group::serve_dir`].
///
/// ```
/// # futures_executor::block_on(async {
/// use mocket_core::static_files::{MemoryFs, ServeDir};
/// let fs = MemoryFs::new()
///     .file("app.css", "body { color: teal }")
///     .file("app.css.br", "(the brotli bytes)");
/// let mut app = mocket_core::Mocket::new();
/// app.serve_dir("/assets", ServeDir::with_fs(fs).precompressed_br());
///
/// let req = mocket_core::http::Request::get("/assets/app.css")
///     .header("accept-encoding", "gzip, br")
///     .body(())
///     .unwrap();
/// let res = app.request(req).await;
/// assert_eq!(res.headers()["content-encoding"], "br");
/// assert_eq!(res.headers()["content-type"], "text/css; charset=utf-8");
/// assert_eq!(app.request("/assets/missing.css").await.status(), 404);
/// # });
/// ```
#[must_use = "a builder does nothing until it is used"]
pub struct ServeDir<F> {
    /// The folder, or the line that says why it cannot be served.
    fs: Result<F, String>,
    index: Option<String>,
    precompressed: Vec<Encoding>,
    fall_through: bool,
    dotfiles: bool,
}

impl<F> ServeDir<F>
where
    F: StaticFs + TryFrom<PathBuf>,
    F::Error: fmt::Display,
{
    /// Serves the folder at `root` (relative to the working directory)
    /// with the backend's file access. Through the `mocket` crate this is
    /// `mocket::ServeDir::new("public")`; whether the folder can be served
    /// is checked when it is mounted.
    ///
    /// ```
    /// use std::path::PathBuf;
    /// use mocket_core::static_files::{ServeDir, StaticFs};
    /// fn public<F>() -> ServeDir<F>
    /// where
    ///     F: StaticFs + TryFrom<PathBuf, Error = String>,
    /// {
    ///     ServeDir::new("public")
    /// }
    /// ```
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let root = root.into();
        let shown = root.display().to_string();
        let fs = F::try_from(root).map_err(|why| format!("cannot serve the folder {shown}: {why}"));
        ServeDir::with_fs_result(fs)
    }
}

impl<F: StaticFs> ServeDir<F> {
    /// Serves what `fs` reads: `index.html` for folders, no precompressed
    /// siblings, dotfiles hidden, 404 for missing files.
    ///
    /// ```
    /// use mocket_core::static_files::{MemoryFs, ServeDir};
    /// let dir = ServeDir::with_fs(MemoryFs::new().file("a.txt", "a"));
    /// ```
    pub fn with_fs(fs: F) -> Self {
        ServeDir::with_fs_result(Ok(fs))
    }

    fn with_fs_result(fs: Result<F, String>) -> Self {
        ServeDir {
            fs,
            index: Some("index.html".to_owned()),
            precompressed: Vec::new(),
            fall_through: false,
            dotfiles: false,
        }
    }

    /// The file served for a folder requested with a trailing `/` (default
    /// `index.html`); a folder requested without it is redirected (307) to
    /// the path with the `/`.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::static_files::{MemoryFs, ServeDir};
    /// let fs = MemoryFs::new().file("docs/index.htm", "docs");
    /// let mut app = mocket_core::Mocket::new();
    /// app.serve_dir("/", ServeDir::with_fs(fs).index_file("index.htm"));
    /// assert_eq!(app.request("/docs").await.headers()["location"], "/docs/");
    /// assert_eq!(app.request("/docs/").await.into_body().to_text().await.unwrap(), "docs");
    /// # });
    /// ```
    pub fn index_file(mut self, name: &str) -> Self {
        self.index = Some(name.to_owned());
        self
    }

    /// Folders get no index file and no redirect: they are not found.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::static_files::{MemoryFs, ServeDir};
    /// let fs = MemoryFs::new().file("docs/index.html", "docs");
    /// let mut app = mocket_core::Mocket::new();
    /// app.serve_dir("/", ServeDir::with_fs(fs).no_index());
    /// assert_eq!(app.request("/docs/").await.status(), 404);
    /// # });
    /// ```
    pub fn no_index(mut self) -> Self {
        self.index = None;
        self
    }

    /// Serves `x.br` instead of `x` to clients that accept brotli, with
    /// `content-encoding: br` and `x`'s content type, when `x.br` exists.
    /// Responses then say `vary: accept-encoding`.
    ///
    /// ```
    /// use mocket_core::static_files::{MemoryFs, ServeDir};
    /// let dir = ServeDir::with_fs(MemoryFs::new()).precompressed_br().precompressed_gzip();
    /// ```
    pub fn precompressed_br(mut self) -> Self {
        self.offer(Encoding::Brotli);
        self
    }

    /// Serves `x.gz` instead of `x` to clients that accept gzip, as
    /// [`precompressed_br`](Self::precompressed_br) does for brotli
    /// (brotli wins when the client weighs both equally).
    ///
    /// ```
    /// use mocket_core::static_files::{MemoryFs, ServeDir};
    /// let dir = ServeDir::with_fs(MemoryFs::new()).precompressed_gzip();
    /// ```
    pub fn precompressed_gzip(mut self) -> Self {
        self.offer(Encoding::Gzip);
        self
    }

    fn offer(&mut self, coding: Encoding) {
        if !self.precompressed.contains(&coding) {
            self.precompressed.push(coding);
            // Brotli first: the preferred order when weights tie.
            self.precompressed.sort_by_key(|c| *c != Encoding::Brotli);
        }
    }

    /// A file that does not exist (or a bad path, or a method other than
    /// GET and HEAD) is left to the rest of the app — more specific
    /// routes, the app's 404 — instead of a 404 from here. The folder is
    /// then mounted as a middleware: files win over routes under the mount.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::static_files::{MemoryFs, ServeDir};
    /// let mut app = mocket_core::Mocket::new();
    /// app.serve_dir("/", ServeDir::with_fs(MemoryFs::new().file("a.txt", "a")).fall_through());
    /// app.get("/:page", |req| async move { format!("page {}", req.param("page")) });
    /// assert_eq!(app.request("/a.txt").await.into_body().to_text().await.unwrap(), "a");
    /// assert_eq!(app.request("/b.txt").await.into_body().to_text().await.unwrap(), "page b.txt");
    /// # });
    /// ```
    pub fn fall_through(mut self) -> Self {
        self.fall_through = true;
        self
    }

    /// Serves names starting with `.` (such as `.well-known/`), which are
    /// hidden (not found) by default so that `.git/` or `.env` in the
    /// folder never leak.
    ///
    /// ```
    /// use mocket_core::static_files::{MemoryFs, ServeDir};
    /// let dir = ServeDir::with_fs(MemoryFs::new()).serve_dotfiles();
    /// ```
    pub fn serve_dotfiles(mut self) -> Self {
        self.dotfiles = true;
        self
    }
}

impl<F> fmt::Debug for ServeDir<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServeDir")
            .field("index", &self.index)
            .field("precompressed", &self.precompressed)
            .field("fall_through", &self.fall_through)
            .field("dotfiles", &self.dotfiles)
            .finish_non_exhaustive()
    }
}

impl Mocket {
    /// Serves `dir` under `mount`: `/assets/app.css` is `app.css` in the
    /// folder. A folder that cannot be served (missing, or not granted on
    /// WASI) is a setup error, so `listen` refuses to start.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::static_files::{MemoryFs, ServeDir};
    /// let mut app = mocket_core::Mocket::new();
    /// app.serve_dir("/assets", ServeDir::with_fs(MemoryFs::new().file("a.txt", "a")));
    /// let res = app.request("/assets/a.txt").await;
    /// assert_eq!(res.headers()["accept-ranges"], "bytes");
    /// assert_eq!(res.into_body().to_text().await.unwrap(), "a");
    /// # });
    /// ```
    pub fn serve_dir<F: StaticFs>(&mut self, mount: &str, dir: ServeDir<F>) -> &mut Self {
        self.group(mount, |at| mount_at(at, mount, dir));
        self
    }
}

impl Group<'_> {
    /// Serves `dir` under `mount` within the group, as
    /// [`Mocket::serve_dir`] does; the group's middleware runs around it.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::static_files::{MemoryFs, ServeDir};
    /// let mut app = mocket_core::Mocket::new();
    /// app.group("/v1", |v1| {
    ///     v1.serve_dir("/docs", ServeDir::with_fs(MemoryFs::new().file("a.txt", "a")));
    /// });
    /// assert_eq!(app.request("/v1/docs/a.txt").await.status(), 200);
    /// # });
    /// ```
    pub fn serve_dir<F: StaticFs>(&mut self, mount: &str, dir: ServeDir<F>) -> &mut Self {
        self.group(mount, |at| mount_at(at, mount, dir));
        self
    }
}

/// Registers `dir` in the group made for its mount.
fn mount_at<F: StaticFs>(at: &mut Group<'_>, mount: &str, dir: ServeDir<F>) {
    let prefix = at.full_prefix().to_owned();
    let shown = if prefix.is_empty() { "/" } else { &prefix };
    if mount.contains('*') {
        return at.setup_error(format!(
            "serve_dir {shown}: the mount path cannot hold a wildcard (`*`, `**`)"
        ));
    }
    if let Some(index) = &dir.index
        && (SafePath::parse(index).map_or(true, |p| p.segments().count() != 1))
    {
        return at.setup_error(format!(
            "serve_dir {shown}: the index file {index:?} is not a plain file name"
        ));
    }
    if let Err(why) = &dir.fs {
        return at.setup_error(format!("serve_dir {shown}: {why}"));
    }
    let mounted = Arc::new(Mounted {
        mount_segments: prefix.split('/').filter(|s| !s.is_empty()).count(),
        dir,
    });
    if mounted.dir.fall_through {
        at.use_middleware(move |req, next| {
            let mounted = mounted.clone();
            async move { mounted.serve_or_next(req, next).await }
        });
    } else {
        at.get("/**", move |req| {
            let mounted = mounted.clone();
            async move { mounted.serve(req).await }
        });
    }
}
