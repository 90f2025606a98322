//! The backend contract's rules as seen on the wire, and the portable
//! clock: the same answers on every backend, because the core decides them.

use super::{case, error, get, ok};
use crate::case::{Case, Expect, Req};

const C: &str = "contract";

pub(super) fn cases() -> Vec<Case> {
    vec![
        case(
            C,
            "a header attached to an error survives the error handler",
        )
        .send(
            get("/contract/unauthorized"),
            error(401, "log in first").header("www-authenticate", r#"Basic realm="conformance""#),
        ),
        case(
            C,
            "a header returned beside an error survives the error handler",
        )
        .send(
            get("/contract/busy"),
            error(503, "busy").header("retry-after", "30"),
        ),
        case(C, "param_as parses, or answers 400 naming the parameter")
            .send(get("/contract/users/42"), ok("user 42"))
            .send(
                get("/contract/users/forty-two"),
                error(
                    400,
                    "invalid path parameter id: invalid digit found in string",
                ),
            ),
        case(C, "a 205 has no body and content-length 0").send(
            get("/contract/reset"),
            Expect::status(205)
                .header("content-length", "0")
                .empty_body(),
        ),
        case(
            C,
            "a middleware reads the body, checks it and hands on a new one",
        )
        .send(
            Req::post("/contract/signed").body("hello;sig=ok"),
            ok("hello"),
        )
        .send(
            Req::post("/contract/signed").body("hello;sig=no"),
            error(403, "bad signature"),
        ),
        case(
            C,
            "sleep waits at least as long as asked, by the portable clock",
        )
        .send(get("/contract/sleep/30"), ok("slept")),
        case(C, "interval ticks a period apart, the first at once")
            .send(get("/contract/ticks/4"), ok("4 ticks, spread ok: true")),
    ]
}
