//! `multipart/form-data`: streamed fields and files, `collect`, limits, and
//! malformed bodies (boundary, truncation, part headers).

mod common;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::post;
use mocket_core::bytes::Bytes;
use mocket_core::http::StatusCode;
use mocket_core::{Body, Error, Mocket};

const CT: &str = "multipart/form-data; boundary=XyZ";

/// A part: its header lines, then its content.
fn part(headers: &str, content: &[u8]) -> Vec<u8> {
    [
        format!("--XyZ\r\n{headers}\r\n\r\n").as_bytes(),
        content,
        b"\r\n",
    ]
    .concat()
}

fn field(name: &str, value: &str) -> Vec<u8> {
    part(
        &format!("Content-Disposition: form-data; name=\"{name}\""),
        value.as_bytes(),
    )
}

fn file(name: &str, file_name: &str, content_type: &str, content: &[u8]) -> Vec<u8> {
    part(
        &format!(
            "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
             Content-Type: {content_type}"
        ),
        content,
    )
}

fn body(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut out = parts.concat();
    out.extend_from_slice(b"--XyZ--\r\n");
    out
}

/// An app whose `/describe` lists every field as
/// `name|file name|content type|size|first bytes`, reading chunk by chunk,
/// and whose `/collect` uses `collect()`.
fn app() -> Mocket {
    let mut app = Mocket::new();
    app.post("/describe", |mut req| async move {
        let mut multipart = req.multipart()?;
        let mut out = Vec::new();
        while let Some(mut field) = multipart.next_field().await? {
            let mut size = 0;
            let mut head = Vec::new();
            while let Some(chunk) = field.chunk().await? {
                size += chunk.len();
                head.extend(chunk.iter().take(8 - head.len().min(8)));
            }
            out.push(format!(
                "{}|{}|{}|{size}|{}",
                field.name(),
                field.file_name().unwrap_or("-"),
                field.content_type().unwrap_or("-"),
                String::from_utf8_lossy(&head)
            ));
        }
        Ok(out.join("\n"))
    });
    app.post("/collect", |mut req| async move {
        let form = req.multipart()?.collect().await?;
        let fields = form.fields().iter().map(|(k, v)| format!("{k}={v}"));
        let files = form.files().iter().map(|f| {
            let ct = f.content_type().unwrap_or("-");
            format!("{}:{}:{ct}:{}", f.name(), f.file_name(), f.bytes().len())
        });
        Ok(fields.chain(files).collect::<Vec<_>>().join("\n"))
    });
    app
}

/// `data` streamed in pieces of `size` bytes, with no length announced.
fn in_chunks(data: &[u8], size: usize) -> Body {
    let pieces: Vec<_> = data
        .chunks(size)
        .map(|c| Ok::<_, Infallible>(http_body::Frame::data(Bytes::copy_from_slice(c))))
        .collect();
    Body::from_http_body(http_body_util::StreamBody::new(futures_util::stream::iter(
        pieces,
    )))
}

fn bad(message: &str) -> (StatusCode, String) {
    (StatusCode::BAD_REQUEST, message.to_owned())
}

#[test]
fn reads_fields_and_files_chunk_by_chunk_or_collected() {
    let mut quoted = b"This is a preamble.\r\n".to_vec();
    quoted.extend(body(&[field("a", "1")]));
    quoted.extend_from_slice(b"an epilogue");
    let rows = [
        (
            "/describe",
            CT,
            body(&[
                field("title", "Holiday"),
                file(
                    "photo",
                    "beach.jpg",
                    "image/jpeg",
                    &[0xff, 0xd8, 0xff, 0xe0],
                ),
                field("empty", ""),
            ]),
            "title|-|-|7|Holiday\nphoto|beach.jpg|image/jpeg|4|\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\nempty|-|-|0|",
        ),
        (
            "/collect",
            CT,
            body(&[
                field("tag", "a"),
                file("doc", "notes.txt", "text/plain", b"hello"),
                field("tag", "b"),
                // A file input left empty: a file with an empty name.
                file("other", "", "application/octet-stream", b""),
            ]),
            "tag=a\ntag=b\ndoc:notes.txt:text/plain:5\nother::application/octet-stream:0",
        ),
        // A quoted boundary, a preamble and an epilogue.
        (
            "/describe",
            "multipart/form-data; boundary=\"XyZ\"",
            quoted,
            "a|-|-|1|1",
        ),
    ];
    for (path, ct, data, want) in rows {
        assert_eq!(
            post(&app(), path, Some(ct), data),
            (StatusCode::OK, want.to_owned()),
            "{path} {ct}"
        );
    }
}

