//! The CORS middleware: preflights, actual requests, refused origins,
//! credentials, `Vary`, groups, and odd or hostile headers.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{assert_headers, request, send};
use mocket_core::cors::Cors;
use mocket_core::http::{self, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use mocket_core::{Body, Mocket};

const APP: &str = "https://app.example";
const EVIL: &str = "https://evil.example";

/// `GET path` from `origin`.
fn get_from(path: &str, origin: &str) -> http::Request<Body> {
    request("GET", path, &[("origin", origin)])
}

fn preflight(path: &str, origin: &str, method: &str) -> http::Request<Body> {
    request(
        "OPTIONS",
        path,
        &[
            ("origin", origin),
            ("access-control-request-method", method),
            ("access-control-request-headers", "content-type, x-api-key"),
        ],
    )
}

/// Every `access-control-*` header of a response.
fn cors_headers(headers: &HeaderMap) -> Vec<String> {
    headers
        .keys()
        .filter(|n| n.as_str().starts_with("access-control-"))
        .map(|n| n.as_str().to_owned())
        .collect()
}

fn vary(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::VARY)
        .iter()
        .flat_map(|v| v.to_str().expect("header text").split(','))
        .map(|s| s.trim().to_owned())
        .collect()
}

/// An app whose handlers count their calls, behind `cors`.
fn app_with(cors: Cors) -> (Mocket, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let mut app = Mocket::new();
    app.wrap(cors);
    for path in ["/items", "/items/:id"] {
        let counter = calls.clone();
        app.get(path, move |_req| {
            counter.fetch_add(1, Ordering::SeqCst);
            async { ([("x-total", "3")], "items") }
        });
    }
    let counter = calls.clone();
    app.options("/with-options", move |_req| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { "options handler" }
    });
    app.get("/vary", |_req| async {
        ([("vary", "Accept-Language")], "varies")
    });
    (app, calls)
}

fn strict() -> Cors {
    Cors::new()
        .allow_origins([APP])
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .expose_headers([HeaderName::from_static("x-total")])
        .allow_credentials(true)
        .max_age(Duration::from_secs(600))
}

#[test]
fn a_preflight_from_an_allowed_origin_is_answered_without_the_handler() {
    let (app, calls) = app_with(strict());
    // No OPTIONS route exists for /items: without CORS this would be 405.
    let (status, headers, body) = send(&app, preflight("/items", APP, "DELETE"));
    assert_eq!((status, body.as_str()), (StatusCode::NO_CONTENT, ""));
    assert_headers(
        &headers,
        &[
            ("access-control-allow-origin", APP),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "GET, POST, DELETE"),
            // Request headers are mirrored by default.
            ("access-control-allow-headers", "content-type, x-api-key"),
            ("access-control-max-age", "600"),
        ],
    );
    assert!(headers.get("access-control-expose-headers").is_none());
    assert_eq!(vary(&headers), ["Origin", "Access-Control-Request-Headers"]);
    assert!(headers.get(header::ALLOW).is_none());
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[test]
fn answers_without_a_route_carry_cors_headers_too() {
    let (app, _) = app_with(strict());
    for (req, status) in [
        // A preflight for a path with no route is still answered.
        (preflight("/nowhere", APP, "GET"), StatusCode::NO_CONTENT),
        (get_from("/missing", APP), StatusCode::NOT_FOUND),
    ] {
        let row = format!("{} {}", req.method(), req.uri());
        let (got, headers, _) = send(&app, req);
        assert_eq!(got, status, "{row}");
        assert_eq!(headers["access-control-allow-origin"], APP, "{row}");
    }
}

#[test]
fn refused_or_missing_origins_get_no_cors_headers_but_vary_on_origin() {
    for (req, status, body, calls) in [
        // A refused preflight is answered without the handler…
        (
            preflight("/items", EVIL, "DELETE"),
            StatusCode::NO_CONTENT,
            "",
            0,
        ),
        // …and an actual request still reaches it.
        (get_from("/items", EVIL), StatusCode::OK, "items", 1),
        // Without an origin the answer still depends on it.
        (request("GET", "/items", &[]), StatusCode::OK, "items", 1),
    ] {
        let (app, counter) = app_with(strict());
        let row = format!("{} {:?}", req.method(), req.headers().get("origin"));
        let (got_status, headers, got_body) = send(&app, req);
        assert_eq!((got_status, got_body.as_str()), (status, body), "{row}");
        assert_eq!(cors_headers(&headers), Vec::<String>::new(), "{row}");
        assert_eq!(vary(&headers), ["Origin"], "{row}");
        assert_eq!(counter.load(Ordering::SeqCst), calls, "{row}");
    }
}

