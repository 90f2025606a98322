//! Adding a name to a response's `Vary` without losing what is there.
//!
//! Middlewares that make an answer depend on a request header (CORS on
//! `Origin`, compression on `Accept-Encoding`) each add their name; the
//! names already listed, by the handler or another middleware, stay.

use http::header::VARY;
use http::{HeaderMap, HeaderValue};

/// Adds `name` to `Vary`, unless it (or `*`) is already listed. The result
/// is one `Vary` line: `Accept-Language, Origin`.
pub(crate) fn add(headers: &mut HeaderMap, name: &'static str) {
    let mut joined = String::new();
    for value in headers.get_all(VARY) {
        let Ok(text) = value.to_str() else {
            // Not text: leave that line alone and add ours beside it.
            headers.append(VARY, HeaderValue::from_static(name));
            return;
        };
        let listed = text
            .split(',')
            .map(str::trim)
            .any(|item| item == "*" || item.eq_ignore_ascii_case(name));
        if listed {
            return;
        }
        if !text.trim().is_empty() {
            if !joined.is_empty() {
                joined.push_str(", ");
            }
            joined.push_str(text.trim());
        }
    }
    if joined.is_empty() {
        headers.insert(VARY, HeaderValue::from_static(name));
        return;
    }
    joined.push_str(", ");
    joined.push_str(name);
    match HeaderValue::try_from(joined) {
        Ok(value) => {
            headers.insert(VARY, value);
        }
        // Cannot happen (the parts were valid values), but never lose a name.
        Err(_) => {
            headers.append(VARY, HeaderValue::from_static(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vary_after(existing: &[&'static str], name: &'static str) -> Vec<String> {
        let mut headers = HeaderMap::new();
        for v in existing {
            headers.append(VARY, HeaderValue::from_static(v));
        }
        add(&mut headers, name);
        headers
            .get_all(VARY)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn sets_vary_when_there_is_none() {
        assert_eq!(vary_after(&[], "Origin"), ["Origin"]);
    }

    #[test]
    fn appends_to_what_is_there_as_one_line() {
        assert_eq!(
            vary_after(&["Accept-Language", "Cookie"], "Origin"),
            ["Accept-Language, Cookie, Origin"]
        );
    }

    #[test]
    fn does_not_repeat_a_listed_name_in_any_case() {
        assert_eq!(
            vary_after(&["accept-encoding, origin"], "Origin"),
            ["accept-encoding, origin"]
        );
    }

    #[test]
    fn leaves_a_star_alone() {
        assert_eq!(vary_after(&["*"], "Origin"), ["*"]);
    }
}
