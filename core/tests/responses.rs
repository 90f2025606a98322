//! Responders, default content types, and header injection.

mod common;

use common::{assert_headers, assert_opaque_500, check, header_str, send, send_bytes, send_line};
use mocket_core::bytes::Bytes;
use mocket_core::http::{self, HeaderMap, HeaderValue, StatusCode};
use mocket_core::{Body, Error, Html, Json, Mocket, Redirect};

const TEXT: Option<&str> = Some("text/plain; charset=utf-8");
const JSON: Option<&str> = Some("application/json");

fn content_type(headers: &HeaderMap) -> Option<&str> {
    header_str(headers, "content-type")
}

/// One route per kind of responder.
fn responders() -> Mocket {
    #[derive(serde::Serialize)]
    struct Msg {
        message: &'static str,
        n: u32,
    }
    let mut app = Mocket::new();
    app.get("/str", |_req| async { "hello" });
    app.get("/string", |_req| async { String::from("owned") });
    app.get("/html", |_req| async { Html("<h1>hi</h1>") });
    app.get("/html-owned", |_req| async {
        Html(String::from("<p>x</p>"))
    });
    app.get("/json", |_req| async {
        Json(Msg {
            message: "Hello, World!",
            n: 3,
        })
    });
    app.get("/no-content", |_req| async { StatusCode::NO_CONTENT });
    app.get("/teapot", |_req| async { StatusCode::IM_A_TEAPOT });
    app.get("/unit", |_req| async {});
    app.post("/made", |_req| async { (StatusCode::CREATED, "made") });
    app.get("/queued", |_req| async {
        (
            StatusCode::ACCEPTED,
            Json(serde_json::json!({ "queued": true })),
        )
    });
    app.get("/created", |_req| async {
        (
            StatusCode::CREATED,
            [("location", "/items/1"), ("x-request-id", "abc")],
            "created",
        )
    });
    app.get("/vec-headers", |_req| async {
        (vec![("x-v", "1".to_owned())], "v")
    });
    app.get("/map-headers", |_req| async {
        let mut map = HeaderMap::new();
        map.insert("x-m", HeaderValue::from_static("2"));
        map.insert("content-type", HeaderValue::from_static("text/markdown"));
        (map, "# m")
    });
    app.get("/full", |_req| async {
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
    app
}

/// A target, its status, content type, body and other headers.
type Row = (
    &'static str,
    StatusCode,
    Option<&'static str>,
    &'static str,
    &'static [(&'static str, &'static str)],
);

#[test]
fn responders_set_status_content_type_headers_and_body() {
    let app = responders();
    let rows: [Row; 15] = [
        ("/str", StatusCode::OK, TEXT, "hello", &[]),
        ("/string", StatusCode::OK, TEXT, "owned", &[]),
        (
            "/html",
            StatusCode::OK,
            Some("text/html; charset=utf-8"),
            "<h1>hi</h1>",
            &[],
        ),
        (
            "/html-owned",
            StatusCode::OK,
            Some("text/html; charset=utf-8"),
            "<p>x</p>",
            &[],
        ),
        (
            "/json",
            StatusCode::OK,
            JSON,
            r#"{"message":"Hello, World!","n":3}"#,
            &[],
        ),
        // A status code alone, and unit, are empty and untyped.
        ("/no-content", StatusCode::NO_CONTENT, None, "", &[]),
        ("/teapot", StatusCode::IM_A_TEAPOT, None, "", &[]),
        ("/unit", StatusCode::OK, None, "", &[]),
        ("POST /made", StatusCode::CREATED, TEXT, "made", &[]),
        (
            "/queued",
            StatusCode::ACCEPTED,
            JSON,
            r#"{"queued":true}"#,
            &[],
        ),
        (
            "/created",
            StatusCode::CREATED,
            TEXT,
            "created",
            &[("location", "/items/1"), ("x-request-id", "abc")],
        ),
        ("/vec-headers", StatusCode::OK, TEXT, "v", &[("x-v", "1")]),
        (
            "/map-headers",
            StatusCode::OK,
            Some("text/markdown"),
            "# m",
            &[("x-m", "2")],
        ),
        // A full `http::Response`, whose type is never made up.
        (
            "/full",
            StatusCode::PARTIAL_CONTENT,
            Some("application/xml"),
            "<a/>",
            &[("x-full", "yes")],
        ),
        ("/untyped", StatusCode::OK, None, "raw", &[]),
    ];
    for (line, status, ct, body, others) in rows {
        let (got_status, headers, got_body) = send_line(&app, line);
        assert_eq!(
            (got_status, content_type(&headers), got_body.as_str()),
            (status, ct, body),
            "{line}"
        );
        assert_headers(&headers, others);
    }
}

#[test]
fn bytes_and_vec_are_octet_stream() {
    let mut app = Mocket::new();
    app.get("/bytes", |_req| async {
        Bytes::from_static(&[0, 1, 2, 255])
    });
    app.get("/vec", |_req| async { vec![9u8, 8, 7] });
    for (path, want) in [("/bytes", &[0, 1, 2, 255][..]), ("/vec", &[9, 8, 7])] {
        let (_, headers, body) = send_bytes(&app, path);
        assert_eq!(
            content_type(&headers),
            Some("application/octet-stream"),
            "{path}"
        );
        assert_eq!(&body[..], want, "{path}");
    }
}

#[test]
fn headers_and_body() {
    let mut app = Mocket::new();
    app.get("/", |_req| async { ([("x-a", "1"), ("x-a", "2")], "body") });
    let (status, headers, body) = send(&app, "/");
    assert_eq!((status, body.as_str()), (StatusCode::OK, "body"));
    let values: Vec<_> = headers.get_all("x-a").iter().collect();
    assert_eq!(values, ["1", "2"], "a name given twice keeps both values");
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
    for (path, status, ct) in [
        ("/csv", StatusCode::OK, "text/csv"),
        ("/status-csv", StatusCode::OK, "text/csv; charset=utf-8"),
        (
            "/json-as-problem",
            StatusCode::BAD_REQUEST,
            "application/problem+json",
        ),
        ("/html-as-text", StatusCode::OK, "text/plain"),
        ("/bytes-as-png", StatusCode::OK, "image/png"),
    ] {
        let (got, headers, _) = send(&app, path);
        assert_eq!((got, content_type(&headers)), (status, Some(ct)), "{path}");
        assert_eq!(headers.get_all("content-type").iter().count(), 1, "{path}");
    }
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
    check(
        &app,
        &[
            ("/7", StatusCode::OK, "n=7"),
            ("/status/ok", StatusCode::OK, "[1,2]"),
            ("/status/bad", StatusCode::GONE, "Gone"),
            ("/error/ok", StatusCode::OK, "<i>ok</i>"),
            ("/error/bad", StatusCode::NOT_FOUND, "no such thing"),
        ],
    );
    // A parse error through `?` is a 500 that does not leak its cause.
    assert_opaque_500(&app, "/x");
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
