//! Streamed answers: a body from a `Stream`, a channel body, and
//! Server-Sent Events, whole and resumed.

use super::{case, get};
use crate::case::{Case, Expect};

const C: &str = "streaming";

/// The event stream from the first event after `after`.
fn events(after: u32) -> String {
    (after + 1..=3)
        .map(|n| format!("event: tick\nid: {n}\ndata: event {n}\ndata: second line\n\n"))
        .collect()
}

/// A 200 with this body and no content type (a bare `Body` names none).
/// Its framing is the core's choice: chunked, or a length where every
/// chunk was ready before the head went out.
fn streamed(body: &str) -> Expect {
    Expect::status(200).no_header("content-type").body(body)
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        case(C, "a body streamed from a Stream arrives whole, in order")
            .send(get("/stream/lines"), streamed("line 1\nline 2\nline 3\n")),
        case(C, "a body fed through Body::channel arrives whole")
            .send(get("/stream/channel"), streamed("one two three")),
        case(
            C,
            "an event stream has its type, no caching, and every event framed",
        )
        .send(
            get("/stream/sse"),
            Expect::status(200)
                .header("content-type", "text/event-stream")
                .header("cache-control", "no-cache")
                .body(events(0)),
        ),
        case(
            C,
            "a client resuming with Last-Event-ID gets only the events after it",
        )
        .send(
            get("/stream/sse").header("last-event-id", "2"),
            Expect::status(200).body(events(2)),
        ),
    ]
}
