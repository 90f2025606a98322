//! Hostile input against static files: every form of path traversal is a
//! 400 naming the rule (or a 404) and never reaches the file system; bogus
//! ranges and conditional headers never break the answer.

mod common;

use std::io;
use std::ops::Range;
use std::sync::{Arc, Mutex};

use common::send;
use mocket_core::http::{self, StatusCode};
use mocket_core::static_files::{Entry, MemoryFs, SafePath, ServeDir, StaticFs};
use mocket_core::{Body, Mocket};

/// A [`MemoryFs`] that records every path it is asked about.
#[derive(Clone, Default)]
struct Spy {
    inner: MemoryFs,
    asked: Arc<Mutex<Vec<String>>>,
}

impl StaticFs for Spy {
    type File = <MemoryFs as StaticFs>::File;
    async fn stat(&self, path: &SafePath) -> io::Result<Entry<Self::File>> {
        self.asked
            .lock()
            .expect("lock")
            .push(path.as_str().to_owned());
        self.inner.stat(path).await
    }
    async fn open(&self, file: Self::File, range: Range<u64>) -> io::Result<Body> {
        self.inner.open(file, range).await
    }
}

fn spy_app() -> (Mocket, Spy) {
    let spy = Spy {
        inner: MemoryFs::new()
            .file("index.html", "home")
            .file("a/b.txt", "b")
            .file("%2e%2e", "a file named %2e%2e"),
        asked: Arc::default(),
    };
    let mut app = Mocket::new();
    app.get("/secret.txt", |_req| async { "TOP SECRET" });
    app.serve_dir("/assets", ServeDir::with_fs(spy.clone()));
    (app, spy)
}

/// A request whose target is written as is (the `http` crate refuses some
/// bytes; those requests are a 400 before any handler, which is fine too).
fn raw(target: &str) -> (StatusCode, String) {
    let (app, spy) = spy_app();
    let (status, _, body) = match http::Request::get(target).body(Body::empty()) {
        Ok(req) => send(&app, req),
        Err(_) => return (StatusCode::BAD_REQUEST, "refused by the http crate".into()),
    };
    for asked in spy.asked.lock().expect("lock").iter() {
        assert!(
            asked
                .split('/')
                .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains(['\\', '\0', ':'])),
            "{target} reached the file system as {asked:?}"
        );
    }
    assert!(!body.contains("TOP SECRET"), "{target} leaked the secret");
    (status, body)
}

#[test]
fn traversal_in_every_form_is_refused_with_a_reason() {
    for (target, why) in [
        (
            "/assets/../secret.txt",
            "path segments `.` and `..` are not allowed",
        ),
        (
            "/assets/a/../../secret.txt",
            "path segments `.` and `..` are not allowed",
        ),
        (
            "/assets/./a/b.txt",
            "path segments `.` and `..` are not allowed",
        ),
        (
            "/assets/%2e%2e/secret.txt",
            "path segments `.` and `..` are not allowed",
        ),
        (
            "/assets/%2E%2E/secret.txt",
            "path segments `.` and `..` are not allowed",
        ),
        (
            "/assets/.%2e/secret.txt",
            "path segments `.` and `..` are not allowed",
        ),
        (
            "/assets/..%2fsecret.txt",
            "an encoded `/` (%2F) is not allowed in a path segment",
        ),
        (
            "/assets/%2e%2e%2fsecret.txt",
            "an encoded `/` (%2F) is not allowed in a path segment",
        ),
        (
            "/assets/a%2F..%2F..%2Fsecret.txt",
            "an encoded `/` (%2F) is not allowed in a path segment",
        ),
        (
            "/assets/%2fetc%2fpasswd",
            "an encoded `/` (%2F) is not allowed in a path segment",
        ),
        (
            "/assets/..%5csecret.txt",
            "a backslash is not allowed in the path",
        ),
        (
            "/assets/%5c%5cserver%5cshare",
            "a backslash is not allowed in the path",
        ),
        (
            "/assets/index.html%00.png",
            "a NUL byte is not allowed in the path",
        ),
        ("/assets/%00", "a NUL byte is not allowed in the path"),
        (
            "/assets/a%0d%0ab.txt",
            "control characters are not allowed in the path",
        ),
        (
            "/assets/C:/Windows/win.ini",
            "a `:` is not allowed in the path",
        ),
        (
            "/assets/c%3a%5cboot.ini",
            "a `:` is not allowed in the path",
        ),
        ("/assets/C%3A/boot.ini", "a `:` is not allowed in the path"),
        (
            "/assets/index.html::$DATA",
            "a `:` is not allowed in the path",
        ),
        (
            "/assets//etc/passwd",
            "empty path segments (`//`) are not allowed",
        ),
        (
            "/assets/a//b.txt",
            "empty path segments (`//`) are not allowed",
        ),
        (
            "/assets/...",
            "a path segment may not end with `.` or a space",
        ),
        (
            "/assets/index.html.",
            "a path segment may not end with `.` or a space",
        ),
        (
            "/assets/index.html%20",
            "a path segment may not end with `.` or a space",
        ),
    ] {
        let (status, body) = raw(target);
        assert_eq!(status, 400, "{target}: {body}");
        assert_eq!(body, format!("invalid path: {why}"), "{target}");
    }
    // Bad escapes are refused by the router's strict decoding first.
    for (target, why) in [
        (
            "/assets/%zz",
            "invalid percent-encoding in path parameter \"%zz\"",
        ),
        (
            "/assets/%c0%ae%c0%ae/x",
            "path parameter \"%c0%ae%c0%ae/x\" is not valid UTF-8 once decoded",
        ),
    ] {
        assert_eq!(
            raw(target),
            (StatusCode::BAD_REQUEST, why.to_owned()),
            "{target}"
        );
    }
}

