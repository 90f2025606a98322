//! CORS: one group with a strict policy (a listed origin, credentials,
//! exposed headers, max age), one with the permissive policy.

use std::time::Duration;

use mocket::http::{HeaderName, Method};
use mocket::prelude::*;

/// The one origin the strict policy allows.
const APP_ORIGIN: &str = "https://app.example";

pub(crate) fn register(app: &mut Mocket) {
    app.group("/cors", |cors| {
        cors.wrap(
            Cors::new()
                .allow_origins([APP_ORIGIN])
                .allow_methods([Method::GET, Method::POST, Method::DELETE])
                .expose_headers([HeaderName::from_static("x-total")])
                .allow_credentials(true)
                .max_age(Duration::from_secs(600)),
        );
        // No OPTIONS route: preflights never reach the router's 405.
        cors.get("/items", |_req| async { ([("x-total", "3")], "items") });
        cors.delete("/items", |_req| async { "deleted" });
        // A plain OPTIONS (not a preflight) reaches this handler.
        cors.options("/custom", |_req| async { "options handler" });
        cors.get("/vary", |_req| async {
            ([("vary", "Accept-Language")], "varies")
        });
    });
    app.group("/cors-public", |public| {
        public.wrap(Cors::permissive());
        public.get("/items", |_req| async { ([("x-total", "3")], "items") });
    });
}
