//! The app's body limit (8 KiB): by content-length before the handler runs,
//! and while reading chunked bodies.

use super::{case, error, ok};
use crate::case::{Case, Req};

const C: &str = "body limits";

/// The conformance app's `body_limit`.
const LIMIT: usize = 8 * 1024;

fn too_large() -> crate::case::Expect {
    error(
        413,
        &format!("request body is larger than the limit of {LIMIT} bytes"),
    )
}

pub(super) fn cases() -> Vec<Case> {
    let at_limit = vec![b'a'; LIMIT];
    let over = vec![b'b'; LIMIT + 1];
    let far_over = vec![b'c'; 2 * LIMIT];
    vec![
        case(C, "a body exactly at the limit is read")
            .send(Req::post("/body/length").body(&at_limit), ok("8192 bytes")),
        case(C, "one byte over the limit by content-length is 413")
            .send(Req::post("/body/length").body(&over), too_large()),
        case(
            C,
            "413 comes after only the head when content-length is over the limit",
        )
        .send(
            Req::post("/body/length").declared_length_only((LIMIT + 1) as u64),
            too_large(),
        ),
        case(
            C,
            "the content-length check runs even if the handler never reads the body",
        )
        .send(
            Req::post("/body/ignored").declared_length_only(1_000_000),
            too_large(),
        ),
        case(C, "a chunked body at the limit is read").send(
            Req::post("/body/length").chunked(&at_limit, 1000),
            ok("8192 bytes"),
        ),
        case(C, "a chunked body over the limit is 413").send(
            Req::post("/body/length").chunked(&far_over, 1000),
            too_large(),
        ),
        case(C, "a chunked body over the limit that never ends is 413").send(
            Req::post("/body/length").chunked_unfinished(&far_over, 1000),
            too_large(),
        ),
    ]
}
