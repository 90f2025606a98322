//! The request head reaches the app as sent: raw target, repeated headers,
//! version, host, absolute-form targets.

use super::{case, get, ok};
use crate::case::{Backend, Case, Req};

const C: &str = "request head";

/// Why the HTTP/1.0 case cannot pass in `wasi:http` mode.
const NO_VERSION: &str = "wasi:http 0.2 does not tell the component the request's HTTP version (incoming-request has no version), so the backend can only say HTTP/1.1; wasmtime still speaks HTTP/1.0 to the client (the HTTP/1.0 keep-alive cases pass)";

pub(super) fn cases() -> Vec<Case> {
    vec![
        case(C, "the path and query arrive raw, still percent-encoded").send(
            get("/request/raw/a%2Fb/c%20d?x=%20&y=1+2"),
            ok("/request/raw/a%2Fb/c%20d|x=%20&y=1+2"),
        ),
        case(C, "dot segments are not resolved by the backend")
            .send(get("/request/raw/a/../b"), ok("/request/raw/a/../b|-")),
        case(
            C,
            "repeated request headers all arrive, names case-insensitive",
        )
        .send(
            get("/request/headers")
                .header("X-One", "1")
                .header("x-multi", "a")
                .header("X-Multi", "b"),
            ok("one=1 multi=a|b"),
        ),
        case(C, "the Host header arrives").send(get("/request/host"), ok("conformance.test")),
        case(C, "an HTTP/1.1 request is seen as HTTP/1.1")
            .send(get("/request/version"), ok("HTTP/1.1")),
        case(C, "an HTTP/1.0 request is seen as HTTP/1.0")
            .send(get("/request/version").http10(), ok("HTTP/1.0"))
            .then_closed()
            .skip_on(Backend::WASI_HTTP, NO_VERSION)
            .skip_on(Backend::WASI_HTTP_REUSE, NO_VERSION),
        case(C, "an absolute-form target is routed by its path").send(
            get("http://conformance.test/request/raw/abs?q=1"),
            ok("/request/raw/abs|q=1"),
        ),
        case(C, "the method arrives as sent")
            .send(Req::patch("/request/method"), ok("PATCH"))
            .send(Req::new("PROPFIND", "/request/method"), ok("PROPFIND")),
    ]
}
