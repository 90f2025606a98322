//! Any bytes as a `Cookie` header: a jar without a panic, and `get` finds
//! every name `iter` lists.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mocket_core::cookie::CookieJar;
use mocket_core::http::{HeaderMap, HeaderValue};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return; // not a header a client can send
    };
    let mut headers = HeaderMap::new();
    headers.insert("cookie", value);
    let jar = CookieJar::from_headers(&headers);
    for cookie in jar.iter() {
        assert!(jar.get(cookie.name()).is_some());
    }
});
