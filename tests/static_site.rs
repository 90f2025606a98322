//! The static-site example in-process: its files, its API route beside
//! them, and the upload handler (streamed multipart, escaped echo, the
//! errors a broken upload gets). Its other backends: `cli/tests/static_site.rs`.

#[path = "../examples/static_site/app.rs"]
mod app;

use futures_executor::block_on;
use mocket::http::{Request, StatusCode};
use mocket::{Body, Mocket};

const BOUNDARY: &str = "XyZ";

fn send(app: &Mocket, req: Request<Body>) -> (StatusCode, mocket::http::HeaderMap, String) {
    let res = block_on(app.request(req));
    let (parts, body) = res.into_parts();
    let bytes = block_on(body.to_bytes()).expect("a body");
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

fn upload(app: &Mocket, body: impl Into<Vec<u8>>) -> (StatusCode, String) {
    let req = Request::post("/upload")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body.into()))
        .expect("a valid request");
    let (status, _, text) = send(app, req);
    (status, text)
}

fn part(name: &str, file: Option<&str>, kind: &str, content: &[u8]) -> Vec<u8> {
    let file = file
        .map(|f| format!("; filename=\"{f}\""))
        .unwrap_or_default();
    let mut out = format!(
        "--{BOUNDARY}\r\ncontent-disposition: form-data; name=\"{name}\"{file}\r\n\
         content-type: {kind}\r\n\r\n"
    )
    .into_bytes();
    out.extend_from_slice(content);
    out.extend_from_slice(b"\r\n");
    out
}

fn end() -> Vec<u8> {
    format!("--{BOUNDARY}--\r\n").into_bytes()
}

#[test]
fn serves_the_folder_and_the_api_route_beside_it() {
    let app = app::build();
    let (status, headers, text) = send(&app, Request::get("/").body(Body::empty()).unwrap());
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert!(text.contains("<h1>Mocket static site</h1>"));

    let css = Request::get("/assets/site.css")
        .header("accept-encoding", "gzip, br")
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = send(&app, css);
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-encoding"], "br");
    assert_eq!(headers["content-type"], "text/css; charset=utf-8");

    let (status, _, text) = send(
        &app,
        Request::get("/api/hello").body(Body::empty()).unwrap(),
    );
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text, r#"{"message":"Hello from the API"}"#);
}

#[test]
fn upload_lists_each_field_and_file_with_its_size() {
    let app = app::build();
    let file: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let mut body = part("note", None, "text/plain", b"hello");
    body.extend(part(
        "file",
        Some("data.bin"),
        "application/octet-stream",
        &file,
    ));
    body.extend(end());
    let (status, text) = upload(&app, body);
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(
        text.contains("<code>note</code>: a field, text/plain, 5 bytes"),
        "{text}"
    );
    assert!(
        text.contains(
            "<code>file</code>: file <code>data.bin</code>, application/octet-stream, 300000 bytes"
        ),
        "{text}"
    );
}

#[test]
fn upload_escapes_what_the_client_named() {
    let app = app::build();
    let mut body = part("f", Some("<script>x</script>.txt"), "text/plain", b"x");
    body.extend(end());
    let (status, text) = upload(&app, body);
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains("&lt;script&gt;x&lt;/script&gt;.txt"),
        "{text}"
    );
    assert!(!text.contains("<script>"), "{text}");
}

#[test]
fn a_broken_upload_gets_a_clear_4xx() {
    let app = app::build();
    // Cut off before the closing boundary.
    let (status, text) = upload(&app, part("f", Some("a.txt"), "text/plain", b"abc"));
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    // Not multipart at all.
    let req = Request::post("/upload")
        .header("content-type", "text/plain")
        .body(Body::from("hello"))
        .unwrap();
    assert_eq!(send(&app, req).0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Over the 16 MiB limit, by its declared length: refused unread.
    let req = Request::post("/upload")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header("content-length", (17 * 1024 * 1024).to_string())
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, req).0, StatusCode::PAYLOAD_TOO_LARGE);
}
