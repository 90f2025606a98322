//! Static files (`conformance/app/src/static_files.rs`): content types,
//! folders, HEAD, 405, validators and conditional requests, ranges,
//! precompressed siblings, symlinks, dotfiles, traversal in every form,
//! and falling through to the routes.

use super::{case, error, get, ok, still_serving};
use crate::case::{Case, Expect, HTML, JSON, OCTETS, Req, TEXT};
use crate::fixture::{FIXTURE_LAST_MODIFIED, fixture_etag};

const C: &str = "static files";

const HELLO: &str = "Hello, static world!\n";
const CSS: &str = "body { color: teal; }\n";
const CSS_TYPE: &str = "text/css; charset=utf-8";
const BR: &[u8] = include_bytes!("../../app/public/style.css.br");
const GZ: &[u8] = include_bytes!("../../app/public/style.css.gz");
const LARGE_LEN: usize = 150_000;
const SECRET: &str = "TOP SECRET";

/// The bytes of `public/large.bin`.
fn large() -> Vec<u8> {
    (0..LARGE_LEN)
        .map(|i| ((i * 7 + i / 256) % 256) as u8)
        .collect()
}

fn hello_etag() -> String {
    fixture_etag(HELLO.len() as u64, "")
}

/// `GET path` with one header.
fn get_with(path: &str, name: &str, value: &str) -> Req {
    get(path).header(name, value)
}

/// 416 with the length, rendered by the app's error handler.
fn unsatisfiable(len: usize, message: &str) -> Expect {
    error(416, message).header("content-range", format!("bytes */{len}"))
}

/// A refused path: 400 naming the rule, and nothing of the secret.
fn refused(why: &str) -> Expect {
    error(400, &format!("invalid path: {why}")).body_lacks(SECRET)
}

pub(super) fn cases() -> Vec<Case> {
    let (next, serving) = still_serving();
    let mut cases = vec![
        case(
            C,
            "a file has its type, length, validators and accept-ranges",
        )
        .send(
            get("/static/hello.txt"),
            Expect::status(200)
                .text(HELLO)
                .header("content-length", HELLO.len().to_string())
                .header("accept-ranges", "bytes")
                .header("etag", hello_etag())
                .header("last-modified", FIXTURE_LAST_MODIFIED)
                .header("vary", "accept-encoding")
                .no_header("content-encoding"),
        ),
        case(C, "the mount with a slash serves index.html").send(
            get("/static/"),
            Expect::status(200)
                .header("content-type", HTML)
                .body("<!doctype html>\n<h1>Conformance</h1>\n"),
        ),
        case(C, "the mount without a slash redirects to it").send(
            get("/static"),
            Expect::status(307).header("location", "/static/"),
        ),
        case(C, "a folder redirects to its slash, keeping the query").send(
            get("/static/sub?lang=en"),
            Expect::status(307).header("location", "/static/sub/?lang=en"),
        ),
        case(C, "a folder with its slash serves its index.html").send(
            get("/static/sub/"),
            Expect::status(200)
                .header("content-type", HTML)
                .body("<h1>Sub</h1>\n"),
        ),
        case(C, "a 150 KB binary file arrives byte for byte")
            .send(
                get("/static/large.bin"),
                Expect::status(200)
                    .header("content-type", OCTETS)
                    .header("content-length", LARGE_LEN.to_string())
                    .body(large()),
            )
            .then(next.clone(), serving.clone()),
        case(C, "an empty file is an empty 200").send(
            get("/static/empty.txt"),
            Expect::status(200)
                .header("content-type", TEXT)
                .header("content-length", "0")
                .empty_body(),
        ),
        case(C, "HEAD has the headers and length, and no body")
            .send(
                Req::head("/static/large.bin"),
                Expect::status(200)
                    .header("content-length", LARGE_LEN.to_string())
                    .header("etag", fixture_etag(LARGE_LEN as u64, ""))
                    .header("accept-ranges", "bytes"),
            )
            .then(next.clone(), serving.clone()),
        case(C, "a missing file is a 404 through the error handler")
            .send(get("/static/nope.txt"), error(404, "Not Found")),
        case(C, "a file asked for as a folder is a 404")
            .send(get("/static/hello.txt/"), error(404, "Not Found")),
        case(C, "other methods are 405 with Allow: GET, HEAD")
            .send(
                Req::post("/static/hello.txt").body("x"),
                error(405, "Method Not Allowed").header_list("allow", &["GET", "HEAD"]),
            )
            .send(
                Req::delete("/static/hello.txt"),
                error(405, "Method Not Allowed").header_list("allow", &["GET", "HEAD"]),
            ),
    ];
    cases.extend(conditional_cases());
    cases.extend(range_cases());
    cases.extend(encoding_cases());
    cases.extend(containment_cases());
    cases.extend(fall_through_cases());
    cases
}