#[test]
fn a_text_field_that_is_not_utf8_is_400_naming_it() {
    let data = body(&[part(
        "Content-Disposition: form-data; name=\"bio\"",
        &[b'h', b'i', 0xff],
    )]);
    assert_eq!(
        post(&app(), "/collect", Some(CT), data),
        bad("multipart field \"bio\" is not valid UTF-8 (invalid byte at offset 2)")
    );
}

#[test]
fn parses_across_any_chunking() {
    let data = body(&[
        field("a", "first value"),
        file(
            "f",
            "x.bin",
            "application/octet-stream",
            b"--XyZ is not a boundary without CRLF",
        ),
    ]);
    let expected = "a|-|-|11|first va\nf|x.bin|application/octet-stream|36|--XyZ is";
    for size in [1, 2, 3, 7, 64] {
        let (status, text) = post(&app(), "/describe", Some(CT), in_chunks(&data, size));
        assert_eq!(
            (status, text.as_str()),
            (StatusCode::OK, expected),
            "chunks of {size}"
        );
    }
}

#[test]
fn unread_fields_are_skipped() {
    let mut app = Mocket::new();
    app.post("/", |mut req| async move {
        let mut multipart = req.multipart()?;
        let mut names = Vec::new();
        while let Some(field) = multipart.next_field().await? {
            names.push(field.name().to_owned());
        }
        Ok(names.join(","))
    });
    let data = body(&[
        file(
            "big",
            "b.bin",
            "application/octet-stream",
            &vec![b'x'; 100_000],
        ),
        field("after", "yes"),
    ]);
    assert_eq!(
        post(&app, "/", Some(CT), data),
        (StatusCode::OK, "big,after".to_owned())
    );
}

/// A body streamed in `chunks` pieces of `size` bytes of file content,
/// counting how many pieces have been pulled.
fn counted_upload(chunks: usize, size: usize) -> (Body, Arc<AtomicUsize>) {
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let head = Bytes::from(
        "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"big.bin\"\r\n\r\n",
    );
    let tail = Bytes::from_static(b"\r\n--XyZ--\r\n");
    let pieces = std::iter::once(head)
        .chain((0..chunks).map(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            Bytes::from(vec![b'z'; size])
        }))
        .chain(std::iter::once(tail));
    let stream =
        futures_util::stream::iter(pieces.map(|b| Ok::<_, Infallible>(http_body::Frame::data(b))));
    (
        Body::from_http_body(http_body_util::StreamBody::new(stream)),
        pulled,
    )
}

#[test]
fn a_large_upload_streams_chunk_by_chunk() {
    let mut app = Mocket::new();
    app.body_limit(64 * 1024 * 1024);
    app.state(Arc::new(AtomicUsize::new(0)));
    app.post("/", |mut req| async move {
        let pulled = req.state::<Arc<AtomicUsize>>()?;
        let mut multipart = req.multipart()?;
        let mut field = multipart
            .next_field()
            .await?
            .ok_or_else(|| Error::bad_request("none"))?;
        let (mut total, mut largest, mut pulled_at_first) = (0, 0, None);
        while let Some(chunk) = field.chunk().await? {
            pulled_at_first.get_or_insert(pulled.load(Ordering::SeqCst));
            total += chunk.len();
            largest = largest.max(chunk.len());
        }
        Ok(format!(
            "{total} {largest} {}",
            pulled_at_first.unwrap_or(0)
        ))
    });
    // 32 MiB in 8 KiB chunks.
    let (upload, pulled) = counted_upload(4096, 8192);
    app.state(pulled);
    let (status, text) = post(&app, "/", Some(CT), upload);
    assert_eq!(status, StatusCode::OK, "{text}");
    let numbers: Vec<usize> = text.split(' ').map(|n| n.parse().unwrap()).collect();
    assert_eq!(numbers[0], 4096 * 8192);
    // Chunks are handed on as they arrive, never gathered…
    assert!(numbers[1] <= 2 * 8192, "largest chunk {}", numbers[1]);
    // …and the first arrives before the body has been read.
    assert!(
        numbers[2] <= 2,
        "{} chunks pulled before the first",
        numbers[2]
    );
}

