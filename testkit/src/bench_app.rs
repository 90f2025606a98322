//! The bench app (`examples/bench`, per bench/ROUTES.md) checked over raw
//! HTTP/1.1: one list of what each route answers, for every test that
//! serves it on a backend (Node.js, WASI) and for the benchmark's own check.

use std::net::SocketAddr;

use crate::http1::{Conn, get_request, post_request};

/// Static, deep, parameter, wildcard and query routes: what each GET
/// answers with 200.
pub const ANSWERS: [(&str, &str); 9] = [
    ("/api/v1/users/current/profile/settings", "settings"),
    ("/static/999", "999"),
    ("/static/0", "0"),
    ("/echo/moonbit", "moonbit"),
    ("/echo/hello%20world", "hello world"),
    ("/users/42/posts/99/comments/7", "42,99,7"),
    ("/wild/a/b/c/d", "a/b/c/d"),
    (
        "/query?name=moonbit&repeat=4",
        "moonbitmoonbitmoonbitmoonbit",
    ),
    ("/query?name=moonbit", "moonbit"),
];

/// GETs refused, and with which status: no such route, a route number out
/// of range, a repeat count that is no number or over the limit.
pub const REFUSED: [(&str, u16); 4] = [
    ("/missing", 404),
    ("/static/1000", 404),
    ("/query?name=x&repeat=abc", 400),
    ("/query?name=x&repeat=1001", 400),
];

/// Every route of bench/ROUTES.md on one keep-alive connection: status,
/// body, content type and the headers the routes set; fails the test at
/// the first wrong answer, naming the route.
pub fn check_routes(addr: SocketAddr) {
    let mut conn = Conn::open(addr);
    for target in ["/plaintext", "/middleware/plaintext", "/api/plaintext"] {
        let res = conn.exchange(&get_request(target));
        assert_eq!(res.status, 200, "{target}");
        assert_eq!(
            res.header("content-type"),
            Some("text/plain; charset=utf-8"),
            "{target}"
        );
        assert_eq!(
            res.header("x-middleware").is_some(),
            target == "/middleware/plaintext",
            "{target}"
        );
        assert_eq!(res.text(), "Hello, World!", "{target}");
    }
    for (target, want) in ANSWERS {
        let res = conn.exchange(&get_request(target));
        assert_eq!(res.status, 200, "{target}: {}", res.text());
        assert_eq!(res.text(), want, "{target}");
    }
    for (target, want) in REFUSED {
        assert_eq!(conn.exchange(&get_request(target)).status, want, "{target}");
    }
    let res = conn.exchange(&get_request("/query?name=x&repeat=1000"));
    assert_eq!(res.body.len(), 1000);

    let res = conn.exchange(&get_request("/json"));
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.text(), r#"{"message":"Hello, World!"}"#);

    let res = conn.exchange(&get_request("/headers"));
    assert_eq!(res.header("x-powered-by"), Some("bench"));
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(res.text(), "ok");

    let res = conn.exchange(&post_request("/echo", None, b"hello moonbit"));
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "hello moonbit");

    let large: Vec<u8> = (0..16 * 1024).map(|i| b'a' + (i % 26) as u8).collect();
    let res = conn.exchange(&post_request("/echo", None, &large));
    assert_eq!(res.status, 200);
    assert_eq!(res.body, large);
    let res = conn.exchange(&post_request("/consume", None, &large));
    assert_eq!(res.text(), "ok");

    let sent = br#"{"message":"Hello, World!","items":[1,2,3,4]}"#;
    let res = conn.exchange(&post_request("/json-echo", Some("application/json"), sent));
    assert_eq!(res.header("content-type"), Some("application/json"));
    assert_eq!(res.body, sent);
    let res = conn.exchange(&post_request(
        "/json-echo",
        Some("application/json"),
        b"{nope",
    ));
    assert_eq!(res.status, 400);
}
