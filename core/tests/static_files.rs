//! Static files over an in-memory folder: content types, folders and
//! redirects, HEAD, 405, validators and conditional requests, ranges,
//! precompressed siblings, fall-through, dotfiles and setup errors.

mod common;

use std::io;
use std::ops::Range;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{
    assert_headers, assert_opaque_500, check, check_ok, header_str, request, send, send_bytes,
    set_header,
};
use mocket_core::http::{self, StatusCode};
use mocket_core::static_files::{Entry, MemoryFs, SafePath, ServeDir, StaticFs};
use mocket_core::{Body, Error, Json, Mocket};

/// 2023-11-14T22:13:20Z, a whole second.
fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

const CSS: &str = "body { color: teal }";
const TEXT: &str = "0123456789abcdefghij";

fn site() -> MemoryFs {
    MemoryFs::new()
        .file_modified("index.html", "<h1>home</h1>", t0())
        .file_modified("app.css", CSS, t0())
        .file_modified("app.css.br", "BROTLI-BYTES", t0())
        .file_modified("app.css.gz", "GZIP-BYTES!", t0())
        .file_modified("only-gz.js", "js", t0())
        .file_modified("only-gz.js.gz", "GZ", t0())
        .file_modified("ghost.txt.br", "no original", t0())
        .file_modified("digits.txt", TEXT, t0())
        .file_modified("empty.txt", "", t0())
        .file_modified("logo.png", &b"\x89PNG\r\n\x1a\n\0\0"[..], t0())
        .file_modified("data.unknownext", "?", t0())
        .file_modified("docs/index.html", "<h1>docs</h1>", t0())
        .file_modified("bare/readme.txt", "bare", t0())
        .file_modified(
            "odd/index.html/inner.txt",
            "a folder named index.html",
            t0(),
        )
        .file_modified(".env", "SECRET=1", t0())
        .file_modified(".well-known/security.txt", "contact", t0())
        .file("timeless.txt", "no time")
}

/// The app the tests share: errors as JSON, so it is visible that they go
/// through the app's error handler.
fn app_with(dir: ServeDir<MemoryFs>) -> Mocket {
    let mut app = Mocket::new();
    app.on_error(|e: Error| {
        (
            e.status(),
            Json(serde_json::json!({ "error": e.message() })),
        )
    });
    app.serve_dir("/assets", dir);
    app
}

fn app() -> Mocket {
    app_with(
        ServeDir::with_fs(site())
            .precompressed_br()
            .precompressed_gzip(),
    )
}

fn get(path: &str, headers: &[(&str, &str)]) -> http::Request<Body> {
    request("GET", path, headers)
}

/// A path, the request headers and the status they get.
type StatusRow<'a> = (&'a str, &'a [(&'a str, &'a str)], u16);

