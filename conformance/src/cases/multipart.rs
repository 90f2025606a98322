//! `multipart/form-data` bodies: fields and binary files read chunk by
//! chunk (also when the body arrives in tiny chunks), collected forms, 415,
//! 400 for a missing boundary, truncation or a part without
//! `Content-Disposition`, and 413 over the body limit.

use super::{case, error, ok, still_serving};
use crate::case::{Case, Expect, Req};

const C: &str = "multipart";

const CT: &str = "multipart/form-data; boundary=XyZ";

/// FNV-1a (32 bits), as the app computes it over each field's bytes.
fn fnv1a(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0x811c_9dc5_u32, |h, &b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    format!("{hash:08x}")
}

fn part(headers: &str, content: &[u8]) -> Vec<u8> {
    let mut out = format!("--XyZ\r\n{headers}\r\n\r\n").into_bytes();
    out.extend_from_slice(content);
    out.extend_from_slice(b"\r\n");
    out
}

fn field(name: &str, value: &str) -> Vec<u8> {
    part(
        &format!("Content-Disposition: form-data; name=\"{name}\""),
        value.as_bytes(),
    )
}

fn file(name: &str, file_name: &str, content: &[u8]) -> Vec<u8> {
    part(
        &format!(
            "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/octet-stream"
        ),
        content,
    )
}

fn body(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut out = parts.concat();
    out.extend_from_slice(b"--XyZ--\r\n");
    out
}

fn post(path: &str, content_type: &str) -> Req {
    Req::post(path).header("content-type", content_type)
}

fn malformed(problem: &str) -> Expect {
    error(400, &format!("malformed multipart body: {problem}"))
}

pub(super) fn cases() -> Vec<Case> {
    // Every byte value, CR, LF and '-' included: 3 KiB.
    let binary: Vec<u8> = (0..=255u8).cycle().take(3 * 1024).collect();
    let upload = body(&[
        field("title", "Holiday ✓"),
        file("photo", "beach.bin", &binary),
        field("empty", ""),
    ]);
    let described = format!(
        "title|-|-|11|{}\nphoto|beach.bin|application/octet-stream|3072|{}\nempty|-|-|0|{}",
        fnv1a("Holiday ✓".as_bytes()),
        fnv1a(&binary),
        fnv1a(b"")
    );
    let truncated = upload[..upload.len() - 9].to_vec();
    let over_limit = body(&[file("big", "big.bin", &vec![b'z'; 9 * 1024])]);
    let (next, serving) = still_serving();
    vec![
        case(C, "fields and a binary file are read chunk by chunk").send(
            post("/multipart/describe", CT).body(&upload),
            ok(&described),
        ),
        case(C, "a body arriving in 7-byte chunks parses the same").send(
            post("/multipart/describe", CT).chunked(&upload, 7),
            ok(&described),
        ),
        case(C, "collect() gathers text fields and files").send(
            post("/multipart/collect", CT).body(body(&[
                field("tag", "a"),
                file("doc", "notes.txt", b"hello"),
                field("tag", "b"),
            ])),
            ok("tag=a\ntag=b\ndoc:notes.txt:5"),
        ),
        case(C, "another content type is 415").send(
            post("/multipart/describe", "application/x-www-form-urlencoded").body("a=1"),
            error(
                415,
                "expected a request with content-type: multipart/form-data",
            ),
        ),
        case(C, "a content type without a boundary is 400").send(
            post("/multipart/describe", "multipart/form-data").body(&upload),
            error(
                400,
                "multipart/form-data content type without a boundary parameter",
            ),
        ),
        case(
            C,
            "a body without its closing boundary is 400, and the connection serves on",
        )
        .send(
            post("/multipart/describe", CT).body(&truncated),
            malformed("field \"empty\" is truncated: the body ends before its closing boundary"),
        )
        .then(next, serving),
        case(C, "a part without Content-Disposition is 400").send(
            post("/multipart/collect", CT).body(body(&[part("Content-Type: text/plain", b"x")])),
            malformed("part 1 has no Content-Disposition header"),
        ),
        case(
            C,
            "a multipart body over the limit by content-length is 413",
        )
        .send(
            post("/multipart/describe", CT).body(&over_limit),
            error(413, "request body is larger than the limit of 8192 bytes"),
        ),
        case(C, "a chunked multipart body over the limit is 413").send(
            post("/multipart/describe", CT).chunked(&over_limit, 1000),
            error(413, "request body is larger than the limit of 8192 bytes"),
        ),
    ]
}
