//! Request bodies: readers, limits (declared and streamed), JSON and UTF-8.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{assert_says, counted_stream, json_errors, post, send, stream_of};
use mocket_core::http::{self, StatusCode};
use mocket_core::{Body, DEFAULT_BODY_LIMIT, Error, Json, Mocket};

const JSON: Option<&str> = Some("application/json");

/// `/text` answers the body as text, `/bytes` its length, and `/debug` its
/// bytes as a list.
fn echo_app() -> Mocket {
    let mut app = Mocket::new();
    app.post("/text", |mut req| async move { req.text().await });
    app.post("/bytes", |mut req| async move {
        req.bytes().await.map(|b| b.len().to_string())
    });
    app.post("/debug", |mut req| async move {
        let bytes = req.bytes().await?;
        Ok(format!("{:?}", &bytes[..]))
    });
    app
}

#[test]
fn text_and_bytes_read_the_body_even_empty_or_binary() {
    let app = echo_app();
    for (path, body, want) in [
        ("/text", &b"hello body"[..], "hello body"),
        ("/bytes", b"", "0"),
        ("/debug", &[0, 255, 10], "[0, 255, 10]"),
    ] {
        assert_eq!(
            post(&app, path, None, body.to_vec()),
            (StatusCode::OK, want.to_owned()),
            "{path}"
        );
    }
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
    let app = echo_app();
    let body = stream_of(vec![b"hel", b"lo ", b"world"]);
    assert_eq!(post(&app, "/text", None, body).1, "hello world");
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
    assert_eq!(
        post(&app, "/", None, exact),
        (StatusCode::OK, "1048576 of 1048576".to_owned())
    );
    assert_says(
        post(&app, "/", None, vec![b'a'; DEFAULT_BODY_LIMIT + 1]),
        StatusCode::PAYLOAD_TOO_LARGE,
        "1048576",
    );
}

