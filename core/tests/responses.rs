//! Responders, default content types, and header injection.

mod common;

use common::{send, send_bytes};
use mocket_core::bytes::Bytes;
use mocket_core::http::{self, HeaderMap, HeaderValue, StatusCode};
use mocket_core::{Body, Error, Html, Json, Mocket, Redirect};

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("content-type")
        .map(|v| v.to_str().expect("text"))
}

#[test]
fn static_str_is_plain_text() {
    let mut app = Mocket::new();
    app.get("/", |_req| async { "hello" });
    let (status, headers, body) = send(&app, "/");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type(&headers), Some("text/plain; charset=utf-8"));
    assert_eq!(body, "hello");
}

#[test]
fn string_is_plain_text() {
    let mut app = Mocket::new();
    app.get("/", |_req| async { String::from("owned") });
    let (_, headers, body) = send(&app, "/");
    assert_eq!(content_type(&headers), Some("text/plain; charset=utf-8"));
    assert_eq!(body, "owned");
}

#[test]
fn html_is_text_html() {
    let mut app = Mocket::new();
    app.get("/", |_req| async { Html("<h1>hi</h1>") });
    app.get("/owned", |_req| async { Html(String::from("<p>x</p>")) });
    let (status, headers, body) = send(&app, "/");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type(&headers), Some("text/html; charset=utf-8"));
    assert_eq!(body, "<h1>hi</h1>");
    assert_eq!(send(&app, "/owned").2, "<p>x</p>");
}

#[test]
fn json_is_application_json() {
    #[derive(serde::Serialize)]
    struct Msg {
        message: &'static str,
        n: u32,
    }
    let mut app = Mocket::new();
    app.get("/", |_req| async {
        Json(Msg {
            message: "Hello, World!",
            n: 3,
        })
    });
    let (status, headers, body) = send(&app, "/");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type(&headers), Some("application/json"));
    let value: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        value,
        serde_json::json!({ "message": "Hello, World!", "n": 3 })
    );
}

#[test]
fn bytes_and_vec_are_octet_stream() {
    let mut app = Mocket::new();
    app.get("/bytes", |_req| async {
        Bytes::from_static(&[0, 1, 2, 255])
    });
    app.get("/vec", |_req| async { vec![9u8, 8, 7] });
    let (_, headers, body) = send_bytes(&app, "/bytes");
    assert_eq!(content_type(&headers), Some("application/octet-stream"));
    assert_eq!(&body[..], &[0, 1, 2, 255]);
    let (_, headers, body) = send_bytes(&app, "/vec");
    assert_eq!(content_type(&headers), Some("application/octet-stream"));
    assert_eq!(&body[..], &[9, 8, 7]);
}

#[test]
fn status_code_alone() {
    let mut app = Mocket::new();
    app.get("/", |_req| async { StatusCode::NO_CONTENT });
    app.get("/teapot", |_req| async { StatusCode::IM_A_TEAPOT });
    let (status, headers, body) = send(&app, "/");
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(body, "");
    assert!(content_type(&headers).is_none());
    assert_eq!(send(&app, "/teapot").0, StatusCode::IM_A_TEAPOT);
}

