//! The cases, one module per concern. Together they specify what the
//! conformance app (`conformance/app`) answers on every backend.

mod bad_input;
mod body_limits;
mod body_readers;
mod compression;
mod contract;
mod cookies;
mod cors;
mod errors;
mod forms;
mod groups;
mod head;
mod injection;
mod keep_alive;
mod methods;
mod middleware;
mod multipart;
mod panics;
mod query;
mod request_head;
mod responses;
mod routing;
mod state;
mod static_files;
mod streaming;
mod websocket;

use crate::case::{Case, Expect, Req};

/// Every case, grouped by concern, in the order they run.
pub fn all() -> Vec<Case> {
    [
        routing::cases(),
        methods::cases(),
        head::cases(),
        middleware::cases(),
        groups::cases(),
        responses::cases(),
        request_head::cases(),
        query::cases(),
        body_readers::cases(),
        body_limits::cases(),
        state::cases(),
        errors::cases(),
        panics::cases(),
        injection::cases(),
        bad_input::cases(),
        keep_alive::cases(),
        cookies::cases(),
        forms::cases(),
        multipart::cases(),
        cors::cases(),
        compression::cases(),
        static_files::cases(),
        contract::cases(),
        streaming::cases(),
        websocket::cases(),
    ]
    .concat()
}

/// Each concern with its number of cases, in suite order.
///
/// ```
/// let concerns = mocket_conformance::cases::concerns();
/// assert_eq!(concerns[0].0, "routing");
/// assert!(concerns.iter().all(|(_, n)| *n > 0));
/// ```
pub fn concerns() -> Vec<(&'static str, usize)> {
    let mut out: Vec<(&'static str, usize)> = Vec::new();
    for case in all() {
        match out.iter_mut().find(|(c, _)| *c == case.concern) {
            Some((_, n)) => *n += 1,
            None => out.push((case.concern, 1)),
        }
    }
    out
}

/// `GET path`.
fn get(path: &str) -> Req {
    Req::get(path)
}

/// 200 with a text body.
fn ok(body: &str) -> Expect {
    Expect::status(200).text(body)
}

/// The app's JSON rendering of an error with this status and message.
fn error(status: u16, message: &str) -> Expect {
    Expect::status(status).error(message)
}

/// A 500 that says nothing more than "Internal Server Error".
fn internal_error() -> Expect {
    error(500, "Internal Server Error")
}

/// `GET /` answered normally: the server (and connection) still serve.
fn still_serving() -> (Req, Expect) {
    (get("/"), ok("home"))
}

/// A case of `concern`.
fn case(concern: &'static str, name: &str) -> Case {
    Case::new(concern, name)
}