#[test]
fn a_plain_options_request_goes_to_the_app() {
    // An OPTIONS route answers it, also when it names a request method
    // but no origin (not a preflight then)…
    for (header, allowed) in [
        (("origin", APP), Some(APP)),
        (("access-control-request-method", "GET"), None),
    ] {
        let (app, calls) = app_with(strict());
        let req = request("OPTIONS", "/with-options", &[header]);
        let (status, headers, body) = send(&app, req);
        let row = format!("{allowed:?}");
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::OK, "options handler"),
            "{row}"
        );
        assert_eq!(
            common::header_str(&headers, "access-control-allow-origin"),
            allowed
        );
        assert!(headers.get("access-control-allow-methods").is_none());
        assert_eq!(calls.load(Ordering::SeqCst), 1, "{row}");
    }
    // …and without one the router's 405 stands.
    let (app, _) = app_with(strict());
    let (status, headers, _) = send(&app, request("OPTIONS", "/items", &[]));
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "GET, HEAD");
}

#[test]
fn an_allowed_origin_gets_the_response_with_cors_headers() {
    let (app, calls) = app_with(strict());
    let (status, headers, body) = send(&app, get_from("/items", APP));
    assert_eq!((status, body.as_str()), (StatusCode::OK, "items"));
    assert_eq!(headers["access-control-allow-origin"], APP);
    assert_eq!(headers["access-control-allow-credentials"], "true");
    assert_eq!(headers["access-control-expose-headers"], "x-total");
    // Preflight-only headers stay off actual responses.
    assert!(headers.get("access-control-allow-methods").is_none());
    assert!(headers.get("access-control-max-age").is_none());
    assert_eq!(vary(&headers), ["Origin"]);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn vary_is_appended_to_what_the_handler_set() {
    let (app, _) = app_with(strict());
    let (_, headers, _) = send(&app, get_from("/vary", APP));
    assert_eq!(
        headers.get_all(header::VARY).iter().collect::<Vec<_>>(),
        ["Accept-Language, Origin"]
    );
}

#[test]
fn any_origin_without_credentials_is_a_constant_star_without_vary() {
    let (app, _) = app_with(Cors::new().allow_any_origin());
    for req in [
        get_from("/items", EVIL),
        get_from("/items", "null"),
        request("GET", "/items", &[]),
    ] {
        let (_, headers, _) = send(&app, req);
        assert_eq!(headers["access-control-allow-origin"], "*");
        assert!(headers.get("access-control-allow-credentials").is_none());
        assert!(headers.get(header::VARY).is_none());
    }
    let (status, headers, _) = send(&app, preflight("/items", EVIL, "PUT"));
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers["access-control-allow-origin"], "*");
    assert_eq!(
        headers["access-control-allow-methods"],
        "GET, HEAD, PUT, POST, DELETE, PATCH"
    );
    assert_eq!(vary(&headers), ["Access-Control-Request-Headers"]);
}

#[test]
fn credentials_never_go_with_a_literal_star() {
    let cors = Cors::permissive().allow_credentials(true);
    let (app, _) = app_with(cors);
    let (_, headers, _) = send(&app, preflight("/items", EVIL, "PROPFIND"));
    assert_headers(
        &headers,
        &[
            ("access-control-allow-origin", EVIL),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "PROPFIND"),
            ("access-control-allow-headers", "content-type, x-api-key"),
        ],
    );
    assert_eq!(
        vary(&headers),
        [
            "Origin",
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers"
        ]
    );
    // Exposing "any" header lists the response's own names instead of `*`.
    let (_, headers, _) = send(&app, get_from("/items", EVIL));
    assert_eq!(headers["access-control-allow-origin"], EVIL);
    assert_eq!(headers["access-control-expose-headers"], "x-total");
    assert!(cors_headers(&headers).iter().all(|h| {
        let value = &headers[h.as_str()];
        value != "*"
    }));
}

#[test]
fn any_header_exposed_without_credentials_is_a_star() {
    let (app, _) = app_with(Cors::permissive());
    let (_, headers, _) = send(&app, get_from("/items", EVIL));
    assert_eq!(headers["access-control-expose-headers"], "*");
}

#[test]
fn the_null_origin_is_refused_unless_listed() {
    let (app, _) = app_with(strict());
    let (_, headers, _) = send(&app, get_from("/items", "null"));
    assert_eq!(cors_headers(&headers), Vec::<String>::new());
    // Mirroring "any" origin with credentials leaves `null` out as well.
    let (app, _) = app_with(Cors::new().allow_any_origin().allow_credentials(true));
    let (_, headers, _) = send(&app, preflight("/items", "null", "GET"));
    assert_eq!(cors_headers(&headers), Vec::<String>::new());
    // Listed explicitly, it is the app's choice.
    let (app, _) = app_with(Cors::new().allow_origins(["null"]));
    let (_, headers, _) = send(&app, get_from("/items", "null"));
    assert_eq!(headers["access-control-allow-origin"], "null");
}

