//! CORS: preflights answered by the middleware (allowed and refused),
//! plain OPTIONS reaching the app, actual requests with and without an
//! allowed origin, `Vary`, and the permissive policy's `*`.

use super::{case, error, get, ok};
use crate::case::{Case, Expect, Req};

const C: &str = "CORS";
const APP: &str = "https://app.example";
const EVIL: &str = "https://evil.example";

/// Every `access-control-*` header the middleware can send.
const CORS_HEADERS: [&str; 6] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-expose-headers",
    "access-control-max-age",
];

fn without_cors_headers(mut expect: Expect) -> Expect {
    for name in CORS_HEADERS {
        expect = expect.no_header(name);
    }
    expect
}

fn preflight(path: &str, origin: &str) -> Req {
    Req::new("OPTIONS", path)
        .header("origin", origin)
        .header("access-control-request-method", "DELETE")
        .header("access-control-request-headers", "content-type, x-api-key")
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        case(C, "a preflight from an allowed origin is answered with 204").send(
            preflight("/cors/items", APP),
            Expect::status(204)
                .header("access-control-allow-origin", APP)
                .header("access-control-allow-credentials", "true")
                .header("access-control-allow-methods", "GET, POST, DELETE")
                .header("access-control-allow-headers", "content-type, x-api-key")
                .header("access-control-max-age", "600")
                .header("vary", "Origin, Access-Control-Request-Headers")
                .no_header("access-control-expose-headers")
                .no_header("allow")
                .empty_body(),
        ),
        case(C, "a preflight for a path with no route is answered too").send(
            preflight("/cors/nothing/here", APP),
            Expect::status(204).header("access-control-allow-origin", APP),
        ),
        case(
            C,
            "a preflight from a refused origin gets 204 without CORS headers",
        )
        .send(
            preflight("/cors/items", EVIL),
            without_cors_headers(Expect::status(204).header("vary", "Origin").empty_body()),
        ),
        case(C, "a plain OPTIONS request reaches the app's OPTIONS route").send(
            Req::new("OPTIONS", "/cors/custom").header("origin", APP),
            ok("options handler")
                .header("access-control-allow-origin", APP)
                .no_header("access-control-allow-methods"),
        ),
        case(
            C,
            "a plain OPTIONS request without a route is the router's 405",
        )
        .send(
            Req::new("OPTIONS", "/cors/items"),
            error(405, "Method Not Allowed").header_list("allow", &["GET", "HEAD", "DELETE"]),
        ),
        case(C, "an allowed origin gets the response with CORS headers").send(
            get("/cors/items").header("origin", APP),
            ok("items")
                .header("access-control-allow-origin", APP)
                .header("access-control-allow-credentials", "true")
                .header("access-control-expose-headers", "x-total")
                .header("vary", "Origin")
                .no_header("access-control-allow-methods")
                .no_header("access-control-max-age"),
        ),
        case(C, "a refused origin gets the response without CORS headers").send(
            Req::delete("/cors/items").header("origin", EVIL),
            without_cors_headers(ok("deleted").header("vary", "Origin")),
        ),
        case(C, "the origin null is refused unless listed").send(
            get("/cors/items").header("origin", "null"),
            without_cors_headers(ok("items")),
        ),
        case(C, "a request without Origin still varies on Origin").send(
            get("/cors/items"),
            without_cors_headers(ok("items").header("vary", "Origin")),
        ),
        case(C, "Origin is added to the handler's Vary").send(
            get("/cors/vary").header("origin", APP),
            ok("varies")
                .header("vary", "Accept-Language, Origin")
                .header("access-control-allow-origin", APP),
        ),
        case(
            C,
            "an error response carries CORS headers for the page to read",
        )
        .send(
            get("/cors/missing").header("origin", APP),
            error(404, "Not Found").header("access-control-allow-origin", APP),
        ),
        case(
            C,
            "the permissive policy answers any origin with * and no Vary",
        )
        .send(
            get("/cors-public/items").header("origin", EVIL),
            ok("items")
                .header("access-control-allow-origin", "*")
                .header("access-control-expose-headers", "*")
                .no_header("access-control-allow-credentials")
                .no_header("vary"),
        ),
        case(
            C,
            "the permissive policy mirrors a preflight's method and headers",
        )
        .send(
            preflight("/cors-public/items", EVIL),
            Expect::status(204)
                .header("access-control-allow-origin", "*")
                .header("access-control-allow-methods", "DELETE")
                .header("access-control-allow-headers", "content-type, x-api-key")
                .header(
                    "vary",
                    "Access-Control-Request-Method, Access-Control-Request-Headers",
                ),
        ),
    ]
}
