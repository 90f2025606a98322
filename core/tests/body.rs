//! Request bodies: readers, limits (declared and streamed), JSON and UTF-8.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{counted_stream, send, stream_of, with_body};
use mocket_core::http::{self, StatusCode};
use mocket_core::{DEFAULT_BODY_LIMIT, Error, Json, Mocket};

fn echo_app() -> Mocket {
    let mut app = Mocket::new();
    app.post("/text", |mut req| async move { req.text().await });
    app.post("/bytes", |mut req| async move {
        req.bytes().await.map(|b| b.len().to_string())
    });
    app
}

#[test]
fn text_reads_the_body() {
    let app = echo_app();
    let (status, _, body) = send(&app, with_body("POST", "/text", None, "hello body"));
    assert_eq!((status, body.as_str()), (StatusCode::OK, "hello body"));
}

#[test]
fn bytes_reads_binary_bodies() {
    let mut app = Mocket::new();
    app.post("/", |mut req| async move {
        let bytes = req.bytes().await?;
        Ok(format!("{:?}", &bytes[..]))
    });
    let (_, _, body) = send(&app, with_body("POST", "/", None, vec![0u8, 255, 10]));
    assert_eq!(body, "[0, 255, 10]");
}

#[test]
fn empty_body_reads_as_empty() {
    let app = echo_app();
    let (status, _, body) = send(&app, with_body("POST", "/bytes", None, ""));
    assert_eq!((status, body.as_str()), (StatusCode::OK, "0"));
}

#[test]
fn head_stays_readable_after_body_is_consumed() {
    let mut app = Mocket::new();
    app.post("/items/:id", |mut req| async move {
        let text = req.text().await?;
        let again = req.text().await?;
        Ok(format!(
            "{} {} {} [{}]",
            req.try_param("id").unwrap_or("-"),
            req.header("x-a").unwrap_or("-"),
            text,
            again
        ))
    });
    let req = http::Request::post("/items/5")
        .header("x-a", "yes")
        .body("payload")
        .expect("request");
    assert_eq!(send(&app, req).2, "5 yes payload []");
}

#[test]
fn streamed_body_is_joined() {
    let mut app = Mocket::new();
    app.post("/", |mut req| async move { req.text().await });
    let req = http::Request::post("/")
        .body(stream_of(vec![b"hel", b"lo ", b"world"]))
        .expect("request");
    assert_eq!(send(&app, req).2, "hello world");
}

#[test]
fn default_limit_is_one_mebibyte() {
    assert_eq!(DEFAULT_BODY_LIMIT, 1024 * 1024);
    let mut app = Mocket::new();
    app.post("/", |mut req| async move {
        let limit = req.body_limit();
        req.bytes().await.map(|b| format!("{} of {limit}", b.len()))
    });
    let exact = vec![b'a'; DEFAULT_BODY_LIMIT];
    let (status, _, body) = send(&app, with_body("POST", "/", None, exact));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "1048576 of 1048576");
    let over = vec![b'a'; DEFAULT_BODY_LIMIT + 1];
    let (status, _, body) = send(&app, with_body("POST", "/", None, over));
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body.contains("1048576"), "{body}");
}

#[test]
fn body_limit_is_configurable() {
    let mut app = echo_app();
    app.body_limit(8);
    let (status, _, body) = send(&app, with_body("POST", "/text", None, "12345678"));
    assert_eq!((status, body.as_str()), (StatusCode::OK, "12345678"));
    let (status, _, body) = send(&app, with_body("POST", "/text", None, "123456789"));
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body.contains("limit of 8 bytes"), "{body}");
    let (status, _, _) = send(&app, with_body("POST", "/bytes", None, "123456789"));
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[test]
fn raising_the_limit_accepts_bigger_bodies() {
    let mut app = echo_app();
    app.body_limit(2 * DEFAULT_BODY_LIMIT);
    let big = vec![b'a'; DEFAULT_BODY_LIMIT + 10];
    let (status, _, body) = send(&app, with_body("POST", "/bytes", None, big));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, (DEFAULT_BODY_LIMIT + 10).to_string());
}

