//! Any text as the raw segment of a path parameter: decoded as routing
//! decodes it, the text a strict reading gives (each `%` and two hex
//! digits one byte, the bytes UTF-8) or a 400; the text, escaped again,
//! decodes to itself; and through a route `/users/:id`, the same text in a
//! 200 or the same 400, never a 5xx.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mocket_core::Mocket;
use mocket_core::fuzzing::decode_path_param;
use mocket_core::http::{StatusCode, Uri};

thread_local! {
    static APP: Mocket = {
        let mut app = Mocket::new();
        app.get("/users/:id", |req| async move { req.param("id").to_owned() });
        app
    };
}

/// Strict percent-decoding, written out.
fn strict_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fuzz_target!(|raw: &str| {
    let decoded = decode_path_param(raw);
    match (&decoded, strict_decode(raw)) {
        (Ok(got), Some(want)) => assert_eq!(got, &want),
        (Err(e), None) => assert_eq!(e.status(), StatusCode::BAD_REQUEST),
        (got, want) => panic!("{raw:?}: decoded {got:?}, a strict reading gives {want:?}"),
    }
    if let Ok(text) = &decoded {
        let escaped: String = text.bytes().map(|b| format!("%{b:02x}")).collect();
        assert_eq!(decode_path_param(&escaped).ok().as_ref(), Some(text));
    }

    let target = format!("/users/{raw}");
    let Ok(uri) = Uri::try_from(target.as_str()) else {
        return; // not a path a client can send
    };
    if raw.is_empty() || uri.path() != target || raw.contains('/') {
        return; // not one segment
    }
    let (status, body) = APP.with(|app| {
        futures_executor::block_on(async {
            let req = mocket_core::http::Request::get(uri)
                .body(())
                .expect("valid");
            let res = app.request(req).await;
            let status = res.status();
            (status, res.into_body().to_text().await.expect("text"))
        })
    });
    match decoded {
        Ok(text) => assert_eq!((status, body), (StatusCode::OK, text)),
        Err(_) => assert_eq!(status, StatusCode::BAD_REQUEST, "{body}"),
    }
});
