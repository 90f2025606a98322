//! Header injection: a handler that tries to put CR, LF or NUL into a header
//! gets a 500, and nothing of the attempt reaches the wire.

use super::{case, get, internal_error, ok, still_serving};
use crate::case::{Case, Expect};

const C: &str = "header injection";

fn refused() -> Expect {
    internal_error().no_header("set-cookie").body_lacks("evil")
}

pub(super) fn cases() -> Vec<Case> {
    let (next, serving) = still_serving();
    vec![
        case(C, "CR LF in a header value is 500, nothing injected")
            .send(
                get("/inject/header-value"),
                refused().no_header("x-injected"),
            )
            .then(next.clone(), serving.clone()),
        case(C, "CR LF in a header name is 500, nothing injected")
            .send(get("/inject/header-name"), refused()),
        case(C, "NUL in a header value is 500")
            .send(get("/inject/nul"), refused().no_header("x-nul")),
        case(C, "CR LF in a redirect location is 500, no location sent")
            .send(get("/inject/redirect"), refused().no_header("location"))
            .then(next.clone(), serving.clone()),
        case(C, "a clean value reflected from the query is sent").send(
            get("/inject/reflected?v=hello"),
            ok("reflected").header("x-reflected", "hello"),
        ),
        case(C, "CR LF reflected from the query is 500, nothing injected").send(
            get("/inject/reflected?v=a%0D%0Aset-cookie:%20evil=1"),
            refused().no_header("x-reflected"),
        ),
        case(C, "a bare LF reflected from the query is 500").send(
            get("/inject/reflected?v=a%0Aset-cookie:%20evil=1"),
            refused(),
        ),
    ]
}
