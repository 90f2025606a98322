//! One `Set-Cookie` header value, refused when it would be unsafe.
//!
//! The `cookie` crate formats whatever it is given, so a control character
//! in a path would reach the header, and `;` in a path or domain would add
//! attributes. Values are percent-encoded (`Cookie::encoded`), so any text
//! can be stored, but a control character in one is refused too: it is
//! almost always a bug or reflected input, and failing loudly says so.

use std::fmt;

use http::HeaderValue;

use super::Cookie;
use crate::error::Error;

/// Why a cookie could not be sent.
#[derive(Debug)]
struct InvalidCookie {
    name: String,
    problem: String,
}

impl fmt::Display for InvalidCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot set cookie {:?}: {}", self.name, self.problem)
    }
}

impl std::error::Error for InvalidCookie {}

/// The checked, encoded `Set-Cookie` value for `cookie`.
pub(super) fn header_value(cookie: &Cookie<'_>) -> Result<HeaderValue, Error> {
    check(cookie).map_err(|problem| {
        Error::internal(InvalidCookie {
            name: cookie.name().to_owned(),
            problem,
        })
    })?;
    HeaderValue::try_from(cookie.encoded().to_string()).map_err(Error::internal)
}

fn check(cookie: &Cookie<'_>) -> Result<(), String> {
    let name = cookie.name();
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    if let Some(c) = name.chars().find(|&c| !is_token_char(c)) {
        return Err(format!(
            "the name contains {c:?}, which an HTTP token (RFC 6265 cookie-name) cannot"
        ));
    }
    control_free("value", cookie.value())?;
    for (what, text) in [("path", cookie.path()), ("domain", cookie.domain())] {
        let Some(text) = text else { continue };
        control_free(what, text)?;
        if text.contains(';') {
            return Err(format!(
                "the {what} contains ';', which would start another attribute"
            ));
        }
    }
    Ok(())
}

fn control_free(what: &str, text: &str) -> Result<(), String> {
    match text.chars().find(char::is_ascii_control) {
        Some(c) => Err(format!(
            "the {what} contains the control character U+{:04X}, which could split the header",
            u32::from(c)
        )),
        None => Ok(()),
    }
}

/// RFC 9110 `tchar`.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(cookie: impl Into<Cookie<'static>>) -> String {
        check(&cookie.into()).unwrap_err()
    }

    #[test]
    fn refuses_what_could_inject() {
        assert!(problem(Cookie::new("a b", "1")).contains("' '"));
        assert!(problem(Cookie::new("a\r\n", "1")).contains("'\\r'"));
        assert!(problem(Cookie::new("", "1")).contains("empty"));
        assert!(problem(Cookie::new("a", "x\r\nSet-Cookie: b=2")).contains("U+000D"));
        assert!(problem(Cookie::new("a", "x\0")).contains("U+0000"));
        assert!(problem(Cookie::build(("a", "1")).path("/\n")).contains("path"));
        assert!(problem(Cookie::build(("a", "1")).path("/; Domain=evil")).contains("';'"));
        assert!(problem(Cookie::build(("a", "1")).domain("x;y")).contains("domain"));
    }

    #[test]
    fn accepts_and_encodes_any_other_text() {
        let cookie = Cookie::new("a", "x y;z,\"é\"");
        assert_eq!(header_value(&cookie).unwrap(), "a=x%20y%3Bz%2C%22%C3%A9%22");
        assert!(check(&Cookie::new("__Host-a.b!", "")).is_ok());
    }
}
