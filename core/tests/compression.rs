//! The compression middleware: negotiation (q-values, `*`, `identity`,
//! malformed headers), what is skipped, the headers it sets, complete
//! bodies (decoded and compared), HEAD, and levels. Streamed bodies are in
//! `compression_stream.rs`.

mod common;

use std::io::Read;

use common::{gunzip, header_str, request, send_bytes};
use mocket_core::compression::Compression;
use mocket_core::http::{self, HeaderMap, HeaderValue, StatusCode, header};
use mocket_core::{Body, Cors, Mocket};

/// About 6 KiB of text that compresses well but not trivially.
fn text() -> String {
    (0..400)
        .map(|i| format!("line {i}: {}\n", ["alpha", "beta", "gamma"][i % 3]))
        .collect()
}

fn unbrotli(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::Decompressor::new(data, 4096)
        .read_to_end(&mut out)
        .expect("valid brotli");
    out
}

fn get(path: &str, accept_encoding: Option<&str>) -> http::Request<Body> {
    let headers: Vec<_> = accept_encoding
        .map(|ae| ("accept-encoding", ae))
        .into_iter()
        .collect();
    request("GET", path, &headers)
}

/// An app with compression (as configured) over a handful of routes.
fn app_with(compression: Compression) -> Mocket {
    let mut app = Mocket::new();
    app.wrap(compression);
    app.get("/text", |_req| async { text() });
    app.get("/small", |_req| async { "tiny" });
    // The text with one header that may keep it from being compressed.
    for (path, name, value) in [
        ("/png", "content-type", "image/png"),
        ("/svg", "content-type", "image/svg+xml"),
        ("/precompressed", "content-encoding", "gzip"),
        ("/no-transform", "cache-control", "public, No-Transform"),
        ("/weak", "etag", "W/\"v1\""),
    ] {
        app.get(path, move |_req| async move { ([(name, value)], text()) });
    }
    app.get("/bytes", |_req| async { text().into_bytes() });
    app.get("/no-content", |_req| async { StatusCode::NO_CONTENT });
    app.get("/not-modified", |_req| async {
        (StatusCode::NOT_MODIFIED, [("etag", "\"v1\"")], ())
    });
    app.get("/partial", |_req| async {
        (
            StatusCode::PARTIAL_CONTENT,
            [("content-range", "bytes 0-4999/9000")],
            text(),
        )
    });
    app.get("/cached", |_req| async {
        (
            [
                ("etag", "\"v1\""),
                ("accept-ranges", "bytes"),
                ("vary", "Origin"),
            ],
            text(),
        )
    });
    app.get("/noise", |_req| async {
        // Pseudo-random bytes: nothing to gain from compressing them.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let noise: Vec<u8> = (0..4096)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        ([("content-type", "text/plain")], noise)
    });
    app
}

fn encoding_of(headers: &HeaderMap) -> Option<&str> {
    header_str(headers, "content-encoding")
}

/// What `accept-encoding` gets for `/text`: the coding used, after
/// checking that the body decodes to the original.
fn chosen(app: &Mocket, accept_encoding: Option<&str>) -> &'static str {
    let (status, headers, body) = send_bytes(app, get("/text", accept_encoding));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::VARY],
        "Accept-Encoding",
        "{accept_encoding:?}"
    );
    match encoding_of(&headers) {
        Some("gzip") => {
            assert_eq!(gunzip(&body), text().as_bytes());
            "gzip"
        }
        Some("br") => {
            assert_eq!(unbrotli(&body), text().as_bytes());
            "br"
        }
        None => {
            assert_eq!(body, text().as_bytes());
            "identity"
        }
        Some(other) => panic!("unexpected coding {other}"),
    }
}

#[test]
fn gzip_and_brotli_bodies_decode_to_the_original_and_are_smaller() {
    let app = app_with(Compression::new());
    for (accept, coding) in [("gzip", "gzip"), ("br", "br")] {
        let (_, headers, body) = send_bytes(&app, get("/text", Some(accept)));
        assert_eq!(encoding_of(&headers), Some(coding));
        assert!(
            body.len() < text().len() / 4,
            "{coding}: {} bytes",
            body.len()
        );
        // The handler's length is gone: the compressed body's own counts.
        assert!(headers.get(header::CONTENT_LENGTH).is_none());
        let decoded = if coding == "gzip" {
            gunzip(&body)
        } else {
            unbrotli(&body)
        };
        assert_eq!(decoded, text().as_bytes());
    }
}

