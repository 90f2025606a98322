//! What a malformed multipart body answers: each parser failure, and
//! each part RFC 7578 does not allow, as a 4xx naming the problem.

use http::StatusCode;
use http::header::CONTENT_DISPOSITION;

use super::feed::Stalled;
use crate::error::Error;

/// RFC 7578 §4.2: each part has `Content-Disposition: form-data` and a name.
pub(super) fn check_disposition(field: &multer::Field<'_>, part: usize) -> Result<(), Error> {
    let problem = match field.headers().get(CONTENT_DISPOSITION) {
        None => "has no Content-Disposition header",
        Some(value) => {
            let kind = value.as_bytes().split(|&b| b == b';').next().unwrap_or(b"");
            if !kind.trim_ascii().eq_ignore_ascii_case(b"form-data") {
                "has a Content-Disposition other than form-data"
            } else if field.name().is_none_or(str::is_empty) {
                "has no name in its Content-Disposition"
            } else {
                return Ok(());
            }
        }
    };
    Err(Error::bad_request(format!(
        "malformed multipart body: part {part} {problem}"
    )))
}

/// A parser failure as the response the client gets.
pub(super) fn to_error(stalled: Stalled<multer::Error>) -> Error {
    let e = match stalled {
        Stalled::Parser(e) => e,
        Stalled::WithoutAsking => {
            return Error::internal("the multipart parser waited without asking for input");
        }
    };
    let malformed = |what: String| Error::bad_request(format!("malformed multipart body: {what}"));
    match e {
        multer::Error::StreamSizeExceeded { limit } => Error::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body is larger than the limit of {limit} bytes"),
        ),
        multer::Error::StreamReadFailed(e) => {
            Error::bad_request("failed to read the request body").with_source(e)
        }
        multer::Error::IncompleteStream => {
            malformed("the boundary is missing or the body ends before the closing boundary".into())
        }
        multer::Error::IncompleteFieldData { field_name } => malformed(format!(
            "field {:?} is truncated: the body ends before its closing boundary",
            field_name.unwrap_or_default()
        )),
        multer::Error::IncompleteHeaders => malformed("a part's headers are incomplete".into()),
        multer::Error::ReadHeaderFailed(e) => malformed(format!("invalid part headers ({e})")),
        multer::Error::DecodeHeaderName { name, .. } => {
            malformed(format!("invalid part header name {name:?}"))
        }
        multer::Error::DecodeHeaderValue { .. } => malformed("invalid part header value".into()),
        e => Error::internal(e),
    }
}
