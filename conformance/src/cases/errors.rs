//! Errors: typed 4xx/5xx with their message, `?` as a 500 that leaks
//! nothing, all rendered by the app's one JSON error handler.

use super::{case, error, get, internal_error, ok};
use crate::case::Case;

const C: &str = "errors";

pub(super) fn cases() -> Vec<Case> {
    vec![
        case(C, "a typed 409 carries its message")
            .send(get("/errors/conflict"), error(409, "name taken")),
        case(C, "Error::not_found carries its message")
            .send(get("/errors/not-found"), error(404, "no such user")),
        case(
            C,
            "a validated parameter: 200 when valid, 400 with a message when not",
        )
        .send(get("/errors/double/21"), ok("42"))
        .send(get("/errors/double/abc"), error(400, "n must be a number")),
        case(C, "a 422 from a handler").send(
            get("/errors/double/18446744073709551615"),
            error(422, "n is too large"),
        ),
        case(C, "`?` on a std error is 500 without its cause").send(
            get("/errors/question"),
            internal_error().body_lacks("invalid digit"),
        ),
        case(C, "Error::internal never sends its cause").send(
            get("/errors/internal"),
            internal_error().body_lacks("hunter2"),
        ),
        case(C, "an error's source stays private, its message is sent").send(
            get("/errors/with-source"),
            error(502, "upstream failed").body_lacks("10.0.0.7"),
        ),
    ]
}
