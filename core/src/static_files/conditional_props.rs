//! Properties of `evaluate`'s entity-tag lists (`If-None-Match`,
//! `If-Match`), for any list a client can send.

use std::time::{Duration, UNIX_EPOCH};

use http::HeaderMap;
use proptest::prelude::*;

use super::conditional::{Precondition, Validators, evaluate};

fn ours() -> Validators {
    Validators::new(10, Some(UNIX_EPOCH + Duration::new(1_000, 5)), "")
}

/// An entity tag other than ours, strong or weak (`etagc` characters).
fn other_tag() -> impl Strategy<Value = String> {
    ("[!#-~]{0,10}", any::<bool>()).prop_filter_map("our own tag", |(opaque, weak)| {
        let quoted = format!("\"{opaque}\"");
        (Some(&quoted) != ours().etag.as_ref())
            .then(|| if weak { format!("W/{quoted}") } else { quoted })
    })
}

fn with(name: &str, value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        http::HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
        value.parse().expect("a header value"),
    );
    headers
}

proptest! {
    /// Our tag anywhere in the list, strong or weak: 304.
    #[test]
    fn none_match_listing_ours_is_not_modified(
        others in prop::collection::vec(other_tag(), 0..5),
        at in any::<prop::sample::Index>(),
        weak in any::<bool>(),
    ) {
        let tag = ours().etag.expect("a time gives a tag");
        let mut list = others;
        list.insert(at.index(list.len() + 1), if weak { format!("W/{tag}") } else { tag });
        let got = evaluate(&with("if-none-match", &list.join(", ")), &ours());
        prop_assert_eq!(got, Precondition::NotModified);
    }

    /// A list without our tag: served.
    #[test]
    fn none_match_without_ours_proceeds(others in prop::collection::vec(other_tag(), 1..5)) {
        let got = evaluate(&with("if-none-match", &others.join(", ")), &ours());
        prop_assert_eq!(got, Precondition::Proceed);
    }

    /// `If-Match` compares strongly: our tag is a pass, its weak form a 412.
    #[test]
    fn if_match_is_strong(others in prop::collection::vec(other_tag(), 0..4), weak in any::<bool>()) {
        let tag = ours().etag.expect("a time gives a tag");
        let mut list = others;
        list.push(if weak { format!("W/{tag}") } else { tag });
        let got = evaluate(&with("if-match", &list.join(", ")), &ours());
        prop_assert_eq!(got, if weak { Precondition::Failed } else { Precondition::Proceed });
    }

    /// Entity tags may hold obs-text (bytes 0x80–0xFF, RFC 9110 §8.8.3);
    /// such a tag in the list does not hide ours from either header.
    #[test]
    fn obs_text_tags_do_not_hide_ours(
        others in prop::collection::vec(prop::collection::vec(prop_oneof![0x80u8..=0xFF, Just(b'a')], 0..6), 1..4),
        at in any::<prop::sample::Index>(),
    ) {
        let tag = ours().etag.expect("a time gives a tag");
        let mut list: Vec<Vec<u8>> = others.into_iter().map(|o| [&b"\""[..], &o, b"\""].concat()).collect();
        list.insert(at.index(list.len() + 1), tag.into_bytes());
        let value = http::HeaderValue::from_bytes(&list.join(&b", "[..])).expect("etagc bytes");
        for (name, want) in [("if-none-match", Precondition::NotModified), ("if-match", Precondition::Proceed)] {
            let mut headers = HeaderMap::new();
            headers.insert(name, value.clone());
            prop_assert_eq!(evaluate(&headers, &ours()), want, "{}: {:?}", name, value);
        }
    }

    /// Any visible text in either header: an answer, never a panic, and
    /// `If-None-Match` alone never fails the request.
    #[test]
    fn any_list_is_answered(text in "[ -~]{0,60}") {
        let got = evaluate(&with("if-none-match", &text), &ours());
        prop_assert!(got != Precondition::Failed);
        let _ = evaluate(&with("if-match", &text), &ours());
    }
}
