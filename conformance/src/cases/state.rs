//! Shared state: from handlers and middleware, shared by every connection.

use super::{case, get, internal_error, ok};
use crate::case::{Backend, Case, Expect, Req};

const C: &str = "state";

/// Why state cannot carry over between requests under `wasmtime serve`.
const FRESH_INSTANCES: &str = "wasmtime serve runs every request in a fresh instance (its default for wasi:http 0.2 components, and Spin's), and app.state lives in the instance, so the counter starts again on every request";

/// Why reusing instances does not make state shared either.
const SEVERAL_INSTANCES: &str = "with --max-instance-reuse-count, wasmtime serve still starts another instance whenever none is idle when a request arrives (a client that sends its next request as soon as it has a response is usually quicker than the instance becomes idle again), and app.state lives in each instance, so the counter is split between instances";

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
        .send(get("/state/counter"), ok("3"))
        .skip_on(Backend::WASI_HTTP, FRESH_INSTANCES)
        .skip_on(Backend::WASI_HTTP_REUSE, SEVERAL_INSTANCES),
        case(C, "state of a type never registered is 500 without details").send(
            get("/state/missing"),
            internal_error().header("x-app", "mocket-conformance"),
        ),
    ]
}
