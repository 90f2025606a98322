//! The property checked by the `match_path` fuzz target and by
//! `tests/fuzz_property.rs` (same code, included by `#[path]` from both).
//!
//! For any path, against a fixed route set that uses every segment kind:
//! matching never panics, every parameter value is a subslice of the path,
//! the set of routes `find` visits equals what a brute-force reference
//! matcher says, each route is visited at most once (also when the
//! exact-path lookup of static patterns offered it first), and `at` returns
//! the first route `find` visits.

use mocket_router::{Match, Router};

/// Patterns covering every segment kind, several `**` per pattern, empty
/// segments and non-ASCII static text.
pub(crate) const PATTERNS: &[&str] = &[
    "/",
    "//",
    "/a",
    "/a/",
    "/a/b",
    "/a/:x",
    "/a/*",
    "/a/**",
    "/a/:x/c",
    "/a/*s/**rest",
    "/:p/b/:q",
    "/*/b",
    "/**g/b",
    "/**g/:last",
    "/a/**mid/c",
    "/x/**m1/y/**m2/z",
    "/**m1/x/**m2",
    "/%20/ü/:v",
    "/b/",
    "/b//c",
    "/:p/**",
];

/// A router with `PATTERNS[i]` → `i`.
pub(crate) fn router() -> Router<usize> {
    let mut router = Router::new();
    for (i, pattern) in PATTERNS.iter().enumerate() {
        router.insert(pattern, i).expect("valid test pattern");
    }
    router
}

/// Checks the property for one path.
pub(crate) fn check(router: &Router<usize>, path: &str) {
    let expected: Vec<usize> = (0..PATTERNS.len())
        .filter(|&i| reference_match(PATTERNS[i], path))
        .collect();

    let mut visited = Vec::new();
    let none = router.find(path, |&i| {
        visited.push(i);
        false
    });
    assert!(none.is_none(), "accept rejected everything for {path:?}");
    let mut sorted = visited.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(
        sorted.len(),
        visited.len(),
        "a route was offered twice for {path:?}"
    );
    assert_eq!(
        sorted, expected,
        "visited routes differ from the reference for {path:?}"
    );

    let best = router.at(path);
    assert_eq!(best.as_ref().map(|m| *m.value), visited.first().copied());
    // Route ids are registration order, and the value here is the index.
    assert_eq!(best.as_ref().map(|m| m.id), visited.first().copied());
    // A static pattern equal to the path is its most specific match: the
    // exact-path lookup and the tree agree that it comes first.
    if let Some(i) = PATTERNS
        .iter()
        .position(|p| *p == path && !p.contains([':', '*']))
    {
        assert_eq!(
            visited.first(),
            Some(&i),
            "static pattern not first for {path:?}"
        );
    }
    if let Some(m) = best {
        check_match(&m, path);
    }
    // Accepting the last candidate makes the search backtrack through all.
    if let Some(&last) = visited.last() {
        let m = router
            .find(path, |&i| i == last)
            .expect("last candidate accepted");
        check_match(&m, path);
    }
}

fn check_match(m: &Match<'_, '_, usize>, path: &str) {
    assert_eq!(m.pattern, PATTERNS[*m.value]);
    let names = PATTERNS[*m.value]
        .split('/')
        .filter(|s| s.starts_with(':') || s.starts_with('*'))
        .count();
    assert_eq!(m.params.len(), names);
    for (name, value) in m.params.iter() {
        assert!(
            is_subslice(path, value),
            "{name}={value:?} is not a slice of {path:?}"
        );
        if !name.starts_with("**") && !["g", "mid", "m1", "m2", "rest"].contains(&name) {
            assert!(
                !value.is_empty() && !value.contains('/'),
                "{name}={value:?}"
            );
        }
    }
}

fn is_subslice(path: &str, value: &str) -> bool {
    let start = path.as_ptr() as usize;
    let at = value.as_ptr() as usize;
    at >= start && at + value.len() <= start + path.len()
}

/// Brute force: does `pattern` match `path` under the documented grammar?
fn reference_match(pattern: &str, path: &str) -> bool {
    fn segments(s: &str) -> Option<Vec<&str>> {
        match s.strip_prefix('/')? {
            "" => Some(Vec::new()),
            rest => Some(rest.split('/').collect()),
        }
    }
    fn go(pattern: &[&str], path: &[&str]) -> bool {
        let Some((first, rest)) = pattern.split_first() else {
            return path.is_empty();
        };
        if first.starts_with("**") {
            return (0..=path.len()).any(|k| go(rest, &path[k..]));
        }
        let Some((segment, path_rest)) = path.split_first() else {
            return false;
        };
        let ok = if first.starts_with(':') || first.starts_with('*') {
            !segment.is_empty()
        } else {
            first == segment
        };
        ok && go(rest, path_rest)
    }
    match (segments(pattern), segments(path)) {
        (Some(pattern), Some(path)) => go(&pattern, &path),
        _ => false,
    }
}
