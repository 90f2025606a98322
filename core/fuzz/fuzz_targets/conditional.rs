//! Any `If-Match`, `If-None-Match`, `If-Modified-Since` and
//! `If-Unmodified-Since` headers (the input's `name: value` lines, bytes
//! above 0x7f included): an answer, never a panic; `If-None-Match` and
//! `If-Modified-Since` alone never fail a request, `If-Match` and
//! `If-Unmodified-Since` alone never answer 304. And each list, made into
//! entity tags (each element's `etagc` bytes, quoted, `W/` kept) with our
//! tag among them, finds it: 304 for `If-None-Match` (weak or strong),
//! a pass for `If-Match` (strong only).
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use mocket_core::fuzzing::{Precondition, etag, evaluate};
use mocket_core::http::{HeaderMap, HeaderName, HeaderValue};

const NAMES: [&str; 4] = [
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
];

/// The list's elements as entity tags.
fn tags(list: &[u8]) -> Vec<Vec<u8>> {
    list.split(|&b| b == b',')
        .map(|element| {
            let element = element.trim_ascii();
            let weak = element.starts_with(b"W/");
            let mut tag = if weak {
                b"W/\"".to_vec()
            } else {
                b"\"".to_vec()
            };
            tag.extend(
                element
                    .iter()
                    .filter(|&&b| b == 0x21 || (0x23..=0x7E).contains(&b) || b >= 0x80),
            );
            tag.push(b'"');
            tag
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let len = data.len() as u64;
    let modified = UNIX_EPOCH
        + Duration::from_secs(1_700_000_000 + u64::from(data.first().copied().unwrap_or(0)));
    let mut headers = HeaderMap::new();
    for line in data.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(line[colon + 1..].trim_ascii()),
        ) else {
            continue;
        };
        if NAMES.contains(&name.as_str()) {
            headers.append(name, value);
        }
    }
    let got = evaluate(&headers, len, Some(modified));
    let has = |i: usize| headers.contains_key(NAMES[i]);
    if !has(0) && !has(3) {
        assert_ne!(got, Precondition::Failed, "{headers:?}");
    }
    if !has(1) && !has(2) {
        assert_ne!(got, Precondition::NotModified, "{headers:?}");
    }
    if headers.is_empty() {
        assert_eq!(got, Precondition::Proceed);
    }

    // Our tag among the client's.
    let ours = etag(len, modified).expect("after 1970");
    for (i, name) in NAMES[..2].iter().enumerate() {
        let Some(value) = headers.get(*name) else {
            continue;
        };
        let mut list: Vec<Vec<u8>> = tags(value.as_bytes())
            .into_iter()
            .filter(|tag| tag.strip_prefix(b"W/").unwrap_or(tag) != ours.as_bytes())
            .collect();
        let weak = value.len() % 2 == 1;
        let at = value.len() % (list.len() + 1);
        list.insert(
            at,
            if weak {
                format!("W/{ours}")
            } else {
                ours.clone()
            }
            .into_bytes(),
        );
        let mut request = HeaderMap::new();
        request.insert(
            *name,
            HeaderValue::from_bytes(&list.join(&b", "[..])).expect("etagc bytes"),
        );
        let got = evaluate(&request, len, Some(modified));
        let want = match (i, weak) {
            (1, _) => Precondition::NotModified,
            (_, false) => Precondition::Proceed,
            (_, true) => Precondition::Failed,
        };
        assert_eq!(
            got,
            want,
            "{name}: {:?}",
            String::from_utf8_lossy(&list.join(&b", "[..]))
        );
    }
});
