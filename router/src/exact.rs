//! Static patterns by their whole text, for the lookup that comes before
//! the tree walk.
//!
//! A pattern without parameters or wildcards is the most specific match
//! for exactly one path, its own text (segments compare raw, so string
//! equality is the tree's own rule). Most requests hit such a route, and
//! one hash lookup finds it without walking the tree.
//!
//! The map is `rustc-hash`'s `FxHashMap`: it hashes a short path in a few
//! instructions, where std's SipHash takes about a hundred, and a
//! hand-written multiply-rotate hash measured slower than it (callgrind, the
//! bench app's static routes). It needs no DoS resistance: only registered
//! patterns are stored, so a request's path can only hit or miss, never
//! lengthen a probe sequence beyond what the route table itself fixes.

use rustc_hash::FxHashMap;

#[derive(Clone, Debug, Default)]
pub(crate) struct ExactPaths {
    routes: FxHashMap<Box<str>, usize>,
}

impl ExactPaths {
    pub(crate) const fn new() -> Self {
        ExactPaths {
            routes: FxHashMap::with_hasher(rustc_hash::FxBuildHasher),
        }
    }

    pub(crate) fn insert(&mut self, pattern: &str, route: usize) {
        self.routes.insert(pattern.into(), route);
    }

    #[inline]
    pub(crate) fn get(&self, path: &str) -> Option<usize> {
        if self.routes.is_empty() {
            return None;
        }
        self.routes.get(path).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::ExactPaths;

    #[test]
    fn finds_exactly_the_registered_texts() {
        let mut exact = ExactPaths::new();
        assert_eq!(exact.get("/"), None);
        for (i, p) in ["/", "/a", "/a/", "//", "/abcdefgh", "/abcdefgh/i"]
            .iter()
            .enumerate()
        {
            exact.insert(p, i);
        }
        for (i, p) in ["/", "/a", "/a/", "//", "/abcdefgh", "/abcdefgh/i"]
            .iter()
            .enumerate()
        {
            assert_eq!(exact.get(p), Some(i), "{p}");
        }
        for miss in ["", "/b", "/a//", "/abcdefg", "/abcdefgh/", "/A"] {
            assert_eq!(exact.get(miss), None, "{miss}");
        }
    }
}
