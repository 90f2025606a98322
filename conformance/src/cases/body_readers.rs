//! Body readers: text, bytes, JSON (415 and 400), chunked bodies,
//! `Expect: 100-continue`.

use super::{case, error, ok};
use crate::case::{Case, Expect, OCTETS, Req};

const C: &str = "body readers";

const BINARY: &[u8] = &[0x00, 0x9f, 0x92, 0x96, 0xff, 0x0d, 0x0a, 0x00];

fn json_post(content_type: &str, body: &str) -> Req {
    Req::post("/body/json")
        .header("content-type", content_type)
        .body(body)
}

const ADA: &str = r#"{"name":"Ada","age":36}"#;
const GREETING: &str = r#"{"greeting":"hello Ada","adult":true}"#;

pub(super) fn cases() -> Vec<Case> {
    vec![
        case(C, "text() reads a body").send(Req::post("/body/text").body("hello"), ok("hello")),
        case(C, "text() reads multi-byte UTF-8")
            .send(Req::post("/body/text").body("héllo ✓"), ok("héllo ✓")),
        case(C, "text() of invalid UTF-8 is 400 saying where").send(
            Req::post("/body/text").body([b'h', b'i', 0xff, 0xfe]),
            error(
                400,
                "request body is not valid UTF-8 (invalid byte at offset 2)",
            ),
        ),
        case(C, "text() of an empty body is empty").send(Req::post("/body/text").body(""), ok("")),
        case(
            C,
            "a request without content-length or chunking has an empty body",
        )
        .send(Req::post("/body/text"), ok("")),
        case(C, "bytes() reads binary data unchanged").send(
            Req::post("/body/bytes").body(BINARY),
            Expect::status(200)
                .header("content-type", OCTETS)
                .body(BINARY),
        ),
        case(C, "a chunked body is read whole").send(
            Req::post("/body/text").chunked("hello chunked world", 5),
            ok("hello chunked world"),
        ),
        case(C, "json() reads application/json").send(
            json_post("application/json", ADA),
            Expect::status(200).json(GREETING),
        ),
        case(C, "json() accepts parameters on the content type").send(
            json_post("application/json; charset=utf-8", ADA),
            Expect::status(200).json(GREETING),
        ),
        case(C, "json() accepts application/*+json").send(
            json_post("application/vnd.api+json", ADA),
            Expect::status(200).json(GREETING),
        ),
        case(C, "json() with another content type is 415").send(
            json_post("text/plain", ADA),
            error(
                415,
                "expected a request with content-type: application/json",
            ),
        ),
        case(C, "json() without a content type is 415").send(
            Req::post("/body/json").body(ADA),
            error(
                415,
                "expected a request with content-type: application/json",
            ),
        ),
        case(C, "json() of malformed JSON is 400 saying where").send(
            json_post("application/json", r#"{"name":"Ada","#),
            error(
                400,
                "invalid JSON body: EOF while parsing a value at line 1 column 14",
            ),
        ),
        case(C, "json() missing a field is 400 naming it").send(
            json_post("application/json", r#"{"name":"Ada"}"#),
            error(
                400,
                "invalid JSON body: missing field `age` at line 1 column 14",
            ),
        ),
        case(C, "json() with a field of the wrong type is 400").send(
            json_post("application/json", r#"{"name":"Ada","age":"old"}"#),
            error(
                400,
                "invalid JSON body: invalid type: string \"old\", expected u32 at line 1 column 25",
            ),
        ),
        case(
            C,
            "Expect: 100-continue gets 100, then the answer to the body",
        )
        .send(
            Req::post("/body/text")
                .header("expect", "100-continue")
                .declared_length_only(5),
            Expect::status(100),
        )
        .then(Req::raw("the 5-byte body", b"hello"), ok("hello")),
    ]
}
