//! Responders and content types, headers given by handlers, redirects.

use mocket::Body;
use mocket::http::{self, HeaderValue};
use mocket::prelude::*;
use serde::Serialize;

/// Sent as JSON; field order is the declaration order.
#[derive(Serialize)]
struct Message {
    message: &'static str,
    n: u32,
}

/// The bytes `/responses/bytes` sends: not UTF-8, with NUL, CR and LF.
const BINARY: &[u8] = &[0x00, 0x9f, 0x92, 0x96, 0xff, 0x0d, 0x0a, 0x00];

pub(crate) fn register(app: &mut Mocket) {
    app.get("/responses/text", |_req| async { "plain text" });
    app.get("/responses/text-utf8", |_req| async {
        "héllo wörld ✓".to_owned()
    });
    app.get("/responses/empty", |_req| async { "" });
    app.get("/responses/unit", |_req| async {});
    app.get("/responses/html", |_req| async { Html("<h1>Hello</h1>") });
    app.get("/responses/json", |_req| async {
        Json(Message {
            message: "hi",
            n: 1,
        })
    });
    app.get("/responses/bytes", |_req| async { BINARY.to_vec() });
    app.get("/responses/large", |_req| async {
        "0123456789abcdef".repeat(16 * 1024) // 256 KiB
    });

    app.get("/responses/status", |_req| async { StatusCode::ACCEPTED });
    app.get("/responses/no-content", |_req| async {
        StatusCode::NO_CONTENT
    });
    app.get("/responses/created", |_req| async {
        (StatusCode::CREATED, "made")
    });

    app.get("/responses/headers", |_req| async {
        (
            [("x-a", "1"), ("cache-control", "no-store")],
            "with headers",
        )
    });
    app.get("/responses/status-headers", |_req| async {
        (
            StatusCode::IM_A_TEAPOT,
            [("x-kind", "teapot")],
            "short and stout",
        )
    });
    app.get("/responses/repeated-headers", |_req| async {
        ([("set-cookie", "a=1"), ("set-cookie", "b=2")], "cookies")
    });
    // A header value is bytes: obs-text (here UTF-8 "café") is allowed and
    // must reach the wire unchanged.
    app.get("/responses/obs-text", |_req| async {
        let value = HeaderValue::from_bytes("café".as_bytes())?;
        Ok(([("x-word", value)], "obs-text"))
    });

    // A content type the handler sets is never overwritten.
    app.get("/responses/csv", |_req| async {
        ([("content-type", "text/csv")], "a,b\n1,2\n")
    });
    app.get("/responses/problem-json", |_req| async {
        (
            StatusCode::BAD_REQUEST,
            [("content-type", "application/problem+json")],
            Json(serde_json::json!({ "title": "bad" })),
        )
    });
    app.get("/responses/raw", |_req| async {
        let res = http::Response::builder()
            .status(StatusCode::OK)
            .header("content-type", "text/x-Custom; charset=ISO-8859-1")
            .header("x-built", "by hand")
            .body(Body::from("built by hand"))?;
        Ok(res)
    });
    app.get("/responses/bytes-typed", |_req| async {
        ([("content-type", "image/png")], BINARY.to_vec())
    });

    app.get("/redirect/see-other", |_req| async {
        Redirect::to("/target")
    });
    app.get("/redirect/temporary", |_req| async {
        Redirect::temporary("/target?a=1&b=2")
    });
    app.get("/redirect/permanent", |_req| async {
        Redirect::permanent("https://example.com/elsewhere")
    });
    app.get("/redirect/moved", |_req| async {
        Redirect::with_status(StatusCode::MOVED_PERMANENTLY, "/moved")
    });
    app.get("/redirect/found", |_req| async {
        Redirect::with_status(StatusCode::FOUND, "/found")
    });
}
