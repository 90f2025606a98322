//! Cookies: reading them, setting them with every attribute, removing them,
//! refusing injected ones, and a signed session.

use mocket::cookie::time::{Duration, OffsetDateTime};
use mocket::cookie::{Cookie, CookieJar, Key, SameSite, SignedCookieJar};
use mocket::prelude::*;

/// The signed-cookie cases were computed with this key (32 bytes).
const SECRET: &[u8; 32] = b"mocket-conformance-cookie-secret";

pub(crate) fn register(app: &mut Mocket) {
    app.state(Key::from_secret(SECRET).expect("a 32-byte secret is long enough"));
    read(app);
    set(app);
    session(app);
    host(app);
}

fn read(app: &mut Mocket) {
    app.get("/cookies/read/:name", |req| async move {
        let name = req.try_param("name").unwrap_or_default();
        match req.cookie(name) {
            Some(value) => format!("[{value}]"),
            None => "(none)".to_owned(),
        }
    });
    app.get("/cookies/all", |req| async move {
        let jar = req.cookies();
        let pairs: Vec<String> = jar
            .iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect();
        pairs.join(";")
    });
}

fn set(app: &mut Mocket) {
    app.get("/cookies/set", |_req| async {
        let expires = OffsetDateTime::from_unix_timestamp(1_445_412_480)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let full = Cookie::build(("full", "a b"))
            .max_age(Duration::hours(1))
            .expires(expires)
            .path("/cookies")
            .domain("conformance.test")
            .secure(true)
            .http_only(true)
            .same_site(SameSite::Strict);
        let jar = CookieJar::new()
            .add(full)
            .add(Cookie::build(("lax", "1")).same_site(SameSite::Lax))
            .add(Cookie::build(("none", "1")).same_site(SameSite::None));
        (StatusCode::CREATED, jar, "set")
    });
    app.get("/cookies/remove", |req| async move {
        let jar = req
            .cookies()
            .remove(
                Cookie::build("full")
                    .path("/cookies")
                    .domain("conformance.test"),
            )
            .remove("lax");
        (jar, Redirect::to("/cookies/all"))
    });
    // The value comes from the query: CR/LF in it must not reach the wire.
    app.get("/cookies/reflect", |req| async move {
        let value = req.query_param("v").unwrap_or_default();
        (
            CookieJar::new().add(Cookie::new("reflected", value)),
            "reflected",
        )
    });
}

/// A signed-cookie session: log in, see who you are, log out.
fn session(app: &mut Mocket) {
    app.post("/cookies/login/:user", |req| async move {
        let user = req.try_param("user").unwrap_or_default().to_owned();
        let jar = req
            .signed_cookies()?
            .add(Cookie::build(("session", user)).http_only(true));
        Ok((jar, Redirect::to("/cookies/me")))
    });
    app.get("/cookies/me", |req| async move {
        match req.signed_cookies()?.get("session") {
            Some(session) => Ok(format!("user {}", session.value())),
            None => Err(Error::new(StatusCode::UNAUTHORIZED, "not logged in")),
        }
    });
    app.post("/cookies/logout", |req| async move {
        let jar = req.signed_cookies()?.remove("session");
        Ok((jar, Redirect::to("/cookies/me")))
    });
}

/// What cookies need from the host: a clock and a random source.
fn host(app: &mut Mocket) {
    // `permanent` reads the clock (20 years from now): the body is the
    // year the cookie expires.
    app.get("/cookies/permanent", |_req| async {
        let cookie = Cookie::build(("remember", "1")).permanent().build();
        let year = cookie.expires_datetime().map_or(0, OffsetDateTime::year);
        (CookieJar::new().add(cookie), year.to_string())
    });
    // Two generated keys: each verifies its own signature only.
    app.get("/cookies/generated-key", |_req| async {
        let (a, b) = (Key::generate()?, Key::generate()?);
        let jar = SignedCookieJar::new(a.clone()).add(Cookie::new("k", "v"));
        let signed = jar
            .changes()
            .next()
            .map(|c| c.value().to_owned())
            .unwrap_or_default();
        let mut headers = mocket::http::HeaderMap::new();
        headers.insert("cookie", format!("k={signed}").parse()?);
        let own = SignedCookieJar::from_headers(&headers, a)
            .get("k")
            .is_some();
        let other = SignedCookieJar::from_headers(&headers, b)
            .get("k")
            .is_some();
        Ok(format!("own key: {own}, other key: {other}"))
    });
}
