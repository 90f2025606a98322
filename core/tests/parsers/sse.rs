//! `sse::Event`'s framing, read back by a parser written from the HTML
//! standard (`event_stream.rs`) as a browser's `EventSource` reads it:
//! each event is one dispatch with its data (line breaks of any kind
//! become `\n`), type and id, and no text inside a field can end the
//! event or start a field of its own. Names and ids are one line, so
//! their line breaks (and an id's NUL, which would make a browser ignore
//! the id) are dropped, as `Event` documents.

use std::convert::Infallible;
use std::time::Duration;

use mocket_core::Mocket;
use mocket_core::sse::{Event, Sse};
use proptest::prelude::*;

use super::event_stream::{Dispatch, parse};

/// An event as an app may build it (data or a comment, any text).
#[derive(Debug, Clone)]
struct Parts {
    data: Option<String>,
    comment: Option<String>,
    event: Option<String>,
    id: Option<String>,
    retry: Option<Duration>,
}

/// Text with CR, LF, CRLF, NUL and field-like text mixed in.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        any::<String>(),
        Just("\n".to_owned()),
        Just("\r".to_owned()),
        Just("\r\n".to_owned()),
        Just("\0".to_owned()),
        Just(" ".to_owned()),
        Just(":".to_owned()),
        Just("\u{FEFF}".to_owned()),
        Just("data: x".to_owned()),
    ];
    prop::collection::vec(piece, 0..6).prop_map(|p| p.concat())
}

fn parts() -> impl Strategy<Value = Parts> {
    let retry = prop_oneof![
        (0u64..100_000).prop_map(Duration::from_millis),
        any::<(u64, u32)>().prop_map(|(s, n)| Duration::new(s, n % 1_000_000_000)),
    ];
    (
        prop_oneof![
            text().prop_map(|t| (Some(t), None)),
            text().prop_map(|t| (None, Some(t))),
            Just((None, None)),
        ],
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(retry),
    )
        .prop_map(|((data, comment), event, id, retry)| Parts {
            data,
            comment,
            event,
            id,
            retry,
        })
}

fn build(p: &Parts) -> Event {
    let mut event = match (&p.data, &p.comment) {
        (Some(data), _) => Event::data(data.clone()),
        (None, Some(comment)) => Event::comment(comment.clone()),
        (None, None) => Event::default(),
    };
    if let Some(name) = &p.event {
        event = event.event(name.clone());
    }
    if let Some(id) = &p.id {
        event = event.id(id.clone());
    }
    if let Some(retry) = p.retry {
        event = event.retry(retry);
    }
    event
}

/// What a browser must see for `events`, in order.
fn expected(events: &[Parts]) -> Vec<Dispatch> {
    let (mut last_event_id, mut retry) = (String::new(), None);
    events
        .iter()
        .map(|p| {
            if let Some(id) = &p.id {
                last_event_id = id.replace(['\r', '\n', '\0'], "");
            }
            if let Some(r) = p.retry {
                retry = Some(r.as_millis());
            }
            let event = p.data.as_ref().map(|data| {
                let kind = p
                    .event
                    .as_deref()
                    .unwrap_or_default()
                    .replace(['\r', '\n'], "");
                let kind = if kind.is_empty() {
                    "message".to_owned()
                } else {
                    kind
                };
                (kind, data.replace("\r\n", "\n").replace('\r', "\n"))
            });
            Dispatch {
                event,
                last_event_id: last_event_id.clone(),
                retry,
            }
        })
        .collect()
}

proptest! {
    /// Events written one after the other read back as the same events.
    #[test]
    fn events_read_back(events in prop::collection::vec(parts(), 1..6)) {
        let stream: String = events.iter().map(|p| build(p).to_string()).collect();
        prop_assert_eq!(parse(stream.as_bytes()), expected(&events));
    }

    /// The same through an `Sse` response: its body is those events, and
    /// it says it is an event stream.
    #[test]
    fn an_sse_response_reads_back(events in prop::collection::vec(parts(), 0..4)) {
        let built: Vec<Event> = events.iter().map(build).collect();
        let mut app = Mocket::new();
        app.get("/", move |_req| {
            let built = built.clone();
            async move { Sse::new(futures_util::stream::iter(built.into_iter().map(Ok::<_, Infallible>))) }
        });
        let (content_type, body) = futures_executor::block_on(async {
            let res = app.request("/").await;
            let content_type = res.headers()["content-type"].to_str().ok().map(str::to_owned);
            (content_type, res.into_body().to_bytes().await.expect("readable"))
        });
        prop_assert_eq!(content_type.as_deref(), Some("text/event-stream"));
        prop_assert_eq!(parse(&body), expected(&events));
    }
}
