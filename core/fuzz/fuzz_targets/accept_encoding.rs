//! Any bytes as `Accept-Encoding`: identity or an offered coding, never a
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mocket_core::compression::Encoding;
use mocket_core::http::{HeaderMap, HeaderValue};

const OFFERS: [Encoding; 2] = [Encoding::Brotli, Encoding::Gzip];

fuzz_target!(|data: &[u8]| {
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert("accept-encoding", value);
    let chosen = Encoding::negotiate(&headers, &OFFERS);
    assert!(chosen == Encoding::Identity || OFFERS.contains(&chosen));
});
