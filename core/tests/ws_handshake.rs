//! The WebSocket opening handshake: what qualifies, what the `101` says,
//! subprotocols and extensions, refusals, middleware.

mod common;

use common::ws_client::handshake;
use futures_executor::block_on;
use mocket_core::http::{self, HeaderMap, HeaderValue, Request, StatusCode, Version};
use mocket_core::{Body, IntoResponse, Mocket};

fn app() -> Mocket {
    let mut app = Mocket::new();
    app.ws("/ws", |_req, ws| async move {
        ws.protocols(["chat.v2", "chat.v1"])
            .on_upgrade(|_s| async {})
    });
    app.ws("/private", |req, ws| async move {
        if req.header("authorization") != Some("Bearer yes") {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        ws.on_upgrade(|_s| async {})
    });
    app
}

/// A handshake asking for protocol version `version`.
fn version(version: &str) -> http::request::Builder {
    Request::get("/ws")
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", version)
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
}

fn answer(app: &Mocket, req: http::request::Builder) -> (StatusCode, HeaderMap) {
    let res = block_on(app.request(req.body(Body::empty()).expect("request")));
    (res.status(), res.headers().clone())
}

#[test]
fn a_handshake_is_answered_101_with_the_accept_key() {
    let (status, headers) = answer(&app(), handshake("/ws"));
    assert_eq!(status, 101);
    assert_eq!(headers["upgrade"], "websocket");
    assert_eq!(headers["connection"], "upgrade");
    // RFC 6455, section 1.3's example key and answer.
    assert_eq!(
        headers["sec-websocket-accept"],
        "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    );
    assert!(!headers.contains_key("content-length"));
    assert!(
        !headers.contains_key("sec-websocket-protocol"),
        "none was asked for"
    );
}

#[test]
fn requests_that_are_no_handshake_get_precise_answers() {
    let app = app();
    let rows: [(http::request::Builder, StatusCode); 6] = [
        (Request::get("/ws"), StatusCode::UPGRADE_REQUIRED),
        (
            handshake("/ws")
                .header("connection", "close")
                .version(Version::HTTP_10),
            StatusCode::UPGRADE_REQUIRED,
        ),
        (
            Request::get("/ws")
                .header("upgrade", "websocket")
                .header("connection", "keep-alive"),
            StatusCode::UPGRADE_REQUIRED,
        ),
        (version("8"), StatusCode::UPGRADE_REQUIRED),
        (
            Request::get("/ws")
                .header("connection", "upgrade")
                .header("upgrade", "websocket")
                .header("sec-websocket-version", "13")
                .header("sec-websocket-key", "short"),
            StatusCode::BAD_REQUEST,
        ),
        (Request::post("/ws"), StatusCode::METHOD_NOT_ALLOWED),
    ];
    for (i, (req, expected)) in rows.into_iter().enumerate() {
        let (status, headers) = answer(&app, req);
        assert_eq!(status, expected, "row {i}");
        if status == StatusCode::UPGRADE_REQUIRED {
            assert_eq!(headers["upgrade"], "websocket", "row {i}");
        }
    }
    // Another version: the answer names the one we speak.
    let (_, headers) = answer(&app, version("8"));
    let versions: Vec<_> = headers.get_all("sec-websocket-version").iter().collect();
    assert_eq!(versions, ["13"]);
}

#[test]
fn the_first_subprotocol_the_client_prefers_that_the_route_speaks_is_chosen() {
    let app = app();
    let (_, headers) = answer(
        &app,
        handshake("/ws").header("sec-websocket-protocol", "chat.v3, chat.v1, chat.v2"),
    );
    assert_eq!(headers["sec-websocket-protocol"], "chat.v1");
    let (status, headers) = answer(
        &app,
        handshake("/ws").header("sec-websocket-protocol", "other"),
    );
    assert_eq!(status, 101);
    assert!(!headers.contains_key("sec-websocket-protocol"));
}

#[test]
fn a_handler_refuses_with_an_ordinary_response() {
    let app = app();
    assert_eq!(answer(&app, handshake("/private")).0, 401);
    assert_eq!(
        answer(
            &app,
            handshake("/private").header("authorization", "Bearer yes")
        )
        .0,
        101
    );
}

#[test]
fn middleware_runs_on_the_upgrade_request() {
    let mut app = app();
    app.use_middleware(|req, next| async move {
        if req.query_param("token").as_deref() != Some("t") {
            return StatusCode::FORBIDDEN.into_response();
        }
        let mut res = next.run(req).await;
        res.headers_mut()
            .insert("x-seen", "1".parse().expect("value"));
        res
    });
    assert_eq!(answer(&app, handshake("/ws")).0, 403);
    let (status, headers) = answer(&app, handshake("/ws?token=t"));
    assert_eq!(
        (status, &headers["x-seen"]),
        (
            StatusCode::SWITCHING_PROTOCOLS,
            &"1".parse::<HeaderValue>().expect("value")
        )
    );
}

#[test]
fn permessage_deflate_is_agreed_when_offered_unless_the_route_declines() {
    let mut app = app();
    app.ws("/plain", |_req, ws| async move {
        ws.deflate(false).on_upgrade(|_s| async {})
    });
    let offer = "permessage-deflate; client_max_window_bits";
    let (_, headers) = answer(
        &app,
        handshake("/ws").header("sec-websocket-extensions", offer),
    );
    let agreed = headers["sec-websocket-extensions"].to_str().expect("text");
    assert!(agreed.starts_with("permessage-deflate"), "{agreed}");
    assert!(agreed.contains("server_no_context_takeover"), "{agreed}");
    let (_, headers) = answer(
        &app,
        handshake("/plain").header("sec-websocket-extensions", offer),
    );
    assert!(!headers.contains_key("sec-websocket-extensions"));
    let (_, headers) = answer(
        &app,
        handshake("/ws").header("sec-websocket-extensions", "x-unknown"),
    );
    assert!(!headers.contains_key("sec-websocket-extensions"));
}

#[test]
fn a_backend_without_upgrades_answers_501() {
    use mocket_core::backend::UnreadBodies;
    let service = app().into_service().expect("built");
    let req = handshake("/ws").body(Body::empty()).expect("request");
    let out = block_on(service.serve(req, UnreadBodies::CloseConnection));
    let out = service.refuse_upgrade(out, false, "no upgrades in this test");
    assert_eq!(out.response.status(), 501);
    let text = block_on(out.response.into_body().to_text()).expect("text");
    assert!(text.contains("WebSocket"), "{text}");
}

#[test]
fn every_protocol_line_counts_and_only_get_upgrades() {
    let app = app();
    let (_, headers) = answer(
        &app,
        handshake("/ws")
            .header("sec-websocket-protocol", "other")
            .header("sec-websocket-protocol", "chat.v1"),
    );
    assert_eq!(headers["sec-websocket-protocol"], "chat.v1");
    let head = handshake("/ws").method("HEAD");
    assert_eq!(answer(&app, head).0, StatusCode::UPGRADE_REQUIRED);
    let twice = version("13").header("sec-websocket-version", "8");
    assert_eq!(answer(&app, twice).0, StatusCode::UPGRADE_REQUIRED);
}

#[test]
fn a_host_without_upgrades_answers_501_even_with_the_upgrade_headers_stripped() {
    use mocket_core::backend::UnreadBodies;
    let mut app = app();
    mocket_core::backend::refuse_upgrades(&mut app);
    let stripped = |path: &str| {
        Request::get(path)
            .header("sec-websocket-version", "13")
            .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
    };
    // The handler still runs: it may refuse.
    assert_eq!(
        answer(&app, stripped("/private")).0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        answer(&app, Request::get("/ws")).0,
        StatusCode::UPGRADE_REQUIRED
    );
    let service = app.into_service().expect("built");
    let req = stripped("/ws").body(Body::empty()).expect("request");
    let out = block_on(service.serve(req, UnreadBodies::DrainOrDrop));
    assert_eq!(
        service
            .refuse_upgrade(out, false, "no upgrades in this test")
            .response
            .status(),
        501
    );
}
