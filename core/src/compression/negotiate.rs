//! Choosing a content coding from `Accept-Encoding` (RFC 9110 §12.5.3).
//!
//! Hand-written: the header is a short list of `coding;q=weight`, and the
//! crates that parse it (`headers`, tower-http's internals) either bring a
//! typed-header framework along or are not public API. Being ours, it also
//! keeps the rules this module documents, such as ignoring an element whose
//! weight is malformed instead of rejecting the request.

use http::HeaderMap;
use http::header::ACCEPT_ENCODING;

/// A content coding Mocket can produce.
///
/// ```
/// use mocket_core::compression::Encoding;
/// assert_eq!(Encoding::Brotli.as_str(), "br");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// No coding: the representation as is.
    Identity,
    /// `gzip` (RFC 1952); `x-gzip` in a request means the same.
    Gzip,
    /// `br`, Brotli (RFC 7932).
    Brotli,
}

/// A weight in thousandths: `q=0.5` is 500, `q=1` (the default) is 1000.
type Weight = u16;

impl Encoding {
    /// The coding's name in `Content-Encoding`.
    ///
    /// ```
    /// use mocket_core::compression::Encoding;
    /// assert_eq!(Encoding::Gzip.as_str(), "gzip");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Identity => "identity",
            Encoding::Gzip => "gzip",
            Encoding::Brotli => "br",
        }
    }

    /// The coding to answer with, among those the server `offers` (in its
    /// order of preference), given the request's `Accept-Encoding`:
    ///
    /// - the offered coding with the highest weight wins; a tie goes to
    ///   the one offered first;
    /// - `q=0` refuses a coding, and `*` gives its weight to every coding
    ///   the header does not name (`identity` included);
    /// - `identity` wins only when the client weighs it above every
    ///   offered coding; when the client accepts none of them, the answer
    ///   is `identity` too (rather than a 406, as tower-http and Hono do);
    /// - no `Accept-Encoding` at all means `identity`;
    /// - an element whose weight is malformed (`q=5`, `q=0.0001`, `q=abc`)
    ///   is ignored, not the whole header.
    ///
    /// ```
    /// use mocket_core::compression::Encoding;
    /// use mocket_core::http::HeaderMap;
    /// let mut headers = HeaderMap::new();
    /// headers.insert("accept-encoding", "gzip;q=0.8, br;q=0.5".parse().unwrap());
    /// let offered = [Encoding::Brotli, Encoding::Gzip];
    /// assert_eq!(Encoding::negotiate(&headers, &offered), Encoding::Gzip);
    /// headers.insert("accept-encoding", "gzip, br".parse().unwrap());
    /// assert_eq!(Encoding::negotiate(&headers, &offered), Encoding::Brotli);
    /// headers.insert("accept-encoding", "br;q=0, gzip;q=0".parse().unwrap());
    /// assert_eq!(Encoding::negotiate(&headers, &offered), Encoding::Identity);
    /// ```
    pub fn negotiate(headers: &HeaderMap, offers: &[Encoding]) -> Encoding {
        Encoding::ranked(headers, offers)
            .first()
            .copied()
            .unwrap_or(Encoding::Identity)
    }

    /// Every offered coding the client accepts at least as much as
    /// `identity`, best first (ties in offered order): what
    /// [`Encoding::negotiate`] picks from, and the fallbacks a server with
    /// precompressed files tries when a sibling file is missing.
    pub(crate) fn ranked(headers: &HeaderMap, offers: &[Encoding]) -> Vec<Encoding> {
        let mut weights = Weights::default();
        let mut any = false;
        for value in headers.get_all(ACCEPT_ENCODING) {
            any = true;
            // Not text: nothing in it can name a coding we know.
            let Ok(text) = value.to_str() else { continue };
            for element in text.split(',') {
                if let Some((coding, weight)) = parse_element(element) {
                    weights.record(coding, weight);
                }
            }
        }
        if !any {
            return Vec::new();
        }
        let identity = weights.of(Encoding::Identity).unwrap_or(0);
        let mut ranked: Vec<(Weight, Encoding)> = offers
            .iter()
            .filter(|&&offer| offer != Encoding::Identity)
            .map(|&offer| (weights.of(offer).unwrap_or(0), offer))
            .filter(|&(weight, _)| weight > 0 && weight >= identity)
            .collect();
        // Stable: equal weights keep the offered order.
        ranked.sort_by_key(|&(weight, _)| std::cmp::Reverse(weight));
        ranked.into_iter().map(|(_, offer)| offer).collect()
    }
}

impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The weights a header gives; the first mention of a coding counts.
#[derive(Default)]
struct Weights {
    gzip: Option<Weight>,
    br: Option<Weight>,
    identity: Option<Weight>,
    star: Option<Weight>,
}

impl Weights {
    fn record(&mut self, coding: &str, weight: Weight) {
        let slot = if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            &mut self.gzip
        } else if coding.eq_ignore_ascii_case("br") {
            &mut self.br
        } else if coding.eq_ignore_ascii_case("identity") {
            &mut self.identity
        } else if coding == "*" {
            &mut self.star
        } else {
            return;
        };
        slot.get_or_insert(weight);
    }

    fn of(&self, coding: Encoding) -> Option<Weight> {
        let named = match coding {
            Encoding::Gzip => self.gzip,
            Encoding::Brotli => self.br,
            Encoding::Identity => self.identity,
        };
        named.or(self.star)
    }
}

/// `coding` or `coding;q=weight` (spaces and empty parameters allowed
/// around `;`); `None` for an empty or malformed element.
fn parse_element(element: &str) -> Option<(&str, Weight)> {
    let mut parts = element.split(';');
    let coding = parts.next()?.trim();
    if coding.is_empty() {
        return None;
    }
    let mut weight = 1000;
    for param in parts.map(str::trim).filter(|p| !p.is_empty()) {
        let (name, value) = param.split_once('=')?;
        if name.eq_ignore_ascii_case("q") {
            weight = parse_weight(value)?;
        }
    }
    Some((coding, weight))
}

/// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`.
fn parse_weight(text: &str) -> Option<Weight> {
    let (int, frac) = match text.split_once('.') {
        Some((int, frac)) => (int, frac),
        None => (text, ""),
    };
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .fold(0, |acc, b| acc * 10 + Weight::from(b - b'0'));
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_follow_the_qvalue_grammar() {
        assert_eq!(parse_weight("1"), Some(1000));
        assert_eq!(parse_weight("1.000"), Some(1000));
        assert_eq!(parse_weight("0"), Some(0));
        assert_eq!(parse_weight("0."), Some(0));
        assert_eq!(parse_weight("0.5"), Some(500));
        assert_eq!(parse_weight("0.05"), Some(50));
        assert_eq!(parse_weight("0.001"), Some(1));
        for bad in [
            "", "1.5", "1.001", "2", "0.0001", "-1", "abc", "0.5x", " 0.5", "01", ".5", "1e3",
        ] {
            assert_eq!(parse_weight(bad), None, "{bad:?}");
        }
    }

    fn ranked(accept: &str) -> Vec<Encoding> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_ENCODING, accept.parse().unwrap());
        Encoding::ranked(&headers, &[Encoding::Brotli, Encoding::Gzip])
    }

    #[test]
    fn ranks_the_acceptable_codings() {
        use Encoding::{Brotli, Gzip};
        assert_eq!(ranked("gzip, deflate, br"), [Brotli, Gzip]);
        assert_eq!(ranked("gzip;q=1.0, br;q=0.5"), [Gzip, Brotli]);
        assert_eq!(ranked("br;q=0, gzip"), [Gzip]);
        assert_eq!(ranked("GZIP"), [Gzip]);
        assert_eq!(ranked("x-gzip"), [Gzip]);
        assert_eq!(ranked("*"), [Brotli, Gzip]);
        assert_eq!(ranked("*;q=0.5, identity"), []);
        assert_eq!(ranked("gzip;q=0.5, identity;q=0.8"), []);
        assert_eq!(ranked("gzip;q=0.5, identity;q=0.5"), [Gzip]);
        assert_eq!(ranked("identity"), []);
        assert_eq!(ranked(""), []);
        assert_eq!(ranked("br;q=2, gzip;q=abc, deflate"), []);
        assert_eq!(ranked("br;q=0.001"), [Brotli]);
        assert_eq!(ranked("br;q=0.001, identity;q=0"), [Brotli]);
        assert!(Encoding::ranked(&HeaderMap::new(), &[Brotli, Gzip]).is_empty());
    }

    #[test]
    fn elements_split_into_coding_and_weight() {
        assert_eq!(parse_element(" gzip "), Some(("gzip", 1000)));
        assert_eq!(parse_element("br ; q=0.3"), Some(("br", 300)));
        assert_eq!(parse_element("br;Q=0"), Some(("br", 0)));
        assert_eq!(parse_element("br;level=3"), Some(("br", 1000)));
        assert_eq!(parse_element("br;q"), None);
        assert_eq!(parse_element(""), None);
        assert_eq!(parse_element(";q=1"), None);
    }
}