#[test]
fn listed_origins_match_ignoring_case_and_a_configured_trailing_slash() {
    let (app, _) = app_with(Cors::new().allow_origins(["HTTPS://App.Example/"]));
    let (_, headers, _) = send(&app, get_from("/items", APP));
    // The request's own spelling is echoed.
    assert_eq!(headers["access-control-allow-origin"], APP);
    for near_miss in [
        "https://app.example.evil",
        "http://app.example",
        "https://app.example:8443",
        "https://xapp.example",
        "",
    ] {
        let (_, headers, _) = send(&app, get_from("/items", near_miss));
        assert!(
            headers.get("access-control-allow-origin").is_none(),
            "{near_miss:?} was allowed"
        );
    }
}

#[test]
fn a_predicate_decides_the_origin() {
    let cors = Cors::new().allow_origin_fn(|origin| {
        origin
            .strip_prefix("https://")
            .is_some_and(|host| host.ends_with(".example.com"))
    });
    let (app, _) = app_with(cors);
    let (_, headers, _) = send(&app, get_from("/items", "https://a.example.com"));
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://a.example.com"
    );
    let (_, headers, _) = send(&app, get_from("/items", "https://evil-example.com"));
    assert!(headers.get("access-control-allow-origin").is_none());
}

#[test]
fn explicit_header_lists_and_empty_method_lists() {
    let cors = Cors::new()
        .allow_any_origin()
        .allow_methods([])
        .allow_headers([header::AUTHORIZATION, HeaderName::from_static("x-api-key")]);
    let (app, _) = app_with(cors);
    let (_, headers, _) = send(&app, preflight("/items", APP, "GET"));
    assert!(headers.get("access-control-allow-methods").is_none());
    assert_eq!(
        headers["access-control-allow-headers"],
        "authorization, x-api-key"
    );
    assert!(headers.get(header::VARY).is_none());
}

#[test]
fn a_mirrored_preflight_without_requested_headers_allows_none() {
    let (app, _) = app_with(strict());
    let req = request(
        "OPTIONS",
        "/items",
        &[("origin", APP), ("access-control-request-method", "GET")],
    );
    let (status, headers, _) = send(&app, req);
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(headers.get("access-control-allow-headers").is_none());
    assert_eq!(vary(&headers), ["Origin", "Access-Control-Request-Headers"]);
}

#[test]
fn hostile_origins_are_refused_without_panicking() {
    let (app, calls) = app_with(strict());
    let mut req = request("GET", "/items", &[]);
    // Bytes that are not text (obs-text) in Origin.
    req.headers_mut().insert(
        header::ORIGIN,
        HeaderValue::from_bytes(b"https://app.example\xff").unwrap(),
    );
    let (status, headers, _) = send(&app, req);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cors_headers(&headers), Vec::<String>::new());
    // Two Origin headers: only the first counts, as the `http` crate reads.
    let mut req = get_from("/items", EVIL);
    req.headers_mut()
        .append(header::ORIGIN, HeaderValue::from_static(APP));
    let (_, headers, _) = send(&app, req);
    assert_eq!(cors_headers(&headers), Vec::<String>::new());
    // A very long list of requested headers is mirrored, not parsed.
    let long = vec!["x-a"; 2000].join(", ");
    let req = request(
        "OPTIONS",
        "/items",
        &[
            ("origin", APP),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", &long),
        ],
    );
    let (status, headers, _) = send(&app, req);
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(headers["access-control-allow-headers"], long.as_str());
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn on_a_group_only_its_paths_get_cors() {
    let mut app = Mocket::new();
    app.group("/api", |api| {
        api.wrap(Cors::new().allow_origins([APP]));
        api.get("/data", |_req| async { "data" });
    });
    app.get("/other", |_req| async { "other" });
    let (_, headers, _) = send(&app, get_from("/api/data", APP));
    assert_eq!(headers["access-control-allow-origin"], APP);
    let (status, _, _) = send(&app, preflight("/api/unknown", APP, "GET"));
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, headers, _) = send(&app, get_from("/other", APP));
    assert!(headers.get("access-control-allow-origin").is_none());
    let (status, _, _) = send(&app, preflight("/other", APP, "GET"));
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[test]
fn max_age_is_in_whole_seconds() {
    let (app, _) = app_with(
        Cors::new()
            .allow_any_origin()
            .max_age(Duration::from_millis(90_999)),
    );
    let (_, headers, _) = send(&app, preflight("/items", APP, "GET"));
    assert_eq!(headers["access-control-max-age"], "90");
}

#[test]
fn one_policy_can_be_cloned_onto_several_groups() {
    let policy = Cors::new().allow_origin_fn(|origin| origin == APP);
    let mut app = Mocket::new();
    for prefix in ["/a", "/b"] {
        let policy = policy.clone();
        app.group(prefix, move |group| {
            group.wrap(policy);
            group.get("/", |_req| async { "ok" });
        });
    }
    for path in ["/a", "/b"] {
        let (_, headers, _) = send(&app, get_from(path, APP));
        assert_eq!(headers["access-control-allow-origin"], APP, "{path}");
        let (_, headers, _) = send(&app, get_from(path, EVIL));
        assert!(headers.get("access-control-allow-origin").is_none());
    }
}
