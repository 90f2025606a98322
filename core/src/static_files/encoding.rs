//! Choosing a precompressed sibling by `Accept-Encoding` (RFC 9110 §12.5.3).
//!
//! Hand-written: the grammar is a comma list of `coding;q=value`, and no
//! maintained crate parses just that (tower-http's parser is private to it).

use http::HeaderMap;
use http::header::ACCEPT_ENCODING;

/// A content coding a sibling file can be stored in, in the order of
/// preference when the client weighs them equally (brotli is smaller).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Coding {
    /// `.br` next to the file.
    Brotli,
    /// `.gz` next to the file.
    Gzip,
}

impl Coding {
    /// The `Content-Encoding` token.
    pub(crate) fn token(self) -> &'static str {
        match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        }
    }

    /// The sibling's file-name suffix.
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Coding::Brotli => ".br",
            Coding::Gzip => ".gz",
        }
    }
}

/// The codings among `offered` the client accepts, best first, each only
/// if it weighs at least as much as the identity coding. An unlisted
/// identity weighs least (a client that lists codings prefers them), unless
/// `*` gives it a weight. Without the header, none: the client stated no
/// preference, and the plain file is always safe.
pub(crate) fn preferred(headers: &HeaderMap, offered: &[Coding]) -> Vec<Coding> {
    let mut weights = Weights::default();
    let mut seen = false;
    for value in headers.get_all(ACCEPT_ENCODING) {
        seen = true;
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            weights.add(item);
        }
    }
    if !seen {
        return Vec::new();
    }
    let identity = weights.identity.or(weights.star).unwrap_or(1);
    let mut ranked: Vec<(u16, Coding)> = offered
        .iter()
        .map(|&c| {
            let q = match c {
                Coding::Brotli => weights.br,
                Coding::Gzip => weights.gzip,
            };
            (q.or(weights.star).unwrap_or(0), c)
        })
        .filter(|&(q, _)| q > 0 && q >= identity)
        .collect();
    // Stable: equal weights keep the offered order.
    ranked.sort_by_key(|&(q, _)| std::cmp::Reverse(q));
    ranked.into_iter().map(|(_, c)| c).collect()
}

/// Weights in thousandths, as given; `None` when not listed.
#[derive(Default)]
struct Weights {
    br: Option<u16>,
    gzip: Option<u16>,
    identity: Option<u16>,
    star: Option<u16>,
}

impl Weights {
    fn add(&mut self, item: &str) {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim();
        if coding.is_empty() {
            return;
        }
        let mut q = 1000;
        for param in parts {
            let Some((name, value)) = param.split_once('=') else {
                return; // malformed: ignore the item
            };
            if name.trim().eq_ignore_ascii_case("q") {
                match qvalue(value.trim()) {
                    Some(v) => q = v,
                    None => return,
                }
            }
        }
        let slot = if coding.eq_ignore_ascii_case("br") {
            &mut self.br
        } else if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            &mut self.gzip
        } else if coding.eq_ignore_ascii_case("identity") {
            &mut self.identity
        } else if coding == "*" {
            &mut self.star
        } else {
            return;
        };
        *slot = Some(q);
    }
}

/// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`, in
/// thousandths.
fn qvalue(s: &str) -> Option<u16> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for (i, d) in frac.bytes().enumerate() {
        thousandths += u16::from(d - b'0') * [100, 10, 1][i];
    }
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOTH: &[Coding] = &[Coding::Brotli, Coding::Gzip];

    fn pick(accept: &str) -> Vec<Coding> {
        let mut h = HeaderMap::new();
        h.insert(ACCEPT_ENCODING, accept.parse().unwrap());
        preferred(&h, BOTH)
    }

    #[test]
    fn weighs_codings() {
        assert_eq!(pick("gzip, deflate, br"), [Coding::Brotli, Coding::Gzip]);
        assert_eq!(pick("gzip;q=1.0, br;q=0.5"), [Coding::Gzip, Coding::Brotli]);
        assert_eq!(pick("br;q=0, gzip"), [Coding::Gzip]);
        assert_eq!(pick("GZIP"), [Coding::Gzip]);
        assert_eq!(pick("x-gzip"), [Coding::Gzip]);
        assert_eq!(pick("*"), [Coding::Brotli, Coding::Gzip]);
        assert_eq!(pick("*;q=0.5, identity"), Vec::<Coding>::new());
        assert_eq!(pick("gzip;q=0.5, identity;q=0.8"), Vec::<Coding>::new());
        assert_eq!(pick("identity"), Vec::<Coding>::new());
        assert_eq!(pick(""), Vec::<Coding>::new());
        assert_eq!(pick("br;q=2, gzip;q=abc, deflate"), Vec::<Coding>::new());
        assert_eq!(pick("br;q=0.001"), [Coding::Brotli]);
        assert_eq!(pick("br;q=0.001, identity;q=0"), [Coding::Brotli]);
        assert!(preferred(&HeaderMap::new(), BOTH).is_empty());
    }

    #[test]
    fn parses_qvalues() {
        assert_eq!(qvalue("0"), Some(0));
        assert_eq!(qvalue("0.5"), Some(500));
        assert_eq!(qvalue("0.125"), Some(125));
        assert_eq!(qvalue("1.000"), Some(1000));
        assert_eq!(qvalue("1.5"), None);
        assert_eq!(qvalue("0.1234"), None);
        assert_eq!(qvalue("-1"), None);
    }
}
