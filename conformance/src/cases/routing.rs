//! Paths: static segments, parameters, wildcards, precedence, decoding, 404.

use super::{case, error, get, ok};
use crate::case::Case;

const C: &str = "routing";

pub(super) fn cases() -> Vec<Case> {
    vec![
        case(C, "GET / answers the root route").send(get("/"), ok("home")),
        case(C, "a static segment beats a :param registered before it")
            .send(get("/users/me"), ok("me")),
        case(C, ":param captures one segment").send(get("/users/42"), ok("user 42")),
        case(C, "two :params in one pattern").send(get("/users/7/posts/99"), ok("user 7 post 99")),
        case(C, "* matches exactly one segment")
            .send(get("/files/report.pdf/raw"), ok("raw [report.pdf]"))
            .send(get("/files/a/b/raw"), error(404, "Not Found")),
        case(C, "** in the middle matches zero segments").send(get("/docs/edit"), ok("edit []")),
        case(C, "** in the middle matches several segments")
            .send(get("/docs/a/b/edit"), ok("edit [a/b]")),
        case(C, "** in the middle needs what follows it")
            .send(get("/docs/a/b"), error(404, "Not Found")),
        case(C, "** at the end captures the rest").send(get("/wild/a/b/c"), ok("wild [a/b/c]")),
        case(C, "** at the end matches zero segments").send(get("/wild"), ok("wild []")),
        case(C, "parameters are percent-decoded")
            .send(get("/echo/hello%20world"), ok("hello world"))
            .send(get("/echo/caf%C3%A9"), ok("café")),
        case(C, "a + in a path stays a +").send(get("/echo/a+b"), ok("a+b")),
        case(C, "static segments match the raw, still-encoded path")
            .send(get("/users/m%65"), ok("user me")),
        case(C, "the query string takes no part in routing")
            .send(get("/users/me?tab=posts"), ok("me")),
        case(C, "the handler sees the matched pattern")
            .send(get("/pattern/7/x"), ok("/pattern/:id/*")),
        case(C, "an unknown path is 404, rendered by the error handler")
            .send(get("/no/such/path"), error(404, "Not Found")),
        case(C, "paths are strict: a trailing slash is another path")
            .send(get("/users/me/"), error(404, "Not Found")),
        case(C, "a :param never matches an empty segment")
            .send(get("/users/"), error(404, "Not Found")),
        case(C, "paths are case-sensitive").send(get("/USERS/me"), error(404, "Not Found")),
    ]
}