#[test]
fn declared_oversized_body_is_413_before_the_handler_runs() {
    let ran = Arc::new(AtomicBool::new(false));
    let flag = ran.clone();
    let mut app = Mocket::new();
    app.body_limit(16);
    app.post("/upload", move |_req| {
        flag.store(true, Ordering::SeqCst);
        async { "stored" }
    });
    let req = http::Request::post("/upload")
        .header("content-length", "17")
        .body("x")
        .expect("request");
    let (status, _, body) = send(&app, req);
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body.contains("limit of 16 bytes"), "{body}");
    assert!(!ran.load(Ordering::SeqCst), "the handler must not run");

    // A declared length at the limit is let through.
    let req = http::Request::post("/upload")
        .header("content-length", "16")
        .body("0123456789abcdef")
        .expect("request");
    assert_eq!(send(&app, req).0, StatusCode::OK);
    assert!(ran.load(Ordering::SeqCst));
}

#[test]
fn declared_oversized_body_with_default_limit() {
    let ran = Arc::new(AtomicBool::new(false));
    let flag = ran.clone();
    let mut app = Mocket::new();
    app.post("/upload", move |_req| {
        flag.store(true, Ordering::SeqCst);
        async { "stored" }
    });
    let req = http::Request::post("/upload")
        .header("content-length", (DEFAULT_BODY_LIMIT + 1).to_string())
        .body(())
        .expect("request");
    assert_eq!(send(&app, req).0, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(!ran.load(Ordering::SeqCst));
}

#[test]
fn declared_oversized_body_goes_through_on_error() {
    let mut app = Mocket::new();
    app.body_limit(4);
    app.on_error(|err: Error| {
        (
            err.status(),
            Json(serde_json::json!({ "error": err.message() })),
        )
    });
    app.post("/", |_req| async { "never" });
    let req = http::Request::post("/")
        .header("content-length", "5")
        .body("12345")
        .expect("request");
    let (status, headers, _) = send(&app, req);
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(headers["content-type"], "application/json");
}

#[test]
fn streamed_body_over_the_limit_is_413_from_text_and_stops_reading() {
    let mut app = Mocket::new();
    app.body_limit(10 * 1024);
    app.post("/text", |mut req| async move { req.text().await });
    // 100 000 chunks of 1 KiB: ~100 MB if read to the end.
    let (body, pulled) = counted_stream(100_000, 1024);
    let req = http::Request::post("/text").body(body).expect("request");
    let (status, _, text) = send(&app, req);
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
    assert!(text.contains("limit of 10240 bytes"), "{text}");
    let pulled = pulled.load(Ordering::SeqCst);
    assert!(
        pulled <= 12,
        "the reader must stop at the limit, but pulled {pulled} chunks"
    );
    assert!(
        pulled >= 11,
        "the limit is crossed at chunk 11, pulled {pulled}"
    );
}

#[test]
fn streamed_body_over_the_limit_is_413_from_bytes_and_stops_reading() {
    let mut app = Mocket::new();
    app.body_limit(4096);
    app.post("/bytes", |mut req| async move {
        req.bytes().await.map(|b| b.len().to_string())
    });
    let (body, pulled) = counted_stream(1_000_000, 1000);
    let req = http::Request::post("/bytes").body(body).expect("request");
    let (status, _, _) = send(&app, req);
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let pulled = pulled.load(Ordering::SeqCst);
    assert!(pulled <= 6, "pulled {pulled} chunks of a huge stream");
}

#[test]
fn streamed_body_over_the_default_limit_is_413() {
    let mut app = Mocket::new();
    app.post("/bytes", |mut req| async move {
        req.bytes().await.map(|b| b.len().to_string())
    });
    let (body, pulled) = counted_stream(10_000, 64 * 1024);
    let req = http::Request::post("/bytes").body(body).expect("request");
    assert_eq!(send(&app, req).0, StatusCode::PAYLOAD_TOO_LARGE);
    // 1 MiB is 16 chunks of 64 KiB; the 17th crosses the limit.
    assert!(pulled.load(Ordering::SeqCst) <= 18);
}

#[test]
fn streamed_body_within_the_limit_is_read_whole() {
    let mut app = Mocket::new();
    app.body_limit(10 * 1024);
    app.post("/bytes", |mut req| async move {
        req.bytes().await.map(|b| b.len().to_string())
    });
    let (body, pulled) = counted_stream(10, 1024);
    let req = http::Request::post("/bytes").body(body).expect("request");
    assert_eq!(send(&app, req).2, "10240");
    assert_eq!(pulled.load(Ordering::SeqCst), 10);
}

#[test]
fn text_on_invalid_utf8_is_400() {
    let app = echo_app();
    let (status, _, body) = send(
        &app,
        with_body("POST", "/text", None, vec![b'o', b'k', 0xFF, 0xFE]),
    );
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("UTF-8"), "{body}");
}

