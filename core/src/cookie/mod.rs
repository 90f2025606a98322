//! Cookies: reading the request's, setting and removing them on the
//! response, and signed cookies for sessions.
//!
//! Parsing and formatting are the [`cookie`](https://docs.rs/cookie) crate's
//! (re-exported here: [`Cookie`], [`SameSite`], [`Expiration`], [`time`]),
//! so cookies are built exactly as with axum-extra or actix-web. On top of
//! it this module adds what fits Mocket's request/response model:
//!
//! - [`Request::cookie`] reads one cookie by name, scanning the `Cookie`
//!   headers on each call: nothing is parsed for requests that read none.
//! - [`CookieJar`] holds the request's cookies and the changes to send. A
//!   handler returns it in the response tuple (`(jar, body)`), and each
//!   change becomes one `Set-Cookie` header.
//! - [`SignedCookieJar`] does the same with values signed by a [`Key`]: a
//!   tampered, forged or unsigned value reads as absent.
//!
//! Values are percent-encoded on the wire and decoded when read, like
//! axum-extra, actix-web and Hono. A cookie the app sets with a name that is
//! not an HTTP token, or with a control character (CR, LF, NUL…) in its
//! value, path or domain, is refused: the response becomes a 500 whose
//! logged cause names the cookie and the problem, and nothing reaches the
//! wire.
//!
//! ```
//! # futures_executor::block_on(async {
//! use mocket_core::Mocket;
//! use mocket_core::cookie::{Cookie, SameSite};
//!
//! let mut app = Mocket::new();
//! app.get("/theme", |req| async move {
//!     let theme = req.cookie("theme").unwrap_or("light".into()).into_owned();
//!     let jar = req.cookies().add(Cookie::build(("seen", "1")).http_only(true).same_site(SameSite::Lax));
//!     (jar, theme)
//! });
//! let req = mocket_core::http::Request::get("/theme").header("cookie", "theme=dark").body(()).unwrap();
//! let res = app.request(req).await;
//! assert_eq!(res.headers()["set-cookie"], "seen=1; HttpOnly; SameSite=Lax; Path=/");
//! assert_eq!(res.into_body().to_text().await.unwrap(), "dark");
//! # });
//! ```

mod jar;
mod set_cookie;
mod signed;

use std::borrow::Cow;

use http::HeaderMap;
use http::header::COOKIE;

pub use cookie::{Cookie, CookieBuilder, Expiration, SameSite, time};
pub use jar::CookieJar;
pub use signed::{Key, KeyError, SignedCookieJar};

use crate::error::Error;
use crate::request::Request;

impl Request {
    /// The value of the request cookie `name`, percent-decoded and without
    /// surrounding double quotes; the first if the client sent several.
    /// Each call scans the `Cookie` headers (there is no cache to pay for
    /// when no cookie is read); a cookie that does not parse is skipped.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// let mut app = mocket_core::Mocket::new();
    /// app.get("/", |req| async move { req.cookie("name").unwrap_or_default().into_owned() });
    /// let req = mocket_core::http::Request::get("/")
    ///     .header("cookie", "a=1; name=J%C3%BCrgen")
    ///     .body(())
    ///     .unwrap();
    /// assert_eq!(app.request(req).await.into_body().to_text().await.unwrap(), "Jürgen");
    /// # });
    /// ```
    pub fn cookie(&self, name: &str) -> Option<Cow<'_, str>> {
        request_cookies(self.headers())
            .find(|(n, _)| n == name)
            .map(|(_, value)| value)
    }

    /// All the request's cookies, in a jar that also collects the cookies
    /// to set: return it with the response, as in `(jar, body)`.
    ///
    /// ```
    /// # mocket_core::doc_request(|mut req| {
    /// req.headers_mut().insert("cookie", "a=1; b=2".parse().unwrap());
    /// let jar = req.cookies();
    /// assert_eq!(jar.get("b").map(|c| c.value()), Some("2"));
    /// assert_eq!(jar.iter().count(), 2);
    /// # });
    /// ```
    pub fn cookies(&self) -> CookieJar {
        CookieJar::from_headers(self.headers())
    }

    /// The request's cookies checked against the [`Key`] registered as
    /// state (`app.state(key)`); a missing key is a 500 naming the problem.
    /// Use [`SignedCookieJar::from_headers`] to pass a key explicitly.
    ///
    /// ```
    /// # futures_executor::block_on(async {
    /// use mocket_core::cookie::{Cookie, Key};
    /// let mut app = mocket_core::Mocket::new();
    /// app.state(Key::from_secret([7u8; 32]).unwrap());
    /// app.get("/login", |req| async move {
    ///     Ok((req.signed_cookies()?.add(Cookie::new("user", "ada")), "welcome"))
    /// });
    /// app.get("/me", |req| async move {
    ///     let user = req.signed_cookies()?.get("user").map(|c| c.value().to_owned());
    ///     Ok(user.unwrap_or_else(|| "nobody".into()))
    /// });
    /// let res = app.request("/login").await;
    /// let cookie = res.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    /// let me = mocket_core::http::Request::get("/me").header("cookie", &cookie).body(()).unwrap();
    /// assert_eq!(app.request(me).await.into_body().to_text().await.unwrap(), "ada");
    /// let forged = mocket_core::http::Request::get("/me").header("cookie", "user=ada").body(()).unwrap();
    /// assert_eq!(app.request(forged).await.into_body().to_text().await.unwrap(), "nobody");
    /// # });
    /// ```
    pub fn signed_cookies(&self) -> Result<SignedCookieJar, Error> {
        let key = self.state::<Key>().map_err(|_| {
            Error::internal(
                "signed cookies need a mocket_core::cookie::Key: register one with app.state(key)",
            )
        })?;
        Ok(SignedCookieJar::from_headers(self.headers(), key))
    }
}

/// Every `(name, value)` in the `Cookie` headers, in order, decoded and
/// borrowing from them when nothing needed decoding. Each pair is parsed on
/// its own, so one that is not UTF-8 or has no `=` is skipped without hiding
/// its neighbours. Quotes are trimmed before decoding, so a value that
/// itself starts and ends with `"` (sent as `%22…%22`) keeps them.
fn request_cookies(headers: &HeaderMap) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    headers
        .get_all(COOKIE)
        .iter()
        .flat_map(|value| value.as_bytes().split(|&b| b == b';'))
        .filter_map(|pair| {
            let cookie = Cookie::parse(std::str::from_utf8(pair).ok()?.trim()).ok()?;
            let (name, value) = (cookie.name_raw()?, cookie.value_raw()?);
            Some((decode(name)?, decode(trim_quotes(value))?))
        })
}

fn decode(raw: &str) -> Option<Cow<'_, str>> {
    percent_encoding::percent_decode_str(raw).decode_utf8().ok()
}

/// A value without one pair of surrounding double quotes (RFC 6265 allows
/// `name="value"`; Go, Express and Hono read it as `value`).
fn trim_quotes(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}
