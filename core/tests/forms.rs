//! `application/x-www-form-urlencoded` bodies: typed through serde, as
//! `FormData`, content-type checks, limits and hostile input.

mod common;

use common::{assert_says, counted_stream, post};
use mocket_core::http::StatusCode;
use mocket_core::{FormData, Json, Mocket};
use serde::{Deserialize, Serialize};

const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

#[derive(Debug, Deserialize, Serialize)]
struct Signup {
    name: String,
    age: u8,
    newsletter: Option<bool>,
    #[serde(default)]
    tag: Vec<String>,
}

/// `/typed` answers the form read as a `Signup`, `/map` its pairs.
fn app() -> Mocket {
    let mut app = Mocket::new();
    app.post("/typed", |mut req| async move {
        Ok(Json(req.form::<Signup>().await?))
    });
    app.post("/map", |mut req| async move {
        let form = req.form_data().await?;
        let pairs: Vec<String> = form.iter().map(|(k, v)| format!("{k}={v}")).collect();
        Ok(pairs.join("|"))
    });
    app
}

#[test]
fn reads_typed_forms_and_keeps_every_pair_in_order() {
    let app = app();
    let rows: [(&str, &[u8], &str); 6] = [
        (
            "/typed",
            b"name=Ada+Lovelace&age=36&newsletter=true",
            r#"{"name":"Ada Lovelace","age":36,"newsletter":true,"tag":[]}"#,
        ),
        // Repeated fields fill a vec in order.
        (
            "/typed",
            b"tag=b&name=x&tag=a&age=1&tag=c%20d",
            r#"{"name":"x","age":1,"newsletter":null,"tag":["b","a","c d"]}"#,
        ),
        (
            "/map",
            b"b=2&a=1&b=3&empty=&flag&x+y=p%2Bq",
            "b=2|a=1|b=3|empty=|flag=|x y=p+q",
        ),
        // Hostile encodings are read, not rejected: bad escapes stay as
        // written; bytes that are not UTF-8 become U+FFFD, as browsers do;
        // separators alone make no pairs.
        (
            "/map",
            b"a=%zz%&b=%FF%FE&&&=v&c=%00",
            "a=%zz%|b=\u{FFFD}\u{FFFD}|=v|c=\0",
        ),
        ("/map", b"a=\xff", "a=\u{FFFD}"),
        // An empty body is an empty form.
        ("/map", b"", ""),
    ];
    for (path, form, want) in rows {
        assert_eq!(
            post(&app, path, FORM, form.to_vec()),
            (StatusCode::OK, want.to_owned()),
            "{path} {}",
            String::from_utf8_lossy(form)
        );
    }
}

#[test]
fn accepts_parameters_and_any_case_in_the_content_type() {
    for ct in [
        "application/x-www-form-urlencoded; charset=UTF-8",
        "Application/X-WWW-Form-URLEncoded",
        " application/x-www-form-urlencoded ;charset=utf-8",
    ] {
        let (status, _) = post(&app(), "/typed", Some(ct), "name=a&age=1");
        assert_eq!(status, StatusCode::OK, "{ct}");
    }
}

#[test]
fn a_checked_checkbox_reads_as_true() {
    let (_, body) = post(&app(), "/typed", FORM, "name=a&age=1&newsletter=on");
    assert!(body.contains(r#""newsletter":true"#), "{body}");
}

#[test]
fn another_content_type_is_415() {
    for ct in [
        Some("application/json"),
        Some("text/plain"),
        Some("multipart/form-data; boundary=x"),
        Some("application/x-www-form-urlencodedx"),
        None,
    ] {
        for path in ["/typed", "/map"] {
            let (status, body) = post(&app(), path, ct, "name=a&age=1");
            assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?} {path}");
            assert_eq!(
                body,
                "expected a request with content-type: application/x-www-form-urlencoded"
            );
        }
    }
}

#[test]
fn bad_data_is_400_naming_the_problem() {
    let cases = [
        ("age=36", "invalid form body: missing field `name`"),
        (
            "name=a&age=old",
            "invalid form body: age: invalid digit found in string",
        ),
        (
            "name=a&age=300",
            "invalid form body: age: number too large to fit in target type",
        ),
        (
            "name=a&age=1&newsletter=maybe",
            "invalid form body: newsletter: invalid value: string \"maybe\", expected \"true\", \"on\" or \"false\"",
        ),
    ];
    for (body, message) in cases {
        assert_eq!(
            post(&app(), "/typed", FORM, body),
            (StatusCode::BAD_REQUEST, message.to_owned()),
            "{body}"
        );
    }
    // An empty body is an empty form, which lacks the fields.
    let got = post(&app(), "/typed", FORM, "");
    assert_says(got, StatusCode::BAD_REQUEST, "missing field");
}

#[test]
fn the_body_limit_applies() {
    let mut app = app();
    app.body_limit(64);
    let big = format!("name={}&age=1", "a".repeat(100));
    assert_eq!(
        post(&app, "/typed", FORM, big),
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body is larger than the limit of 64 bytes".to_owned()
        )
    );

    // Streamed, with no length announced: cut off once past the limit.
    let (stream, pulled) = counted_stream(1000, 16);
    assert_eq!(
        post(&app, "/map", FORM, stream).0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
    assert!(pulled.load(std::sync::atomic::Ordering::SeqCst) <= 5);
}

#[test]
fn many_fields_are_fine() {
    let body: Vec<String> = (0..5000).map(|i| format!("f{i}={i}")).collect();
    let mut app = Mocket::new();
    app.post("/", |mut req| async move {
        let form = req.form_data().await?;
        Ok(format!(
            "{} {}",
            form.len(),
            form.get("f4999").unwrap_or("-")
        ))
    });
    assert_eq!(post(&app, "/", FORM, body.join("&")).1, "5000 4999");
}

#[test]
fn form_data_deserializes_too() {
    let mut form = FormData::new();
    form.append("name", "Ada");
    form.append("age", "36");
    form.append("tag", "a&b=c");
    form.append("tag", "d");
    let signup: Signup = form.deserialize().unwrap();
    assert_eq!(signup.tag, ["a&b=c", "d"]);
    let err = FormData::from_urlencoded(b"name=x")
        .deserialize::<Signup>()
        .unwrap_err();
    assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    assert_eq!(err.message(), "invalid form data: missing field `age`");
}
