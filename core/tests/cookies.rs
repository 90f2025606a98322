//! Cookies: reading request cookies (odd spacing, quoting, encoding),
//! setting them with every attribute, removing them, refusing injections,
//! and signed cookies against tampering and forgery.

mod common;

use common::send;
use mocket_core::cookie::time::{Duration, OffsetDateTime};
use mocket_core::cookie::{Cookie, CookieJar, Key, SameSite, SignedCookieJar};
use mocket_core::http::{self, HeaderMap, StatusCode};
use mocket_core::{Error, IntoHeaders, Mocket, Redirect};

/// `GET path` with these `Cookie` header values (one header each).
fn with_cookies(path: &str, headers: &[&[u8]]) -> http::Request<()> {
    let mut req = http::Request::get(path);
    for value in headers {
        req = req.header(
            "cookie",
            http::HeaderValue::from_bytes(value).expect("header value"),
        );
    }
    req.body(()).expect("valid request")
}

/// An app whose `/read/:name` answers the cookie's value, or `(none)`.
fn reader() -> Mocket {
    let mut app = Mocket::new();
    app.get("/read/:name", |req| async move {
        let name = req.try_param("name").unwrap_or_default();
        match req.cookie(name) {
            Some(value) => format!("[{value}]"),
            None => "(none)".to_owned(),
        }
    });
    app
}

fn read(app: &Mocket, name: &str, headers: &[&[u8]]) -> String {
    send(app, with_cookies(&format!("/read/{name}"), headers)).2
}

fn set_cookies(headers: &HeaderMap) -> Vec<&str> {
    headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("header text"))
        .collect()
}

/// The `name=value` part of a `Set-Cookie`, as a browser sends it back.
fn pair(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .expect("split yields one part")
        .to_owned()
}

#[test]
fn reads_a_cookie_by_name_through_odd_spacing_quoting_and_encoding() {
    let spaced: &[u8] = b"  a = 1 ;b=2;;  ; c=3  ;";
    // Not UTF-8 raw, not UTF-8 once decoded, no `=`, no name.
    let broken: &[u8] = BROKEN;
    // HTTP/2 clients may send one `cookie` header per pair.
    let http2: &[&[u8]] = &[b"a=1", b"b=2; c=3"];
    let rows: [(&str, &[&[u8]], &str); 25] = [
        ("b", &[b"a=1; b=2; c=3"], "[2]"),
        ("z", &[b"a=1"], "(none)"),
        ("a", &[], "(none)"),
        // The first of a repeated name (the most specific path comes first).
        ("a", &[b"a=first; a=second"], "[first]"),
        // Names are case-sensitive.
        ("A", &[b"a=1"], "(none)"),
        // Odd spacing and empty pairs are tolerated.
        ("a", &[spaced], "[1]"),
        ("b", &[spaced], "[2]"),
        ("c", &[spaced], "[3]"),
        ("e", &[b"e="], "[]"),
        // Values are unquoted and percent-decoded.
        ("q", &[b"q=\"quoted value\""], "[quoted value]"),
        ("q", &[b"q=\"\""], "[]"),
        ("q", &[b"q=\"half"], "[\"half]"),
        ("q", &[b"q=\""], "[\"]"),
        // Encoded quotes are part of the value.
        ("q", &[b"q=%22kept%22"], "[\"kept\"]"),
        ("u", &[b"u=J%C3%BCrgen%20M"], "[Jürgen M]"),
        // A lone `%` is not an escape: kept as sent.
        ("p", &[b"p=100%"], "[100%]"),
        // An encoded name is matched decoded.
        ("a%20b", &[b"a%20b=1"], "[1]"),
        // A broken pair does not hide its neighbours.
        ("ok", &[broken], "[yes]"),
        ("raw", &[broken], "(none)"),
        ("dec", &[broken], "(none)"),
        ("noequals", &[broken], "(none)"),
        ("a", http2, "[1]"),
        ("c", http2, "[3]"),
        ("b", http2, "[2]"),
        ("zz", http2, "(none)"),
    ];
    let app = reader();
    for (name, headers, want) in rows {
        let shown: Vec<_> = headers.iter().map(|h| String::from_utf8_lossy(h)).collect();
        assert_eq!(read(&app, name, headers), want, "{name} in {shown:?}");
    }
}

/// A `Cookie` header with broken pairs between good ones.
const BROKEN: &[u8] = b"raw=\xff\xfe; dec=%FF; noequals; =anon; ok=yes";

/// Each cookie of a jar as `name=value`.
fn pairs(jar: &CookieJar) -> Vec<String> {
    jar.iter()
        .map(|c| format!("{}={}", c.name(), c.value()))
        .collect()
}

