//! Path parameters, percent-decoded once at routing time.
//!
//! Values are kept as ranges into the request path, so a parameter without
//! `%` escapes costs no allocation; only escaped values are decoded into one
//! shared buffer. Decoding is strict: a `%` not followed by two hex digits, or
//! bytes that are not UTF-8 once decoded, reject the request with 400 instead
//! of passing mangled text to a handler.

use smallvec::SmallVec;

use crate::error::Error;

#[derive(Clone, Copy, Debug)]
enum Slot {
    /// A range of the request path.
    Raw(u32, u32),
    /// A range of [`Params::decoded`].
    Decoded(u32, u32),
}

/// The path parameters of one request.
#[derive(Debug, Default)]
pub(crate) struct Params {
    values: SmallVec<[Slot; 4]>,
    decoded: String,
}

impl Params {
    /// Decodes `raw` values (slices of `path`, in pattern order).
    pub(crate) fn decode<'p>(
        path: &'p str,
        raw: impl Iterator<Item = &'p str>,
    ) -> Result<Params, Error> {
        let mut params = Params {
            values: SmallVec::new(),
            decoded: String::new(),
        };
        let base = path.as_ptr() as usize;
        for value in raw {
            let start = value.as_ptr() as usize - base;
            let slot = if value.contains('%') {
                let from = params.decoded.len();
                percent_decode_into(value, &mut params.decoded)?;
                Slot::Decoded(from as u32, params.decoded.len() as u32)
            } else {
                Slot::Raw(start as u32, (start + value.len()) as u32)
            };
            params.values.push(slot);
        }
        Ok(params)
    }

    /// The value of the `i`th parameter of the pattern.
    pub(crate) fn value<'a>(&'a self, path: &'a str, i: usize) -> &'a str {
        match self.values[i] {
            Slot::Raw(a, b) => &path[a as usize..b as usize],
            Slot::Decoded(a, b) => &self.decoded[a as usize..b as usize],
        }
    }
}

/// Strict percent-decoding of `raw`, appended to `out`.
pub(crate) fn percent_decode_into(raw: &str, out: &mut String) -> Result<(), Error> {
    let bytes = raw.as_bytes();
    let mut buf = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = |b: u8| (b as char).to_digit(16);
            match (
                bytes.get(i + 1).and_then(|&b| hex(b)),
                bytes.get(i + 2).and_then(|&b| hex(b)),
            ) {
                (Some(hi), Some(lo)) => buf.push((hi * 16 + lo) as u8),
                _ => {
                    return Err(Error::bad_request(format!(
                        "invalid percent-encoding in path parameter {raw:?}"
                    )));
                }
            }
            i += 3;
        } else {
            buf.push(bytes[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(buf).map_err(|_| {
        Error::bad_request(format!(
            "path parameter {raw:?} is not valid UTF-8 once decoded"
        ))
    })?;
    out.push_str(&text);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(s: &str) -> Result<String, Error> {
        let mut out = String::new();
        percent_decode_into(s, &mut out).map(|()| out)
    }

    #[test]
    fn decodes_escapes_and_rejects_bad_ones() {
        assert_eq!(decode("hello%20world").unwrap(), "hello world");
        assert_eq!(decode("caf%C3%A9").unwrap(), "café");
        assert_eq!(decode("a+b").unwrap(), "a+b");
        for bad in ["%", "%2", "%zz", "a%g0", "%FF", "%C3"] {
            assert_eq!(decode(bad).unwrap_err().status(), 400, "{bad}");
        }
    }
}
