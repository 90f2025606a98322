//! Any events, written one after the other: a parser written from the
//! HTML standard (`core/tests/parsers/event_stream.rs`) reads each back as
//! one dispatch with its data (line breaks of any kind as `\n`), type, id
//! and retry; names and ids lose only their line breaks (and an id its
//! NULs, which would make a browser ignore it).
//!
//! The input is text: events separated by U+001E, each event's parts by
//! U+001F, in order: `d` + data or `c` + comment (else neither), then the
//! name, the id and the retry in milliseconds; a part left out is not set.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use mocket_core::sse::Event;

#[path = "../../tests/parsers/event_stream.rs"]
mod event_stream;

use event_stream::{Dispatch, parse};

fuzz_target!(|text: &str| {
    let mut stream = String::new();
    let mut want = Vec::new();
    let (mut last_event_id, mut retry) = (String::new(), None);
    for spec in text.split('\u{1e}') {
        let mut parts = spec.split('\u{1f}');
        let body = parts.next().unwrap_or_default();
        let (name, id, after) = (parts.next(), parts.next(), parts.next());
        let mut event = match body.split_at_checked(1) {
            Some(("d", data)) => Event::data(data),
            Some(("c", comment)) => Event::comment(comment),
            _ => Event::default(),
        };
        if let Some(name) = name {
            event = event.event(name);
        }
        if let Some(id) = id {
            event = event.id(id);
            last_event_id = id.replace(['\r', '\n', '\0'], "");
        }
        if let Some(ms) = after.and_then(|ms| ms.parse().ok()) {
            event = event.retry(Duration::from_millis(ms));
            retry = Some(u128::from(ms));
        }
        stream.push_str(&event.to_string());
        let fired = match body.split_at_checked(1) {
            Some(("d", data)) => {
                let kind = name.unwrap_or_default().replace(['\r', '\n'], "");
                let kind = if kind.is_empty() {
                    "message".to_owned()
                } else {
                    kind
                };
                Some((kind, data.replace("\r\n", "\n").replace('\r', "\n")))
            }
            _ => None,
        };
        want.push(Dispatch {
            event: fired,
            last_event_id: last_event_id.clone(),
            retry,
        });
    }
    assert_eq!(parse(stream.as_bytes()), want, "{stream:?}");
});