#[test]
fn a_complete_body_is_compressed_at_once_and_keeps_a_known_length() {
    let app = app_with(Compression::new());
    let res = futures_executor::block_on(app.request(get("/text", Some("gzip"))));
    let len = res.body().exact_len().expect("a complete body");
    let body = futures_executor::block_on(res.into_body().to_bytes()).unwrap();
    assert_eq!(len, body.len() as u64);
}

#[test]
fn q_values_choose_the_coding_brotli_wins_ties_and_malformed_elements_are_ignored() {
    let app = app_with(Compression::new());
    for (accept, want) in [
        ("gzip, br", "br"),
        ("br;q=1, gzip;q=1", "br"),
        ("gzip;q=1, br;q=0.5", "gzip"),
        ("gzip;q=0.501, br;q=0.5", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0, br;q=0", "identity"),
        ("*", "br"),
        ("*;q=0.5, gzip", "gzip"),
        ("*;q=0", "identity"),
        ("identity;q=1, gzip;q=0.5", "identity"),
        ("identity;q=0.5, gzip", "gzip"),
        ("gzip;q=0.5, br;q=0.5, *", "identity"),
        ("x-gzip", "gzip"),
        ("GZIP", "gzip"),
        ("Br ;  Q=0.9 , gzip;q=0.8", "br"),
        ("deflate, compress, zstd", "identity"),
        ("identity", "identity"),
        ("", "identity"),
        // Malformed elements are ignored, not fatal.
        ("gzip;q=5", "identity"),
        ("gzip;q=1.5, br;q=0.1", "br"),
        ("gzip;q=abc", "identity"),
        ("gzip;q=0.0001, br", "br"),
        ("br;q=99999999999999999999999999", "identity"),
        ("br;q=-1, gzip;q=", "identity"),
        ("br;q, gzip", "gzip"),
        (",,;;=,q=,;q=1,=gzip, gzip=1", "identity"),
        ("*;", "br"),
        ("gzip;;q=0.5", "gzip"),
    ] {
        assert_eq!(
            chosen(&app, Some(accept)),
            want,
            "accept-encoding: {accept:?}"
        );
    }
    // No header at all: identity, and still `Vary`.
    assert_eq!(chosen(&app, None), "identity");
    // Bytes that are not text in the header: identity, no panic.
    let mut req = get("/text", None);
    req.headers_mut().insert(
        header::ACCEPT_ENCODING,
        HeaderValue::from_bytes(b"gzip\xff").unwrap(),
    );
    let (_, headers, body) = send_bytes(&app, req);
    assert_eq!(encoding_of(&headers), None);
    assert_eq!(body, text().as_bytes());
    // Several header lines count together.
    let mut req = get("/text", Some("gzip;q=0.5"));
    req.headers_mut()
        .append(header::ACCEPT_ENCODING, HeaderValue::from_static("br"));
    let (_, headers, _) = send_bytes(&app, req);
    assert_eq!(encoding_of(&headers), Some("br"));
}

/// A response left alone: no coding, no `Vary`, the body as the handler
/// made it.
fn assert_untouched(app: &Mocket, path: &str) -> HeaderMap {
    let (_, headers, body) = send_bytes(app, get(path, Some("gzip, br")));
    assert_eq!(headers.get(header::VARY), None, "{path}");
    if path == "/precompressed" {
        assert_eq!(encoding_of(&headers), Some("gzip"));
    } else {
        assert_eq!(encoding_of(&headers), None, "{path}");
    }
    if !["/no-content", "/not-modified", "/small"].contains(&path) {
        assert_eq!(body, text().as_bytes(), "{path}");
    }
    headers
}

#[test]
fn responses_that_must_not_or_need_not_be_compressed_are_left_alone() {
    let app = app_with(Compression::new());
    for path in [
        "/small",
        "/png",
        "/bytes",
        "/precompressed",
        "/no-transform",
        "/no-content",
        "/not-modified",
        "/partial",
    ] {
        assert_untouched(&app, path);
    }
    // SVG is an image that compresses.
    let (_, headers, _) = send_bytes(&app, get("/svg", Some("gzip")));
    assert_eq!(encoding_of(&headers), Some("gzip"));
}

#[test]
fn the_size_threshold_and_content_types_are_configurable() {
    let app = app_with(
        Compression::new()
            .min_size(3)
            .content_types(|ct| ct == "application/octet-stream"),
    );
    let (_, headers, _) = send_bytes(&app, get("/bytes", Some("gzip")));
    assert_eq!(encoding_of(&headers), Some("gzip"));
    // `text/plain` is no longer in the predicate's list.
    assert_untouched(&app, "/text");
    let app = app_with(Compression::new().min_size(100_000));
    assert_untouched(&app, "/text");
}

#[test]
fn an_incompressible_body_is_sent_as_it_was_but_still_varies() {
    let app = app_with(Compression::new());
    let (_, headers, body) = send_bytes(&app, get("/noise", Some("gzip")));
    assert_eq!(encoding_of(&headers), None);
    assert_eq!(headers[header::VARY], "Accept-Encoding");
    assert_eq!(body.len(), 4096);
}

#[test]
fn compressing_weakens_a_strong_etag_drops_accept_ranges_and_keeps_vary() {
    let app = app_with(Compression::new());
    let (_, headers, _) = send_bytes(&app, get("/cached", Some("br")));
    assert_eq!(encoding_of(&headers), Some("br"));
    assert_eq!(headers[header::ETAG], "W/\"v1\"");
    assert!(headers.get(header::ACCEPT_RANGES).is_none());
    assert_eq!(headers[header::VARY], "Origin, Accept-Encoding");
    // Not compressed: the ETag and Accept-Ranges stay as they were.
    let (_, headers, _) = send_bytes(&app, get("/cached", None));
    assert_eq!(headers[header::ETAG], "\"v1\"");
    assert_eq!(headers[header::ACCEPT_RANGES], "bytes");
    let (_, headers, _) = send_bytes(&app, get("/weak", Some("gzip")));
    assert_eq!(headers[header::ETAG], "W/\"v1\"");
}

#[test]
fn head_gets_the_headers_of_get_with_the_compressed_length() {
    let app = app_with(Compression::new());
    let (_, _, get_body) = send_bytes(&app, get("/text", Some("br")));
    let req = request("HEAD", "/text", &[("accept-encoding", "br")]);
    let (status, headers, body) = send_bytes(&app, req);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(encoding_of(&headers), Some("br"));
    assert_eq!(headers[header::VARY], "Accept-Encoding");
    assert_eq!(
        headers[header::CONTENT_LENGTH],
        get_body.len().to_string().as_str()
    );
    assert!(body.is_empty());
}

#[test]
fn each_coding_can_be_turned_off() {
    let app = app_with(Compression::new().gzip(false));
    assert_eq!(chosen(&app, Some("gzip")), "identity");
    assert_eq!(chosen(&app, Some("gzip, br")), "br");
    let app = app_with(Compression::new().brotli(false));
    assert_eq!(chosen(&app, Some("br, gzip;q=0.1")), "gzip");
}

#[test]
fn levels_reach_the_encoders() {
    // Text with some variety, where the levels make a difference.
    let words = ["fox", "dog", "quick", "lazy", "brown", "jumps", "over"];
    let mut x = 7u32;
    let prose: String = (0..3000)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            words[(x >> 16) as usize % words.len()]
        })
        .collect::<Vec<_>>()
        .join(" ");
    let size = |compression: Compression, accept: &str| {
        let mut app = Mocket::new();
        app.wrap(compression);
        let prose = prose.clone();
        app.get("/", move |_req| {
            let prose = prose.clone();
            async move { prose }
        });
        let (_, headers, body) = send_bytes(&app, get("/", Some(accept)));
        assert_eq!(encoding_of(&headers), Some(accept));
        body.len()
    };
    let fast = size(Compression::new().gzip_level(1), "gzip");
    let best = size(Compression::new().gzip_level(9), "gzip");
    assert!(best < fast, "gzip 9: {best}, gzip 1: {fast}");
    let fast = size(Compression::new().brotli_quality(0), "br");
    let best = size(Compression::new().brotli_quality(11), "br");
    assert!(best < fast, "br 11: {best}, br 0: {fast}");
}

#[test]
fn vary_merges_with_the_cors_middleware() {
    let mut app = app_with(Compression::new());
    app.wrap(Cors::new().allow_origins(["https://a.example"]));
    let req = request(
        "GET",
        "/text",
        &[("accept-encoding", "gzip"), ("origin", "https://a.example")],
    );
    let (_, headers, _) = send_bytes(&app, req);
    // CORS is inner (registered later), so it adds its name first.
    assert_eq!(headers[header::VARY], "Origin, Accept-Encoding");
    assert_eq!(headers["access-control-allow-origin"], "https://a.example");
}
