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
use js_sys::{Array, Promise, Uint8Array};
use mocket_core::Body;
use mocket_core::backend::{Chunk, ChunkSource};
use mocket_core::static_files::{Entry, SafePath, StaticFs};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::host::js_error;

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

/// One folder of the host, read through `node:fs`. Made from the folder's
/// path, relative to Node's working directory:
/// `mocket::ServeDir::new("public")` makes one.
///
/// ```ignore
/// use mocket_core::static_files::ServeDir;
/// let dir: ServeDir<mocket_node::NodeFs> = ServeDir::new("public");
/// ```
#[derive(Debug, Clone)]
pub struct NodeFs(
    /// The folder's real path.
    Rc<str>,
);

impl TryFrom<PathBuf> for NodeFs {
    type Error = String;

    fn try_from(root: PathBuf) -> Result<Self, String> {
        // `[true, realRoot]`, or `[false, why]`.
        let checked = check_root(&root.display().to_string());
        let value = checked.get(1).as_string().unwrap_or_default();
        match checked.get(0).as_bool() {
            Some(true) => Ok(NodeFs(value.into())),
            _ => Err(value),
        }
    }
}

impl StaticFs for NodeFs {
    type File = String;

    async fn stat(&self, path: &SafePath) -> io::Result<Entry<String>> {
        let found = JsFuture::from(stat_path(&self.0, path.as_str()))
            .await
            .map_err(|e| js_error(&e))?;
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
        let handle = JsFuture::from(open_file(&file))
            .await
            .map_err(|e| js_error(&e))?;
        let chunks = FileChunks {
            handle,
            position: range.start,
            reading: None,
        };
        Ok(Body::from_chunks(chunks, Some(range.end - range.start)))
    }
}

/// An open `FileHandle`, read a chunk at a time as the host pulls the body
/// (the core keeps the range's count: `Body::from_chunks`); the handle is
/// closed when the body ends or is dropped.
struct FileChunks {
    handle: JsValue,
    position: u64,
    reading: Option<JsFuture>,
}

impl Drop for FileChunks {
    fn drop(&mut self) {
        close_file(&self.handle);
    }
}

impl ChunkSource for FileChunks {
    fn poll_chunk(&mut self, cx: &mut Context<'_>, want: usize) -> Poll<Chunk> {
        let (handle, position) = (&self.handle, self.position as f64);
        let reading = self
            .reading
            .get_or_insert_with(|| JsFuture::from(read_file(handle, position, want as f64)));
        let read = ready!(Pin::new(reading).poll(cx));
        self.reading = None;
        let chunk = Uint8Array::from(read.map_err(|e| js_error(&e))?).to_vec();
        self.position += chunk.len() as u64;
        Poll::Ready(Ok((!chunk.is_empty()).then(|| Bytes::from(chunk))))
    }
}
