//! Request accessors: method, path, query (raw, map, typed, single),
//! headers and matched pattern.

mod common;

use common::{check, get, send};
use mocket_core::Mocket;
use mocket_core::http::{self, StatusCode};

/// One route per accessor under test; each answers what it read.
fn accessors() -> Mocket {
    let mut app = Mocket::new();
    app.all("/where/:x", |req| async move {
        format!(
            "{} {} {:?} {}",
            req.method(),
            req.path(),
            req.query_string(),
            req.uri()
        )
    });
    app.get("/q", |req| async move {
        let q = req.query();
        let mut pairs: Vec<String> = q.iter().map(|(k, v)| format!("{k}=[{v}]")).collect();
        pairs.sort();
        pairs.join(" ")
    });
    app.get("/tag", |req| async move {
        let first = req.query().get("tag").cloned().unwrap_or_default();
        format!("{first} {}", req.query_param("tag").unwrap_or_default())
    });
    app.get("/search", |req| async move {
        let [q, page, missing] = ["q", "page", "missing"].map(|name| req.query_param(name));
        format!("{q:?} {page:?} {missing:?}")
    });
    app.get("/files/**path", |req| async move {
        req.matched_pattern().unwrap_or("-").to_owned()
    });
    app.not_found(|req| async move {
        (
            StatusCode::NOT_FOUND,
            format!("{:?}", req.matched_pattern()),
        )
    });
    app.get("/", |req| async move { format!("{:?}", req.version()) });
    app
}

#[test]
fn method_path_query_pattern_and_version_accessors() {
    let ok = StatusCode::OK;
    check(
        &accessors(),
        &[
            (
                "PATCH /where/a%20b?x=1&y=two%20words",
                ok,
                r#"PATCH /where/a%20b Some("x=1&y=two%20words") /where/a%20b?x=1&y=two%20words"#,
            ),
            ("/where/z", ok, "GET /where/z None /where/z"),
            // `query` decodes, and `+` is a space.
            (
                "/q?name=Ada+Lovelace&city=S%C3%A3o%20Paulo&empty=&flag&a%20b=c%2Bd",
                ok,
                "a b=[c+d] city=[São Paulo] empty=[] flag=[] name=[Ada Lovelace]",
            ),
            ("/q", ok, ""),
            // Both keep the first of repeated names.
            ("/tag?tag=first&tag=second", ok, "first first"),
            (
                "/search?q=rust+web%21&page=2",
                ok,
                r#"Some("rust web!") Some("2") None"#,
            ),
            ("/search", ok, "None None None"),
            // The matched pattern, and none for a 404.
            ("/files/a/b", ok, "/files/**path"),
            ("/nothing", StatusCode::NOT_FOUND, "None"),
            // The version defaults to HTTP/1.1.
            ("/", ok, "HTTP/1.1"),
        ],
    );
}

#[derive(serde::Deserialize)]
struct Paging {
    page: u32,
    per_page: Option<u32>,
    sort: String,
}

fn paging_app() -> Mocket {
    let mut app = Mocket::new();
    app.get("/list", |req| async move {
        let p: Paging = req.query_as()?;
        Ok(format!("{} {:?} {}", p.page, p.per_page, p.sort))
    });
    app
}

#[test]
fn query_as_deserializes_typed_values_or_answers_400() {
    let app = paging_app();
    let bad = StatusCode::BAD_REQUEST;
    check(
        &app,
        &[
            (
                "/list?page=3&sort=name+desc&per_page=50",
                StatusCode::OK,
                "3 Some(50) name desc",
            ),
            ("/list?page=1&sort=x", StatusCode::OK, "1 None x"),
            // A bad value names the problem.
            (
                "/list?page=three&sort=x",
                bad,
                "invalid query string: page: invalid digit found in string",
            ),
            (
                "/list?page=1&sort=x&per_page=-5",
                bad,
                "invalid query string: per_page: invalid digit found in string",
            ),
        ],
    );
    // A missing field is named too.
    let missing: [(&str, &[&str]); 2] = [
        ("/list?page=1", &["invalid query string", "sort"]),
        ("/list", &["page"]),
    ];
    for (target, names) in missing {
        let (status, _, body) = send(&app, target);
        assert_eq!(status, bad, "{target}");
        for name in names {
            assert!(body.contains(name), "{target}: {body}");
        }
    }
}

#[test]
fn headers_are_case_insensitive_and_non_ascii_reads_as_none() {
    let mut app = Mocket::new();
    app.get("/h", |req| async move {
        format!(
            "{} {} {} {:?} {}",
            req.header("x-custom").unwrap_or("-"),
            req.header("X-Custom").unwrap_or("-"),
            req.header("X-CUSTOM").unwrap_or("-"),
            req.header("x-missing"),
            req.headers()["x-CuStOm"].to_str().unwrap_or("-"),
        )
    });
    let req = http::Request::get("/h")
        .header("X-Custom", "value")
        .body(())
        .expect("request");
    assert_eq!(send(&app, req).2, "value value value None value");

    // A value that is not ASCII reads as none, though it is there.
    app.get("/bin", |req| async move {
        format!(
            "{:?} {}",
            req.header("x-bin"),
            req.headers().get("x-bin").map_or(0, http::HeaderValue::len)
        )
    });
    let req = http::Request::get("/bin")
        .header(
            "x-bin",
            http::HeaderValue::from_bytes(b"caf\xC3\xA9").expect("value"),
        )
        .body(())
        .expect("request");
    assert_eq!(send(&app, req).2, "None 5");
}

/// `query_param` decodes only the pair it wants; it must still agree with
/// the full `form_urlencoded` decoding of `query()` on awkward input.
#[test]
fn query_param_agrees_with_the_decoded_map() {
    let mut app = Mocket::new();
    app.get("/q", |req| async move {
        let map = req.query();
        let mut names: Vec<String> = map.keys().cloned().collect();
        names.extend(["", "missing", "a b", "a+b", "k=v", "é"].map(String::from));
        for name in names {
            assert_eq!(req.query_param(&name), map.get(&name).cloned(), "{name:?}");
        }
        "ok"
    });
    for query in [
        "a=1&a=2",
        "a+b=space&a%20b=second",
        "k%3Dv=eq&x==y",
        "flag&&=empty-name&z",
        "%FF=bad-utf8&v=%FE%41",
        "%C3%A9=e-acute&plus=%2B+",
        "trailing=%",
        "bad=%zz&=&&",
    ] {
        let target = format!("/q?{query}");
        assert_eq!(get(&app, &target).1, "ok", "{query}");
    }
}
