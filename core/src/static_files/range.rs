//! `Range: bytes=…` (RFC 9110 §14.2), for one range.
//!
//! Hand-written rather than taken from `http-range-header` (tower-http's
//! parser): that crate reports a malformed header, an unsatisfiable range
//! and a range unit it does not know through one error, while the RFC
//! wants them apart — an unknown unit MUST be ignored (200 with the whole
//! file), a malformed or unsatisfiable byte range is a 416 — and it
//! resolves every range of a multi-range request, which is answered with
//! the whole file here anyway. The grammar is four lines; the parser is
//! barely longer.

use std::ops::Range;

/// What a `Range` header asks of a file of a known length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RangeRequest {
    /// Not a byte range (another unit, or no `=`): ignored, the whole file.
    Ignored,
    /// Several ranges: allowed to be answered with the whole file, and it is.
    Multiple,
    /// One satisfiable range, clamped to the file: 206.
    Satisfiable(Range<u64>),
    /// Syntactically wrong (`bytes=abc`, `bytes=5-2`) or beyond the end:
    /// 416, with this public message.
    Unsatisfiable(String),
}

/// Reads `header` against a representation of `len` bytes.
pub(crate) fn parse_range(header: &str, len: u64) -> RangeRequest {
    let Some((unit, set)) = header.split_once('=') else {
        return RangeRequest::Ignored;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return RangeRequest::Ignored;
    }
    // A `#` list: elements separated by commas with optional whitespace;
    // empty elements are allowed and mean nothing.
    let specs: Vec<&str> = set
        .split(',')
        .map(|s| s.trim_matches([' ', '\t']))
        .filter(|s| !s.is_empty())
        .collect();
    let mut parsed = Vec::with_capacity(specs.len());
    for spec in &specs {
        match parse_spec(spec) {
            Ok(spec) => parsed.push(spec),
            Err(message) => return RangeRequest::Unsatisfiable(message),
        }
    }
    match parsed.as_slice() {
        [] => RangeRequest::Unsatisfiable(malformed()),
        [one] => match one.resolve(len) {
            Some(range) => RangeRequest::Satisfiable(range),
            None => RangeRequest::Unsatisfiable(format!(
                "range not satisfiable: the file has {len} bytes"
            )),
        },
        _ => RangeRequest::Multiple,
    }
}

#[derive(Debug, Clone, Copy)]
enum Spec {
    /// `first-last` or `first-` (`last` = `None`).
    From { first: u64, last: Option<u64> },
    /// `-n`: the last `n` bytes.
    Suffix(u64),
}

impl Spec {
    /// The byte range it selects in a file of `len` bytes, if any.
    fn resolve(self, len: u64) -> Option<Range<u64>> {
        match self {
            Spec::From { first, .. } if first >= len => None,
            Spec::From { first, last } => {
                let end = last.map_or(len, |last| last.saturating_add(1).min(len));
                Some(first..end)
            }
            Spec::Suffix(0) => None,
            Spec::Suffix(_) if len == 0 => None,
            Spec::Suffix(n) => Some(len - n.min(len)..len),
        }
    }
}

fn malformed() -> String {
    "invalid Range header: expected bytes=FIRST-LAST, bytes=FIRST- or bytes=-SUFFIX".to_owned()
}

fn parse_spec(spec: &str) -> Result<Spec, String> {
    let (first, last) = spec.split_once('-').ok_or_else(malformed)?;
    if first.is_empty() {
        return Ok(Spec::Suffix(number(last).ok_or_else(malformed)?));
    }
    let first = number(first).ok_or_else(malformed)?;
    let last = match last {
        "" => None,
        last => Some(number(last).ok_or_else(malformed)?),
    };
    if let Some(last) = last
        && last < first
    {
        return Err(format!(
            "invalid Range header: the range ends ({last}) before it starts ({first})"
        ));
    }
    Ok(Spec::From { first, last })
}

/// Decimal digits only (no sign, no spaces); too many digits saturate,
/// which still means "beyond any file".
fn number(digits: &str) -> Option<u64> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits.bytes().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sat(header: &str, len: u64) -> Option<Range<u64>> {
        match parse_range(header, len) {
            RangeRequest::Satisfiable(r) => Some(r),
            _ => None,
        }
    }

    #[test]
    fn resolves_the_three_forms() {
        assert_eq!(sat("bytes=0-4", 10), Some(0..5));
        assert_eq!(sat("bytes=5-", 10), Some(5..10));
        assert_eq!(sat("bytes=-3", 10), Some(7..10));
        assert_eq!(sat("bytes=-30", 10), Some(0..10));
        assert_eq!(sat("bytes=8-100", 10), Some(8..10));
        assert_eq!(sat("BYTES = 9-9", 10), Some(9..10));
        assert_eq!(sat("bytes=0-99999999999999999999999", 10), Some(0..10));
        assert_eq!(sat("bytes=, 1-2 ,", 10), Some(1..3));
    }

    #[test]
    fn tells_ignored_multiple_and_unsatisfiable_apart() {
        assert_eq!(parse_range("items=0-1", 10), RangeRequest::Ignored);
        assert_eq!(parse_range("0-1", 10), RangeRequest::Ignored);
        assert_eq!(parse_range("bytes=0-1,3-4", 10), RangeRequest::Multiple);
        for bad in [
            "bytes=abc",
            "bytes=5-2",
            "bytes=10-",
            "bytes=-0",
            "bytes=",
            "bytes=1",
            "bytes=+1-2",
            "bytes=1 -2",
            "bytes=-",
            "bytes=0-1,x",
            "bytes=99999999999999999999999-",
        ] {
            assert!(
                matches!(parse_range(bad, 10), RangeRequest::Unsatisfiable(_)),
                "{bad}"
            );
        }
        assert!(matches!(
            parse_range("bytes=-1", 0),
            RangeRequest::Unsatisfiable(_)
        ));
        assert!(matches!(
            parse_range("bytes=0-", 0),
            RangeRequest::Unsatisfiable(_)
        ));
    }
}
