//! The routes, and the JavaScript they await.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use js_sys::{Function, Promise};
use mocket::Body;
use mocket::prelude::*;
use mocket::sse::{Event, Sse};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// The global `setTimeout`.
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: f64) -> JsValue;
}

#[wasm_bindgen(module = "node:fs/promises")]
extern "C" {
    /// `fs.promises.readFile(path, encoding)`.
    #[wasm_bindgen(js_name = readFile)]
    fn read_file(path: &str, encoding: &str) -> Promise;
}

/// Requests served since the instance started.
struct Served(AtomicU64);

/// Requests waiting on a promise, in `/sleep` or `/wait`.
struct Waiting(AtomicU64);

/// Server-Sent Event streams whose client went away (their stream dropped).
struct Dropped(Arc<AtomicU64>);

/// Counts a stream as dropped when it is.
struct CountOnDrop(Arc<AtomicU64>);

impl Drop for CountOnDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// A promise that resolves after `ms` milliseconds.
fn sleep(ms: u32) -> JsFuture {
    let promise = Promise::new(&mut |resolve, _reject| {
        set_timeout(&resolve, f64::from(ms));
    });
    JsFuture::from(promise)
}

/// Panics, which on wasm32-unknown-unknown traps the instance.
fn boom() -> &'static str {
    panic!("boom")
}

/// Builds the app.
pub(crate) fn build() -> Mocket {
    let mut app = Mocket::new();
    app.state(Served(AtomicU64::new(0)));
    app.state(Waiting(AtomicU64::new(0)));
    app.state(Dropped(Arc::new(AtomicU64::new(0))));

    // An endless event stream, one event every 20 ms on Node's timers;
    // `/sse/dropped` says how many such streams were dropped.
    app.get("/sse/forever", |req| async move {
        let guard = CountOnDrop(req.state::<Dropped>()?.0.clone());
        let events = futures_util::stream::unfold((0u64, guard), |(n, guard)| async move {
            if n > 0 {
                let _ = sleep(20).await;
            }
            let event = Event::data(n.to_string());
            Some((Ok::<_, Infallible>(event), (n + 1, guard)))
        });
        Ok(Sse::new(events))
    });
    app.get("/sse/dropped", |req| async move {
        Ok(req
            .state::<Dropped>()?
            .0
            .load(Ordering::Relaxed)
            .to_string())
    });
    // Errors, 500s after a trap included, are rendered here.
    app.on_error(|err: Error| {
        let message = err.message().to_owned();
        (err.status(), [("x-rendered-by", "on_error")], message)
    });

    app.get("/sleep/:ms", |req| async move {
        let ms: u32 = req
            .try_param("ms")
            .unwrap_or_default()
            .parse()
            .map_err(|_| Error::bad_request("ms must be a number"))?;
        if ms > 10_000 {
            return Err(Error::bad_request("at most 10000 ms"));
        }
        let waiting = req.state::<Waiting>()?;
        waiting.0.fetch_add(1, Ordering::Relaxed);
        let slept = sleep(ms).await;
        waiting.0.fetch_sub(1, Ordering::Relaxed);
        slept.map_err(|_| Error::internal("setTimeout failed"))?;
        Ok(format!("slept {ms} ms"))
    });

    app.get("/files/:name", |req| async move {
        let name = req.try_param("name").unwrap_or_default();
        if name.contains(['/', '\\']) || name.starts_with('.') {
            return Err(Error::bad_request(
                "a file name in the working directory, please",
            ));
        }
        // A rejected promise (ENOENT, EACCES…) is an `Err` here.
        let text = JsFuture::from(read_file(name, "utf8"))
            .await
            .map_err(|_| Error::not_found(format!("cannot read {name}")))?;
        Ok(text.as_string().unwrap_or_default())
    });

    // A streamed body: each chunk is produced after a timer, and written
    // before the next is asked for.
    app.get("/ticks/:n", |req| async move {
        let n: u32 = req
            .try_param("n")
            .unwrap_or_default()
            .parse()
            .unwrap_or(0)
            .min(1000);
        let ticks = futures_util::stream::unfold(1, move |i| async move {
            if i > n {
                return None;
            }
            let _ = sleep(1).await;
            Some((Ok::<_, Infallible>(format!("tick {i}\n")), i + 1))
        });
        let body = Body::from_stream(ticks);
        ([("content-type", "text/plain; charset=utf-8")], body)
    });

    // A streamed body that sends one line and then waits forever (until a
    // trap retires the instance).
    app.get("/stall", |_req| async {
        let lines = futures_util::stream::unfold(false, |sent| async move {
            if sent {
                let _ = JsFuture::from(Promise::new(&mut |_resolve, _reject| {})).await;
                return None;
            }
            Some((Ok::<_, Infallible>("first\n"), true))
        });
        let body = Body::from_stream(lines);
        ([("content-type", "text/plain; charset=utf-8")], body)
    });

    app.get("/count", |req| async move {
        let served = req.state::<Served>()?;
        Ok((served.0.fetch_add(1, Ordering::Relaxed) + 1).to_string())
    });

    app.get("/panic", |_req| async { boom() });

    app.get("/wait", |req| async move {
        let waiting = req.state::<Waiting>()?;
        waiting.0.fetch_add(1, Ordering::Relaxed);
        let forever = Promise::new(&mut |_resolve, _reject| {});
        let _ = JsFuture::from(forever).await;
        waiting.0.fetch_sub(1, Ordering::Relaxed);
        Ok("done waiting")
    });

    app.get("/waiting", |req| async move {
        let waiting = req.state::<Waiting>()?;
        Ok(waiting.0.load(Ordering::Relaxed).to_string())
    });

    app
}
