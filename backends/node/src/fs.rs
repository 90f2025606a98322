//! [`NodeFs`]: the host's files for `ServeDir`, through `node:fs`.
//!
//! The lookups and reads are `node:fs/promises` calls in `js/fs.js` (a
//! wasm-bindgen snippet, like the host): each lookup resolves the real
//! path with `realpath` and checks it against the folder's, and a file is
//! read 64 KiB at a time with `FileHandle.read`, as the host pulls the
//! response body, so a large file never sits in memory and a slow client
//! slows the reads down. Each chunk is copied once into wasm memory.

use std::io;
use std::ops::Range;
use std::path::PathBuf;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, ready};
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use js_sys::{Array, Promise, Uint8Array};
use mocket_core::static_files::{Entry, FolderRoot, SafePath, StaticFs};
use mocket_core::{Body, BoxError};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/js/fs.js")]
extern "C" {
    /// `[true, realRoot]`, or `[false, why]`.
    #[wasm_bindgen(js_name = checkRoot)]
    fn check_root(root: &str) -> Array;

    /// `['file', size, secs, nanos, real]`, `['dir']`, `['missing']` or
    /// `['error', code, message]`.
    #[wasm_bindgen(js_name = statPath)]
    fn stat_path(real_root: &str, rel: &str) -> Promise;

    /// A `FileHandle`.
    #[wasm_bindgen(js_name = openFile)]
    fn open_file(real_path: &str) -> Promise;

    /// A `Uint8Array` of up to `length` bytes (empty at the end).
    #[wasm_bindgen(js_name = readFile)]
    fn read_file(handle: &JsValue, position: f64, length: f64) -> Promise;

    #[wasm_bindgen(js_name = closeFile)]
    fn close_file(handle: &JsValue);
}

/// How much one read takes from a file.
const CHUNK: u64 = 64 * 1024;

/// One folder of the host, read through `node:fs`. Made from the folder's
/// path, relative to Node's working directory:
/// `mocket::ServeDir::new("public")` makes one.
///
/// ```ignore
/// use mocket_core::static_files::ServeDir;
/// let dir: ServeDir<mocket_node::NodeFs> = ServeDir::new("public");
/// ```
#[derive(Debug, Clone)]
pub struct NodeFs {
    /// The folder's real path, or why it cannot be served.
    root: FolderRoot<Rc<str>>,
}

impl From<PathBuf> for NodeFs {
    fn from(root: PathBuf) -> Self {
        let shown = root.display().to_string();
        let checked = check_root(&shown);
        let ok = checked.get(0).as_bool().unwrap_or(false);
        let value = checked.get(1).as_string().unwrap_or_default();
        NodeFs {
            root: if ok {
                FolderRoot::found(value.into())
            } else {
                FolderRoot::unusable(format!("cannot serve the folder {shown}: {value}"))
            },
        }
    }
}

impl StaticFs for NodeFs {
    type File = String;

    fn check(&self) -> io::Result<()> {
        self.root.check()
    }

    async fn stat(&self, path: &SafePath) -> io::Result<Entry<String>> {
        let root = self.root.get()?;
        let found = JsFuture::from(stat_path(root, path.as_str()))
            .await
            .map_err(js_error)?;
        let found = Array::from(&found);
        match found.get(0).as_string().as_deref() {
            Some("file") => {
                let number = |i| found.get(i).as_f64().unwrap_or(0.0);
                let modified = UNIX_EPOCH
                    .checked_add(Duration::new(number(2) as u64, number(3) as u32))
                    .filter(|_| number(2) >= 0.0);
                Ok(Entry::File {
                    len: number(1) as u64,
                    modified,
                    file: found.get(4).as_string().unwrap_or_default(),
                })
            }
            Some("dir") => Ok(Entry::Dir),
            Some("missing") => Err(io::ErrorKind::NotFound.into()),
            _ => {
                let code = found.get(1).as_string().unwrap_or_default();
                let message = found.get(2).as_string().unwrap_or_default();
                let kind = match code.as_str() {
                    "EACCES" | "EPERM" => io::ErrorKind::PermissionDenied,
                    _ => io::ErrorKind::Other,
                };
                Err(io::Error::new(kind, message))
            }
        }
    }

    async fn open(&self, file: String, range: Range<u64>) -> io::Result<Body> {
        let handle = JsFuture::from(open_file(&file)).await.map_err(js_error)?;
        Ok(Body::from_stream(FileBody {
            handle: Some(handle),
            position: range.start,
            remaining: range.end - range.start,
            reading: None,
        }))
    }
}

/// A rejected promise as an `io::Error`: its `message`, or what it was.
fn js_error(e: JsValue) -> io::Error {
    let message = e
        .as_string()
        .or_else(|| {
            js_sys::Reflect::get(&e, &JsValue::from_str("message"))
                .ok()?
                .as_string()
        })
        .unwrap_or_else(|| format!("{e:?}"));
    io::Error::other(message)
}

/// A byte range of an open `FileHandle`, read a chunk at a time as the
/// host pulls it; the handle is closed at the end or when dropped.
struct FileBody {
    handle: Option<JsValue>,
    position: u64,
    remaining: u64,
    reading: Option<JsFuture>,
}

impl FileBody {
    fn close(&mut self) {
        if let Some(handle) = self.handle.take() {
            close_file(&handle);
        }
    }
}

impl Drop for FileBody {
    fn drop(&mut self) {
        self.close();
    }
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            this.close();
            return Poll::Ready(None);
        }
        let Some(handle) = &this.handle else {
            return Poll::Ready(None);
        };
        let reading = this.reading.get_or_insert_with(|| {
            let want = this.remaining.min(CHUNK);
            JsFuture::from(read_file(handle, this.position as f64, want as f64))
        });
        let read = ready!(Pin::new(reading).poll(cx));
        this.reading = None;
        let chunk = match read {
            Ok(chunk) => Uint8Array::from(chunk).to_vec(),
            Err(e) => {
                this.close();
                return Poll::Ready(Some(Err(Box::new(js_error(e)))));
            }
        };
        if chunk.is_empty() {
            this.close();
            return Poll::Ready(Some(Err("the file shrank while it was being sent".into())));
        }
        let n = (chunk.len() as u64).min(this.remaining);
        this.position += n;
        this.remaining -= n;
        if this.remaining == 0 {
            this.close();
        }
        let mut chunk = Bytes::from(chunk);
        chunk.truncate(n as usize);
        Poll::Ready(Some(Ok(Frame::data(chunk))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0 || self.handle.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