#[test]
fn the_body_limit_applies_to_the_whole_body() {
    let mut app = app();
    app.body_limit(1024);
    let data = body(&[
        field("a", "1"),
        file("f", "f.bin", "application/octet-stream", &[0; 2000]),
    ]);
    let expected = (
        StatusCode::PAYLOAD_TOO_LARGE,
        "request body is larger than the limit of 1024 bytes".to_owned(),
    );
    // Announced with content-length: refused before the handler runs.
    assert_eq!(post(&app, "/describe", Some(CT), data.clone()), expected);
    // Streamed without a length: cut off by the parser.
    assert_eq!(
        post(&app, "/describe", Some(CT), in_chunks(&data, 100)),
        expected
    );
    assert_eq!(
        post(&app, "/collect", Some(CT), in_chunks(&data, 100)),
        expected
    );
    // Many small fields count too.
    let many: Vec<Vec<u8>> = (0..100).map(|i| field(&format!("f{i}"), "x")).collect();
    assert_eq!(
        post(&app, "/collect", Some(CT), in_chunks(&body(&many), 64)),
        expected
    );
}

#[test]
fn the_boundary_parameter_takes_every_form_rfc_9110_allows() {
    // Whitespace before `;` and a tab after it were a 400 (the `mime`
    // crate refuses both); quoted boundaries may hold spaces and `:`.
    let data = body(&[field("a", "1")]);
    for ct in [
        "multipart/form-data ; boundary=XyZ",
        "multipart/form-data;\tboundary=XyZ",
        "Multipart/Form-Data; charset=UTF-8; BOUNDARY=\"XyZ\"",
    ] {
        let (status, text) = post(&app(), "/describe", Some(ct), data.clone());
        assert_eq!(status, StatusCode::OK, "{ct}: {text}");
    }
    let data = String::from_utf8_lossy(&data).replace("XyZ", "a b:c");
    let (status, text) = post(
        &app(),
        "/describe",
        Some("multipart/form-data; boundary=\"a b:c\""),
        data,
    );
    assert_eq!(status, StatusCode::OK, "{text}");
}

#[test]
fn the_content_type_must_be_multipart_form_data() {
    let data = body(&[field("a", "1")]);
    for ct in [
        Some("application/x-www-form-urlencoded"),
        Some("multipart/mixed; boundary=XyZ"),
        Some("text/plain"),
        None,
    ] {
        assert_eq!(
            post(&app(), "/describe", ct, data.clone()),
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected a request with content-type: multipart/form-data".to_owned()
            ),
            "{ct:?}"
        );
    }
}

#[test]
fn a_missing_or_invalid_boundary_is_400() {
    let data = body(&[field("a", "1")]);
    let cases = [
        (
            "multipart/form-data",
            "multipart/form-data content type without a boundary parameter",
        ),
        (
            "multipart/form-data; charset=utf-8",
            "multipart/form-data content type without a boundary parameter",
        ),
        (
            "multipart/form-data; boundary=\"\"",
            "invalid multipart boundary: it must be 1 to 70 characters long",
        ),
        (
            &*format!("multipart/form-data; boundary={}", "b".repeat(71)),
            "invalid multipart boundary: it must be 1 to 70 characters long",
        ),
        (
            "multipart/form-data; boundary=",
            "invalid multipart/form-data content type",
        ),
    ];
    for (ct, message) in cases {
        assert_eq!(
            post(&app(), "/describe", Some(ct), data.clone()),
            bad(message),
            "{ct}"
        );
    }
    // A boundary that the body does not use.
    assert_eq!(
        post(
            &app(),
            "/describe",
            Some("multipart/form-data; boundary=other"),
            data
        ),
        bad(
            "malformed multipart body: the boundary is missing or the body ends before the closing boundary"
        )
    );
}

