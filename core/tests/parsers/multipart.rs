//! `Request::multipart`: the boundary from `Content-Type`, then the parts.
//! Parsing is `multer`'s; what is ours is which boundary is taken, which
//! status a bad one gets, and that the parts reach the handler intact
//! through the body feed, however the body is cut into chunks.

use std::convert::Infallible;

use mocket_core::http::{HeaderValue, Request, StatusCode};
use mocket_core::{Body, Error, Mocket};
use proptest::prelude::*;

/// One part as the handler saw it: name, file name, content type, bytes.
type Part = (String, Option<String>, Option<String>, Vec<u8>);

thread_local! {
    /// `POST /` answers the parts it read as JSON, or the parser's error.
    static APP: Mocket = {
        let mut app = Mocket::new();
        app.post("/", |mut req| async move {
            let mut multipart = req.multipart()?;
            let mut parts: Vec<Part> = Vec::new();
            while let Some(field) = multipart.next_field().await? {
                let name = field.name().to_owned();
                let file = field.file_name().map(str::to_owned);
                let content_type = field.content_type().map(str::to_owned);
                parts.push((name, file, content_type, field.bytes().await?.to_vec()));
            }
            Ok::<_, Error>(serde_json::to_string(&parts).expect("plain data"))
        });
        app
    };
}

/// Sends `body` (in pieces cut at `cuts`) with this content type.
fn send(content_type: &[u8], body: &[u8], cuts: &[usize]) -> (StatusCode, Vec<u8>) {
    let mut at: Vec<usize> = cuts.iter().map(|c| c % (body.len() + 1)).collect();
    at.push(body.len());
    at.sort_unstable();
    let mut from = 0;
    let pieces: Vec<Vec<u8>> = at
        .into_iter()
        .map(|to| {
            let piece = body[from..to].to_vec();
            from = to;
            piece
        })
        .collect();
    let body = Body::from_stream(futures_util::stream::iter(
        pieces.into_iter().map(Ok::<_, Infallible>),
    ));
    let req = Request::post("/")
        .header("content-type", content_type)
        .body(body)
        .expect("a valid request");
    APP.with(|app| {
        futures_executor::block_on(async {
            let res = app.request(req).await;
            let status = res.status();
            (
                status,
                res.into_body().to_bytes().await.expect("readable").to_vec(),
            )
        })
    })
}

/// RFC 2046 §5.1.1: `bcharsnospace`, and space (never last).
const BCHARS: &str = "0-9A-Za-z'()+_,\\-./:=?";

fn regex(pattern: &str) -> impl Strategy<Value = String> + use<> {
    proptest::string::string_regex(pattern).expect("a valid pattern")
}

/// Any boundary a client may send: 1 to 70 `bchars`, not ending in space.
fn boundary() -> impl Strategy<Value = String> {
    (
        regex(&format!("[{BCHARS} ]{{0,69}}")),
        regex(&format!("[{BCHARS}]")),
    )
        .prop_map(|(body, last)| body + &last)
}

/// The boundary as a `Content-Type` parameter value: a token when it is
/// one (then quoted or not), else quoted.
fn param_value(boundary: &str, quote: bool) -> String {
    let token = boundary
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if token && !quote {
        boundary.to_owned()
    } else {
        format!("\"{boundary}\"")
    }
}

/// `multipart/form-data` in any case, the boundary among other
/// parameters, with the optional whitespace around `;` RFC 9110 allows.
fn content_type() -> impl Strategy<Value = (String, String)> {
    (
        boundary(),
        any::<bool>(),
        prop::sample::select(vec![
            "multipart/form-data",
            "Multipart/Form-Data",
            "MULTIPART/FORM-DATA",
        ]),
        prop::sample::select(vec!["boundary", "Boundary", "BOUNDARY"]),
        prop::sample::select(vec![";", "; ", " ;", " ; ", ";\t"]),
        prop::sample::select(vec!["", "; charset=UTF-8", "; a=\"b;c\""]),
        any::<bool>(),
    )
        .prop_map(
            |(boundary, quote, essence, name, semi, other, other_first)| {
                let param = format!("{name}={}", param_value(&boundary, quote));
                let header = if other_first {
                    format!("{essence}{other}{semi}{param}")
                } else {
                    format!("{essence}{semi}{param}{other}")
                };
                (header, boundary)
            },
        )
}

