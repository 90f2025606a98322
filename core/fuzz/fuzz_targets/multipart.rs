//! Any `Content-Type` (the input's first line) and any body (the rest), as
//! a client sends them to a handler reading `multipart/form-data`: the
//! parts or a 4xx (400, 413, 415), never a 500 or a panic; the same answer
//! whole or fed in small chunks; and the parts that were read, framed
//! again under another boundary, read back the same.
#![no_main]

use std::cell::RefCell;
use std::convert::Infallible;

use libfuzzer_sys::fuzz_target;
use mocket_core::http::{HeaderValue, Request, StatusCode};
use mocket_core::{Body, Error, Mocket};

/// Name, file name, content type, bytes.
type Part = (String, Option<String>, Option<String>, Vec<u8>);

thread_local! {
    static SEEN: RefCell<Vec<Part>> = const { RefCell::new(Vec::new()) };
    static APP: Mocket = {
        let mut app = Mocket::new();
        app.post("/", |mut req| async move {
            let mut multipart = req.multipart()?;
            let mut parts = Vec::new();
            while let Some(field) = multipart.next_field().await? {
                let name = field.name().to_owned();
                let file = field.file_name().map(str::to_owned);
                let content_type = field.content_type().map(str::to_owned);
                parts.push((name, file, content_type, field.bytes().await?.to_vec()));
            }
            SEEN.with(|seen| *seen.borrow_mut() = parts);
            Ok::<_, Error>("read")
        });
        app
    };
}

/// The status, the message, and the parts when it was a 200.
fn send(content_type: &HeaderValue, body: &[u8], piece: usize) -> (StatusCode, Vec<u8>, Vec<Part>) {
    let pieces: Vec<Vec<u8>> = body.chunks(piece.max(1)).map(<[u8]>::to_vec).collect();
    let body = Body::from_stream(futures_util::stream::iter(
        pieces.into_iter().map(Ok::<_, Infallible>),
    ));
    let req = Request::post("/")
        .header("content-type", content_type.clone())
        .body(body)
        .expect("valid");
    SEEN.with(|seen| seen.borrow_mut().clear());
    APP.with(|app| {
        futures_executor::block_on(async {
            let res = app.request(req).await;
            let status = res.status();
            let message = res.into_body().to_bytes().await.expect("readable").to_vec();
            (status, message, SEEN.with(|seen| seen.take()))
        })
    })
}

/// Text that goes back into a quoted parameter as it came out: no quote,
/// backslash or control character, and not `name` (multer looks for its
/// parameters anywhere in the header, inside another's quotes too).
fn plain(text: &str) -> bool {
    !text.contains(['"', '\\']) && !text.chars().any(char::is_control) && !text.contains("name")
}

fuzz_target!(|data: &[u8]| {
    let (content_type, body) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(content_type) = HeaderValue::from_bytes(content_type) else {
        return; // not a header a client can send
    };
    let (status, message, parts) = send(&content_type, body, body.len());
    let allowed = [
        StatusCode::OK,
        StatusCode::BAD_REQUEST,
        StatusCode::PAYLOAD_TOO_LARGE,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    ];
    assert!(
        allowed.contains(&status),
        "{status}: {}",
        String::from_utf8_lossy(&message)
    );
    let piece = content_type.len() % 17 + 1;
    let (cut_status, cut_message, cut_parts) = send(&content_type, body, piece);
    assert_eq!(
        (cut_status, &cut_parts),
        (status, &parts),
        "in pieces of {piece}: {}",
        String::from_utf8_lossy(&cut_message)
    );
    if status != StatusCode::OK
        || !parts.iter().all(|(n, f, t, _)| {
            plain(n) && f.as_deref().is_none_or(plain) && t.as_deref().is_none_or(plain)
        })
    {
        return;
    }
    // Framed again, as a browser would, under a boundary none of it holds.
    let boundary = (0u32..)
        .map(|n| format!("fuzz{n}"))
        .find(|b| {
            !parts
                .iter()
                .any(|(_, _, _, c)| c.windows(b.len()).any(|w| w == b.as_bytes()))
        })
        .expect("a short boundary not in the parts");
    let mut again = Vec::new();
    for (name, file, content_type, content) in &parts {
        again.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").bytes(),
        );
        if let Some(file) = file {
            again.extend(format!("; filename=\"{file}\"").bytes());
        }
        if let Some(content_type) = content_type {
            again.extend(format!("\r\nContent-Type: {content_type}").bytes());
        }
        again.extend(b"\r\n\r\n");
        again.extend(content);
        again.extend(b"\r\n");
    }
    again.extend(format!("--{boundary}--\r\n").bytes());
    let header = HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}"))
        .expect("a token");
    let (status, message, read) = send(&header, &again, piece);
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&message)
    );
    assert_eq!(read, parts);
});
