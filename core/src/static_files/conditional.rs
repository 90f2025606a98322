//! Validators and conditional requests (RFC 9110 §8.8 and §13).
//!
//! A file's validators are its `Last-Modified` time and a strong `ETag`
//! made of its modification time and length (nginx's recipe; strong, so
//! that `If-Range` can use it). Preconditions are evaluated in the RFC's
//! order (§13.2.2): `If-Match`, else `If-Unmodified-Since` (412 when
//! false); then `If-None-Match`, else `If-Modified-Since` (304 when
//! false). `If-None-Match` compares weakly, `If-Match` and `If-Range`
//! strongly. Entity-tag lists are parsed here: the grammar is small, and
//! the `headers` crate's typed headers would bring a dependency for three
//! of them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use http::header::{IF_MATCH, IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE, IF_UNMODIFIED_SINCE};

/// The validators of one representation (a file or its precompressed
/// sibling).
#[derive(Debug, Clone)]
pub(crate) struct Validators {
    /// The strong entity tag with its quotes, if the host gave a time.
    pub(crate) etag: Option<String>,
    /// The modification time, truncated to whole seconds as HTTP dates are.
    pub(crate) modified: Option<SystemTime>,
}

impl Validators {
    /// `suffix` tells a precompressed sibling's tag from the original's.
    pub(crate) fn new(len: u64, modified: Option<SystemTime>, suffix: &str) -> Self {
        let since = modified.and_then(|m| m.duration_since(UNIX_EPOCH).ok());
        Validators {
            etag: since.map(|d| {
                format!(
                    "\"{:x}{:08x}-{len:x}{suffix}\"",
                    d.as_secs(),
                    d.subsec_nanos()
                )
            }),
            modified: since.map(|d| UNIX_EPOCH + Duration::from_secs(d.as_secs())),
        }
    }

    /// The `Last-Modified` value.
    pub(crate) fn last_modified(&self) -> Option<String> {
        self.modified.map(httpdate::fmt_http_date)
    }
}

/// What the preconditions decide for a GET or HEAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Precondition {
    /// Serve the representation.
    Proceed,
    /// 304 Not Modified.
    NotModified,
    /// 412 Precondition Failed.
    Failed,
}

/// Evaluates the request's preconditions against `v` (RFC 9110 §13.2.2).
pub(crate) fn evaluate(headers: &HeaderMap, v: &Validators) -> Precondition {
    if let Some(list) = joined(headers, &IF_MATCH) {
        if !matches_any(&list, v.etag.as_deref(), Comparison::Strong) {
            return Precondition::Failed;
        }
    } else if let (Some(since), Some(modified)) = (date(headers, &IF_UNMODIFIED_SINCE), v.modified)
        && modified > since
    {
        return Precondition::Failed;
    }
    if let Some(list) = joined(headers, &IF_NONE_MATCH) {
        if matches_any(&list, v.etag.as_deref(), Comparison::Weak) {
            return Precondition::NotModified;
        }
    } else if let (Some(since), Some(modified)) = (date(headers, &IF_MODIFIED_SINCE), v.modified)
        && modified <= since
    {
        return Precondition::NotModified;
    }
    Precondition::Proceed
}

/// Whether a `Range` may be honoured: no `If-Range`, or one that matches
/// the current representation (an entity tag compared strongly, or a date
/// equal to `Last-Modified`).
pub(crate) fn if_range_allows(headers: &HeaderMap, v: &Validators) -> bool {
    let Some(value) = headers.get(IF_RANGE) else {
        return true;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let value = value.trim();
    if value.starts_with('"') || value.starts_with("W/") {
        return match (parse_tag(value), v.etag.as_deref()) {
            (Some((tag, rest)), Some(ours)) if rest.trim().is_empty() => strong_eq(tag, ours),
            _ => false,
        };
    }
    match (httpdate::parse_http_date(value), v.modified) {
        (Ok(date), Some(modified)) => date == modified,
        _ => false,
    }
}

#[derive(Clone, Copy)]
enum Comparison {
    Strong,
    Weak,
}

/// All of a header's lines joined as one list (a list header may repeat).
/// Entity tags may hold obs-text (bytes above 0x7F): read lossily, such a
/// tag stays one element (and matches none of ours, which are ASCII)
/// rather than emptying its whole line.
fn joined(headers: &HeaderMap, name: &http::HeaderName) -> Option<String> {
    let mut values = headers.get_all(name).iter().peekable();
    values.peek()?;
    let parts: Vec<_> = values
        .map(|v| String::from_utf8_lossy(v.as_bytes()))
        .collect();
    Some(parts.join(","))
}

/// One date header; an invalid date, or several, means the header is
/// ignored (RFC 9110 §13.1.3, §13.1.4).
fn date(headers: &HeaderMap, name: &http::HeaderName) -> Option<SystemTime> {
    let mut values = headers.get_all(name).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    httpdate::parse_http_date(value.to_str().ok()?).ok()
}

/// Whether the list (`*` or entity tags) matches `ours`. A list that does
/// not parse matches nothing.
fn matches_any(list: &str, ours: Option<&str>, how: Comparison) -> bool {
    let Some(ours) = ours else {
        // No tag: only `*` ("any current representation") can match.
        return list.trim() == "*";
    };
    if list.trim() == "*" {
        return true;
    }
    let mut rest = list;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return false;
        }
        let Some((tag, after)) = parse_tag(rest) else {
            return false;
        };
        let hit = match how {
            Comparison::Strong => strong_eq(tag, ours),
            Comparison::Weak => opaque(tag) == opaque(ours),
        };
        if hit {
            return true;
        }
        rest = after;
    }
}