#[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq)]
struct User {
    name: String,
    age: u8,
}

fn json_app() -> Mocket {
    let mut app = Mocket::new();
    app.post("/users", |mut req| async move {
        let user: User = req.json().await?;
        Ok((StatusCode::CREATED, Json(user)))
    });
    app
}

#[test]
fn json_reads_typed_values() {
    let app = json_app();
    let req = with_body(
        "POST",
        "/users",
        Some("application/json"),
        r#"{"name":"Ada","age":36}"#,
    );
    let (status, headers, body) = send(&app, req);
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(headers["content-type"], "application/json");
    let back: User = serde_json::from_str(&body).expect("json");
    assert_eq!(
        back,
        User {
            name: "Ada".into(),
            age: 36
        }
    );
}

#[test]
fn json_accepts_parameters_and_plus_json_types() {
    let app = json_app();
    for ct in [
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/vnd.api+json",
        "application/merge-patch+json",
    ] {
        let req = with_body("POST", "/users", Some(ct), r#"{"name":"Bob","age":1}"#);
        assert_eq!(send(&app, req).0, StatusCode::CREATED, "{ct}");
    }
}

#[test]
fn json_on_wrong_or_missing_content_type_is_415() {
    let app = json_app();
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/jsonx"),
        Some("text/json"),
        Some("json"),
        None,
    ] {
        let req = with_body("POST", "/users", ct, r#"{"name":"Bob","age":1}"#);
        let (status, _, body) = send(&app, req);
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}");
        assert!(body.contains("application/json"), "{ct:?}: {body}");
    }
}

#[test]
fn invalid_json_is_400_saying_what_is_wrong() {
    let app = json_app();
    let req = with_body("POST", "/users", Some("application/json"), r#"{"name": "#);
    let (status, _, body) = send(&app, req);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("invalid JSON"), "{body}");
    assert!(body.contains("EOF") || body.contains("line"), "{body}");
}

#[test]
fn json_of_the_wrong_shape_is_400_naming_the_field() {
    let app = json_app();
    let req = with_body(
        "POST",
        "/users",
        Some("application/json"),
        r#"{"name":"Ada"}"#,
    );
    let (status, _, body) = send(&app, req);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("invalid JSON"), "{body}");
    assert!(body.contains("age"), "{body}");

    let req = with_body(
        "POST",
        "/users",
        Some("application/json"),
        r#"{"name":"Ada","age":"old"}"#,
    );
    let (status, _, body) = send(&app, req);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("invalid type"), "{body}");
}

#[test]
fn json_body_over_the_limit_is_413() {
    let mut app = json_app();
    app.body_limit(10);
    let req = with_body(
        "POST",
        "/users",
        Some("application/json"),
        r#"{"name":"Ada Lovelace","age":36}"#,
    );
    assert_eq!(send(&app, req).0, StatusCode::PAYLOAD_TOO_LARGE);
}

#[test]
fn take_body_gives_the_raw_body() {
    let mut app = Mocket::new();
    app.post("/", |mut req| async move {
        let body = req.take_body();
        let bytes = body.to_bytes().await.map_err(Error::internal)?;
        Ok(bytes.len().to_string())
    });
    assert_eq!(send(&app, with_body("POST", "/", None, "abcd")).2, "4");
}
