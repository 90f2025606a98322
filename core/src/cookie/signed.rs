//! Signed cookies: [`Key`] and [`SignedCookieJar`].
//!
//! A signed value is `tag ‖ value`, where `tag` is the HMAC-SHA256 of the
//! cookie's name and value under the key, in unpadded URL-safe base64 (43
//! characters that need no percent-encoding). The value stays readable by
//! the client, but a changed value, a forged one, an unsigned one, or one
//! copied from another cookie fails verification and reads as absent.
//!
//! Why not the `cookie` crate's `SignedJar`: its MAC covers the value only,
//! so the signed value of one cookie verifies under another name (a value
//! the app signs for a harmless cookie could be replayed as the session).
//! Binding the name closes that; the primitives are the same RustCrypto
//! `hmac` and `sha2` crates it uses, with their constant-time comparison.

use std::fmt;
use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use http::HeaderMap;
use sha2::Sha256;

use super::{Cookie, CookieJar};
use crate::error::Error;
use crate::response::{IntoHeaders, IntoResponse, Response};

/// Length of the base64 tag in front of a signed value.
const TAG_LEN: usize = 43;

/// The secret that signs cookies. Register it as state
/// (`app.state(key)`) for [`Request::signed_cookies`](crate::Request::signed_cookies).
///
/// Load it from configuration: every instance of the app must use the same
/// key, or cookies signed by one fail in another, and a new key logs
/// everyone out. (On WASI's `wasi:http` mode, each request may run in a fresh
/// instance, so a key made with [`Key::generate`] at startup would change
/// with every request.)
///
/// ```
/// use mocket_core::cookie::Key;
/// let key = Key::from_secret(b"a secret of at least thirty-two bytes!").unwrap();
/// assert!(Key::from_secret(b"short").is_err());
/// ```
#[derive(Clone)]
pub struct Key {
    /// The HMAC already keyed: cloning it skips hashing the key again.
    mac: Hmac<Sha256>,
}

impl Key {
    /// The shortest secret accepted, in bytes (256 bits).
    ///
    /// ```
    /// use mocket_core::cookie::Key;
    /// assert!(Key::from_secret(vec![0u8; Key::MIN_SECRET_LEN]).is_ok());
    /// ```
    pub const MIN_SECRET_LEN: usize = 32;

    /// A key from a secret of at least [`Key::MIN_SECRET_LEN`] random bytes.
    ///
    /// ```
    /// let key = mocket_core::cookie::Key::from_secret([42u8; 32]);
    /// assert!(key.is_ok());
    /// ```
    pub fn from_secret(secret: impl AsRef<[u8]>) -> Result<Key, KeyError> {
        let secret = secret.as_ref();
        if secret.len() < Key::MIN_SECRET_LEN {
            return Err(KeyError::TooShort { len: secret.len() });
        }
        // HMAC takes keys of any length: this error cannot happen.
        let mac = Hmac::new_from_slice(secret).map_err(|_| KeyError::TooShort { len: 0 })?;
        Ok(Key { mac })
    }

    /// A key of 64 random bytes from the platform's secure source (the OS,
    /// `crypto.getRandomValues` on Node.js, `wasi:random` on WASI). Fine for
    /// development and single-process servers; see [`Key`] for why
    /// production keys come from configuration.
    ///
    /// ```
    /// let key = mocket_core::cookie::Key::generate().unwrap();
    /// # let _ = key;
    /// ```
    pub fn generate() -> Result<Key, KeyError> {
        let mut secret = [0u8; 64];
        getrandom::fill(&mut secret).map_err(|e| KeyError::NoRandomness(e.to_string()))?;
        Key::from_secret(secret)
    }

    /// `value` signed for the cookie `name`: the tag, then the value.
    fn sign(&self, name: &str, value: &str) -> String {
        let tag = self.tag(name, value).finalize().into_bytes();
        let mut signed = URL_SAFE_NO_PAD.encode(tag);
        signed.push_str(value);
        signed
    }

