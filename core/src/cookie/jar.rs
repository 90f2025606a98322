//! [`CookieJar`]: the request's cookies plus the changes to send back.
//!
//! Our own small jar rather than `cookie::CookieJar`, whose changes live in
//! a hash set keyed by name: its `Set-Cookie` headers come out in no fixed
//! order, two cookies of one name with different paths cannot both be
//! changed, and its removal reads the clock. Here changes keep the order
//! they were made in, a cookie is identified by name, path and domain (as
//! browsers do), and a removal expires at the Unix epoch.

use http::header::SET_COOKIE;
use http::{HeaderMap, HeaderValue};

use super::Cookie;
use super::set_cookie::header_value;
use super::time::{Duration, OffsetDateTime};
use crate::error::Error;
use crate::response::{IntoHeaders, IntoResponse, Response};

/// The request's cookies and the cookies to set or remove in the response.
///
/// Build it with [`Request::cookies`](crate::Request::cookies) (or
/// [`CookieJar::new`] for none), change it with [`add`](CookieJar::add) and
/// [`remove`](CookieJar::remove), and return it with the response: each
/// change is one `Set-Cookie` header, in the order made. A cookie without a
/// path gets `Path=/`, like Hono and Express, so it is seen site-wide and
/// its removal matches it.
///
/// ```
/// use mocket_core::IntoResponse;
/// use mocket_core::cookie::{Cookie, CookieJar};
///
/// let jar = CookieJar::new()
///     .add(Cookie::new("a", "1"))
///     .add(Cookie::build(("b", "x y")).http_only(true))
///     .remove(Cookie::from("old"));
/// let res = (jar, "ok").into_response();
/// let set: Vec<_> = res.headers().get_all("set-cookie").iter().collect();
/// assert_eq!(set, [
///     "a=1; Path=/",
///     "b=x%20y; HttpOnly; Path=/",
///     "old=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
/// ]);
/// ```
#[must_use = "a changed jar does nothing unless it is returned with the response"]
#[derive(Debug, Clone, Default)]
pub struct CookieJar {
    /// The request's cookies, in the order the client sent them.
    request: Vec<Cookie<'static>>,
    /// What to send: one `Set-Cookie` each, in the order made, one per
    /// (name, path, domain).
    changes: Vec<Cookie<'static>>,
}

impl CookieJar {
    /// An empty jar: no request cookies, no changes.
    ///
    /// ```
    /// assert_eq!(mocket_core::cookie::CookieJar::new().iter().count(), 0);
    /// ```
    pub fn new() -> Self {
        CookieJar::default()
    }