#[test]
fn status_and_body() {
    let mut app = Mocket::new();
    app.post("/", |_req| async { (StatusCode::CREATED, "made") });
    app.get("/json", |_req| async {
        (
            StatusCode::ACCEPTED,
            Json(serde_json::json!({ "queued": true })),
        )
    });
    let (status, headers, body) = send(&app, common::method("POST", "/"));
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(content_type(&headers), Some("text/plain; charset=utf-8"));
    assert_eq!(body, "made");
    let (status, headers, body) = send(&app, "/json");
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(content_type(&headers), Some("application/json"));
    assert_eq!(body, r#"{"queued":true}"#);
}

#[test]
fn status_headers_and_body() {
    let mut app = Mocket::new();
    app.get("/", |_req| async {
        (
            StatusCode::CREATED,
            [("location", "/items/1"), ("x-request-id", "abc")],
            "created",
        )
    });
    let (status, headers, body) = send(&app, "/");
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(headers["location"], "/items/1");
    assert_eq!(headers["x-request-id"], "abc");
    assert_eq!(content_type(&headers), Some("text/plain; charset=utf-8"));
    assert_eq!(body, "created");
}

#[test]
fn headers_and_body() {
    let mut app = Mocket::new();
    app.get("/", |_req| async { ([("x-a", "1"), ("x-a", "2")], "body") });
    let (status, headers, body) = send(&app, "/");
    assert_eq!(status, StatusCode::OK);
    let values: Vec<_> = headers.get_all("x-a").iter().collect();
    assert_eq!(values, ["1", "2"], "a name given twice keeps both values");
    assert_eq!(body, "body");
}

#[test]
fn headers_as_vec_and_header_map() {
    let mut app = Mocket::new();
    app.get("/vec", |_req| async {
        (vec![("x-v", "1".to_owned())], "v")
    });
    app.get("/map", |_req| async {
        let mut map = HeaderMap::new();
        map.insert("x-m", HeaderValue::from_static("2"));
        map.insert("content-type", HeaderValue::from_static("text/markdown"));
        (map, "# m")
    });
    assert_eq!(send(&app, "/vec").1["x-v"], "1");
    let (_, headers, body) = send(&app, "/map");
    assert_eq!(headers["x-m"], "2");
    assert_eq!(content_type(&headers), Some("text/markdown"));
    assert_eq!(body, "# m");
}

#[test]
fn full_http_response() {
    let mut app = Mocket::new();
    app.get("/", |_req| async {
        http::Response::builder()
            .status(StatusCode::PARTIAL_CONTENT)
            .header("content-type", "application/xml")
            .header("x-full", "yes")
            .body(Body::from("<a/>"))
            .expect("response")
    });
    app.get("/untyped", |_req| async {
        http::Response::new(Body::from("raw"))
    });
    let (status, headers, body) = send(&app, "/");
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(content_type(&headers), Some("application/xml"));
    assert_eq!(headers["x-full"], "yes");
    assert_eq!(body, "<a/>");
    let (status, headers, body) = send(&app, "/untyped");
    assert_eq!(status, StatusCode::OK);
    assert!(content_type(&headers).is_none(), "no type is made up");
    assert_eq!(body, "raw");
}

#[test]
fn explicit_content_type_is_never_overwritten() {
    let mut app = Mocket::new();
    app.get("/csv", |_req| async {
        ([("content-type", "text/csv")], "a,b")
    });
    app.get("/status-csv", |_req| async {
        (
            StatusCode::OK,
            [("Content-Type", "text/csv; charset=utf-8")],
            String::from("a,b"),
        )
    });
    app.get("/json-as-problem", |_req| async {
        (
            StatusCode::BAD_REQUEST,
            [("content-type", "application/problem+json")],
            Json(serde_json::json!({ "title": "bad" })),
        )
    });
    app.get("/html-as-text", |_req| async {
        ([("content-type", "text/plain")], Html("<b>not html</b>"))
    });
    app.get("/bytes-as-png", |_req| async {
        (
            [("content-type", "image/png")],
            vec![0x89u8, b'P', b'N', b'G'],
        )
    });
    assert_eq!(content_type(&send(&app, "/csv").1), Some("text/csv"));
    assert_eq!(
        content_type(&send(&app, "/status-csv").1),
        Some("text/csv; charset=utf-8")
    );
    let (status, headers, _) = send(&app, "/json-as-problem");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(content_type(&headers), Some("application/problem+json"));
    assert_eq!(headers.get_all("content-type").iter().count(), 1);
    assert_eq!(
        content_type(&send(&app, "/html-as-text").1),
        Some("text/plain")
    );
    assert_eq!(
        content_type(&send(&app, "/bytes-as-png").1),
        Some("image/png")
    );
}

#[test]
fn explicit_content_type_survives_middleware_and_head() {
    let mut app = Mocket::new();
    app.use_middleware(|req, next| async move { next.run(req).await });
    app.get("/feed", |_req| async {
        ([("content-type", "application/rss+xml")], "<rss/>")
    });
    assert_eq!(
        content_type(&send(&app, "/feed").1),
        Some("application/rss+xml")
    );
    let (_, headers, body) = send(&app, common::method("HEAD", "/feed"));
    assert_eq!(content_type(&headers), Some("application/rss+xml"));
    assert_eq!(headers["content-length"], "6");
    assert_eq!(body, "");
}

#[test]
fn redirects() {
    let mut app = Mocket::new();
    app.get("/to", |_req| async { Redirect::to("/login") });
    app.get("/temporary", |_req| async { Redirect::temporary("/t") });
    app.get("/permanent", |_req| async { Redirect::permanent("/p") });
    app.get("/found", |_req| async {
        Redirect::with_status(StatusCode::FOUND, String::from("/f"))
    });
    app.get("/moved", |_req| async {
        Redirect::with_status(StatusCode::MOVED_PERMANENTLY, "https://example.com/")
    });
    for (path, status, location) in [
        ("/to", StatusCode::SEE_OTHER, "/login"),
        ("/temporary", StatusCode::TEMPORARY_REDIRECT, "/t"),
        ("/permanent", StatusCode::PERMANENT_REDIRECT, "/p"),
        ("/found", StatusCode::FOUND, "/f"),
        (
            "/moved",
            StatusCode::MOVED_PERMANENTLY,
            "https://example.com/",
        ),
    ] {
        let (got, headers, _) = send(&app, path);
        assert_eq!(got, status, "{path}");
        assert_eq!(headers["location"], location, "{path}");
    }
    assert_eq!(Redirect::to("/").status(), StatusCode::SEE_OTHER);
}

#[test]
fn result_infers_its_error_type() {
    let mut app = Mocket::new();
    // No `Ok::<_, Error>`: the one `Result` impl fixes the error type.
    app.get("/:n", |req| async move {
        let n: u32 = req.param("n").parse()?;
        Ok(format!("n={n}"))
    });
    app.get("/status/:n", |req| async move {
        if req.param("n") == "ok" {
            Ok(Json(serde_json::json!([1, 2])))
        } else {
            Err(Error::from_status(StatusCode::GONE))
        }
    });
    app.get("/error/:n", |req| async move {
        if req.param("n") == "ok" {
            Ok(Html("<i>ok</i>"))
        } else {
            Err(Error::not_found("no such thing"))
        }
    });
    assert_eq!(send(&app, "/7").2, "n=7");
    // A parse error through `?` is a 500 that does not leak its cause.
    let (status, _, body) = send(&app, "/x");
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
    );
    assert_eq!(send(&app, "/status/ok").2, "[1,2]");
    let (status, _, body) = send(&app, "/status/bad");
    assert_eq!((status, body.as_str()), (StatusCode::GONE, "Gone"));
    assert_eq!(send(&app, "/error/ok").2, "<i>ok</i>");
    let (status, _, body) = send(&app, "/error/bad");
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::NOT_FOUND, "no such thing")
    );
}