    /// The value inside `signed` if its tag is right for the cookie `name`.
    fn verify<'v>(&self, name: &str, signed: &'v str) -> Option<&'v str> {
        let (tag, value) = (signed.get(..TAG_LEN)?, signed.get(TAG_LEN..)?);
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.tag(name, value).verify_slice(&tag).ok()?;
        Some(value)
    }

    fn tag(&self, name: &str, value: &str) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        // The name's length first, so no (name, value) pair can be shifted
        // into another with the same bytes.
        mac.update(&(name.len() as u64).to_be_bytes());
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
        mac
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<secret>)")
    }
}

/// Why a [`Key`] could not be made.
///
/// ```
/// let e = mocket_core::cookie::Key::from_secret(b"short").unwrap_err();
/// assert_eq!(e.to_string(), "a cookie key needs a secret of at least 32 bytes, got 5");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The secret is shorter than [`Key::MIN_SECRET_LEN`].
    TooShort {
        /// Its length in bytes.
        len: usize,
    },
    /// The platform gave no random bytes.
    NoRandomness(String),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::TooShort { len } => write!(
                f,
                "a cookie key needs a secret of at least {} bytes, got {len}",
                Key::MIN_SECRET_LEN
            ),
            KeyError::NoRandomness(e) => write!(f, "no random bytes for a cookie key: {e}"),
        }
    }
}

impl std::error::Error for KeyError {}

/// A [`CookieJar`] whose values are signed with a [`Key`]: [`add`] signs,
/// [`get`] verifies. A cookie whose value was changed, forged, left
/// unsigned or copied from another cookie reads as absent.
///
/// Build it with [`Request::signed_cookies`](crate::Request::signed_cookies)
/// (key from state) or [`SignedCookieJar::from_headers`], and return it with
/// the response like a [`CookieJar`].
///
/// [`add`]: SignedCookieJar::add
/// [`get`]: SignedCookieJar::get
///
/// ```
/// use mocket_core::cookie::{Cookie, Key, SignedCookieJar};
/// let key = Key::from_secret([1u8; 32]).unwrap();
/// let jar = SignedCookieJar::new(key.clone()).add(Cookie::new("user", "ada"));
/// let sent = jar.changes().next().unwrap().value().to_owned();
/// assert!(sent.ends_with("ada") && sent.len() == 43 + 3);
///
/// let mut headers = mocket_core::http::HeaderMap::new();
/// headers.insert("cookie", format!("user={sent}; other={sent}").parse().unwrap());
/// let jar = SignedCookieJar::from_headers(&headers, key);
/// assert_eq!(jar.get("user").unwrap().value(), "ada");
/// assert!(jar.get("other").is_none(), "signed for another name");
/// ```
#[must_use = "a changed jar does nothing unless it is returned with the response"]
#[derive(Debug, Clone)]
pub struct SignedCookieJar {
    jar: CookieJar,
    key: Arc<Key>,
}

impl SignedCookieJar {
    /// An empty jar signing with `key`.
    ///
    /// ```
    /// use mocket_core::cookie::{Key, SignedCookieJar};
    /// let jar = SignedCookieJar::new(Key::from_secret([1u8; 32]).unwrap());
    /// assert!(jar.get("a").is_none());
    /// ```
    pub fn new(key: impl Into<Arc<Key>>) -> Self {
        SignedCookieJar {
            jar: CookieJar::new(),
            key: key.into(),
        }
    }

    /// The cookies of these request headers, to be verified with `key`.
    ///
    /// ```
    /// use mocket_core::cookie::{Key, SignedCookieJar};
    /// let mut headers = mocket_core::http::HeaderMap::new();
    /// headers.insert("cookie", "user=ada".parse().unwrap());
    /// let jar = SignedCookieJar::from_headers(&headers, Key::from_secret([1u8; 32]).unwrap());
    /// assert!(jar.get("user").is_none(), "not signed");
    /// ```
    pub fn from_headers(headers: &HeaderMap, key: impl Into<Arc<Key>>) -> Self {
        SignedCookieJar {
            jar: CookieJar::from_headers(headers),
            key: key.into(),
        }
    }

