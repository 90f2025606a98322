//! Routes the shutdown check holds open while it sends SIGTERM: a request
//! still being answered, and an event stream that never ends by itself.

use std::convert::Infallible;

use futures_util::stream;
use mocket::prelude::*;
use mocket::sse::{Event, Sse};
use mocket::time::{Duration, sleep};

/// How long `/shutdown/slow` takes: long enough to be in flight when the
/// signal arrives, well within the default 10 s grace period.
const SLOW: Duration = Duration::from_millis(1500);

pub(crate) fn register(app: &mut Mocket) {
    app.get("/shutdown/slow", |_req| async {
        sleep(SLOW).await;
        "finished"
    });
    app.get("/shutdown/events", |_req| async {
        let ticks = stream::unfold(0u32, |n| async move {
            sleep(Duration::from_millis(100)).await;
            Some((Ok::<_, Infallible>(Event::data(format!("tick {n}"))), n + 1))
        });
        Sse::new(ticks)
    });
}
