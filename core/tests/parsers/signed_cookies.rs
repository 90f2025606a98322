//! `SignedCookieJar`: signing a cookie for the response and verifying it
//! when the client sends it back in its `Cookie` header.

use mocket_core::IntoHeaders;
use mocket_core::cookie::{Cookie, CookieJar, Key, SignedCookieJar};
use mocket_core::http::header::{COOKIE, SET_COOKIE};
use mocket_core::http::{HeaderMap, HeaderValue};
use percent_encoding::{NON_ALPHANUMERIC, percent_encode};
use proptest::prelude::*;

/// A cookie name: an RFC 9110 token.
fn name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$&'*+.^_`|~%-]{1,12}"
}

/// Value text that can be set: anything without an ASCII control
/// character (a control character is refused, see below).
fn settable() -> impl Strategy<Value = String> {
    any::<String>().prop_map(|s| s.replace(|c: char| c.is_ascii_control(), ""))
}

/// The length of the tag in front of a signed value: an HMAC-SHA256 in
/// unpadded URL-safe base64.
const TAG_LEN: usize = 43;

/// The URL-safe base64 alphabet the tag is written in.
const BASE64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn key_of(secret: [u8; 32]) -> Key {
    Key::from_secret(secret).expect("32 bytes is long enough")
}

/// The response's `Set-Cookie` for `name=value` signed with `key`, or the
/// error that refused it.
fn set_cookie(key: &Key, name: &str, value: &str) -> Result<String, mocket_core::Error> {
    let jar = SignedCookieJar::new(key.clone()).add(Cookie::new(name.to_owned(), value.to_owned()));
    let mut headers = HeaderMap::new();
    jar.apply_to(&mut headers)?;
    let set = headers.get(SET_COOKIE).expect("one Set-Cookie");
    Ok(set.to_str().expect("encoded as ASCII").to_owned())
}

/// What a client sends back for a `Set-Cookie`: its `name=value`, before
/// the attributes.
fn sent_back(set_cookie: &str) -> &str {
    set_cookie
        .split(';')
        .next()
        .expect("split yields one piece")
}

/// The signed value as the app hands it to the client, decoded: tag, then
/// the value.
fn signed_value(key: &Key, name: &str, value: &str) -> Vec<u8> {
    let jar = SignedCookieJar::new(key.clone()).add(Cookie::new(name.to_owned(), value.to_owned()));
    jar.changes()
        .next()
        .expect("one change")
        .value()
        .as_bytes()
        .to_vec()
}

/// The request headers with `header` as the `Cookie` header, `None` when
/// the bytes are not a header value a client can send.
fn cookie_headers(header: &[u8]) -> Option<HeaderMap> {
    let value = HeaderValue::from_bytes(header).ok()?;
    let mut headers = HeaderMap::new();
    headers.insert(COOKIE, value);
    Some(headers)
}

/// `name=value` as a client may send any name and value bytes: both
/// percent-encoded, so the jar reads exactly these bytes.
fn pair(name: &str, value: &[u8]) -> String {
    format!(
        "{}={}",
        percent_encode(name.as_bytes(), NON_ALPHANUMERIC),
        percent_encode(value, NON_ALPHANUMERIC)
    )
}

/// A signed jar over a request with `header` as its `Cookie` header.
fn jar_of(header: &[u8], key: &Key) -> Option<SignedCookieJar> {
    Some(SignedCookieJar::from_headers(
        &cookie_headers(header)?,
        key.clone(),
    ))
}

/// The verified value of `name` in a request whose `Cookie` header is
/// `header`.
fn read(header: &str, key: &Key, name: &str) -> Option<String> {
    let jar = jar_of(header.as_bytes(), key).expect("a valid header value");
    jar.get(name).map(|c| c.value().to_owned())
}

/// Bytes of a `Cookie` header: pairs whose value is often the length of a
/// tag and a value, separators, escapes, and any bytes a header value may
/// hold, with now and then one it may not.
fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
    let tag = prop::collection::vec(prop::sample::select(BASE64URL.as_bytes().to_vec()), TAG_LEN);
    let piece = prop_oneof![
        3 => (name(), tag, "[a-z0-9%\"]{0,6}")
            .prop_map(|(n, t, v)| [n.as_bytes(), b"=", &t, v.as_bytes()].concat()),
        3 => prop::sample::select(b"=; \"%".to_vec()).prop_map(|b| vec![b]),
        3 => name().prop_map(String::into_bytes),
        3 => (0x20u8..0x7f).prop_map(|b| vec![b]),
        1 => (0x80u8..=0xff).prop_map(|b| vec![b]),
        1 => any::<u8>().prop_map(|b| vec![b]),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

/// One change to the bytes of a signed value.
#[derive(Debug, Clone)]
enum Tamper {
    /// XOR the byte at the index with a non-zero mask.
    Flip(prop::sample::Index, u8),
    Remove(prop::sample::Index),
    Append(u8),
}

fn tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        (any::<prop::sample::Index>(), 1u8..=255).prop_map(|(i, m)| Tamper::Flip(i, m)),
        any::<prop::sample::Index>().prop_map(Tamper::Remove),
        any::<u8>().prop_map(Tamper::Append),
    ]
}

