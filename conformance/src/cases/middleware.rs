//! Middleware: order, prefix scoping, changing the request and the response,
//! short-circuiting, running for 404 and 405.

use super::{case, error, get, ok};
use crate::case::{Case, Expect, Req};

const C: &str = "middleware";

pub(super) fn cases() -> Vec<Case> {
    vec![
        case(
            C,
            "the first registered middleware is the outermost, both ways",
        )
        .send(
            get("/mw/trail").header("x-trail", "forged by the client"),
            ok("1,2").header_values("x-after", &["2", "1"]),
        ),
        case(C, "a middleware scoped to /api runs for /api")
            .send(get("/api"), ok("api root").header("x-api", "1")),
        case(C, "a middleware scoped to /api runs for /api/items")
            .send(get("/api/items"), ok("api items").header("x-api", "1")),
        case(C, "a middleware scoped to /api never runs for /apix")
            .send(get("/apix"), ok("apix").no_header("x-api")),
        case(C, "global middleware runs for a 404").send(
            get("/no/such/path"),
            error(404, "Not Found")
                .header("x-global", "yes")
                .header_values("x-after", &["2", "1"]),
        ),
        case(C, "global middleware runs for a 405").send(
            Req::delete("/methods/readonly"),
            error(405, "Method Not Allowed").header("x-global", "yes"),
        ),
        case(
            C,
            "a middleware answers without calling next; its error is rendered",
        )
        .send(
            get("/guarded/secret"),
            error(401, "missing token").header("x-global", "yes"),
        ),
        case(C, "the same middleware lets a good request through").send(
            get("/guarded/secret").header("x-token", "letmein"),
            ok("the secret"),
        ),
        case(
            C,
            "a scoped middleware also guards unknown paths under its prefix",
        )
        .send(get("/guarded/nothing/here"), error(401, "missing token")),
        case(
            C,
            "a middleware changes the request: a header and an extension",
        )
        .send(
            get("/mw/rewrite").header("x-user", "mallory"),
            ok("user=ada role=admin"),
        ),
        case(C, "a middleware changes the response status and headers").send(
            get("/mw/status"),
            Expect::status(201)
                .text("status changed")
                .header("x-changed", "status"),
        ),
        case(C, "a middleware replaces the response body").send(get("/mw/body"), ok("SHOUT THIS")),
        case(
            C,
            "a middleware scoped to a pattern reads its path parameter",
        )
        .send(get("/mw/items/42"), ok("item 42").header("x-item-id", "42")),
    ]
}