#[test]
fn a_broken_pair_does_not_hide_its_neighbours_in_the_jar() {
    let mut headers = HeaderMap::new();
    headers.insert("cookie", http::HeaderValue::from_bytes(BROKEN).unwrap());
    assert_eq!(pairs(&CookieJar::from_headers(&headers)), ["ok=yes"]);
}

#[test]
fn reads_every_cookie_header() {
    let headers: &[&[u8]] = &[b"a=1", b"b=2; c=3"];
    let mut app = Mocket::new();
    app.get("/", |req| async move { pairs(&req.cookies()).join(",") });
    assert_eq!(send(&app, with_cookies("/", headers)).2, "a=1,b=2,c=3");
}

#[test]
fn many_cookies_are_read_without_trouble() {
    let app = reader();
    let header: String = (0..2000).map(|i| format!("c{i}=v{i}; ")).collect();
    assert_eq!(read(&app, "c1999", &[header.as_bytes()]), "[v1999]");
}

#[test]
fn sets_a_cookie_with_every_attribute() {
    let mut app = Mocket::new();
    app.get("/", |_req| async {
        let expires = OffsetDateTime::from_unix_timestamp(1_445_412_480).unwrap();
        let cookie = Cookie::build(("session", "abc"))
            .max_age(Duration::hours(1))
            .expires(expires)
            .path("/app")
            .domain("example.com")
            .secure(true)
            .http_only(true)
            .same_site(SameSite::Strict);
        (CookieJar::new().add(cookie), "ok")
    });
    let (status, headers, _) = send(&app, "/");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        set_cookies(&headers),
        [
            "session=abc; HttpOnly; SameSite=Strict; Secure; Path=/app; Domain=example.com; \
          Max-Age=3600; Expires=Wed, 21 Oct 2015 07:28:00 GMT"
        ]
    );
}

#[test]
fn same_site_values_and_none_implies_secure() {
    let mut app = Mocket::new();
    app.get("/", |_req| async {
        let jar = CookieJar::new()
            .add(Cookie::build(("lax", "1")).same_site(SameSite::Lax))
            .add(Cookie::build(("none", "1")).same_site(SameSite::None))
            .add(Cookie::build(("strict", "1")).same_site(SameSite::Strict));
        (jar, ())
    });
    let (_, headers, _) = send(&app, "/");
    assert_eq!(
        set_cookies(&headers),
        [
            "lax=1; SameSite=Lax; Path=/",
            "none=1; SameSite=None; Secure; Path=/",
            "strict=1; SameSite=Strict; Path=/",
        ]
    );
}

#[test]
fn several_cookies_are_several_headers_in_order_and_replacements_merge() {
    let mut app = Mocket::new();
    app.get("/", |_req| async {
        let jar = CookieJar::new()
            .add(Cookie::new("a", "1"))
            .add(Cookie::new("b", "2"))
            .add(Cookie::new("a", "3"))
            // Same name, another path: another cookie for the browser.
            .add(Cookie::build(("a", "4")).path("/x"));
        (StatusCode::CREATED, jar, "made")
    });
    let (status, headers, body) = send(&app, "/");
    assert_eq!((status, body.as_str()), (StatusCode::CREATED, "made"));
    assert_eq!(
        set_cookies(&headers),
        ["a=3; Path=/", "b=2; Path=/", "a=4; Path=/x"]
    );
}

#[test]
fn removal_keeps_path_and_domain_and_expires_in_the_past() {
    let mut app = Mocket::new();
    app.get("/logout", |req| async move {
        let jar = req
            .cookies()
            .remove(Cookie::build("sid").path("/app").domain("example.com"))
            .remove(Cookie::from("theme"));
        (jar, Redirect::to("/"))
    });
    let (status, headers, _) = send(&app, with_cookies("/logout", &[b"sid=1"]));
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers["location"], "/");
    assert_eq!(
        set_cookies(&headers),
        [
            "sid=; Path=/app; Domain=example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            "theme=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
        ]
    );
}

#[test]
fn the_jar_sees_its_own_changes() {
    let mut headers = HeaderMap::new();
    headers.insert("cookie", "a=1; b=2".parse().unwrap());
    let jar = CookieJar::from_headers(&headers)
        .add(Cookie::new("a", "new"))
        .remove(Cookie::from("b"))
        .add(Cookie::new("c", "3"));
    assert_eq!(jar.get("a").unwrap().value(), "new");
    assert!(jar.get("b").is_none());
    assert_eq!(pairs(&jar), ["a=new", "c=3"]);
}

