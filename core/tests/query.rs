//! Request accessors: method, path, query (raw, map, typed, single),
//! headers and matched pattern.

mod common;

use common::{get, send};
use mocket_core::Mocket;
use mocket_core::http::{self, StatusCode};

#[test]
fn method_path_and_raw_query() {
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
    let req = http::Request::patch("/where/a%20b?x=1&y=two%20words")
        .body(())
        .expect("request");
    assert_eq!(
        send(&app, req).2,
        r#"PATCH /where/a%20b Some("x=1&y=two%20words") /where/a%20b?x=1&y=two%20words"#
    );
    assert_eq!(get(&app, "/where/z").1, "GET /where/z None /where/z");
}

#[test]
fn query_map_is_decoded_and_plus_is_space() {
    let mut app = Mocket::new();
    app.get("/q", |req| async move {
        let q = req.query();
        let mut pairs: Vec<String> = q.iter().map(|(k, v)| format!("{k}=[{v}]")).collect();
        pairs.sort();
        pairs.join(" ")
    });
    assert_eq!(
        get(
            &app,
            "/q?name=Ada+Lovelace&city=S%C3%A3o%20Paulo&empty=&flag&a%20b=c%2Bd"
        )
        .1,
        "a b=[c+d] city=[São Paulo] empty=[] flag=[] name=[Ada Lovelace]"
    );
    assert_eq!(get(&app, "/q").1, "");
}

#[test]
fn query_map_keeps_the_first_of_repeated_names() {
    let mut app = Mocket::new();
    app.get("/q", |req| async move {
        format!(
            "{} {}",
            req.query().get("tag").cloned().unwrap_or_default(),
            req.query_param("tag").unwrap_or_default()
        )
    });
    assert_eq!(get(&app, "/q?tag=first&tag=second").1, "first first");
}

#[test]
fn query_param_reads_one_value() {
    let mut app = Mocket::new();
    app.get("/search", |req| async move {
        format!(
            "{:?} {:?} {:?}",
            req.query_param("q"),
            req.query_param("page"),
            req.query_param("missing")
        )
    });
    assert_eq!(
        get(&app, "/search?q=rust+web%21&page=2").1,
        r#"Some("rust web!") Some("2") None"#
    );
    assert_eq!(get(&app, "/search").1, "None None None");
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
fn query_as_deserializes_typed_values() {
    let app = paging_app();
    assert_eq!(
        get(&app, "/list?page=3&sort=name+desc&per_page=50").1,
        "3 Some(50) name desc"
    );
    assert_eq!(get(&app, "/list?page=1&sort=x").1, "1 None x");
}

#[test]
fn query_as_with_a_bad_value_is_400_naming_the_problem() {
    let app = paging_app();
    let (status, _, body) = send(&app, "/list?page=three&sort=x");
    assert_eq!(
        (status, body.as_str()),
        (
            StatusCode::BAD_REQUEST,
            "invalid query string: page: invalid digit found in string"
        )
    );
    let (_, _, body) = send(&app, "/list?page=1&sort=x&per_page=-5");
    assert_eq!(
        body,
        "invalid query string: per_page: invalid digit found in string"
    );
}

#[test]
fn query_as_with_a_missing_field_is_400_naming_the_field() {
    let app = paging_app();
    let (status, _, body) = send(&app, "/list?page=1");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("invalid query string"), "{body}");
    assert!(body.contains("sort"), "{body}");
    let (status, _, body) = send(&app, "/list");
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("page"), "{body}");
}

#[test]
fn headers_are_case_insensitive() {
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
}

#[test]
fn header_with_non_ascii_value_reads_as_none() {
    let mut app = Mocket::new();
    app.get("/h", |req| async move {
        format!(
            "{:?} {}",
            req.header("x-bin"),
            req.headers().get("x-bin").map_or(0, |v| v.len())
        )
    });
    let req = http::Request::get("/h")
        .header(
            "x-bin",
            http::HeaderValue::from_bytes(b"caf\xC3\xA9").expect("value"),
        )
        .body(())
        .expect("request");
    assert_eq!(send(&app, req).2, "None 5");
}

#[test]
fn matched_pattern_for_routes_and_none_for_404() {
    let mut app = Mocket::new();
    app.get("/files/**path", |req| async move {
        req.matched_pattern().unwrap_or("-").to_owned()
    });
    app.not_found(|req| async move {
        (
            StatusCode::NOT_FOUND,
            format!("{:?}", req.matched_pattern()),
        )
    });
    assert_eq!(get(&app, "/files/a/b").1, "/files/**path");
    assert_eq!(
        get(&app, "/nothing"),
        (StatusCode::NOT_FOUND, "None".into())
    );
}

#[test]
fn version_defaults_to_http11() {
    let mut app = Mocket::new();
    app.get("/", |req| async move { format!("{:?}", req.version()) });
    assert_eq!(get(&app, "/").1, "HTTP/1.1");
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
