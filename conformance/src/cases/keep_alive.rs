//! Keep-alive: many requests on one connection, one after another or
//! pipelined, answered in order; closing when asked.

use super::{case, error, get, ok, still_serving};
use crate::case::{Case, Expect, JSON, Req};

const C: &str = "keep-alive";

/// Five requests, one a POST with a body, and what each must get.
fn five() -> Vec<(Req, Expect)> {
    vec![
        (get("/"), ok("home")),
        (Req::post("/body/text").body("ping"), ok("ping")),
        (get("/users/7"), ok("user 7")),
        (
            Req::delete("/methods/item"),
            Expect::status(204).empty_body(),
        ),
        (
            get("/responses/json"),
            Expect::status(200)
                .header("content-type", JSON)
                .body(r#"{"message":"hi","n":1}"#),
        ),
    ]
}

pub(super) fn cases() -> Vec<Case> {
    let (next, serving) = still_serving();
    let mut one_by_one = case(
        C,
        "five requests, one after another on one connection, in order",
    );
    for (i, (req, expect)) in five().into_iter().enumerate() {
        one_by_one = if i == 0 {
            one_by_one.send(req, expect)
        } else {
            one_by_one.then(req, expect)
        };
    }
    vec![
        one_by_one,
        case(
            C,
            "five pipelined requests on one connection, answered in order",
        )
        .pipeline(five()),
        case(
            C,
            "after an unread body, the next request is served (or close is announced)",
        )
        .send(Req::post("/body/ignored").body("0123456789"), ok("ignored"))
        .then_if_kept_open(next.clone(), serving.clone()),
        case(
            C,
            "after an unread chunked body, the next request is served (or close is announced)",
        )
        .send(
            Req::post("/body/ignored").chunked("0123456789", 4),
            ok("ignored"),
        )
        .then_if_kept_open(next.clone(), serving.clone()),
        case(C, "a 404 leaves the connection open")
            .send(get("/no/such/path"), error(404, "Not Found"))
            .then(next.clone(), serving.clone()),
        case(C, "connection: close is answered, then the server closes")
            .send(get("/").header("connection", "close"), ok("home"))
            .then_closed(),
        case(C, "HTTP/1.0 with connection: keep-alive stays open")
            .send(
                get("/").http10().header("connection", "keep-alive"),
                ok("home"),
            )
            .then(
                get("/users/me").http10().header("connection", "keep-alive"),
                ok("me"),
            ),
        case(C, "HTTP/1.0 without keep-alive is answered, then closed")
            .send(get("/").http10(), ok("home"))
            .then_closed(),
    ]
}
