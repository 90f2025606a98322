//! The `boundary` parameter of a `multipart/form-data` content type.
//!
//! Read here rather than with `multer::parse_boundary`: that goes through
//! the `mime` crate, which refuses whitespace before a `;` and a tab after
//! one, both of which RFC 9110 allows (`parameters = *( OWS ";" OWS [
//! parameter ] )`), so a legal request got a 400.

/// The parameters do not follow RFC 9110 §5.6.6, or name the boundary
/// twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Invalid;

/// The `boundary` parameter's value (a token, or a quoted string with its
/// quoted pairs undone), `None` when there is none. `content_type` is the
/// whole header value; its media type has been checked.
pub(super) fn boundary_param(content_type: &str) -> Result<Option<String>, Invalid> {
    let mut rest = content_type
        .split_once(';')
        .map_or("", |(_, params)| params)
        .as_bytes();
    let mut boundary = None;
    loop {
        rest = rest.trim_ascii_start();
        if rest.is_empty() {
            return Ok(boundary);
        }
        if rest[0] == b';' {
            rest = &rest[1..]; // an empty parameter, allowed
            continue;
        }
        let name_len = rest.iter().take_while(|&&b| is_tchar(b)).count();
        let (name, after) = rest.split_at(name_len);
        let Some(after) = after.strip_prefix(b"=").filter(|_| !name.is_empty()) else {
            return Err(Invalid);
        };
        let (value, after) = value(after)?;
        if name.eq_ignore_ascii_case(b"boundary") {
            if boundary.is_some() {
                return Err(Invalid); // which one would the client mean?
            }
            boundary = Some(value);
        }
        // Then optional whitespace and the next `;`, or the end.
        rest = after.trim_ascii_start();
        match rest.first() {
            None | Some(b';') => {}
            Some(_) => return Err(Invalid),
        }
    }
}

/// A token or a quoted string, and what follows it.
fn value(s: &[u8]) -> Result<(String, &[u8]), Invalid> {
    let Some(mut rest) = s.strip_prefix(b"\"") else {
        let len = s.iter().take_while(|&&b| is_tchar(b)).count();
        if len == 0 {
            return Err(Invalid);
        }
        // Tokens are ASCII.
        let token = String::from_utf8_lossy(&s[..len]).into_owned();
        return Ok((token, &s[len..]));
    };
    let mut out = Vec::new();
    loop {
        match *rest {
            [b'"', ref after @ ..] => {
                let text = String::from_utf8(out).map_err(|_| Invalid)?;
                return Ok((text, after));
            }
            [b'\\', c, ref after @ ..] if c == b'\t' || (c >= b' ' && c != 0x7F) => {
                out.push(c);
                rest = after;
            }
            [c, ref after @ ..] if c == b'\t' || (c >= b' ' && c != 0x7F && c != b'\\') => {
                out.push(c);
                rest = after;
            }
            _ => return Err(Invalid), // unterminated, or a control byte
        }
    }
}

/// RFC 9110 §5.6.2.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_forms_rfc_9110_allows() {
        let rows = [
            ("multipart/form-data; boundary=abc", Some("abc")),
            ("multipart/form-data;boundary=abc", Some("abc")),
            ("multipart/form-data ; boundary=abc", Some("abc")),
            ("multipart/form-data;\tBOUNDARY=abc ", Some("abc")),
            ("multipart/form-data; boundary=\"a b:c\"", Some("a b:c")),
            ("multipart/form-data; boundary=\"a\\\"b\"", Some("a\"b")),
            (
                "multipart/form-data; a=\"x;boundary=no\"; boundary=yes",
                Some("yes"),
            ),
            (
                "multipart/form-data; charset=utf-8;; boundary=abc",
                Some("abc"),
            ),
            ("multipart/form-data; charset=utf-8", None),
            ("multipart/form-data", None),
        ];
        for (header, want) in rows {
            assert_eq!(
                boundary_param(header),
                Ok(want.map(str::to_owned)),
                "{header}"
            );
        }
    }

    #[test]
    fn refuses_what_it_does_not_allow() {
        for header in [
            "multipart/form-data; boundary",
            "multipart/form-data; boundary=",
            "multipart/form-data; boundary=a b",
            "multipart/form-data; boundary = a",
            "multipart/form-data; boundary=\"abc",
            "multipart/form-data; boundary=a; boundary=b",
            "multipart/form-data; =a",
            "multipart/form-data; boundary=\"a\"b",
        ] {
            assert_eq!(boundary_param(header), Err(Invalid), "{header}");
        }
    }
}
