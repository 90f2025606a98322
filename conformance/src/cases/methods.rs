//! Methods: one route per method, 405 with `Allow`, extension methods
//! (PROPFIND), `all`.

use super::{case, error, get, ok};
use crate::case::{Case, Expect, Req};

const C: &str = "methods";

fn not_allowed(allow: &[&str]) -> Expect {
    error(405, "Method Not Allowed").header_list("allow", allow)
}

pub(super) fn cases() -> Vec<Case> {
    vec![
        case(
            C,
            "GET, POST, PUT, PATCH and DELETE reach their own handlers",
        )
        .send(get("/methods/item"), ok("GET item"))
        .send(
            Req::post("/methods/item"),
            Expect::status(201).text("POST item"),
        )
        .send(Req::put("/methods/item"), ok("PUT item"))
        .send(Req::patch("/methods/item"), ok("PATCH item"))
        .send(
            Req::delete("/methods/item"),
            Expect::status(204).empty_body(),
        ),
        case(C, "OPTIONS reaches its handler").send(
            Req::new("OPTIONS", "/methods/item"),
            Expect::status(204)
                .header("allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")
                .empty_body(),
        ),
        case(
            C,
            "a method without a route at a matched path is 405 with Allow",
        )
        .send(
            Req::delete("/methods/readonly"),
            not_allowed(&["GET", "HEAD", "POST"]),
        )
        .send(
            Req::put("/methods/readonly"),
            not_allowed(&["GET", "HEAD", "POST"]),
        ),
        case(C, "an extension method (PROPFIND) reaches its handler").send(
            Req::new("PROPFIND", "/methods/dav"),
            Expect::status(207).text("PROPFIND dav"),
        ),
        case(
            C,
            "GET where only PROPFIND is routed is 405 with Allow: PROPFIND",
        )
        .send(get("/methods/dav"), not_allowed(&["PROPFIND"])),
        case(C, "HEAD where GET is not routed is 405, without a body")
            .send(
                Req::head("/body/text"),
                Expect::status(405).header_list("allow", &["POST"]),
            )
            .then(get("/"), ok("home")),
        case(C, "an `all` route answers every method")
            .send(get("/methods/any"), ok("any GET"))
            .send(Req::delete("/methods/any"), ok("any DELETE"))
            .send(Req::patch("/methods/any"), ok("any PATCH"))
            .send(Req::new("PROPFIND", "/methods/any"), ok("any PROPFIND")),
        case(C, "a method-specific route beats `all` at the same path")
            .send(Req::post("/methods/any"), ok("POST specific")),
    ]
}
