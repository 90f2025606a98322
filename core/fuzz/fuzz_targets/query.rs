//! Any bytes as a request's query string, when they make a valid target:
//! never a panic; `query_param` agrees with `query()` (first of repeated
//! names) on every name; `query()`'s pairs, escaped again, read back the
//! same; `query_as` into a small struct is it or a 400, and the app never
//! answers 5xx.
#![no_main]

use std::cell::RefCell;
use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;
use mocket_core::http::{StatusCode, Uri};
use mocket_core::{Mocket, Request};

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)] // read through Debug
struct Search {
    q: String,
    page: u32,
    exact: Option<bool>,
}

thread_local! {
    /// The request `/keep` received (a `Request` is not `Send`: it stays on
    /// this thread, where `block_on` runs the handler).
    static KEPT: RefCell<Option<Request>> = const { RefCell::new(None) };
    static APP: Mocket = {
        let mut app = Mocket::new();
        app.get("/keep", |req| {
            KEPT.with(|kept| *kept.borrow_mut() = Some(req));
            async { "kept" }
        });
        app.get("/typed", |req| async move {
            req.query_as::<Search>().map(|s| format!("{s:?}"))
        });
        app
    };
}

fn send(target: Uri) -> StatusCode {
    APP.with(|app| {
        futures_executor::block_on(async {
            let req = mocket_core::http::Request::get(target)
                .body(())
                .expect("valid");
            app.request(req).await.status()
        })
    })
}

fn kept(query: &[u8]) -> Option<Request> {
    let target = Uri::try_from([b"/keep?", query].concat()).ok()?;
    assert_eq!(send(target), StatusCode::OK);
    KEPT.with(|kept| kept.borrow_mut().take())
}

/// Every byte as `%XX`.
fn escape(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

fuzz_target!(|data: &[u8]| {
    let Some(req) = kept(data) else {
        return; // not a valid request target
    };
    let map = req.query();
    for (k, v) in &map {
        assert_eq!(req.query_param(k).as_ref(), Some(v), "{k:?}");
    }
    let again: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect();
    let again = kept(again.join("&").as_bytes()).expect("escaped pairs are a valid query");
    assert_eq!(again.query(), map);
    if let Err(e) = req.query_as::<Search>() {
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
    }
    let _: HashMap<String, String> = req.query_as().expect("any pairs are a map");
    let typed = Uri::try_from([b"/typed?", data].concat()).expect("valid, as above");
    let status = send(typed);
    assert!(
        status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
        "{status}"
    );
});