fn not_modified(etag: &str) -> Expect {
    Expect::status(304)
        .header("etag", etag)
        .no_header("content-type")
        .empty_body()
}

fn conditional_cases() -> Vec<Case> {
    let tag = hello_etag();
    vec![
        case(C, "If-None-Match with the ETag is 304").send(
            get_with("/static/hello.txt", "if-none-match", &tag),
            not_modified(&tag),
        ),
        case(C, "If-None-Match compares weakly").send(
            get_with(
                "/static/hello.txt",
                "if-none-match",
                &format!("\"x\", W/{tag}"),
            ),
            not_modified(&tag),
        ),
        case(C, "If-None-Match: * is 304").send(
            get_with("/static/hello.txt", "if-none-match", "*"),
            not_modified(&tag),
        ),
        case(C, "a stale If-None-Match is a 200").send(
            get_with("/static/hello.txt", "if-none-match", "\"stale\""),
            Expect::status(200).text(HELLO),
        ),
        case(
            C,
            "If-Modified-Since at Last-Modified is 304, before it 200",
        )
        .send(
            get_with(
                "/static/hello.txt",
                "if-modified-since",
                FIXTURE_LAST_MODIFIED,
            ),
            not_modified(&tag),
        )
        .then(
            get_with(
                "/static/hello.txt",
                "if-modified-since",
                "Tue, 14 Nov 2023 22:13:19 GMT",
            ),
            Expect::status(200).text(HELLO),
        ),
        case(C, "If-None-Match wins over If-Modified-Since").send(
            get("/static/hello.txt")
                .header("if-none-match", "\"stale\"")
                .header("if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT"),
            Expect::status(200).text(HELLO),
        ),
        case(C, "If-Match must match strongly, else 412")
            .send(
                get_with("/static/hello.txt", "if-match", &tag),
                Expect::status(200).text(HELLO),
            )
            .then(
                get_with("/static/hello.txt", "if-match", &format!("W/{tag}")),
                error(412, "Precondition Failed"),
            ),
        case(C, "HEAD is conditional too").send(
            Req::head("/static/hello.txt").header("if-none-match", &tag),
            Expect::status(304).header("etag", tag.as_str()),
        ),
    ]
}

fn partial(body: impl AsRef<[u8]>, content_range: &str) -> Expect {
    let body = body.as_ref();
    Expect::status(206)
        .header("content-range", content_range)
        .header("content-length", body.len().to_string())
        .body(body)
}

