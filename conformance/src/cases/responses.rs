//! Responders and content types, handler-given headers, redirects.

use super::{case, get, ok, still_serving};
use crate::case::{Case, Expect, HTML, OCTETS};

const C: &str = "responses";

/// What `/responses/bytes` sends: not UTF-8, with NUL, CR and LF.
const BINARY: &[u8] = &[0x00, 0x9f, 0x92, 0x96, 0xff, 0x0d, 0x0a, 0x00];

fn redirect(status: u16, location: &str) -> Expect {
    Expect::status(status)
        .header("location", location)
        .empty_body()
}

pub(super) fn cases() -> Vec<Case> {
    let (next, serving) = still_serving();
    vec![
        case(C, "a &str is text/plain; charset=utf-8")
            .send(get("/responses/text"), ok("plain text")),
        case(C, "non-ASCII text arrives byte for byte")
            .send(get("/responses/text-utf8"), ok("héllo wörld ✓")),
        case(C, "an empty string is an empty text body").send(get("/responses/empty"), ok("")),
        case(C, "() is an empty 200 without a content type").send(
            get("/responses/unit"),
            Expect::status(200).no_header("content-type").empty_body(),
        ),
        case(C, "Html is text/html; charset=utf-8").send(
            get("/responses/html"),
            Expect::status(200)
                .header("content-type", HTML)
                .body("<h1>Hello</h1>"),
        ),
        case(C, "Json is application/json").send(
            get("/responses/json"),
            Expect::status(200).json(r#"{"message":"hi","n":1}"#),
        ),
        case(C, "bytes are application/octet-stream, binary-safe").send(
            get("/responses/bytes"),
            Expect::status(200)
                .header("content-type", OCTETS)
                .body(BINARY),
        ),
        case(C, "a 256 KiB body arrives whole").send(
            get("/responses/large"),
            Expect::status(200)
                .body_satisfies("is 262144 bytes of \"0123456789abcdef\" repeated", |b| {
                    b.len() == 256 * 1024 && b.chunks(16).all(|c| c == b"0123456789abcdef")
                }),
        ),
        case(C, "a StatusCode alone is that status with an empty body").send(
            get("/responses/status"),
            Expect::status(202).no_header("content-type").empty_body(),
        ),
        case(
            C,
            "204 has no content-length, no body, and the connection goes on",
        )
        .send(
            get("/responses/no-content"),
            Expect::status(204)
                .no_header("content-length")
                .no_header("transfer-encoding")
                .no_header("content-type"),
        )
        .then(next.clone(), serving.clone()),
        case(C, "(StatusCode, body) sets the status")
            .send(get("/responses/created"), Expect::status(201).text("made")),
        case(C, "([(name, value)], body) adds headers").send(
            get("/responses/headers"),
            ok("with headers")
                .header("x-a", "1")
                .header("cache-control", "no-store"),
        ),
        case(C, "(StatusCode, headers, body) sets both").send(
            get("/responses/status-headers"),
            Expect::status(418)
                .text("short and stout")
                .header("x-kind", "teapot"),
        ),
        case(C, "a header given twice is sent twice").send(
            get("/responses/repeated-headers"),
            ok("cookies").header_values("set-cookie", &["a=1", "b=2"]),
        ),
        case(C, "a header value's non-ASCII bytes pass unchanged").send(
            get("/responses/obs-text"),
            ok("obs-text").header("x-word", "café".as_bytes()),
        ),
        case(
            C,
            "an explicit content type is never overwritten (text/csv)",
        )
        .send(
            get("/responses/csv"),
            Expect::status(200)
                .header("content-type", "text/csv")
                .body("a,b\n1,2\n"),
        ),
        case(C, "an explicit content type replaces Json's").send(
            get("/responses/problem-json"),
            Expect::status(400)
                .header("content-type", "application/problem+json")
                .body(r#"{"title":"bad"}"#),
        ),
        case(C, "a hand-built http::Response is sent as built").send(
            get("/responses/raw"),
            Expect::status(200)
                .header("content-type", "text/x-Custom; charset=ISO-8859-1")
                .header("x-built", "by hand")
                .body("built by hand"),
        ),
        case(C, "an explicit content type on bytes is kept").send(
            get("/responses/bytes-typed"),
            Expect::status(200)
                .header("content-type", "image/png")
                .body(BINARY),
        ),
        case(C, "Redirect::to is 303 with location")
            .send(get("/redirect/see-other"), redirect(303, "/target")),
        case(C, "Redirect::temporary is 307 with location")
            .send(get("/redirect/temporary"), redirect(307, "/target?a=1&b=2")),
        case(C, "Redirect::permanent is 308 with location").send(
            get("/redirect/permanent"),
            redirect(308, "https://example.com/elsewhere"),
        ),
        case(C, "Redirect::with_status gives 301 and 302")
            .send(get("/redirect/moved"), redirect(301, "/moved"))
            .send(get("/redirect/found"), redirect(302, "/found")),
    ]
}