#[test]
fn a_returned_jar_alone_is_an_empty_200() {
    let mut app = Mocket::new();
    app.get("/", |req| async move {
        req.cookies().add(Cookie::new("a", "1"))
    });
    let (status, headers, body) = send(&app, "/");
    assert_eq!((status, body.as_str()), (StatusCode::OK, ""));
    assert_eq!(set_cookies(&headers), ["a=1; Path=/"]);
}

#[test]
fn middleware_can_add_cookies_to_any_response() {
    let mut app = Mocket::new();
    app.use_middleware(|req, next| async move {
        let mut res = next.run(req).await;
        let jar = CookieJar::new().add(Cookie::new("visited", "yes"));
        match jar.apply_to(res.headers_mut()) {
            Ok(()) => res,
            Err(e) => mocket_core::IntoResponse::into_response(e),
        }
    });
    app.get("/", |_req| async {
        (CookieJar::new().add(Cookie::new("own", "1")), "hi")
    });
    let (_, headers, _) = send(&app, "/");
    assert_eq!(
        set_cookies(&headers),
        ["own=1; Path=/", "visited=yes; Path=/"]
    );
}

#[test]
fn any_text_round_trips_through_percent_encoding() {
    let value = "a b;c,d\"e\\f%g=é✓";
    let mut app = Mocket::new();
    app.get("/set", move |_req| async move {
        (CookieJar::new().add(Cookie::new("v", value)), ())
    });
    app.get("/get", |req| async move {
        req.cookie("v").unwrap_or_default().into_owned()
    });
    let (_, headers, _) = send(&app, "/set");
    let sent = pair(set_cookies(&headers)[0]);
    assert!(sent.is_ascii() && !sent[2..].contains([' ', ';', ',', '"', '\\']));
    let (_, _, back) = send(&app, with_cookies("/get", &[sent.as_bytes()]));
    assert_eq!(back, value);
}

/// Builds the cookie a test app sets.
type MakeCookie = fn() -> Cookie<'static>;

/// An app that sets whatever cookie `make` builds, and renders errors with
/// their logged cause so the tests can read it.
fn setting(make: MakeCookie) -> Mocket {
    let mut app = Mocket::new();
    app.on_error(|err: Error| (err.status(), err.to_string()));
    app.get("/", move |_req| async move {
        (CookieJar::new().add(make()), "body")
    });
    app
}

#[test]
fn refuses_cookies_that_could_inject_headers() {
    let cases: [(MakeCookie, &str); 6] = [
        (
            || Cookie::new("a", "x\r\nSet-Cookie: admin=1"),
            "cannot set cookie \"a\": the value contains the control character U+000D",
        ),
        (
            || Cookie::new("a", "x\ny"),
            "the value contains the control character U+000A",
        ),
        (
            || Cookie::new("a\r\nx-evil: 1", "1"),
            "the name contains '\\r'",
        ),
        (|| Cookie::new("my name", "1"), "the name contains ' '"),
        (
            || {
                Cookie::build(("a", "1"))
                    .path("/; Domain=evil.example")
                    .build()
            },
            "the path contains ';'",
        ),
        (
            || Cookie::build(("a", "1")).domain("example.com\r\n").build(),
            "the domain contains the control character U+000D",
        ),
    ];
    for (make, reason) in cases {
        let (status, headers, body) = send(&setting(make), "/");
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{reason}");
        assert!(body.contains(reason), "{body:?} should contain {reason:?}");
        assert!(headers.get("set-cookie").is_none(), "{reason}");
        assert!(headers.get("x-evil").is_none());
    }
}

#[test]
fn a_refused_cookie_says_only_internal_server_error_to_the_client() {
    let mut app = Mocket::new();
    app.get("/", |req| async move {
        let reflected = req.query_param("v").unwrap_or_default();
        (CookieJar::new().add(Cookie::new("v", reflected)), "ok")
    });
    let (status, headers, body) = send(&app, "/?v=a%0D%0ASet-Cookie:%20admin=1");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body, "Internal Server Error");
    assert!(headers.get("set-cookie").is_none());
}

// Signed cookies.

const SECRET: [u8; 32] = *b"0123456789abcdef0123456789abcdef";

fn signed_app() -> Mocket {
    let mut app = Mocket::new();
    app.state(Key::from_secret(SECRET).expect("32-byte secret"));
    app.get("/login/:user", |req| async move {
        let user = req.try_param("user").unwrap_or_default().to_owned();
        let jar = req.signed_cookies()?.add(Cookie::new("session", user));
        Ok((jar, "in"))
    });
    app.get("/me", |req| async move {
        let jar = req.signed_cookies()?;
        Ok(match jar.get("session") {
            Some(c) => format!("user {}", c.value()),
            None => "anonymous".to_owned(),
        })
    });
    app.get("/logout", |req| async move {
        Ok((req.signed_cookies()?.remove("session"), "out"))
    });
    app
}