/// A field name or file name as a browser writes it (HTML's
/// multipart/form-data encoding): `"`, CR and LF percent-encoded, what the
/// server reads back. Control characters are left out (httparse refuses
/// them in part headers), and so is `\`: browsers send it bare, and multer
/// takes `\"` for an escaped quote.
fn name() -> impl Strategy<Value = String> {
    "[^\\\\\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]{1,12}".prop_map(|raw| {
        raw.replace("\r\n", "\n")
            .replace('\r', "\n")
            .replace('\n', "%0A")
            .replace('"', "%22")
    })
}

/// Bytes that look like the end of a part: CRLFs, dashes, the boundary
/// cut short, the boundary without its CRLF.
fn content(boundary: String) -> impl Strategy<Value = Vec<u8>> {
    let near = {
        let b = boundary.clone();
        (0..b.len()).prop_map(move |n| format!("\r\n--{}", &b[..n]).into_bytes())
    };
    let piece = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..40),
        Just(b"\r\n".to_vec()),
        Just(b"--".to_vec()),
        Just(b"\r\n\r\n".to_vec()),
        near,
        Just(format!("x--{boundary}--").into_bytes()),
    ];
    prop::collection::vec(piece, 0..6).prop_map(move |pieces| {
        let mut content = pieces.concat();
        legal(&mut content, &boundary);
        content
    })
}

/// What an encoder must do: pick content that does not hold the
/// delimiter (CRLF `--` boundary, and the boundary right after the part's
/// headers). Breaks any occurrence with an `x` after its CRLF.
fn legal(content: &mut Vec<u8>, boundary: &str) {
    let delimiter = format!("\r\n--{boundary}").into_bytes();
    if content.starts_with(&delimiter[2..]) {
        content.insert(0, b'x');
    }
    while let Some(i) = content
        .windows(delimiter.len())
        .position(|w| w == delimiter)
    {
        content.insert(i + 2, b'x');
    }
}

fn part(boundary: String) -> impl Strategy<Value = Part> {
    let content_type = prop::sample::select(vec![
        None,
        Some("text/plain"),
        Some("application/octet-stream"),
        Some("image/png"),
        Some("text/plain; charset=UTF-8"),
    ]);
    (
        name(),
        prop::option::of(name()),
        content_type,
        content(boundary),
    )
        .prop_map(|(name, file, content_type, content)| {
            (name, file, content_type.map(str::to_owned), content)
        })
}

/// A body as browsers write it: each part's headers, its content, and the
/// closing delimiter.
fn encode(boundary: &str, parts: &[Part]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file, content_type, content) in parts {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").bytes(),
        );
        if let Some(file) = file {
            body.extend(format!("; filename=\"{file}\"").bytes());
        }
        if let Some(content_type) = content_type {
            body.extend(format!("\r\nContent-Type: {content_type}").bytes());
        }
        body.extend(b"\r\n\r\n");
        body.extend(content);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    body
}

fn parts_of(json: &[u8]) -> Vec<Part> {
    serde_json::from_slice(json)
        .unwrap_or_else(|_| panic!("parts, got {:?}", String::from_utf8_lossy(json)))
}