#[test]
fn body_limit_is_configurable() {
    let mut app = echo_app();
    app.body_limit(8);
    assert_eq!(
        post(&app, "/text", None, "12345678"),
        (StatusCode::OK, "12345678".to_owned())
    );
    assert_says(
        post(&app, "/text", None, "123456789"),
        StatusCode::PAYLOAD_TOO_LARGE,
        "limit of 8 bytes",
    );
    let (status, _) = post(&app, "/bytes", None, "123456789");
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[test]
fn raising_the_limit_accepts_bigger_bodies() {
    let mut app = echo_app();
    app.body_limit(2 * DEFAULT_BODY_LIMIT);
    let big = vec![b'a'; DEFAULT_BODY_LIMIT + 10];
    assert_eq!(
        post(&app, "/bytes", None, big),
        (StatusCode::OK, (DEFAULT_BODY_LIMIT + 10).to_string())
    );
}

/// An app (with this body limit, if any) whose `/upload` notes that its
/// handler ran.
fn upload_app(limit: Option<usize>) -> (Mocket, Arc<AtomicBool>) {
    let ran = Arc::new(AtomicBool::new(false));
    let flag = ran.clone();
    let mut app = Mocket::new();
    if let Some(limit) = limit {
        app.body_limit(limit);
    }
    app.post("/upload", move |_req| {
        flag.store(true, Ordering::SeqCst);
        async { "stored" }
    });
    (app, ran)
}

/// `POST /upload` declaring `length` bytes, whatever `body` holds.
fn declared(length: usize, body: impl Into<Body>) -> http::Request<Body> {
    http::Request::post("/upload")
        .header("content-length", length)
        .body(body.into())
        .expect("request")
}

#[test]
fn declared_oversized_body_is_413_before_the_handler_runs() {
    for (limit, length, body, says) in [
        (Some(16), 17, "x", "limit of 16 bytes"),
        (None, DEFAULT_BODY_LIMIT + 1, "", "limit of 1048576 bytes"),
    ] {
        let (app, ran) = upload_app(limit);
        let (status, _, text) = send(&app, declared(length, body));
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{length}");
        assert!(text.contains(says), "{text}");
        assert!(!ran.load(Ordering::SeqCst), "the handler must not run");
    }
    // A declared length at the limit is let through.
    let (app, ran) = upload_app(Some(16));
    assert_eq!(
        send(&app, declared(16, "0123456789abcdef")).0,
        StatusCode::OK
    );
    assert!(ran.load(Ordering::SeqCst));
}

#[test]
fn declared_oversized_body_goes_through_on_error() {
    let (mut app, _) = upload_app(Some(4));
    json_errors(&mut app);
    let (status, headers, _) = send(&app, declared(5, "12345"));
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(headers["content-type"], "application/json");
}

#[test]
fn streamed_body_over_the_limit_is_413_and_stops_reading() {
    // (limit, route, chunks, chunk size, fewest and most chunks pulled)
    for (limit, path, chunks, size, fewest, most) in [
        // ~100 MB if read to the end; the limit is crossed at chunk 11.
        (Some(10 * 1024), "/text", 100_000, 1024, 11, 12),
        (Some(4096), "/bytes", 1_000_000, 1000, 0, 6),
        // 1 MiB is 16 chunks of 64 KiB; the 17th crosses the limit.
        (None, "/bytes", 10_000, 64 * 1024, 0, 18),
    ] {
        let mut app = echo_app();
        if let Some(limit) = limit {
            app.body_limit(limit);
        }
        let (body, pulled) = counted_stream(chunks, size);
        let (status, text) = post(&app, path, None, body);
        let row = format!("{limit:?} {path}");
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{row}: {text}");
        let limit = limit.unwrap_or(DEFAULT_BODY_LIMIT);
        assert!(
            text.contains(&format!("limit of {limit} bytes")),
            "{row}: {text}"
        );
        let pulled = pulled.load(Ordering::SeqCst);
        assert!(
            (fewest..=most).contains(&pulled),
            "{row}: the reader must stop at the limit, but pulled {pulled} chunks"
        );
    }
}

#[test]
fn streamed_body_within_the_limit_is_read_whole() {
    let mut app = echo_app();
    app.body_limit(10 * 1024);
    let (body, pulled) = counted_stream(10, 1024);
    assert_eq!(post(&app, "/bytes", None, body).1, "10240");
    assert_eq!(pulled.load(Ordering::SeqCst), 10);
}

#[test]
fn text_on_invalid_utf8_is_400() {
    let not_utf8 = vec![b'o', b'k', 0xFF, 0xFE];
    let got = post(&echo_app(), "/text", None, not_utf8);
    assert_says(got, StatusCode::BAD_REQUEST, "UTF-8");
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
    let req = common::with_body("POST", "/users", JSON, r#"{"name":"Ada","age":36}"#);
    let (status, headers, body) = send(&json_app(), req);
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
        let (status, _) = post(&app, "/users", Some(ct), r#"{"name":"Bob","age":1}"#);
        assert_eq!(status, StatusCode::CREATED, "{ct}");
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
        let (status, body) = post(&app, "/users", ct, r#"{"name":"Bob","age":1}"#);
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}");
        assert!(body.contains("application/json"), "{ct:?}: {body}");
    }
}

#[test]
fn invalid_json_is_400_saying_what_is_wrong() {
    let (status, body) = post(&json_app(), "/users", JSON, r#"{"name": "#);
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("invalid JSON"), "{body}");
    assert!(body.contains("EOF") || body.contains("line"), "{body}");
}

#[test]
fn json_of_the_wrong_shape_is_400_naming_the_field() {
    let app = json_app();
    for (json, says) in [
        (r#"{"name":"Ada"}"#, &["invalid JSON", "age"][..]),
        (r#"{"name":"Ada","age":"old"}"#, &["invalid type"]),
    ] {
        let (status, body) = post(&app, "/users", JSON, json);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
        for said in says {
            assert!(body.contains(said), "{json}: {body}");
        }
    }
}

#[test]
fn json_body_over_the_limit_is_413() {
    let mut app = json_app();
    app.body_limit(10);
    let json = r#"{"name":"Ada Lovelace","age":36}"#;
    assert_eq!(
        post(&app, "/users", JSON, json).0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

#[test]
fn take_body_gives_the_raw_body() {
    let mut app = Mocket::new();
    app.post("/", |mut req| async move {
        let body = req.take_body();
        let bytes = body.to_bytes().await.map_err(Error::internal)?;
        Ok(bytes.len().to_string())
    });
    assert_eq!(post(&app, "/", None, "abcd").1, "4");
}
