//! Prefixes: which paths and which patterns a scope covers.
//!
//! Middleware can be scoped to a prefix (`/api`, or a group's `/users/:id`),
//! and a framework needs two answers from it: does this request path lie
//! under the prefix, and — once, at setup — does every path a route
//! pattern matches lie under it, none of them, or does it depend on the
//! path. The second lets a framework fix each route's middleware chain
//! before any request arrives. Both follow the pattern grammar, so they
//! live here with it.

use crate::pattern::{Segment, classify};

/// A path prefix a scope covers: `/api` covers `/api` and `/api/x`, never
/// `/apix`. Its segments may be patterns: `:name` and `*` cover any one
/// non-empty segment, `**` any rest. The empty prefix covers everything.
///
/// ```
/// use mocket_router::Prefix;
/// let api = Prefix::new("/api");
/// assert!(api.covers("/api") && api.covers("/api/users"));
/// assert!(!api.covers("/apix"));
/// let user = Prefix::new("/users/:id");
/// assert!(user.covers("/users/7/posts"));
/// assert!(!user.covers("/users"));
/// ```
#[derive(Clone, Debug)]
pub struct Prefix {
    text: Box<str>,
    /// Has `:name` or `*` segments, so it is matched segment by segment.
    has_pattern: bool,
}

/// How much of what a pattern matches lies under a [`Prefix`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coverage {
    /// Every path the pattern matches.
    All,
    /// None of them.
    None,
    /// Some: it depends on the path (`/:a` under `/api`).
    Depends,
}

impl Prefix {
    /// A prefix, as text without a trailing `/` (`""` for the root).
    ///
    /// ```
    /// assert!(mocket_router::Prefix::new("").covers("/anything"));
    /// ```
    pub fn new(prefix: &str) -> Prefix {
        Prefix {
            has_pattern: prefix.contains([':', '*']),
            text: prefix.into(),
        }
    }

    /// The prefix as given.
    ///
    /// ```
    /// assert_eq!(mocket_router::Prefix::new("/api").as_str(), "/api");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `path` (raw, as requested) lies under this prefix.
    ///
    /// ```
    /// let wild = mocket_router::Prefix::new("/files/**");
    /// assert!(wild.covers("/files") && wild.covers("/files/a/b"));
    /// ```
    pub fn covers(&self, path: &str) -> bool {
        let prefix = &*self.text;
        if !self.has_pattern {
            return path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'));
        }
        let mut segments = path.split('/');
        for want in prefix.split('/') {
            let want = classify(want).unwrap_or(Segment::Static(want));
            if matches!(want, Segment::Glob(_)) {
                return true;
            }
            match (want, segments.next()) {
                (Segment::Param(_) | Segment::Star(_), Some(got)) if !got.is_empty() => {}
                (Segment::Static(want), Some(got)) if got == want => {}
                _ => return false,
            }
        }
        true
    }

    /// Whether every path `pattern` matches lies under this prefix, none
    /// does, or it depends on the path. Literal segments compare raw, as in
    /// [`Prefix::covers`].
    ///
    /// ```
    /// use mocket_router::{Coverage, Pattern, Prefix};
    /// let api = Prefix::new("/api");
    /// let check = |p: &str| api.covers_pattern(&Pattern::parse(p).unwrap());
    /// assert_eq!(check("/api/users/:id"), Coverage::All);
    /// assert_eq!(check("/admin/:id"), Coverage::None);
    /// assert_eq!(check("/:section/x"), Coverage::Depends);
    /// ```
    pub fn covers_pattern(&self, pattern: &crate::Pattern) -> Coverage {
        let mut segments = pattern.as_str().split('/');
        for want in self.text.split('/') {
            let want = classify(want).unwrap_or(Segment::Static(want));
            if matches!(want, Segment::Glob(_)) {
                return Coverage::All;
            }
            let Some(got) = segments.next() else {
                return Coverage::None;
            };
            let got = classify(got).unwrap_or(Segment::Static(got));
            let want_any = matches!(want, Segment::Param(_) | Segment::Star(_));
            match (want_any, got) {
                // `*` and `**` in a pattern may match paths on either side.
                (_, Segment::Star(_) | Segment::Glob(_)) => return Coverage::Depends,
                (true, Segment::Param(_)) => {}
                (true, Segment::Static(got)) if !got.is_empty() => {}
                (true, Segment::Static(_)) => return Coverage::None,
                (false, Segment::Param(_)) => return Coverage::Depends,
                (false, Segment::Static(got)) if Segment::Static(got) == want => {}
                (false, Segment::Static(_)) => return Coverage::None,
            }
        }
        Coverage::All
    }
}
