//! Panics: a panicking handler or middleware is a 500 rendered by the
//! error handler that leaks nothing, and the server keeps serving, on the
//! same connection and on new ones. Rendering and serving on are separate
//! cases, so a report tells them apart.

use super::{case, get, internal_error, still_serving};
use crate::case::{Backend, Case, Expect, Req};

const C: &str = "panics";

/// Why no panic case can pass when the component runs as a command.
const TRAP_ENDS_PROCESS: &str = "wasm32-wasip2 cannot unwind (panic = abort): a panic is a trap, and run as a command the trap ends the whole process (wasmtime exits with status 134), taking the connection and every later case with it; in wasi:http mode a panic hook answers 500 and the host starts a fresh instance";

/// Any 500 that does not leak the panic message.
fn panicked() -> Expect {
    Expect::status(500).body_lacks("secret panic detail")
}

pub(super) fn cases() -> Vec<Case> {
    let (next, serving) = still_serving();
    let cases = vec![
        case(
            C,
            "a panicking handler's 500 goes through the error handler",
        )
        .send(get("/panic/handler"), internal_error()),
        case(
            C,
            "a panicking middleware's 500 goes through the error handler",
        )
        .send(get("/panic/middleware"), internal_error()),
        case(
            C,
            "after a handler panics, its connection and new ones are served",
        )
        .send(get("/panic/handler"), panicked())
        .then(next.clone(), serving.clone())
        .send(next.clone(), serving.clone())
        .send(next.clone(), serving.clone())
        .send(next.clone(), serving.clone()),
        case(
            C,
            "after a handler panics past an await, the server goes on",
        )
        .send(get("/panic/after-await"), panicked())
        .send(next.clone(), serving.clone()),
        case(
            C,
            "after a handler panics having read the body, the connection goes on",
        )
        .send(Req::post("/panic/after-body").body("some body"), panicked())
        .then(next.clone(), serving.clone()),
        case(C, "many panics in a row do not wear the server down")
            .send(get("/panic/handler"), panicked())
            .send(get("/panic/handler"), panicked())
            .send(get("/panic/after-await"), panicked())
            .send(get("/panic/middleware"), panicked())
            .send(get("/panic/handler"), panicked())
            .send(next, serving),
    ];
    cases
        .into_iter()
        .map(|c| c.skip_on(Backend::WASI_SOCKETS, TRAP_ENDS_PROCESS))
        .collect()
}
