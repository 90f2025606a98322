//! Path parameters: one percent-encoded segment of the request path,
//! strictly decoded at routing time (`Request::param`).

use mocket_core::Mocket;
use mocket_core::http::{self, StatusCode, Uri};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use proptest::prelude::*;

thread_local! {
    static APP: Mocket = {
        let mut app = Mocket::new();
        app.get("/users/:id", |req| async move { req.param("id").to_owned() });
        // Two decoded values in one path share a buffer.
        app.get("/pair/:a/:b", |req| async move {
            serde_json::to_string(&[req.param("a"), req.param("b")]).expect("strings serialize")
        });
        app
    };
}

/// `GET {target}` in-process: status and body text.
fn get(target: &str) -> (StatusCode, String) {
    let uri = Uri::try_from(target).unwrap_or_else(|e| panic!("{target:?} is not a URI: {e}"));
    APP.with(|app| {
        futures_executor::block_on(async {
            let req = http::Request::get(uri).body(()).expect("a valid request");
            let res = app.request(req).await;
            let status = res.status();
            (
                status,
                res.into_body().to_text().await.expect("a text body"),
            )
        })
    })
}

/// What must be escaped in a path segment: what `http` refuses in a path
/// (controls, space, `< > \``), what ends or splits it (`? # /`), and `%`
/// itself. Everything else, non-ASCII UTF-8 included, may go as it is.
const RESERVED: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'<')
    .add(b'>')
    .add(b'`')
    .add(b'?')
    .add(b'#')
    .add(b'/')
    .add(b'%');

/// What a browser escapes in a path segment: [`RESERVED`] and `" { }`
/// (and, as `utf8_percent_encode` does, every non-ASCII byte).
const BROWSER: &AsciiSet = &RESERVED.add(b'"').add(b'{').add(b'}');

/// How a client escapes a segment.
#[derive(Debug, Clone, Copy)]
enum Escape {
    /// Every byte as `%XX`, in upper or lower case hex.
    Every { lower: bool },
    /// Only the bytes of [`RESERVED`]; non-ASCII text left as UTF-8.
    Reserved,
    /// As a browser does: [`BROWSER`].
    Browser,
}

fn escape() -> impl Strategy<Value = Escape> {
    prop_oneof![
        any::<bool>().prop_map(|lower| Escape::Every { lower }),
        Just(Escape::Reserved),
        Just(Escape::Browser),
    ]
}

fn encode(text: &str, how: Escape) -> String {
    match how {
        Escape::Every { lower: false } => text.bytes().map(|b| format!("%{b:02X}")).collect(),
        Escape::Every { lower: true } => text.bytes().map(|b| format!("%{b:02x}")).collect(),
        Escape::Reserved => text
            .chars()
            .map(|c| match c.is_ascii() {
                true => utf8_percent_encode(c.encode_utf8(&mut [0; 4]), RESERVED).to_string(),
                false => c.to_string(),
            })
            .collect(),
        Escape::Browser => utf8_percent_encode(text, BROWSER).to_string(),
    }
}

/// Strict percent-decoding, written out: every `%` starts two hex digits,
/// and the bytes are UTF-8. `None` where the app must answer 400.
fn strict_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Any text but the empty one (an empty segment matches no `:id`), often
/// dots, slashes and percent signs: `.` and `..` are names here, not steps
/// up, and an escaped `/` or `%` is part of the name.
fn segment_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>().prop_filter("empty", |t| !t.is_empty()),
        Just(".".to_owned()),
        Just("..".to_owned()),
        "[./%+ ]{1,6}",
    ]
}

/// A character `http` accepts in a path, other than `/`: many escapes
/// and hex digits, the rest of the legal ASCII, and non-ASCII text.
fn path_char() -> impl Strategy<Value = char> {
    let legal: Vec<char> = (0x21u8..0x7f)
        .map(char::from)
        .filter(|c| !"#<>?`/".contains(*c))
        .collect();
    prop_oneof![
        3 => Just('%'),
        3 => prop::sample::select("0123456789abcdefABCDEF".chars().collect::<Vec<_>>()),
        3 => prop::sample::select(legal),
        1 => any::<char>().prop_filter("non-ASCII", |c| !c.is_ascii()),
    ]
}

proptest! {
    /// Any text, escaped as a client may escape one segment, reads back
    /// exactly.
    #[test]
    fn encoded_segments_read_back(text in segment_text(), how in escape()) {
        let segment = encode(&text, how);
        prop_assert_eq!(get(&format!("/users/{segment}")), (StatusCode::OK, text));
    }

    /// Two escaped parameters of one path each read back as themselves.
    #[test]
    fn two_segments_read_back(
        a in ".+",
        b in ".+",
        how_a in escape(),
        how_b in escape(),
    ) {
        let target = format!("/pair/{}/{}", encode(&a, how_a), encode(&b, how_b));
        let (status, body) = get(&target);
        prop_assert_eq!(status, StatusCode::OK);
        let read: [String; 2] = serde_json::from_str(&body).expect("the handler's JSON");
        prop_assert_eq!(read, [a, b]);
    }

    /// A `%` followed by fewer than two hex digits, anywhere in an
    /// otherwise well-escaped segment: 400 saying so, never a 500.
    #[test]
    fn truncated_escapes_are_400(
        before in ".*",
        digit in prop::option::of(prop::sample::select("0123456789abcdefABCDEF".chars().collect::<Vec<_>>())),
        stop in prop::option::of(prop::sample::select("gGzZ!$&'()*+,;=:@._~-%".chars().collect::<Vec<_>>())),
        after in ".*",
    ) {
        let digit = digit.map(String::from).unwrap_or_default();
        // Without a stop the bad escape ends the segment.
        let (stop, after) = match stop {
            Some(c) => (c.to_string(), encode(&after, Escape::Browser)),
            None => (String::new(), String::new()),
        };
        let segment = format!("{}%{digit}{stop}{after}", encode(&before, Escape::Browser));
        let (status, body) = get(&format!("/users/{segment}"));
        prop_assert_eq!(status, StatusCode::BAD_REQUEST, "{}: {}", segment, body);
        prop_assert!(body.starts_with("invalid percent-encoding in path parameter"), "{}", body);
    }

    /// Escaped bytes that are not UTF-8 once decoded: 400 saying so.
    #[test]
    fn invalid_utf8_is_400(
        bytes in prop::collection::vec(any::<u8>(), 1..16)
            .prop_filter("valid UTF-8", |b| std::str::from_utf8(b).is_err()),
    ) {
        let segment: String = bytes.iter().map(|b| format!("%{b:02X}")).collect();
        let (status, body) = get(&format!("/users/{segment}"));
        prop_assert_eq!(status, StatusCode::BAD_REQUEST, "{}: {}", segment, body);
        prop_assert!(body.contains("is not valid UTF-8 once decoded"), "{}", body);
    }

    /// Any segment of characters legal in a path: what `strict_decode`
    /// reads (200 with that text) or a 400 where it reads nothing. Never
    /// a panic, a 404 or a 5xx.
    #[test]
    fn any_legal_segment_is_decoded_or_400(chars in prop::collection::vec(path_char(), 1..24)) {
        let segment: String = chars.into_iter().collect();
        let (status, body) = get(&format!("/users/{segment}"));
        match strict_decode(&segment) {
            Some(text) => prop_assert_eq!((status, body), (StatusCode::OK, text), "{}", segment),
            None => prop_assert_eq!(status, StatusCode::BAD_REQUEST, "{}: {}", segment, body),
        }
    }
}
