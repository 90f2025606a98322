//! Compression: gzip and Brotli chosen by `Accept-Encoding` (q-values, `*`,
//! refusals, malformed weights), bodies decoded and compared, responses
//! left alone, a streamed body, HEAD.

use std::io::Read;

use super::{case, get, still_serving};
use crate::case::{Case, Expect, Req, TEXT};

const C: &str = "compression";

/// What `/compress/text` sends before compression.
fn text() -> String {
    (0..200)
        .map(|i| format!("line {i}: the quick brown fox jumps over the lazy dog\n"))
        .collect()
}

/// What `/compress/stream` sends, chunk by chunk, before compression.
fn ticks() -> String {
    (0..200)
        .map(|i| format!("tick {i}: the quick brown fox jumps over the lazy dog\n"))
        .collect()
}

fn gunzip(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(data)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

fn unbrotli(data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    brotli::Decompressor::new(data, 4096)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

fn with_encoding(path: &str, accept_encoding: &str) -> Req {
    get(path).header("accept-encoding", accept_encoding)
}

/// A 200 whose body, decoded with `coding`, is `original`.
fn compressed(coding: &'static str, original: String) -> Expect {
    let what = format!(
        "decodes ({coding}) to the {} original bytes",
        original.len()
    );
    Expect::status(200)
        .header("content-type", TEXT)
        .header("content-encoding", coding)
        .header("vary", "Accept-Encoding")
        .body_satisfies(&what, move |body| {
            let decoded = match coding {
                "gzip" => gunzip(body),
                _ => unbrotli(body),
            };
            body.len() < original.len() && decoded.as_deref() == Some(original.as_bytes())
        })
}

/// `/compress/text` sent as it is, varying on `Accept-Encoding`.
fn identity() -> Expect {
    Expect::status(200)
        .text(text())
        .no_header("content-encoding")
        .header("vary", "Accept-Encoding")
}

/// A response the middleware must not touch.
fn untouched(expect: Expect) -> Expect {
    expect.no_header("vary")
}

pub(super) fn cases() -> Vec<Case> {
    let (next, serving) = still_serving();
    vec![
        case(C, "gzip is used when the client accepts only gzip").send(
            with_encoding("/compress/text", "gzip"),
            compressed("gzip", text()).has_header("content-length"),
        ),
        case(C, "Brotli is used when the client accepts only br").send(
            with_encoding("/compress/text", "br"),
            compressed("br", text()).has_header("content-length"),
        ),
        case(C, "Brotli wins a tie with gzip").send(
            with_encoding("/compress/text", "gzip, deflate, br"),
            compressed("br", text()),
        ),
        case(C, "a higher q-value wins over the server's preference").send(
            with_encoding("/compress/text", "br;q=0.5, gzip;q=0.9"),
            compressed("gzip", text()),
        ),
        case(C, "* accepts any coding").send(
            with_encoding("/compress/text", "*"),
            compressed("br", text()),
        ),
        case(C, "no Accept-Encoding: sent as it is, with Vary")
            .send(get("/compress/text"), identity()),
        case(C, "q=0 refuses a coding").send(
            with_encoding("/compress/text", "br;q=0, gzip;q=0, identity"),
            identity(),
        ),
        case(
            C,
            "identity preferred over the offered codings is respected",
        )
        .send(
            with_encoding("/compress/text", "identity, gzip;q=0.5"),
            identity(),
        ),
        case(C, "malformed q-values are ignored, not fatal").send(
            with_encoding(
                "/compress/text",
                "gzip;q=5, br;q=99999999999999999999, *;q=abc",
            ),
            identity(),
        ),
        case(C, "a body under 1 KiB is not compressed").send(
            with_encoding("/compress/small", "gzip, br"),
            untouched(Expect::status(200).text("too small to compress")),
        ),
        case(C, "an image is not compressed").send(
            with_encoding("/compress/png", "gzip, br"),
            untouched(
                Expect::status(200)
                    .header("content-type", "image/png")
                    .body(text()),
            ),
        ),
        case(
            C,
            "a response that already has Content-Encoding is left alone",
        )
        .send(
            with_encoding("/compress/encoded", "gzip, br"),
            untouched(
                Expect::status(200)
                    .header("content-encoding", "x-custom")
                    .body(text()),
            ),
        ),
        case(C, "Cache-Control: no-transform is respected").send(
            with_encoding("/compress/no-transform", "gzip, br"),
            untouched(
                Expect::status(200)
                    .no_header("content-encoding")
                    .body(text()),
            ),
        ),
        case(C, "a 204 is left alone").send(
            with_encoding("/compress/no-content", "gzip, br"),
            untouched(
                Expect::status(204)
                    .no_header("content-encoding")
                    .empty_body(),
            ),
        ),
        case(C, "a streamed body is compressed chunk by chunk (gzip)")
            .send(
                with_encoding("/compress/stream", "gzip"),
                compressed("gzip", ticks()).no_header("content-length"),
            )
            .then(next.clone(), serving.clone()),
        case(C, "a streamed body is compressed chunk by chunk (Brotli)")
            .send(
                with_encoding("/compress/stream", "br"),
                compressed("br", ticks()).no_header("content-length"),
            )
            .then(next.clone(), serving.clone()),
        case(C, "HEAD gets GET's coding and compressed length, no body")
            .send(
                Req::head("/compress/text").header("accept-encoding", "gzip"),
                Expect::status(200)
                    .header("content-encoding", "gzip")
                    .header("vary", "Accept-Encoding")
                    .has_header("content-length"),
            )
            .then(next, serving),
    ]
}
