//! A small app for the WASI backend's tests: a route that panics, and one
//! that counts the requests its instance has served (state lives in the
//! instance, so the count shows whether the host reused it). Its error
//! handler marks what it renders (`oops: …`), so tests can tell its answers
//! from the host's, and its header read timeout is 2 s, so tests can watch
//! a silent connection being closed. `/sse/forever` is an endless event
//! stream (an event every 20 ms on the portable clock) and `/sse/dropped`
//! counts the streams dropped because their client left. `/greeting`
//! answers the `GREETING` environment variable as the request sees it (a
//! pre-initialised component must read the host's, not the build's).
//! Listens on `PORT` (default 3000).

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use mocket::prelude::*;
use mocket::sse::{Event, Sse};

/// Event streams dropped so far.
struct Dropped(Arc<AtomicU64>);

/// Counts its stream as dropped when it is.
struct CountOnDrop(Arc<AtomicU64>);

impl Drop for CountOnDrop {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

fn main() {
    let mut app = Mocket::new();
    app.state(AtomicU64::new(0));
    app.server_options().header_read_timeout = Duration::from_secs(2);
    app.on_error(|err: Error| (err.status(), format!("oops: {}", err.message())));
    app.get("/", |_req| async { "hello" });
    app.get("/panic", |_req| async { boom() });
    app.get("/greeting", |_req| async {
        mocket::env_var("GREETING").unwrap_or_else(|| "(unset)".into())
    });
    app.get("/count", |req| async move {
        let served = req.state::<AtomicU64>()?;
        Ok((served.fetch_add(1, Ordering::Relaxed) + 1).to_string())
    });
    app.state(Dropped(Arc::new(AtomicU64::new(0))));
    app.get("/sse/forever", |req| async move {
        let guard = CountOnDrop(req.state::<Dropped>()?.0.clone());
        let events = futures_util::stream::unfold((0u64, guard), |(n, guard)| async move {
            if n > 0 {
                mocket::time::sleep(Duration::from_millis(20)).await;
            }
            Some((
                Ok::<_, Infallible>(Event::data(n.to_string())),
                (n + 1, guard),
            ))
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
    let port = mocket::env_var("PORT").unwrap_or_else(|| "3000".into());
    app.listen(&format!("127.0.0.1:{port}"));
}

fn boom() -> &'static str {
    panic!("secret panic detail")
}
