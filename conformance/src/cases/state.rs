//! Shared state: from handlers and middleware, shared by every connection.

use super::{case, get, internal_error, ok};
use crate::case::{Case, Expect, Req};

const C: &str = "state";

pub(super) fn cases() -> Vec<Case> {
    vec![
        case(C, "a handler and a middleware read registered state").send(
            get("/state/name"),
            ok("mocket-conformance").header("x-app", "mocket-conformance"),
        ),
        case(
            C,
            "state changes are seen by later requests on other connections",
        )
        .send(
            Req::delete("/state/counter"),
            Expect::status(204).empty_body(),
        )
        .send(Req::post("/state/counter"), ok("1"))
        .send(Req::post("/state/counter"), ok("2"))
        .then(Req::post("/state/counter"), ok("3"))
        .send(get("/state/counter"), ok("3")),
        case(C, "state of a type never registered is 500 without details").send(
            get("/state/missing"),
            internal_error().header("x-app", "mocket-conformance"),
        ),
    ]
}
