//! The query string: as a map, one parameter, typed (400 on mismatch).

use super::{case, error, get, ok};
use crate::case::{Case, Expect};

const C: &str = "query";

pub(super) fn cases() -> Vec<Case> {
    vec![
        case(C, "query() decodes names and values; + is a space").send(
            get("/query/map?b=x%20y&a=1&c=+plus&d="),
            ok("a=1;b=x y;c= plus;d="),
        ),
        case(C, "query() keeps the first of repeated names")
            .send(get("/query/map?a=1&a=2"), ok("a=1")),
        case(C, "query() without a query string is empty").send(get("/query/map"), ok("")),
        case(C, "query_param decodes UTF-8 and reserved characters")
            .send(get("/query/param?name=caf%C3%A9%26co"), ok("café&co")),
        case(C, "query_param of an absent name is None")
            .send(get("/query/param?other=1"), ok("(none)")),
        case(C, "query_as fills a typed struct").send(
            get("/query/typed?page=2&per_page=10"),
            Expect::status(200).json(r#"{"page":2,"per_page":10}"#),
        ),
        case(C, "query_as leaves a missing Option as None").send(
            get("/query/typed?page=3"),
            Expect::status(200).json(r#"{"page":3,"per_page":null}"#),
        ),
        case(C, "query_as without a required field is 400 naming it").send(
            get("/query/typed?per_page=10"),
            error(400, "invalid query string: missing field `page`"),
        ),
        case(C, "query_as with a value of the wrong type is 400").send(
            get("/query/typed?page=abc"),
            error(
                400,
                "invalid query string: page: invalid digit found in string",
            ),
        ),
    ]
}