#[test]
fn unit_is_empty_200() {
    let mut app = Mocket::new();
    app.get("/", |_req| async {});
    let (status, headers, body) = send(&app, "/");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "");
    assert!(content_type(&headers).is_none());
}

#[test]
fn header_injection_in_tuple_headers_is_a_500() {
    let mut app = Mocket::new();
    app.get("/pair", |_req| async {
        ([("x-a", "a\r\nx-evil: 1")], "body")
    });
    app.get("/triple", |_req| async {
        (StatusCode::OK, [("x-a", "a\r\nx-evil: 1")], "body")
    });
    app.get("/lf", |_req| async { ([("x-a", "a\nx-evil: 1")], "body") });
    app.get("/owned", |_req| async {
        (vec![("x-a", String::from("a\r\nx-evil: 1"))], "body")
    });
    app.get("/name", |_req| async { ([("x-a\r\nx-evil", "1")], "body") });
    for path in ["/pair", "/triple", "/lf", "/owned", "/name"] {
        let (status, headers, body) = send(&app, path);
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert!(headers.get("x-evil").is_none(), "{path}");
        assert!(headers.get("x-a").is_none(), "{path}");
        for (_, v) in &headers {
            assert!(
                !v.as_bytes().contains(&b'\r') && !v.as_bytes().contains(&b'\n'),
                "{path}"
            );
        }
        assert_eq!(body, "Internal Server Error", "{path}");
        assert!(!body.contains("evil"), "{path}");
    }
}

#[test]
fn header_injection_in_redirect_is_a_500() {
    let mut app = Mocket::new();
    app.get("/static", |_req| async { Redirect::to("/a\r\nx-evil: 1") });
    app.get("/owned", |req| async move {
        Redirect::temporary(format!("/{}\r\nx-evil: 1", req.path()))
    });
    for path in ["/static", "/owned"] {
        let (status, headers, body) = send(&app, path);
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{path}");
        assert!(headers.get("x-evil").is_none(), "{path}");
        assert!(headers.get("location").is_none(), "{path}");
        assert!(!body.contains("evil"), "{path}");
    }
}