    /// The cookies of these request headers (every `Cookie` header, values
    /// percent-decoded and unquoted; pairs that do not parse are skipped).
    ///
    /// ```
    /// let mut headers = mocket_core::http::HeaderMap::new();
    /// headers.insert("cookie", "a=1; b=%22q%22; junk".parse().unwrap());
    /// let jar = mocket_core::cookie::CookieJar::from_headers(&headers);
    /// assert_eq!(jar.get("b").unwrap().value(), "\"q\"");
    /// assert_eq!(jar.iter().count(), 2);
    /// ```
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let request = super::request_cookies(headers)
            .map(|(name, value)| Cookie::new(name.into_owned(), value.into_owned()))
            .collect();
        CookieJar {
            request,
            changes: Vec::new(),
        }
    }

    /// The cookie `name` as the client will have it after this response:
    /// the last change made to that name if any (`None` if it was a
    /// removal), else the first request cookie of that name.
    ///
    /// ```
    /// use mocket_core::cookie::{Cookie, CookieJar};
    /// let jar = CookieJar::new().add(Cookie::new("a", "1"));
    /// assert_eq!(jar.get("a").unwrap().value(), "1");
    /// assert!(jar.remove(Cookie::from("a")).get("a").is_none());
    /// ```
    pub fn get(&self, name: &str) -> Option<&Cookie<'static>> {
        match self.changes.iter().rev().find(|c| c.name() == name) {
            Some(change) if is_removal(change) => None,
            Some(change) => Some(change),
            None => self.request.iter().find(|c| c.name() == name),
        }
    }

    /// Every cookie as [`get`](CookieJar::get) sees them: the changes that
    /// are not removals, then the request cookies not changed.
    ///
    /// ```
    /// use mocket_core::cookie::{Cookie, CookieJar};
    /// let jar = CookieJar::new().add(Cookie::new("a", "1")).add(Cookie::new("b", "2"));
    /// let names: Vec<_> = jar.iter().map(|c| c.name()).collect();
    /// assert_eq!(names, ["a", "b"]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = &Cookie<'static>> {
        let changed = |name: &str| self.changes.iter().any(|c| c.name() == name);
        self.changes
            .iter()
            .filter(|c| !is_removal(c))
            .chain(self.request.iter().filter(move |c| !changed(c.name())))
    }

    /// The `Set-Cookie` changes, in the order they will be sent.
    ///
    /// ```
    /// use mocket_core::cookie::{Cookie, CookieJar};
    /// let jar = CookieJar::new().add(Cookie::new("a", "1")).remove(Cookie::from("b"));
    /// assert_eq!(jar.changes().count(), 2);
    /// ```
    pub fn changes(&self) -> impl Iterator<Item = &Cookie<'static>> {
        self.changes.iter()
    }

    /// Sets `cookie` in the response, replacing an earlier change to the
    /// same name, path and domain. Without a path it gets `Path=/`.
    ///
    /// ```
    /// use mocket_core::cookie::{Cookie, CookieJar};
    /// let jar = CookieJar::new().add(Cookie::new("a", "1")).add(Cookie::new("a", "2"));
    /// assert_eq!(jar.changes().count(), 1);
    /// assert_eq!(jar.get("a").unwrap().value(), "2");
    /// ```
    // `add`, as axum-extra's jars name it; it is not `ops::Add`.
    #[allow(clippy::should_implement_trait)]
    pub fn add(mut self, cookie: impl Into<Cookie<'static>>) -> Self {
        let mut cookie = cookie.into();
        if cookie.path().is_none() {
            cookie.set_path("/");
        }
        let same = |c: &Cookie<'static>| {
            c.name() == cookie.name() && c.path() == cookie.path() && c.domain() == cookie.domain()
        };
        match self.changes.iter_mut().find(|c| same(c)) {
            Some(earlier) => *earlier = cookie,
            None => self.changes.push(cookie),
        }
        self
    }

    /// Removes `cookie` from the client: sends it with an empty value,
    /// `Max-Age=0` and an `Expires` in the past, keeping its path (default
    /// `/`) and domain, which must match the ones it was set with. Sent
    /// whether or not the request carried it.
    ///
    /// ```
    /// use mocket_core::cookie::{Cookie, CookieJar};
    /// let jar = CookieJar::new().remove(Cookie::build("sid").path("/app").domain("example.com"));
    /// assert_eq!(
    ///     jar.changes().next().unwrap().to_string(),
    ///     "sid=; Path=/app; Domain=example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    /// );
    /// ```
    pub fn remove(self, cookie: impl Into<Cookie<'static>>) -> Self {
        let mut cookie = cookie.into();
        cookie.set_value("");
        cookie.set_max_age(Duration::ZERO);
        // A fixed date, not "now minus a year": reading the clock is not
        // needed to say "already expired".
        cookie.set_expires(OffsetDateTime::UNIX_EPOCH);
        self.add(cookie)
    }

    /// The `Set-Cookie` header values for the changes, checked.
    pub(super) fn header_values(&self) -> Result<Vec<HeaderValue>, Error> {
        self.changes.iter().map(header_value).collect()
    }
}

fn is_removal(cookie: &Cookie<'_>) -> bool {
    cookie.max_age() == Some(Duration::ZERO)
}

/// Appends one `Set-Cookie` per change; a cookie that cannot be sent safely
/// makes the whole response a 500 (see [`crate::cookie`]).
impl IntoHeaders for CookieJar {
    fn apply_to(self, headers: &mut HeaderMap) -> Result<(), Error> {
        for value in self.header_values()? {
            headers.append(SET_COOKIE, value);
        }
        Ok(())
    }
}

/// An empty 200 with the jar's `Set-Cookie` headers.
impl IntoResponse for CookieJar {
    fn into_response(self) -> Response {
        (self, ()).into_response()
    }
}
