//! `CookieJar::from_headers`: the request's `Cookie` header.

use std::collections::BTreeMap;

use mocket_core::cookie::CookieJar;
use mocket_core::http::{HeaderMap, HeaderValue};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;

/// A cookie name: an RFC 9110 token.
fn name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$&'*+.^_`|~-]{1,12}"
}

fn jar_of(header: &[u8]) -> Option<CookieJar> {
    let value = HeaderValue::from_bytes(header).ok()?;
    let mut headers = HeaderMap::new();
    headers.insert("cookie", value);
    Some(CookieJar::from_headers(&headers))
}

proptest! {
    /// Distinct names with any text as values, percent-encoded, read back
    /// decoded: the same cookies, nothing added.
    #[test]
    fn encoded_cookies_read_back(cookies in prop::collection::btree_map(name(), any::<String>(), 1..8)) {
        let header = cookies
            .iter()
            .map(|(n, v)| format!("{n}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
            .collect::<Vec<_>>()
            .join("; ");
        let jar = jar_of(header.as_bytes()).expect("a valid header value");
        let read: BTreeMap<String, String> = jar
            .iter()
            .map(|c| (c.name().to_owned(), c.value().to_owned()))
            .collect();
        prop_assert_eq!(read, cookies);
    }

    /// Any header a client can send: a jar (pairs that do not parse are
    /// skipped), never a panic, and `get` finds every name `iter` lists.
    #[test]
    fn any_header_parses(header in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Some(jar) = jar_of(&header) {
            for cookie in jar.iter() {
                prop_assert!(jar.get(cookie.name()).is_some());
            }
        }
    }
}