fn login(app: &Mocket, user: &str) -> String {
    let (_, headers, _) = send(app, format!("/login/{user}"));
    pair(set_cookies(&headers)[0])
}

fn me(app: &Mocket, cookie: &str) -> String {
    send(app, with_cookies("/me", &[cookie.as_bytes()])).2
}

#[test]
fn a_signed_cookie_round_trips() {
    let app = signed_app();
    let cookie = login(&app, "ada");
    assert!(
        cookie.starts_with("session=") && cookie.ends_with("ada"),
        "{cookie}"
    );
    assert_eq!(me(&app, &cookie), "user ada");
    let (_, headers, _) = send(&app, with_cookies("/logout", &[cookie.as_bytes()]));
    assert_eq!(
        set_cookies(&headers),
        ["session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"]
    );
    assert_eq!(me(&app, "session="), "anonymous");
}

#[test]
fn tampered_forged_and_unsigned_values_read_as_absent() {
    let app = signed_app();
    let cookie = login(&app, "ada");
    let (name_eq, signed) = cookie.split_at("session=".len());
    let (tag, value) = signed.split_at(43);
    assert_eq!(value, "ada");

    let forged = [
        format!("{name_eq}{tag}admin"),                 // changed value
        format!("{name_eq}{tag}ada!"),                  // appended byte
        format!("{name_eq}{tag}"),                      // value cut off
        format!("{name_eq}{}", &tag[..42]),             // tag cut short
        format!("{name_eq}{}ada", "A".repeat(43)),      // made-up tag
        format!("{name_eq}{}{value}", flip_first(tag)), // altered tag
        "session=ada".to_owned(),                       // unsigned
        "session=".to_owned(),
        format!("{name_eq}{}", "é".repeat(30)), // not base64, multi-byte
        format!("{name_eq}%FF%FE"),             // not UTF-8
    ];
    for cookie in forged {
        assert_eq!(me(&app, &cookie), "anonymous", "{cookie}");
    }
    // The genuine one still works alongside a forged duplicate sent later.
    assert_eq!(me(&app, &format!("{cookie}; session=ada")), "user ada");
}

fn flip_first(tag: &str) -> String {
    let first = if tag.starts_with('A') { 'B' } else { 'A' };
    format!("{first}{}", &tag[1..])
}

#[test]
fn a_value_signed_for_one_cookie_does_not_verify_as_another() {
    let key = Key::from_secret(SECRET).unwrap();
    // The app signs a harmless cookie whose value the user chooses…
    let jar = SignedCookieJar::new(key.clone()).add(Cookie::new("theme", "ada"));
    let signed = jar.changes().next().unwrap().value().to_owned();
    // …which must not pass as the session.
    let app = signed_app();
    assert_eq!(me(&app, &format!("session={signed}")), "anonymous");
}

#[test]
fn another_key_does_not_verify() {
    let app = signed_app();
    let mut other = Mocket::new();
    other.state(Key::from_secret([9u8; 32]).unwrap());
    other.get("/login", |req| async move {
        Ok((req.signed_cookies()?.add(Cookie::new("session", "ada")), ""))
    });
    let (_, headers, _) = send(&other, "/login");
    assert_eq!(me(&app, &pair(set_cookies(&headers)[0])), "anonymous");
}

#[test]
fn signed_cookies_without_a_registered_key_is_a_500_that_says_why() {
    let mut app = Mocket::new();
    app.on_error(|err: Error| (err.status(), err.to_string()));
    app.get("/", |req| async move {
        let _ = req.signed_cookies()?;
        Ok("unreachable")
    });
    let (status, _, body) = send(&app, "/");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("register one with app.state(key)"), "{body}");
}

#[test]
fn keys_are_checked_and_generated() {
    assert!(Key::from_secret([0u8; 31]).is_err());
    let a = Key::generate().unwrap();
    let b = Key::generate().unwrap();
    let signed = SignedCookieJar::new(a.clone()).add(Cookie::new("s", "v"));
    let value = signed.changes().next().unwrap().value().to_owned();
    let mut headers = HeaderMap::new();
    headers.insert("cookie", format!("s={value}").parse().unwrap());
    assert_eq!(
        SignedCookieJar::from_headers(&headers, a)
            .get("s")
            .unwrap()
            .value(),
        "v"
    );
    assert!(
        SignedCookieJar::from_headers(&headers, b)
            .get("s")
            .is_none(),
        "two generated keys differ"
    );
    assert_eq!(
        format!("{:?}", Key::from_secret(SECRET).unwrap()),
        "Key(<secret>)"
    );
}