fn range_cases() -> Vec<Case> {
    let large = large();
    let tag = hello_etag();
    vec![
        case(C, "bytes=0-4 is a 206 with Content-Range").send(
            get_with("/static/hello.txt", "range", "bytes=0-4"),
            partial("Hello", "bytes 0-4/21").header("content-type", TEXT),
        ),
        case(C, "an open-ended range runs to the end").send(
            get_with("/static/hello.txt", "range", "bytes=14-"),
            partial("world!\n", "bytes 14-20/21"),
        ),
        case(C, "a suffix range is the last bytes").send(
            get_with("/static/hello.txt", "range", "bytes=-7"),
            partial("world!\n", "bytes 14-20/21"),
        ),
        case(C, "a range across the backend's read chunks is exact").send(
            get_with("/static/large.bin", "range", "bytes=65530-131080"),
            partial(&large[65530..=131080], "bytes 65530-131080/150000"),
        ),
        case(C, "a range past the end is 416 with bytes */length").send(
            get_with("/static/hello.txt", "range", "bytes=21-"),
            unsatisfiable(21, "range not satisfiable: the file has 21 bytes"),
        ),
        case(C, "a range that ends before it starts is 416").send(
            get_with("/static/hello.txt", "range", "bytes=5-2"),
            unsatisfiable(
                21,
                "invalid Range header: the range ends (2) before it starts (5)",
            ),
        ),
        case(C, "a malformed byte range is 416").send(
            get_with("/static/hello.txt", "range", "bytes=abc"),
            unsatisfiable(
                21,
                "invalid Range header: expected bytes=FIRST-LAST, bytes=FIRST- or bytes=-SUFFIX",
            ),
        ),
        case(C, "any range of an empty file is 416").send(
            get_with("/static/empty.txt", "range", "bytes=0-"),
            unsatisfiable(0, "range not satisfiable: the file has 0 bytes"),
        ),
        case(C, "another range unit is ignored: the whole file").send(
            get_with("/static/hello.txt", "range", "items=0-1"),
            Expect::status(200).text(HELLO).no_header("content-range"),
        ),
        case(C, "several ranges get the whole file").send(
            get_with("/static/hello.txt", "range", "bytes=0-1,5-6"),
            Expect::status(200).text(HELLO).no_header("content-range"),
        ),
        case(C, "If-Range with the current ETag or date allows the range")
            .send(
                get("/static/hello.txt")
                    .header("range", "bytes=0-4")
                    .header("if-range", &tag),
                partial("Hello", "bytes 0-4/21"),
            )
            .then(
                get("/static/hello.txt")
                    .header("range", "bytes=0-4")
                    .header("if-range", FIXTURE_LAST_MODIFIED),
                partial("Hello", "bytes 0-4/21"),
            ),
        case(C, "a stale If-Range gets the whole file")
            .send(
                get("/static/hello.txt")
                    .header("range", "bytes=0-4")
                    .header("if-range", "\"stale\""),
                Expect::status(200).text(HELLO),
            )
            .then(
                get("/static/hello.txt")
                    .header("range", "bytes=0-4")
                    .header("if-range", "Fri, 01 Jan 2100 00:00:00 GMT"),
                Expect::status(200).text(HELLO),
            ),
    ]
}

fn encoded(coding: &str, body: &[u8], etag: String) -> Expect {
    Expect::status(200)
        .header("content-encoding", coding)
        .header("content-type", CSS_TYPE)
        .header("content-length", body.len().to_string())
        .header("vary", "accept-encoding")
        .header("etag", etag)
        .body(body)
}

fn plain_css() -> Expect {
    Expect::status(200)
        .header("content-type", CSS_TYPE)
        .header("vary", "accept-encoding")
        .no_header("content-encoding")
        .body(CSS)
}

fn encoding_cases() -> Vec<Case> {
    let br = || encoded("br", BR, fixture_etag(BR.len() as u64, "-br"));
    let gz = || encoded("gzip", GZ, fixture_etag(GZ.len() as u64, "-gz"));
    vec![
        case(C, "a client accepting brotli gets the .br sibling").send(
            get_with("/static/style.css", "accept-encoding", "gzip, deflate, br"),
            br(),
        ),
        case(C, "a client accepting gzip only gets the .gz sibling").send(
            get_with("/static/style.css", "accept-encoding", "gzip"),
            gz(),
        ),
        case(C, "q-values pick the sibling").send(
            get_with(
                "/static/style.css",
                "accept-encoding",
                "br;q=0.1, gzip;q=0.9",
            ),
            gz(),
        ),
        case(C, "no acceptable coding means the plain file")
            .send(
                get_with("/static/style.css", "accept-encoding", "br;q=0, gzip;q=0"),
                plain_css(),
            )
            .then(get("/static/style.css"), plain_css()),
        case(C, "a range applies to the compressed representation").send(
            get("/static/style.css")
                .header("accept-encoding", "gzip")
                .header("range", "bytes=0-9"),
            partial(&GZ[..10], &format!("bytes 0-9/{}", GZ.len()))
                .header("content-encoding", "gzip"),
        ),
    ]
}