proptest! {
    /// Any legal boundary, however the parameter is written, reads back:
    /// the body framed with it parses (an empty form here).
    #[test]
    fn any_legal_boundary_is_taken((header, boundary) in content_type()) {
        let (status, body) = send(header.as_bytes(), format!("--{boundary}--\r\n").as_bytes(), &[]);
        prop_assert_eq!(status, StatusCode::OK, "{:?}: {}", header, String::from_utf8_lossy(&body));
        prop_assert_eq!(parts_of(&body), Vec::<Part>::new());
    }

    /// Parts with any names, file names and content (CRLFs and
    /// boundary-like bytes included), under any legal boundary, reach the
    /// handler exactly, however the body is cut.
    #[test]
    fn encoded_parts_read_back(
        ((header, boundary), parts) in content_type().prop_flat_map(|(header, boundary)| {
            let parts = prop::collection::vec(part(boundary.clone()), 0..5);
            (Just((header, boundary)), parts)
        }),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
    ) {
        let (status, body) = send(header.as_bytes(), &encode(&boundary, &parts), &cuts);
        prop_assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        prop_assert_eq!(parts_of(&body), parts);
    }

    /// A boundary longer than 70 characters, an empty one, or none: 400.
    /// Another media type: 415.
    #[test]
    fn bad_boundaries_are_a_400(
        long in regex(&format!("[{BCHARS}]{{71,100}}")),
        which in 0..4,
        quote in any::<bool>(),
    ) {
        let header = match which {
            0 => format!("multipart/form-data; boundary={}", param_value(&long, quote)),
            1 => "multipart/form-data; boundary=\"\"".to_owned(),
            2 => "multipart/form-data; charset=UTF-8".to_owned(),
            _ => format!("multipart/mixed; boundary={}", param_value(&long[..10], quote)),
        };
        let want = if which == 3 { StatusCode::UNSUPPORTED_MEDIA_TYPE } else { StatusCode::BAD_REQUEST };
        let (status, _) = send(header.as_bytes(), format!("--{long}--\r\n").as_bytes(), &[]);
        prop_assert_eq!(status, want, "{}", header);
    }

    /// Any content type and any body a client can send (built from
    /// pieces of real bodies: delimiters, part headers, CRLFs, any bytes):
    /// the parts, or a 4xx (400, 413, 415), never a 500 and never a panic.
    #[test]
    fn any_request_is_a_4xx_at_worst(
        (header, body) in prop_oneof![
            (prop::collection::vec(any::<u8>(), 0..80), Just("b".to_owned())),
            content_type().prop_map(|(h, b)| (h.into_bytes(), b)),
        ].prop_flat_map(|(header, boundary)| {
            let piece = prop_oneof![
                prop::collection::vec(any::<u8>(), 0..30),
                Just(b"\r\n".to_vec()),
                Just(b"\r\n\r\n".to_vec()),
                Just(format!("--{boundary}").into_bytes()),
                Just(format!("\r\n--{boundary}\r\n").into_bytes()),
                Just(format!("\r\n--{boundary}--").into_bytes()),
                Just(b"Content-Disposition: form-data; name=\"a\"".to_vec()),
                Just(b"Content-Disposition: form-data; name=\"f\"; filename=\"f.txt\"\r\nContent-Type: text/plain".to_vec()),
            ];
            (Just(header), prop::collection::vec(piece, 0..12).prop_map(|p| p.concat()))
        }),
        cuts in prop::collection::vec(any::<usize>(), 0..6),
    ) {
        if HeaderValue::from_bytes(&header).is_err() {
            return Ok(()); // not a header a client can send
        }
        let (status, answer) = send(&header, &body, &cuts);
        prop_assert!(
            [StatusCode::OK, StatusCode::BAD_REQUEST, StatusCode::PAYLOAD_TOO_LARGE, StatusCode::UNSUPPORTED_MEDIA_TYPE].contains(&status),
            "{} for {:?}: {}", status, String::from_utf8_lossy(&header), String::from_utf8_lossy(&answer)
        );
        if status == StatusCode::OK {
            // Whatever was taken is the handler's, whole.
            let _ = parts_of(&answer);
        }
    }
}
