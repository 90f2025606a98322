//! Properties of `decode`: a head encoded as `js/host.js` encodes it reads
//! back exactly; a block the host cannot have written is refused, never
//! a panic.

use http::{HeaderValue, Method, Version};
use proptest::prelude::*;

use super::{Malformed, decode};

/// What `requestHead` in `js/host.js` writes: `req.method`, `req.url`,
/// `req.httpVersion`, then each of `req.rawHeaders`' pairs, joined with
/// `\n`, as latin-1 (one byte per character).
fn encode(method: &str, target: &[u8], version: &str, headers: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut head = [method.as_bytes(), b"\n", target, b"\n", version.as_bytes()].concat();
    for (name, value) in headers {
        head.push(b'\n');
        head.extend_from_slice(name.as_bytes());
        head.push(b'\n');
        head.extend_from_slice(value);
    }
    head
}

/// Methods Node's parser knows (`http.METHODS`, a sample).
fn method() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE", "PURGE",
        "M-SEARCH", "PROPFIND", "MKCOL", "QUERY",
    ])
}

/// A target as Node passes it: any bytes but the request line's space
/// and `\n` (latin-1 bytes above 0x7f included).
fn target() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        any::<u8>().prop_filter("not a separator", |b| *b != b' ' && *b != b'\n'),
        0..40,
    )
}

/// A header as `req.rawHeaders` has it: a token in the case the client
/// wrote, and a value of the bytes Node allows (HTAB, visible ASCII,
/// space, obs-text), which may be empty.
fn header() -> impl Strategy<Value = (String, Vec<u8>)> {
    let value_byte = prop_oneof![Just(b'\t'), 0x20u8..0x7F, 0x80u8..=0xFF];
    (
        "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}",
        prop::collection::vec(value_byte, 0..40),
    )
}

proptest! {
    /// Any head the host writes decodes to its method, target, version
    /// and headers: each name (lower-cased, as `http` keeps names) with
    /// its values in the order sent, none added, none lost.
    #[test]
    fn host_heads_read_back(
        method in method(),
        target in target(),
        version in prop::sample::select(vec!["1.1", "1.0"]),
        headers in prop::collection::vec(header(), 0..12),
    ) {
        let block = encode(method, &target, version, &headers);
        let head = decode(&block).expect("the host's encoding");
        prop_assert_eq!(head.method, Method::from_bytes(method.as_bytes()).expect("a token"));
        prop_assert_eq!(head.target, &target[..]);
        prop_assert_eq!(head.version, if version == "1.0" { Version::HTTP_10 } else { Version::HTTP_11 });
        prop_assert_eq!(head.headers.len(), headers.len());
        for (name, _) in &headers {
            let want: Vec<&[u8]> = headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| &v[..])
                .collect();
            let got: Vec<&[u8]> = head.headers.get_all(name.as_str()).iter().map(HeaderValue::as_bytes).collect();
            prop_assert_eq!(got, want, "{}", name);
        }
    }

    /// One `\n` too many anywhere in a head (a field the host split
    /// wrong) leaves a name without its value: refused, not misread.
    #[test]
    fn a_stray_line_break_is_refused(
        method in method(),
        target in target(),
        headers in prop::collection::vec(header(), 0..6),
        at in any::<prop::sample::Index>(),
    ) {
        let mut block = encode(method, &target, "1.1", &headers);
        block.insert(at.index(block.len() + 1), b'\n');
        prop_assert_eq!(decode(&block).map(|_| ()), Err(Malformed));
    }

    /// Any bytes at all: a head or `Malformed`, never a panic; a head
    /// written back the host's way decodes to the same head.
    #[test]
    fn any_block_decodes_or_is_refused(block in prop::collection::vec(
        prop_oneof![Just(b'\n'), any::<u8>(), Just(b'a'), Just(b':')], 0..120,
    )) {
        if let Ok(head) = decode(&block) {
            let version = match head.version {
                Version::HTTP_10 => "1.0",
                Version::HTTP_09 => "0.9",
                Version::HTTP_2 => "2.0",
                _ => "1.1",
            };
            let headers: Vec<(String, Vec<u8>)> = head
                .headers
                .iter()
                .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
                .collect();
            let again = encode(head.method.as_str(), head.target, version, &headers);
            let twice = decode(&again).expect("written the host's way");
            prop_assert_eq!(twice.method, head.method);
            prop_assert_eq!(twice.target, head.target);
            prop_assert_eq!(twice.version, head.version);
            prop_assert_eq!(twice.headers, head.headers);
        }
    }
}