/// Splits one entity tag (`"x"` or `W/"x"`) off the front of `s`.
fn parse_tag(s: &str) -> Option<(&str, &str)> {
    let start = if s.starts_with("W/\"") { 2 } else { 0 };
    if !s[start..].starts_with('"') {
        return None;
    }
    let close = s[start + 1..].find('"')? + start + 1;
    Some((&s[..=close], &s[close + 1..]))
}

/// The quoted part, without any `W/`.
fn opaque(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// Equal and neither weak.
fn strong_eq(a: &str, b: &str) -> bool {
    !a.starts_with("W/") && !b.starts_with("W/") && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        map
    }

    fn validators() -> Validators {
        Validators::new(10, Some(UNIX_EPOCH + Duration::new(1_000, 5)), "")
    }

    #[test]
    fn the_etag_is_strong_and_depends_on_time_and_length() {
        let v = validators();
        assert_eq!(v.etag.as_deref(), Some("\"3e800000005-a\""));
        assert_ne!(
            Validators::new(11, v.modified, "").etag,
            Validators::new(10, v.modified, "").etag
        );
        assert!(Validators::new(1, None, "").etag.is_none());
    }

    #[test]
    fn none_match_is_weak_and_wins_over_modified_since() {
        let v = validators();
        let tag = v.etag.clone().unwrap();
        let weak = format!("W/{tag}");
        for list in [tag.as_str(), weak.as_str(), "*", &format!("\"x\", {tag}")] {
            assert_eq!(
                evaluate(&headers(&[("if-none-match", list)]), &v),
                Precondition::NotModified,
                "{list}"
            );
        }
        // A non-matching If-None-Match wins over a matching If-Modified-Since.
        let h = headers(&[
            ("if-none-match", "\"other\""),
            ("if-modified-since", "Thu, 01 Jan 2099 00:00:00 GMT"),
        ]);
        assert_eq!(evaluate(&h, &v), Precondition::Proceed);
        let h = headers(&[("if-modified-since", "Thu, 01 Jan 1970 00:16:40 GMT")]);
        assert_eq!(evaluate(&h, &v), Precondition::NotModified);
        let h = headers(&[("if-modified-since", "Thu, 01 Jan 1970 00:16:39 GMT")]);
        assert_eq!(evaluate(&h, &v), Precondition::Proceed);
        let h = headers(&[("if-modified-since", "yesterday")]);
        assert_eq!(evaluate(&h, &v), Precondition::Proceed);
    }

    #[test]
    fn match_is_strong() {
        let v = validators();
        let tag = v.etag.clone().unwrap();
        let weak = format!("W/{tag}");
        let rows = [
            (("if-match", tag.as_str()), Precondition::Proceed),
            (("if-match", weak.as_str()), Precondition::Failed),
            (("if-match", "\"x\""), Precondition::Failed),
            (("if-match", "garbage"), Precondition::Failed),
            (
                ("if-unmodified-since", "Thu, 01 Jan 1970 00:16:39 GMT"),
                Precondition::Failed,
            ),
        ];
        for (header, want) in rows {
            assert_eq!(evaluate(&headers(&[header]), &v), want, "{header:?}");
        }
    }

    #[test]
    fn if_range_needs_a_strong_tag_or_the_exact_date() {
        let v = validators();
        let tag = v.etag.clone().unwrap();
        assert!(if_range_allows(&headers(&[]), &v));
        assert!(if_range_allows(&headers(&[("if-range", &tag)]), &v));
        assert!(!if_range_allows(
            &headers(&[("if-range", &format!("W/{tag}"))]),
            &v
        ));
        assert!(!if_range_allows(&headers(&[("if-range", "\"old\"")]), &v));
        assert!(if_range_allows(
            &headers(&[("if-range", "Thu, 01 Jan 1970 00:16:40 GMT")]),
            &v
        ));
        assert!(!if_range_allows(
            &headers(&[("if-range", "Thu, 01 Jan 1970 00:16:41 GMT")]),
            &v
        ));
        assert!(!if_range_allows(&headers(&[("if-range", "nonsense")]), &v));
    }
}