fn containment_cases() -> Vec<Case> {
    let dot = "path segments `.` and `..` are not allowed";
    let slash = "an encoded `/` (%2F) is not allowed in a path segment";
    let backslash = "a backslash is not allowed in the path";
    vec![
        case(C, "a symlink inside the folder is followed")
            .send(get("/static/inside.txt"), Expect::status(200).text(HELLO)),
        case(C, "a symlink inside the folder may climb with `..`").send(
            get("/static/sub/up-hello.txt"),
            Expect::status(200).text(HELLO),
        ),
        case(C, "a symlinked folder inside the folder is followed").send(
            get("/static/linked-sub/"),
            Expect::status(200)
                .header("content-type", HTML)
                .body("<h1>Sub</h1>\n"),
        ),
        case(C, "a symlink out of the folder is not found").send(
            get("/static/leak.txt"),
            error(404, "Not Found").body_lacks(SECRET),
        ),
        case(C, "an absolute symlink out of the folder is not found").send(
            get("/static/abs-leak.txt"),
            error(404, "Not Found").body_lacks("root:"),
        ),
        case(C, "dotfiles are hidden").send(
            get("/static/.env"),
            error(404, "Not Found").body_lacks("SECRET=dotfile"),
        ),
        case(C, "`..` is refused").send(get("/static/../secret.txt"), refused(dot)),
        case(C, "`..` deeper down is refused")
            .send(get("/static/sub/../../secret.txt"), refused(dot)),
        case(C, "`%2e%2e` is refused").send(get("/static/%2e%2e/secret.txt"), refused(dot)),
        case(C, "`%2E%2E` (upper case) is refused")
            .send(get("/static/%2E%2E/secret.txt"), refused(dot)),
        case(C, "`%2f` inside a segment is refused")
            .send(get("/static/..%2fsecret.txt"), refused(slash)),
        case(C, "`%5c` is refused").send(get("/static/..%5csecret.txt"), refused(backslash)),
        case(C, "a raw backslash never serves a file").send(
            get("/static/..\\secret.txt"),
            Expect::status(400).body_lacks(SECRET),
        ),
        case(C, "`%00` is refused").send(
            get("/static/hello.txt%00.png"),
            refused("a NUL byte is not allowed in the path"),
        ),
        case(C, "an absolute path (`//`) is refused").send(
            get("/static//etc/passwd"),
            refused("empty path segments (`//`) are not allowed"),
        ),
        case(C, "a Windows drive is refused").send(
            get("/static/C:/secret.txt"),
            refused("a `:` is not allowed in the path"),
        ),
    ]
}

fn fall_through_cases() -> Vec<Case> {
    vec![
        case(C, "falling through: an existing file is served")
            .send(get("/fall/hello.txt"), Expect::status(200).text(HELLO)),
        case(C, "falling through: a missing file reaches the route")
            .send(get("/fall/nope.txt"), ok("route nope.txt")),
        case(C, "falling through: no route either is the app's 404").send(
            get("/fall/a/b/c"),
            error(404, "Not Found").header("content-type", JSON),
        ),
        case(C, "falling through: other methods reach their routes")
            .send(Req::post("/fall/hello.txt").body(""), ok("posted")),
        case(C, "falling through: a refused path reaches the route")
            .send(get("/fall/%2e%2e"), ok("route ..")),
    ]
}
