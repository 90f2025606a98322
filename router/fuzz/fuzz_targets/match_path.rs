//! Matches arbitrary strings against a route set using every segment kind.
//!
//! The property lives in `tests/support/property.rs` and is shared with
//! `tests/fuzz_property.rs`, which runs it on stable over generated inputs:
//! no panic, every parameter is a subslice of the path, the routes visited
//! by `find` are exactly those a brute-force matcher accepts (each once), and
//! `at` returns the first of them.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mocket_router::Router;
use std::sync::OnceLock;

#[path = "../../tests/support/property.rs"]
mod property;

static ROUTER: OnceLock<Router<usize>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let router = ROUTER.get_or_init(property::router);
    if let Ok(path) = std::str::from_utf8(data) {
        property::check(router, path);
        // Most fuzz inputs do not start with `/`; check the rooted form too.
        property::check(router, &format!("/{path}"));
    }
});
