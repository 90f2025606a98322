//! Any bytes as a `Cookie` header, read by a signed jar: never a panic, and
//! a cookie verifies only if its value is the one the key signs for its
//! name and value. Each cookie read, signed by the app and sent back as a
//! client sends it, verifies as itself (or the app refuses to set it: a
//! name that is not a token, a control character in the value); with one
//! byte flipped, under another name or read with another key, it is absent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mocket_core::IntoHeaders;
use mocket_core::cookie::{Cookie, CookieJar, Key, SignedCookieJar};
use mocket_core::http::header::{COOKIE, SET_COOKIE};
use mocket_core::http::{HeaderMap, HeaderValue};

/// The key the seeds' signed cookies were made with.
const SECRET: &[u8] = b"mocket fuzz key: thirty-two bytes or more";

fn request(cookie: &[u8]) -> Option<HeaderMap> {
    let value = HeaderValue::from_bytes(cookie).ok()?;
    let mut headers = HeaderMap::new();
    headers.insert(COOKIE, value);
    Some(headers)
}

/// The value the app sends for `name=value`, decoded: tag, then value.
fn signed(key: &Key, name: &str, value: &str) -> String {
    let jar = SignedCookieJar::new(key.clone()).add(Cookie::new(name.to_owned(), value.to_owned()));
    jar.changes().next().expect("one change").value().to_owned()
}

/// Every byte as `%XX`: any bytes reach the jar as they are.
fn escape(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("%{b:02X}")).collect()
}

/// RFC 9110 `token`.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

fuzz_target!(|data: &[u8]| {
    let Some(headers) = request(data) else {
        return; // not a header a client can send
    };
    let key = Key::from_secret(SECRET).expect("long enough");
    let other_key = Key::from_secret([0x5a; 32]).expect("long enough");
    let plain = CookieJar::from_headers(&headers);
    let jar = SignedCookieJar::from_headers(&headers, key.clone());
    for cookie in plain.iter().take(4) {
        let (name, value) = (cookie.name(), cookie.value());
        if let Some(verified) = jar.get(name) {
            let sent = plain.get(name).expect("the plain jar has it").value();
            assert_eq!(
                sent,
                signed(&key, name, verified.value()),
                "a forgery verified"
            );
        }

        // Signed by the app and sent back.
        let set =
            SignedCookieJar::new(key.clone()).add(Cookie::new(name.to_owned(), value.to_owned()));
        let mut response = HeaderMap::new();
        let settable = is_token(name) && !value.chars().any(|c| c.is_ascii_control());
        if set.apply_to(&mut response).is_err() {
            assert!(!settable, "{name:?}={value:?} refused");
            continue;
        }
        assert!(settable, "{name:?}={value:?} was set");
        let set_cookie = response[SET_COOKIE].to_str().expect("ASCII");
        let pair = set_cookie.split(';').next().expect("one piece");
        let back =
            SignedCookieJar::from_headers(&request(pair.as_bytes()).expect("valid"), key.clone());
        assert_eq!(
            back.get(name).map(|c| c.value().to_owned()).as_deref(),
            Some(value)
        );

        // Another key.
        let back = SignedCookieJar::from_headers(
            &request(pair.as_bytes()).expect("valid"),
            other_key.clone(),
        );
        assert!(back.get(name).is_none(), "verified with another key");

        // Another name.
        let (wire_name, wire_value) = pair.split_once('=').expect("name=value");
        let moved = format!("{wire_name}x={wire_value}");
        let back =
            SignedCookieJar::from_headers(&request(moved.as_bytes()).expect("valid"), key.clone());
        assert!(
            back.get(&format!("{name}x")).is_none(),
            "verified under another name"
        );

        // One byte flipped.
        let mut bytes = signed(&key, name, value).into_bytes();
        let i = data.len() % bytes.len();
        bytes[i] ^= 1 + data[i % data.len()] % 255;
        let flipped = format!("{wire_name}={}", escape(&bytes));
        let back = SignedCookieJar::from_headers(
            &request(flipped.as_bytes()).expect("valid"),
            key.clone(),
        );
        assert!(back.get(name).is_none(), "byte {i} flipped verified");
    }
});
