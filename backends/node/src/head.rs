//! The request head as the host encodes it (`requestHead` in
//! `js/host.js`): one latin-1 byte buffer,
//! `METHOD \n TARGET \n VERSION (\n NAME \n VALUE)*`, built from Node's
//! `req.rawHeaders` (or a fetch `Request`'s headers). One copy into wasm
//! memory per request instead of one boundary call per header, every
//! repeated header kept in order, and header bytes above 0x7f kept as the
//! bytes the client sent (latin-1 maps them one to one), as hyper does
//! natively. `\n` cannot occur inside any field: Node rejects it in the
//! request line and in header values, and fetch's `Headers` in values.
//!
//! Pure, so that it is also built natively, for its properties.

use http::{HeaderMap, HeaderName, HeaderValue, Method, Version};

/// A decoded head. The target stays bytes: `http::Uri` refuses some that
/// Node accepts, and the caller answers those 400.
#[derive(Debug)]
pub(crate) struct Head<'a> {
    pub(crate) method: Method,
    pub(crate) target: &'a [u8],
    pub(crate) version: Version,
    pub(crate) headers: HeaderMap,
}

/// A block the host cannot have written: fewer than three fields, a name
/// without its value (a `\n` inside a field would shift every field after
/// it), or a method that is not a token. Answered 400.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Malformed;

/// Decodes a head block. A header `http` refuses (Node and fetch have
/// validated every one; what differs is dropped) is left out rather than
/// failing the request.
pub(crate) fn decode(block: &[u8]) -> Result<Head<'_>, Malformed> {
    let mut fields = block.split(|&b| b == b'\n');
    let (Some(method), Some(target), Some(version)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(Malformed);
    };
    let method = Method::from_bytes(method).map_err(|_| Malformed)?;
    let version = match version {
        b"1.0" => Version::HTTP_10,
        b"0.9" => Version::HTTP_09,
        b"2.0" => Version::HTTP_2,
        _ => Version::HTTP_11,
    };
    let mut headers = HeaderMap::new();
    while let Some(name) = fields.next() {
        let value = fields.next().ok_or(Malformed)?;
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            headers.append(name, value);
        }
    }
    Ok(Head {
        method,
        target,
        version,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_as_node_sends_it() {
        let head =
            decode(b"POST\n/a?b=1\n1.1\nHost\nx\nSet-Cookie\na=1\nset-cookie\nb=2").expect("valid");
        assert_eq!(head.method, Method::POST);
        assert_eq!(head.target, b"/a?b=1");
        assert_eq!(head.version, Version::HTTP_11);
        assert_eq!(head.headers["host"], "x");
        let cookies: Vec<_> = head.headers.get_all("set-cookie").iter().collect();
        assert_eq!(cookies, ["a=1", "b=2"]);
    }

    #[test]
    fn a_block_the_host_cannot_write_is_malformed() {
        for block in [
            &b""[..],
            b"GET",
            b"GET\n/",
            b"GET\n/\n1.1\nhost",
            b"GET\n/\n1.1\nhost\nx\naccept",
            b"G T\n/\n1.1",
        ] {
            assert_eq!(decode(block).map(|_| ()), Err(Malformed), "{block:?}");
        }
        // An empty value is a value.
        assert!(decode(b"GET\n/\n1.1\nx-empty\n").is_ok());
    }
}

#[cfg(test)]
#[path = "head_props.rs"]
mod props;
