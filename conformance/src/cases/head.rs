//! HEAD: answered by the GET route with its headers and `content-length`,
//! and no body bytes. Each case follows the HEAD with another request on the
//! same connection: a stray body would be read as the next response.

use super::{case, get, ok, still_serving};
use crate::case::{Case, Expect, JSON, Req, TEXT};

const C: &str = "HEAD";

/// The JSON that `GET /responses/json` sends.
const JSON_BODY: &str = r#"{"message":"hi","n":1}"#;

pub(super) fn cases() -> Vec<Case> {
    let (next, serving) = still_serving();
    vec![
        case(C, "HEAD gets the GET route's headers and length, no body")
            .send(
                Req::head("/"),
                Expect::status(200)
                    .header("content-type", TEXT)
                    .header("content-length", "4"),
            )
            .then(next.clone(), serving.clone()),
        case(C, "HEAD of a JSON route has its content type and length")
            .send(
                Req::head("/responses/json"),
                Expect::status(200)
                    .header("content-type", JSON)
                    .header("content-length", JSON_BODY.len().to_string()),
            )
            .then(get("/responses/json"), Expect::status(200).json(JSON_BODY)),
        case(C, "HEAD of a 256 KiB body sends its length and none of it")
            .send(
                Req::head("/responses/large"),
                Expect::status(200).header("content-length", (256 * 1024).to_string()),
            )
            .then(next.clone(), serving.clone()),
        case(C, "an explicit HEAD route replaces the GET route's answer")
            .send(
                Req::head("/methods/head"),
                Expect::status(200).header("x-from", "head"),
            )
            .then(
                get("/methods/head"),
                Expect::status(200)
                    .header("x-from", "get")
                    .text("body from GET"),
            ),
        case(C, "HEAD of an unknown path is 404 without a body")
            .send(
                Req::head("/no/such/path"),
                Expect::status(404).header("content-type", JSON),
            )
            .then(next.clone(), serving.clone()),
        case(
            C,
            "HEAD on an `all` route runs it and keeps only the length",
        )
        .send(
            Req::head("/methods/any"),
            Expect::status(200).header("content-length", "8"),
        )
        .then(next.clone(), serving.clone()),
        case(
            C,
            "HEAD of a streamed body of unknown length claims no length",
        )
        .send(
            Req::head("/compress/stream"),
            Expect::status(200).no_header("content-length"),
        )
        .then(next.clone(), serving.clone()),
        case(C, "HEAD in a pipeline between GETs").pipeline(vec![
            (get("/responses/text"), ok("plain text")),
            (
                Req::head("/responses/html"),
                Expect::status(200).header("content-length", "14"),
            ),
            (get("/responses/json"), Expect::status(200).json(JSON_BODY)),
            (next, serving),
        ]),
    ]
}