    /// The cookie `name` with its verified value, as [`CookieJar::get`]
    /// sees it; `None` if absent or if its signature does not verify.
    ///
    /// ```
    /// use mocket_core::cookie::{Cookie, Key, SignedCookieJar};
    /// let jar = SignedCookieJar::new(Key::from_secret([1u8; 32]).unwrap()).add(Cookie::new("a", "1"));
    /// assert_eq!(jar.get("a").unwrap().value(), "1");
    /// ```
    pub fn get(&self, name: &str) -> Option<Cookie<'static>> {
        let cookie = self.jar.get(name)?;
        let value = self.key.verify(cookie.name(), cookie.value())?.to_owned();
        let mut cookie = cookie.clone();
        cookie.set_value(value);
        Some(cookie)
    }

    /// Sets `cookie` with its value signed (see [`CookieJar::add`]).
    ///
    /// ```
    /// use mocket_core::cookie::{Cookie, Key, SignedCookieJar};
    /// let jar = SignedCookieJar::new(Key::from_secret([1u8; 32]).unwrap()).add(Cookie::new("a", "1"));
    /// assert_ne!(jar.changes().next().unwrap().value(), "1");
    /// ```
    // `add`, as axum-extra's jars name it; it is not `ops::Add`.
    #[allow(clippy::should_implement_trait)]
    pub fn add(mut self, cookie: impl Into<Cookie<'static>>) -> Self {
        let mut cookie = cookie.into();
        let signed = self.key.sign(cookie.name(), cookie.value());
        cookie.set_value(signed);
        self.jar = self.jar.add(cookie);
        self
    }

    /// Removes `cookie` from the client (see [`CookieJar::remove`]).
    ///
    /// ```
    /// use mocket_core::cookie::{Cookie, Key, SignedCookieJar};
    /// let jar = SignedCookieJar::new(Key::from_secret([1u8; 32]).unwrap()).remove(Cookie::from("a"));
    /// assert_eq!(jar.changes().next().unwrap().value(), "");
    /// ```
    pub fn remove(mut self, cookie: impl Into<Cookie<'static>>) -> Self {
        self.jar = self.jar.remove(cookie);
        self
    }

    /// The `Set-Cookie` changes as sent: signed values, removals.
    ///
    /// ```
    /// use mocket_core::cookie::{Key, SignedCookieJar};
    /// let jar = SignedCookieJar::new(Key::from_secret([1u8; 32]).unwrap());
    /// assert_eq!(jar.changes().count(), 0);
    /// ```
    pub fn changes(&self) -> impl Iterator<Item = &Cookie<'static>> {
        self.jar.changes()
    }
}

impl IntoHeaders for SignedCookieJar {
    fn apply_to(self, headers: &mut HeaderMap) -> Result<(), Error> {
        self.jar.apply_to(headers)
    }
}

impl IntoResponse for SignedCookieJar {
    fn into_response(self) -> Response {
        self.jar.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Key {
        Key::from_secret([byte; 32]).unwrap()
    }

    #[test]
    fn verifies_only_its_own_signatures() {
        let signed = key(1).sign("sid", "42");
        assert_eq!(signed.len(), TAG_LEN + 2);
        assert_eq!(key(1).verify("sid", &signed), Some("42"));
        assert_eq!(key(2).verify("sid", &signed), None, "another key");
        assert_eq!(key(1).verify("other", &signed), None, "another name");
        let changed = format!("{}43", &signed[..TAG_LEN]);
        assert_eq!(key(1).verify("sid", &changed), None, "changed value");
        assert_eq!(key(1).verify("sid", "42"), None, "unsigned");
        assert_eq!(key(1).verify("sid", ""), None, "empty");
    }

    #[test]
    fn odd_signed_values_are_rejected_without_panicking() {
        let k = key(1);
        // Multi-byte characters around the tag's end: no slicing panic.
        let odd = format!("{}é{}", "A".repeat(TAG_LEN - 1), "x");
        assert_eq!(k.verify("a", &odd), None);
        assert_eq!(k.verify("a", &"é".repeat(40)), None);
        // A tag of the right length that is not base64.
        assert_eq!(k.verify("a", &format!("{}v", "!".repeat(TAG_LEN))), None);
    }

    #[test]
    fn the_name_is_bound_unambiguously() {
        let k = key(1);
        let signed = k.sign("ab", "c");
        let value = &signed[TAG_LEN..];
        assert_eq!(value, "c");
        let shifted = format!("{}bc", &signed[..TAG_LEN]);
        assert_eq!(k.verify("a", &shifted), None);
    }
}