#[test]
fn a_truncated_body_is_400() {
    let full = body(&[
        field("a", "1"),
        file("f", "f.txt", "text/plain", b"some text"),
    ]);
    let cut_at = |marker: &str| {
        let at = full
            .windows(marker.len())
            .position(|w| w == marker.as_bytes())
            .unwrap();
        full[..at].to_vec()
    };
    let no_boundary = "the boundary is missing or the body ends before the closing boundary";
    let f_truncated = "field \"f\" is truncated: the body ends before its closing boundary";
    let cases = [
        (Vec::new(), no_boundary),
        (full[..3].to_vec(), no_boundary),
        // Inside the second part's headers.
        (cut_at("filename"), no_boundary),
        // Inside the file's content.
        (cut_at("xt\r\n--XyZ--"), f_truncated),
        // The closing boundary missing, or cut short.
        (cut_at("--XyZ--"), f_truncated),
        (full[..full.len() - 4].to_vec(), no_boundary),
    ];
    for (data, problem) in cases {
        let message = format!("malformed multipart body: {problem}");
        let shown = String::from_utf8_lossy(&data).into_owned();
        assert_eq!(
            post(&app(), "/describe", Some(CT), data.clone()),
            bad(&message),
            "{shown}"
        );
        // The same over a stream of small chunks.
        assert_eq!(
            post(&app(), "/collect", Some(CT), in_chunks(&data, 5)),
            bad(&message),
            "{shown}"
        );
    }
}

#[test]
fn a_part_without_a_proper_content_disposition_is_400() {
    let cases = [
        (
            part("Content-Type: text/plain", b"x"),
            "part 2 has no Content-Disposition header",
        ),
        (
            part("Content-Disposition: form-data", b"x"),
            "part 2 has no name in its Content-Disposition",
        ),
        (
            part("Content-Disposition: form-data; name=\"\"", b"x"),
            "part 2 has no name in its Content-Disposition",
        ),
        (
            part("Content-Disposition: attachment; name=\"a\"", b"x"),
            "part 2 has a Content-Disposition other than form-data",
        ),
    ];
    for (bad_part, problem) in cases {
        let data = body(&[field("ok", "1"), bad_part]);
        let message = format!("malformed multipart body: {problem}");
        assert_eq!(
            post(&app(), "/describe", Some(CT), data.clone()),
            bad(&message)
        );
        assert_eq!(post(&app(), "/collect", Some(CT), data), bad(&message));
    }
}

#[test]
fn malformed_part_headers_are_400() {
    let cases: [(&[u8], &str); 3] = [
        (
            b"--XyZ\r\nno colon here\r\n\r\nx\r\n--XyZ--\r\n",
            "invalid part headers (invalid header name)",
        ),
        (
            b"--XyZ\r\nbad name: x\r\n\r\nx\r\n--XyZ--\r\n",
            "invalid part headers (invalid header name)",
        ),
        (
            b"--XyZ\r\nContent-Disposition: form-data; name=a\r\nX: \x01\r\n\r\nx\r\n--XyZ--\r\n",
            "invalid part headers (invalid header value)",
        ),
    ];
    for (data, problem) in cases {
        let message = format!("malformed multipart body: {problem}");
        assert_eq!(
            post(&app(), "/describe", Some(CT), data),
            bad(&message),
            "{}",
            String::from_utf8_lossy(data)
        );
    }
}

#[test]
fn a_body_that_fails_mid_stream_is_400() {
    let stream = futures_util::stream::iter(vec![
        Ok(http_body::Frame::data(Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\npartial",
        ))),
        Err(std::io::Error::other("connection reset")),
    ]);
    let upload = Body::from_http_body(http_body_util::StreamBody::new(stream));
    assert_eq!(
        post(&app(), "/describe", Some(CT), upload),
        bad("failed to read the request body")
    );
}
