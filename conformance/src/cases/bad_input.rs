//! What malformed or oversized input gets: a 4xx, never a hang, and the
//! server keeps serving.

use super::{case, error, get, ok, still_serving};
use crate::case::{Backend, Case, Expect, Req};

const C: &str = "bad input";

/// Why the connection stays open after a 431 in `wasi:http` mode.
const HOST_KEEPS_CONNECTION: &str = "a wasi:http component may not set `connection` (the host manages hop-by-hop headers and refuses it), and after the backend's 431 wasmtime serve keeps the connection open (it read the whole head, so the connection is in sync); the 431 itself is sent";

/// Why Node's answer to a body cut short has no error body.
const NODE_ANSWERS_CUT_BODY: &str = "Node's HTTP parser meets the end of the stream inside the body: it ends the request (`aborted`) and answers its own bare 400 before the app's body reader can, and its server ends a half-closed connection (`httpAllowHalfOpen` is off), so no later answer could be sent; the status is the same";

fn head_with_header_of(len: usize) -> Req {
    get("/").header("x-big", "a".repeat(len))
}

/// A request the server cannot parse: 400, the connection closed, and a new
/// connection served normally.
fn unparsable(name: &str, raw: &[u8]) -> Case {
    let (next, serving) = still_serving();
    case(C, name)
        .send(Req::raw(name, raw), Expect::status(400))
        .then_closed()
        .send(next, serving)
}

pub(super) fn cases() -> Vec<Case> {
    let (next, serving) = still_serving();
    vec![
        unparsable("a request line that is not HTTP is 400", b"this is not http\r\n\r\n"),
        unparsable("an unknown protocol version is 400", b"GET / HTTX/1.1\r\nhost: t\r\n\r\n"),
        unparsable("a space inside the target is 400", b"GET /a b HTTP/1.1\r\nhost: t\r\n\r\n"),
        unparsable("a control byte in the method is 400", b"G\x01T / HTTP/1.1\r\nhost: t\r\n\r\n"),
        unparsable("a header line without a colon is 400", b"GET / HTTP/1.1\r\nno colon here\r\n\r\n"),
        unparsable(
            "a content-length that is not a number is 400",
            b"POST /body/text HTTP/1.1\r\nhost: t\r\ncontent-length: abc\r\n\r\n",
        ),
        unparsable(
            "a chunk size that is not hex is 400",
            b"POST /body/text HTTP/1.1\r\nhost: t\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        ),
        case(C, "bad percent-encoding in a parameter is 400; the connection goes on")
            .send(
                get("/echo/%zz"),
                error(400, "invalid percent-encoding in path parameter \"%zz\""),
            )
            .then(get("/echo/fine%20now"), ok("fine now")),
        case(C, "a parameter that is not UTF-8 once decoded is 400").send(
            get("/echo/%FF"),
            error(400, "path parameter \"%FF\" is not valid UTF-8 once decoded"),
        ),
        case(C, "a truncated UTF-8 sequence in a parameter is 400").send(
            get("/echo/a%C3%28"),
            error(400, "path parameter \"a%C3%28\" is not valid UTF-8 once decoded"),
        ),
        case(C, "a 10 MB body is 413 without being sent").send(
            Req::post("/body/text").declared_length_only(10_000_000),
            error(413, "request body is larger than the limit of 8192 bytes"),
        ),
        case(C, "a body that ends before its content-length is 400")
            .send(
                Req::post("/body/text")
                    .header("content-type", "text/plain")
                    .cut_short("hello", 20),
                error(400, "failed to read the request body").instead_on(
                    Backend::NODE,
                    Expect::status(400),
                    NODE_ANSWERS_CUT_BODY,
                ),
            )
            .then_closed()
            .send(next.clone(), serving.clone()),
        case(C, "a 12 KiB request head is within the default 16 KiB")
            .send(head_with_header_of(12 * 1024), ok("home")),
        case(C, "a request head over 16 KiB is 431")
            .send(head_with_header_of(20 * 1024), Expect::status(431))
            .then_closed()
            .send(next, serving)
            .skip_on(Backend::WASI_HTTP, HOST_KEEPS_CONNECTION)
            .skip_on(Backend::WASI_HTTP_REUSE, HOST_KEEPS_CONNECTION),
    ]
}