#[test]
fn raw_backslashes_and_nul_never_reach_a_handler() {
    for target in ["/assets/..\\secret.txt", "/assets/a\\b", "/assets/a\0b"] {
        let (status, body) = raw(target);
        assert_eq!(status, 400, "{target}: {body}");
    }
}

#[test]
fn decoding_happens_once() {
    // `%252e%252e` is the file literally named `%2e%2e`, not a way up.
    let (status, body) = raw("/assets/%252e%252e");
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "a file named %2e%2e")
    );
    let (status, _) = raw("/assets/%252e%252e/secret.txt");
    assert_eq!(status, 404);
}

#[test]
fn bogus_ranges_and_conditions_never_break_the_answer() {
    let (app, _) = spy_app();
    let get = |headers: &[(&str, &[u8])]| {
        let mut req = http::Request::get("/assets/a/b.txt");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        send(&app, req.body(Body::empty()).unwrap()).0
    };
    let rows: [(&str, &[u8], u16); 25] = [
        ("range", b"bytes=abc", 416),
        ("range", b"bytes=5-2", 416),
        ("range", b"bytes=1-", 416),
        ("range", b"bytes=-", 416),
        ("range", b"bytes=--1", 416),
        ("range", b"bytes=0-0-0", 416),
        ("range", b"bytes=18446744073709551616-", 416),
        // Not a byte range, not readable as text, or several ranges: the
        // whole file.
        ("range", b"items=0-1", 200),
        ("range", b"", 200),
        ("range", b"=", 200),
        ("range", b"bytes", 200),
        ("range", b"\xff\xfe", 200),
        ("range", b"bytes=\xff-1", 200),
        ("range", b"bytes=0-0,1-1", 200),
        ("if-none-match", b"\"", 200),
        ("if-none-match", b"W/", 200),
        ("if-none-match", b"\xff\xfe", 200),
        ("if-none-match", b",,,", 200),
        ("if-modified-since", b"Thu, 99 Foo 1970 99:99:99 GMT", 200),
        ("if-modified-since", b"\xff", 200),
        ("if-unmodified-since", b"never", 200),
        ("if-range", b"\"unterminated", 200),
        ("accept-encoding", b";;;q=,br;q=9", 200),
        // Empty list elements mean nothing (RFC 9110 §5.6.1).
        ("range", b"bytes=,0-0,,", 206),
        // An If-Match that does not parse matches nothing.
        ("if-match", b"\"unterminated", 412),
    ];
    for (name, value, status) in rows {
        assert_eq!(
            get(&[(name, value)]),
            status,
            "{name}: {}",
            String::from_utf8_lossy(value)
        );
    }
}

#[test]
fn very_long_and_deep_paths_are_just_not_found() {
    let long = format!("/assets/{}", "a".repeat(16 * 1024));
    assert_eq!(raw(&long).0, 404);
    let deep = format!("/assets/{}x", "d/".repeat(10_000));
    assert_eq!(raw(&deep).0, 404);
}