/// Checks the status of `GET path` with each row's request headers.
fn check_statuses(app: &Mocket, rows: &[StatusRow<'_>]) {
    for &(path, headers, status) in rows {
        assert_eq!(
            send(app, get(path, headers)).0,
            status,
            "{path} {headers:?}"
        );
    }
}

fn etag(app: &Mocket, path: &str) -> String {
    let (_, headers, _) = send(app, get(path, &[]));
    header_str(&headers, "etag").expect("an etag").to_owned()
}

#[test]
fn serves_a_file_with_its_type_length_and_validators() {
    let (status, headers, body) = send(&app(), "/assets/app.css");
    assert_eq!((status, body.as_str()), (StatusCode::OK, CSS));
    assert_headers(
        &headers,
        &[
            ("content-type", "text/css; charset=utf-8"),
            ("content-length", "20"),
            ("accept-ranges", "bytes"),
            ("last-modified", "Tue, 14 Nov 2023 22:13:20 GMT"),
            ("vary", "accept-encoding"),
        ],
    );
    assert!(header_str(&headers, "content-encoding").is_none());
    let tag = header_str(&headers, "etag").unwrap();
    assert!(
        tag.starts_with('"') && tag.ends_with('"') && !tag.starts_with("W/"),
        "{tag}"
    );
}

#[test]
fn content_types_come_from_the_extension() {
    let app = app();
    for (path, want) in [
        ("/assets/index.html", "text/html; charset=utf-8"),
        ("/assets/only-gz.js", "text/javascript; charset=utf-8"),
        ("/assets/digits.txt", "text/plain; charset=utf-8"),
        ("/assets/logo.png", "image/png"),
        ("/assets/data.unknownext", "application/octet-stream"),
    ] {
        let (_, headers, _) = send(&app, path);
        assert_eq!(header_str(&headers, "content-type"), Some(want), "{path}");
    }
    let (_, _, png) = send_bytes(&app, "/assets/logo.png");
    assert_eq!(&png[..], b"\x89PNG\r\n\x1a\n\0\0");
}

#[test]
fn folders_get_their_index_and_a_redirect_to_the_trailing_slash() {
    let app = app();
    check_ok(
        &app,
        &[
            ("/assets/", "<h1>home</h1>"),
            ("/assets/docs/", "<h1>docs</h1>"),
        ],
    );
    let (_, headers, _) = send(&app, "/assets/docs/");
    assert_eq!(
        header_str(&headers, "content-type"),
        Some("text/html; charset=utf-8")
    );

    let (status, headers, _) = send(&app, "/assets/docs?lang=en");
    assert_eq!(status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(
        header_str(&headers, "location"),
        Some("/assets/docs/?lang=en")
    );
    let (status, headers, _) = send(&app, "/assets");
    assert_eq!(
        (status, header_str(&headers, "location")),
        (StatusCode::TEMPORARY_REDIRECT, Some("/assets/"))
    );

    // A folder without an index (or whose "index" is a folder), and a
    // file asked for as a folder.
    for path in ["/assets/bare/", "/assets/odd/", "/assets/app.css/"] {
        assert_eq!(send(&app, path).0, 404, "{path}");
    }
}

#[test]
fn without_index_folders_are_not_found() {
    let app = app_with(ServeDir::with_fs(site()).no_index());
    for path in ["/assets/docs", "/assets/docs/", "/assets/"] {
        assert_eq!(send(&app, path).0, 404, "{path}");
    }
}

#[test]
fn missing_files_are_a_404_through_the_error_handler() {
    let (status, headers, body) = send(&app(), "/assets/nope.css");
    assert_eq!(status, 404);
    assert_eq!(
        header_str(&headers, "content-type"),
        Some("application/json")
    );
    assert_eq!(body, r#"{"error":"Not Found"}"#);
    assert_eq!(send(&app(), "/assets/docs/nope/deeper").0, 404);
}

#[test]
fn head_has_the_headers_and_no_body() {
    let (status, headers, body) = send(&app(), request("HEAD", "/assets/digits.txt", &[]));
    assert_eq!(status, 200);
    assert_eq!(body, "");
    assert_eq!(header_str(&headers, "content-length"), Some("20"));
    assert_eq!(
        header_str(&headers, "content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert!(header_str(&headers, "etag").is_some());
    // Range has no meaning for HEAD: the 200's headers.
    let (status, headers, _) = send(
        &app(),
        request("HEAD", "/assets/digits.txt", &[("range", "bytes=0-1")]),
    );
    assert_eq!(
        (status, header_str(&headers, "content-length")),
        (StatusCode::OK, Some("20"))
    );
}

#[test]
fn other_methods_are_405_with_allow() {
    for m in ["POST", "PUT", "DELETE", "PATCH"] {
        let (status, headers, body) = send(&app(), request(m, "/assets/app.css", &[]));
        assert_eq!(status, 405, "{m}");
        let mut allow: Vec<&str> = header_str(&headers, "allow").unwrap().split(", ").collect();
        allow.sort_unstable();
        assert_eq!(allow, ["GET", "HEAD"]);
        assert_eq!(body, r#"{"error":"Method Not Allowed"}"#);
    }
}

#[test]
fn if_none_match_gives_304_with_weak_comparison() {
    let app = app();
    let tag = etag(&app, "/assets/digits.txt");
    for value in [
        tag.clone(),
        format!("W/{tag}"),
        "*".to_owned(),
        format!("\"x\", {tag}"),
    ] {
        let (status, headers, body) = send(
            &app,
            get("/assets/digits.txt", &[("if-none-match", &value)]),
        );
        assert_eq!(status, 304, "{value}");
        assert_eq!(body, "");
        assert_eq!(header_str(&headers, "etag"), Some(tag.as_str()));
        assert!(header_str(&headers, "content-length").is_none());
        assert!(header_str(&headers, "content-type").is_none());
    }
    let (status, _, body) = send(
        &app,
        get("/assets/digits.txt", &[("if-none-match", "\"stale\"")]),
    );
    assert_eq!((status, body.as_str()), (StatusCode::OK, TEXT));
    // HEAD is conditional too.
    let (status, _, _) = send(
        &app,
        request("HEAD", "/assets/digits.txt", &[("if-none-match", &tag)]),
    );
    assert_eq!(status, 304);
}

#[test]
fn if_modified_since_gives_304_unless_if_none_match_is_there() {
    let app = app();
    let at = "Tue, 14 Nov 2023 22:13:20 GMT";
    let later = "Wed, 15 Nov 2023 00:00:00 GMT";
    let earlier = "Tue, 14 Nov 2023 22:13:19 GMT";
    let css = "/assets/app.css";
    check_statuses(
        &app,
        &[
            (css, &[("if-modified-since", at)], 304),
            (css, &[("if-modified-since", later)], 304),
            (css, &[("if-modified-since", earlier)], 200),
            (css, &[("if-modified-since", "garbage")], 200),
            // If-None-Match wins: a stale tag means 200 whatever the date says.
            (
                css,
                &[("if-none-match", "\"stale\""), ("if-modified-since", later)],
                200,
            ),
        ],
    );
}

#[test]
fn if_match_and_if_unmodified_since_give_412() {
    let app = app();
    let tag = etag(&app, "/assets/digits.txt");
    let weak = format!("W/{tag}");
    let digits = "/assets/digits.txt";
    check_statuses(
        &app,
        &[
            (digits, &[("if-match", &tag)], 200),
            (digits, &[("if-match", &weak)], 412),
            (
                digits,
                &[("if-unmodified-since", "Tue, 14 Nov 2023 22:13:19 GMT")],
                412,
            ),
            (
                digits,
                &[("if-unmodified-since", "Tue, 14 Nov 2023 22:13:20 GMT")],
                200,
            ),
        ],
    );
    let (status, _, body) = send(
        &app,
        get("/assets/digits.txt", &[("if-match", "\"other\"")]),
    );
    assert_eq!(
        (status, body.as_str()),
        (
            StatusCode::PRECONDITION_FAILED,
            r#"{"error":"Precondition Failed"}"#
        )
    );
}

#[test]
fn a_file_without_a_time_has_no_validators() {
    let (status, headers, _) = send(
        &app(),
        get("/assets/timeless.txt", &[("if-none-match", "*")]),
    );
    // `*` matches any current representation, tag or not.
    assert_eq!(status, 304);
    let (status, headers2, _) = send(&app(), "/assets/timeless.txt");
    assert_eq!(status, 200);
    assert!(
        header_str(&headers2, "etag").is_none() && header_str(&headers2, "last-modified").is_none()
    );
    assert!(header_str(&headers, "etag").is_none());
}

#[test]
fn single_ranges_give_206() {
    let app = app();
    for (range, body, content_range) in [
        ("bytes=0-4", "01234", "bytes 0-4/20"),
        ("bytes=15-", "fghij", "bytes 15-19/20"),
        ("bytes=-3", "hij", "bytes 17-19/20"),
        ("bytes=-100", TEXT, "bytes 0-19/20"),
        ("bytes=18-1000", "ij", "bytes 18-19/20"),
        ("bytes=19-19", "j", "bytes 19-19/20"),
    ] {
        let (status, headers, got) = send(&app, get("/assets/digits.txt", &[("range", range)]));
        assert_eq!(status, 206, "{range}");
        assert_eq!(got, body, "{range}");
        assert_eq!(
            header_str(&headers, "content-range"),
            Some(content_range),
            "{range}"
        );
        assert_eq!(
            header_str(&headers, "content-length"),
            Some(body.len().to_string().as_str())
        );
        assert_eq!(
            header_str(&headers, "content-type"),
            Some("text/plain; charset=utf-8")
        );
    }
}

#[test]
fn bad_and_unsatisfiable_ranges_give_416_with_the_length() {
    let app = app();
    for (range, message) in [
        ("bytes=20-", "range not satisfiable: the file has 20 bytes"),
        ("bytes=-0", "range not satisfiable: the file has 20 bytes"),
        (
            "bytes=5-2",
            "invalid Range header: the range ends (2) before it starts (5)",
        ),
        (
            "bytes=abc",
            "invalid Range header: expected bytes=FIRST-LAST, bytes=FIRST- or bytes=-SUFFIX",
        ),
        (
            "bytes=",
            "invalid Range header: expected bytes=FIRST-LAST, bytes=FIRST- or bytes=-SUFFIX",
        ),
    ] {
        let (status, headers, body) = send(&app, get("/assets/digits.txt", &[("range", range)]));
        assert_eq!(status, 416, "{range}");
        assert_eq!(
            header_str(&headers, "content-range"),
            Some("bytes */20"),
            "{range}"
        );
        assert_eq!(body, serde_json::json!({ "error": message }).to_string());
    }
    let (status, headers, _) = send(&app, get("/assets/empty.txt", &[("range", "bytes=0-")]));
    assert_eq!(
        (status, header_str(&headers, "content-range")),
        (StatusCode::RANGE_NOT_SATISFIABLE, Some("bytes */0"))
    );
}

#[test]
fn other_units_and_several_ranges_get_the_whole_file() {
    let app = app();
    for range in ["items=0-1", "bytes 0-1", "bytes=0-1,5-6"] {
        let (status, headers, body) = send(&app, get("/assets/digits.txt", &[("range", range)]));
        assert_eq!((status, body.as_str()), (StatusCode::OK, TEXT), "{range}");
        assert!(header_str(&headers, "content-range").is_none());
    }
}

#[test]
fn if_range_decides_between_the_range_and_the_whole_file() {
    let app = app();
    let tag = etag(&app, "/assets/digits.txt");
    let ok = |value: &str| {
        send(
            &app,
            get(
                "/assets/digits.txt",
                &[("range", "bytes=0-1"), ("if-range", value)],
            ),
        )
        .0
    };
    assert_eq!(ok(&tag), 206);
    assert_eq!(ok("Tue, 14 Nov 2023 22:13:20 GMT"), 206);
    assert_eq!(ok("\"stale\""), 200);
    assert_eq!(ok(&format!("W/{tag}")), 200);
    assert_eq!(ok("Tue, 14 Nov 2023 22:13:21 GMT"), 200);
}

#[test]
fn precompressed_siblings_follow_accept_encoding() {
    let app = app();
    let ask = |accept: &str| send(&app, get("/assets/app.css", &[("accept-encoding", accept)]));

    let (_, headers, body) = ask("gzip, deflate, br");
    assert_eq!(
        (header_str(&headers, "content-encoding"), body.as_str()),
        (Some("br"), "BROTLI-BYTES")
    );
    assert_eq!(
        header_str(&headers, "content-type"),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(header_str(&headers, "content-length"), Some("12"));
    assert_eq!(header_str(&headers, "vary"), Some("accept-encoding"));
    let br_tag = header_str(&headers, "etag").unwrap().to_owned();

    let (_, headers, body) = ask("br;q=0.5, gzip");
    assert_eq!(
        (header_str(&headers, "content-encoding"), body.as_str()),
        (Some("gzip"), "GZIP-BYTES!")
    );
    assert_ne!(header_str(&headers, "etag"), Some(br_tag.as_str()));

    for plain in [
        "identity",
        "br;q=0, gzip;q=0",
        "deflate",
        "gzip;q=0.5, identity",
    ] {
        let (_, headers, body) = ask(plain);
        assert_eq!(
            (header_str(&headers, "content-encoding"), body.as_str()),
            (None, CSS),
            "{plain}"
        );
        assert_eq!(header_str(&headers, "vary"), Some("accept-encoding"));
    }
    let (_, headers, body) = send(&app, "/assets/app.css");
    assert_eq!(
        (header_str(&headers, "content-encoding"), body.as_str()),
        (None, CSS)
    );

    // Each representation validates on its own tag.
    let (status, _, _) = send(
        &app,
        get(
            "/assets/app.css",
            &[("accept-encoding", "br"), ("if-none-match", &br_tag)],
        ),
    );
    assert_eq!(status, 304);
    let (status, _, _) = send(&app, get("/assets/app.css", &[("if-none-match", &br_tag)]));
    assert_eq!(status, 200);

    // Ranges apply to the representation sent.
    let (status, headers, body) = send(
        &app,
        get(
            "/assets/app.css",
            &[("accept-encoding", "br"), ("range", "bytes=0-5")],
        ),
    );
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::PARTIAL_CONTENT, "BROTLI")
    );
    assert_eq!(header_str(&headers, "content-range"), Some("bytes 0-5/12"));
}

#[test]
fn a_sibling_is_only_used_next_to_its_original() {
    let app = app();
    let (_, headers, body) = send(
        &app,
        get("/assets/only-gz.js", &[("accept-encoding", "br, gzip")]),
    );
    assert_eq!(
        (header_str(&headers, "content-encoding"), body.as_str()),
        (Some("gzip"), "GZ")
    );
    assert_eq!(
        send(&app, get("/assets/ghost.txt", &[("accept-encoding", "br")])).0,
        404
    );
    // Without precompression, siblings are plain files and nothing varies.
    let plain = app_with(ServeDir::with_fs(site()));
    let (_, headers, body) = send(&plain, get("/assets/app.css", &[("accept-encoding", "br")]));
    assert_eq!(
        (
            header_str(&headers, "content-encoding"),
            header_str(&headers, "vary"),
            body.as_str()
        ),
        (None, None, CSS)
    );
}

#[test]
fn dotfiles_are_hidden_unless_asked_for() {
    let app = app();
    for path in [
        "/assets/.env",
        "/assets/.well-known/security.txt",
        "/assets/%2eenv",
    ] {
        assert_eq!(send(&app, path).0, 404, "{path}");
    }
    let open = app_with(ServeDir::with_fs(site()).serve_dotfiles());
    let security = (
        "/assets/.well-known/security.txt",
        StatusCode::OK,
        "contact",
    );
    check(&open, &[security]);
}

#[test]
fn more_specific_routes_win_over_the_mount() {
    let mut app = app();
    app.get("/assets/special", |_req| async { "route" });
    check_ok(
        &app,
        &[("/assets/special", "route"), ("/assets/app.css", CSS)],
    );
}

#[test]
fn falling_through_reaches_later_routes_and_the_apps_404() {
    let mut app = Mocket::new();
    app.not_found(|_req| async { (StatusCode::NOT_FOUND, "custom 404") });
    app.serve_dir("/", ServeDir::with_fs(site()).fall_through());
    app.get("/:page", |req| async move {
        format!("page {}", req.param("page"))
    });
    app.post("/app.css", |_req| async { "posted" });

    check(
        &app,
        &[
            // An existing file wins.
            ("/app.css", StatusCode::OK, CSS),
            ("/about", StatusCode::OK, "page about"),
            ("/a/b/c", StatusCode::NOT_FOUND, "custom 404"),
            ("POST /app.css", StatusCode::OK, "posted"),
            // A path the folder refuses is not its business either.
            ("/a%2fb", StatusCode::OK, "page a/b"),
            ("/", StatusCode::OK, "<h1>home</h1>"),
        ],
    );
    let (status, headers, _) = send(&app, request("DELETE", "/app.css", &[]));
    // The routes' methods: `/:page` has GET, `/app.css` POST.
    assert_eq!(
        (status, header_str(&headers, "allow")),
        (StatusCode::METHOD_NOT_ALLOWED, Some("POST, GET, HEAD"))
    );
}

#[test]
fn mounts_respect_the_base_path_groups_and_parameters() {
    let mut app = Mocket::with_base_path("/api");
    app.serve_dir("/files", ServeDir::with_fs(site()));
    app.group("/t/:tenant", |t| {
        t.serve_dir("/static/", ServeDir::with_fs(site()));
    });
    check_ok(
        &app,
        &[
            ("/api/files/app.css", CSS),
            ("/api/t/acme/static/digits.txt", TEXT),
        ],
    );
    assert_eq!(send(&app, "/files/app.css").0, 404);
    let (status, headers, _) = send(&app, "/api/t/acme/static");
    assert_eq!(
        (status, header_str(&headers, "location")),
        (StatusCode::TEMPORARY_REDIRECT, Some("/api/t/acme/static/"))
    );

    let mut root = Mocket::new();
    root.serve_dir("/", ServeDir::with_fs(site()));
    check_ok(
        &root,
        &[("/", "<h1>home</h1>"), ("/docs/", "<h1>docs</h1>")],
    );
}

#[test]
fn middleware_runs_around_static_files() {
    let mut app = app();
    app.use_middleware(set_header("x-seen", "1"));
    let (_, headers, _) = send(&app, "/assets/app.css");
    assert_eq!(header_str(&headers, "x-seen"), Some("1"));
}

/// A folder that cannot be served: making it says why.
struct Unreadable;

impl TryFrom<PathBuf> for Unreadable {
    type Error = String;
    fn try_from(path: PathBuf) -> Result<Self, String> {
        Err(format!("no folder {}", path.display()))
    }
}

impl StaticFs for Unreadable {
    type File = ();
    async fn stat(&self, _: &SafePath) -> io::Result<Entry<()>> {
        Err(io::ErrorKind::NotFound.into())
    }
    async fn open(&self, _: (), _: Range<u64>) -> io::Result<Body> {
        Ok(Body::empty())
    }
}

#[test]
fn setup_errors_are_reported_by_check() {
    let mut app = Mocket::new();
    app.serve_dir("/assets", ServeDir::<Unreadable>::new("public"));
    app.serve_dir("/x/**", ServeDir::with_fs(MemoryFs::new()));
    app.serve_dir(
        "/y",
        ServeDir::with_fs(MemoryFs::new()).index_file("../index.html"),
    );
    let problems = app.check().unwrap_err().problems().to_vec();
    assert_eq!(
        problems,
        [
            "serve_dir /assets: cannot serve the folder public: no folder public",
            "serve_dir /x/**: the mount path cannot hold a wildcard (`*`, `**`)",
            "serve_dir /y: the index file \"../index.html\" is not a plain file name",
        ]
    );
    assert_eq!(
        futures_executor::block_on(app.request("/assets/a")).status(),
        500
    );
}

/// Host errors other than "not found" are a 403 or a 500, never a 404.
struct Failing(io::ErrorKind);

impl StaticFs for Failing {
    type File = ();
    async fn stat(&self, _: &SafePath) -> io::Result<Entry<()>> {
        if self.0 == io::ErrorKind::Other {
            return Ok(Entry::File {
                len: 4,
                modified: None,
                file: (),
            });
        }
        Err(self.0.into())
    }
    async fn open(&self, _: (), _: Range<u64>) -> io::Result<Body> {
        Err(io::Error::other("disk on fire"))
    }
}

#[test]
fn host_failures_are_403_or_500() {
    let mut app = Mocket::new();
    app.serve_dir(
        "/denied",
        ServeDir::with_fs(Failing(io::ErrorKind::PermissionDenied)),
    );
    app.serve_dir(
        "/broken",
        ServeDir::with_fs(Failing(io::ErrorKind::TimedOut)),
    );
    app.serve_dir(
        "/unreadable",
        ServeDir::with_fs(Failing(io::ErrorKind::Other)),
    );
    assert_eq!(send(&app, "/denied/a").0, 403);
    assert_eq!(send(&app, "/broken/a").0, 500);
    assert_opaque_500(&app, "/unreadable/a");
}
