//! Groups: nested prefixes, a group's own middleware, its root route.

use super::{case, error, get, ok};
use crate::case::{Case, Req};

const C: &str = "groups";

pub(super) fn cases() -> Vec<Case> {
    vec![
        case(
            C,
            "a nested group's route runs both groups' middleware, inner first",
        )
        .send(
            get("/g/v1/ping"),
            ok("pong")
                .header("x-group", "g")
                .header_values("x-group-order", &["inner", "outer"]),
        ),
        case(
            C,
            "a group's `/` route is the prefix itself, without the inner middleware",
        )
        .send(
            get("/g"),
            ok("group root")
                .header("x-group", "g")
                .header_values("x-group-order", &["outer"]),
        ),
        case(C, "a group's middleware runs for a 404 under its prefix")
            .send(get("/g/"), error(404, "Not Found").header("x-group", "g")),
        case(C, "a group's middleware never runs outside its prefix")
            .send(get("/gx"), ok("outside the group").no_header("x-group")),
        case(C, "a group's DELETE route with a parameter")
            .send(Req::delete("/g/v1/items/5"), ok("deleted 5")),
        case(
            C,
            "a group's route answers 405 with Allow for other methods",
        )
        .send(
            get("/g/v1/items/5"),
            error(405, "Method Not Allowed").header_list("allow", &["DELETE"]),
        ),
        case(C, "a group's extension-method and `all` routes")
            .send(Req::new("PROPFIND", "/g/v1/dav"), ok("group PROPFIND"))
            .send(Req::put("/g/v1/any"), ok("group any PUT")),
    ]
}