fn apply(tamper: &Tamper, mut bytes: Vec<u8>) -> Vec<u8> {
    match tamper {
        Tamper::Flip(i, mask) => {
            let i = i.index(bytes.len());
            bytes[i] ^= mask;
        }
        Tamper::Remove(i) => {
            bytes.remove(i.index(bytes.len()));
        }
        Tamper::Append(b) => bytes.push(*b),
    }
    bytes
}

proptest! {
    /// Any value text, signed for a cookie and sent back as a client sends
    /// it (the `Set-Cookie`'s `name=value` in a `Cookie` header, among
    /// unsigned cookies), verifies and reads back the same value; the
    /// unsigned neighbours read as absent. A value with an ASCII control
    /// character is refused when the response is built instead, never sent.
    #[test]
    fn signed_values_read_back(
        name in name(),
        value in prop_oneof![settable(), any::<String>()],
        secret in any::<[u8; 32]>(),
        others in prop::collection::btree_map(name(), "[A-Za-z0-9]{0,8}", 0..4),
    ) {
        let key = key_of(secret);
        let set = set_cookie(&key, &name, &value);
        if value.chars().any(|c| c.is_ascii_control()) {
            prop_assert!(set.is_err(), "a control character was sent: {:?}", set);
            return Ok(());
        }
        let set = set.expect("control-free text can be set");
        let others: Vec<(&String, &String)> = others.iter().filter(|(n, _)| **n != name).collect();
        let others: Vec<String> = others.iter().map(|(n, v)| pair(n, v.as_bytes())).collect();
        let (before, after) = others.split_at(others.len() / 2);
        let header = [before, &[sent_back(&set).to_owned()], after].concat().join("; ");
        let headers = cookie_headers(header.as_bytes()).expect("a valid header value");
        let jar = SignedCookieJar::from_headers(&headers, key);
        prop_assert_eq!(jar.get(&name).map(|c| c.value().to_owned()), Some(value));
        let plain = CookieJar::from_headers(&headers);
        prop_assert_eq!(plain.iter().count(), others.len() + 1, "every cookie read");
        for other in plain.iter().map(Cookie::name).filter(|n| *n != name) {
            prop_assert!(jar.get(other).is_none(), "unsigned {} verified", other);
        }
    }

    /// Flipping, removing or appending any byte of a signed value (sent
    /// percent-encoded, so any byte reaches the jar) makes it absent.
    #[test]
    fn tampered_values_read_as_absent(
        name in name(),
        value in settable(),
        secret in any::<[u8; 32]>(),
        tamper in tamper(),
    ) {
        let key = key_of(secret);
        let signed = signed_value(&key, &name, &value);
        prop_assert_eq!(read(&pair(&name, &signed), &key, &name), Some(value), "untouched");
        let changed = apply(&tamper, signed);
        prop_assert_eq!(read(&pair(&name, &changed), &key, &name), None, "{:?} verified", tamper);
    }

    /// Any other base64 character in any place of the tag fails, the last
    /// place most often: its character carries 4 bits of the MAC and 2
    /// bits a lenient decoder would ignore, so the tag would have
    /// look-alikes.
    #[test]
    fn every_other_tag_character_fails(
        name in name(),
        value in settable(),
        secret in any::<[u8; 32]>(),
        at in prop_oneof![Just(TAG_LEN - 1), 0..TAG_LEN],
    ) {
        let key = key_of(secret);
        let signed = signed_value(&key, &name, &value);
        prop_assert_eq!(&signed[TAG_LEN..], value.as_bytes(), "the tag, then the value");
        prop_assert_eq!(read(&pair(&name, &signed), &key, &name), Some(value), "untouched");
        for c in BASE64URL.bytes().filter(|&c| c != signed[at]) {
            let mut changed = signed.clone();
            changed[at] = c;
            let got = read(&pair(&name, &changed), &key, &name);
            prop_assert_eq!(got, None, "{:?} at {} verified", c as char, at);
        }
    }

    /// A signed value moved to another cookie's name, or read with another
    /// key, is absent.
    #[test]
    fn signatures_bind_the_name_and_the_key(
        name in name(),
        other in name(),
        value in settable(),
        secret in any::<[u8; 32]>(),
        other_secret in any::<[u8; 32]>(),
    ) {
        let key = key_of(secret);
        let signed = signed_value(&key, &name, &value);
        prop_assert_eq!(read(&pair(&name, &signed), &key, &name), Some(value), "untouched");
        if other != name {
            prop_assert_eq!(read(&pair(&other, &signed), &key, &other), None);
        }
        if other_secret != secret {
            prop_assert_eq!(read(&pair(&name, &signed), &key_of(other_secret), &name), None);
        }
    }

    /// Any header a client can send: a jar, never a panic, and none of the
    /// cookies the plain jar reads from it verifies (a forgery would need
    /// the key).
    #[test]
    fn any_header_verifies_nothing(header in header_bytes()) {
        let key = key_of([7; 32]);
        let Some(headers) = cookie_headers(&header) else {
            return Ok(()); // not a header a client can send
        };
        let plain = CookieJar::from_headers(&headers);
        let jar = SignedCookieJar::from_headers(&headers, key);
        for name in plain.iter().map(Cookie::name).chain(["sid", ""]) {
            prop_assert_eq!(jar.get(name), None, "{} verified", name);
        }
    }
}
