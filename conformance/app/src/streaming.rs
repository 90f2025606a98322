//! Routes for the streamed answers: a body from a `Stream`, one fed
//! through `Body::channel`, and Server-Sent Events (with ids a client
//! resumes from, multi-line data, and a portable timer between events).

use std::convert::Infallible;

use futures_util::stream::{self, StreamExt as _};
use mocket::Body;
use mocket::prelude::*;
use mocket::sse::{Event, Sse};
use mocket::time::{Duration, sleep};

pub(crate) fn register(app: &mut Mocket) {
    app.get("/stream/lines", |_req| async {
        let lines = stream::iter(1..=3).map(|n| Ok::<_, Infallible>(format!("line {n}\n")));
        Body::from_stream(lines)
    });
    app.get("/stream/channel", |_req| async {
        // Room for every chunk: no task is needed to feed it.
        let (mut tx, body) = Body::channel(4);
        for part in ["one ", "two ", "three"] {
            tx.send(part)
                .await
                .map_err(|e| Error::internal(e.to_string()))?;
        }
        Ok(body)
    });
    app.get("/stream/sse", |req| async move {
        let after: u32 = req
            .header("last-event-id")
            .and_then(|id| id.parse().ok())
            .unwrap_or(0);
        let events = stream::iter(after + 1..=3).then(|n| async move {
            // A timer between events: the body is polled as it goes.
            sleep(Duration::from_millis(5)).await;
            let event = Event::data(format!("event {n}\nsecond line")).event("tick");
            Ok::<_, Infallible>(event.id(n.to_string()))
        });
        Sse::new(events)
    });
}
