//! The public [`Router`] and [`Match`] types.
//!
//! Routes live in a flat table; tree nodes only hold an index into it. That
//! keeps nodes small (the search touches many of them) and gives `len` and
//! the pattern/parameter-name lookup for a match in O(1).

use crate::InsertError;
use crate::exact::ExactPaths;
use crate::params::{Params, Values};
use crate::pattern::{self, Segment};
use crate::search::Search;
use crate::tree::Node;
use std::fmt;

/// One registered pattern and its value.
#[derive(Clone)]
pub(crate) struct Route<T> {
    pub(crate) pattern: Box<str>,
    pub(crate) names: Box<[Box<str>]>,
    pub(crate) value: T,
}

/// A URL router mapping path patterns to values of type `T`.
///
/// Matching picks the most specific pattern — static text, then `:param`,
/// then `*`, then `**` at each segment — regardless of registration order.
///
/// ```
/// use mocket_router::Router;
///
/// let mut router = Router::new();
/// router.insert("/users/:id", "user").unwrap();
/// router.insert("/users/me", "me").unwrap();
/// router.insert("/assets/**path", "asset").unwrap();
///
/// assert_eq!(*router.at("/users/me").unwrap().value, "me");
/// let m = router.at("/users/7").unwrap();
/// assert_eq!((*m.value, m.params.get("id")), ("user", Some("7")));
/// assert_eq!(router.at("/assets/css/site.css").unwrap().params.get("path"), Some("css/site.css"));
/// assert!(router.at("/users/7/").is_none());
/// ```
#[derive(Clone)]
pub struct Router<T> {
    root: Node,
    routes: Vec<Route<T>>,
    memo_slots: u32,
    /// Static patterns by their whole text: a static pattern is the most
    /// specific match for its path, so one lookup settles most requests
    /// before the tree is walked.
    exact: ExactPaths,
}

/// A successful lookup: the value, its captured parameters and the pattern
/// it was registered under.
///
/// ```
/// use mocket_router::Router;
///
/// let mut router = Router::new();
/// router.insert("/posts/:slug", 10).unwrap();
///
/// let m = router.at("/posts/hello").unwrap();
/// assert_eq!(*m.value, 10);
/// assert_eq!(m.params.get("slug"), Some("hello"));
/// assert_eq!(m.pattern, "/posts/:slug");
/// ```
#[derive(Debug)]
pub struct Match<'r, 'p, T> {
    /// The value registered for the matched pattern.
    pub value: &'r T,
    /// The matched route's id: its place in registration order (`0` for
    /// the first pattern inserted), for [`Router::route`].
    pub id: usize,
    /// Parameters captured from the path, in pattern order.
    pub params: Params<'r, 'p>,
    /// The matched pattern, exactly as registered.
    pub pattern: &'r str,
}

impl<T> Router<T> {
    /// An empty router.
    ///
    /// ```
    /// let router: mocket_router::Router<()> = mocket_router::Router::new();
    /// assert!(router.is_empty());
    /// ```
    pub const fn new() -> Self {
        Router {
            root: Node::new(),
            routes: Vec::new(),
            memo_slots: 0,
            exact: ExactPaths::new(),
        }
    }

    /// The value stored at `pattern`, inserting `T::default()` if new.
    ///
    /// Handy for building per-route tables, e.g. one handler per method.
    ///
    /// ```
    /// use mocket_router::Router;
    ///
    /// let mut router: Router<Vec<&str>> = Router::new();
    /// router.entry("/items").unwrap().push("GET");
    /// router.entry("/items").unwrap().push("POST");
    /// assert_eq!(router.len(), 1);
    /// assert_eq!(*router.at("/items").unwrap().value, ["GET", "POST"]);
    /// ```
    pub fn entry(&mut self, pattern: &str) -> Result<&mut T, InsertError>
    where
        T: Default,
    {
        let (index, _) = self.place(pattern, T::default)?;
        Ok(&mut self.routes[index].value)
    }

    /// Inserts `value` at `pattern`.
    ///
    /// Fails with [`InsertError::Duplicate`] if that pattern already has a
    /// value, [`InsertError::Conflict`] if a pattern of the same shape uses
    /// other parameter names, and [`InsertError::InvalidPattern`] if the
    /// pattern is malformed. A failed insert leaves the router unchanged.
    ///
    /// ```
    /// use mocket_router::{InsertError, Router};
    ///
    /// let mut router = Router::new();
    /// router.insert("/a", 1).unwrap();
    /// assert_eq!(
    ///     router.insert("/a", 2),
    ///     Err(InsertError::Duplicate { pattern: "/a".into() }),
    /// );
    /// assert_eq!(*router.at("/a").unwrap().value, 1);
    /// ```
    pub fn insert(&mut self, pattern: &str, value: T) -> Result<(), InsertError> {
        match self.place(pattern, move || value)? {
            (_, true) => Ok(()),
            (_, false) => Err(InsertError::Duplicate {
                pattern: pattern.to_owned(),
            }),
        }
    }

    /// Best match for `path` by precedence, or `None`.
    ///
    /// `path` is the raw (still percent-encoded) request path without the
    /// query string; it must start with `/`.
    ///
    /// ```
    /// use mocket_router::Router;
    ///
    /// let mut router = Router::new();
    /// router.insert("/echo/:msg", ()).unwrap();
    /// let m = router.at("/echo/hello%20world").unwrap();
    /// assert_eq!(m.params.get("msg"), Some("hello%20world"));
    /// assert!(router.at("/echo").is_none());
    /// ```
    pub fn at<'r, 'p>(&'r self, path: &'p str) -> Option<Match<'r, 'p, T>> {
        self.find(path, |_| true)
    }

    /// Visits the routes whose pattern matches `path` in precedence order and
    /// returns the first one for which `accept(&value)` is true.
    ///
    /// `accept` sees every candidate up to the accepted one (or all of them if
    /// none is accepted), each at most once, so a caller can, e.g., collect
    /// the methods of every route matching the path for a 405 `Allow` header.
    ///
    /// ```
    /// use mocket_router::Router;
    ///
    /// let mut router = Router::new();
    /// router.insert("/files/readme", ["GET"]).unwrap();
    /// router.insert("/files/:name", ["PUT"]).unwrap();
    ///
    /// let mut allowed: Vec<&str> = Vec::new();
    /// let m = router.find("/files/readme", |methods| {
    ///     allowed.extend(methods);
    ///     methods.contains(&"PUT")
    /// });
    /// assert_eq!(m.unwrap().pattern, "/files/:name");
    /// assert_eq!(allowed, ["GET", "PUT"]);
    ///
    /// allowed.clear();
    /// assert!(router.find("/files/readme", |m| { allowed.extend(m); false }).is_none());
    /// assert_eq!(allowed, ["GET", "PUT"]);
    /// ```
    pub fn find<'r, 'p>(
        &'r self,
        path: &'p str,
        mut accept: impl FnMut(&'r T) -> bool,
    ) -> Option<Match<'r, 'p, T>> {
        let mut skip = None;
        if let Some(index) = self.exact.get(path) {
            let route = self.routes.get(index)?;
            if accept(&route.value) {
                return Some(Match {
                    value: &route.value,
                    id: index,
                    params: Params::new(&route.names, Values::new()),
                    pattern: &route.pattern,
                });
            }
            // Refused: the tree offers the others, not this one again.
            skip = Some(index);
        }
        let mut search = Search::new(path, &self.routes, self.memo_slots, &mut accept, skip);
        let index = search.run(&self.root)?;
        let route = self.routes.get(index)?;
        Some(Match {
            value: &route.value,
            id: index,
            params: Params::new(&route.names, search.values),
            pattern: &route.pattern,
        })
    }

    /// The pattern and parameter names of route `id` (a [`Match::id`], or
    /// the registration index), or `None` if there is no such route.
    ///
    /// ```
    /// let mut router = mocket_router::Router::new();
    /// router.insert("/users/:id/posts/*", ()).unwrap();
    /// let (pattern, names) = router.route(0).unwrap();
    /// assert_eq!(pattern, "/users/:id/posts/*");
    /// assert_eq!(names.collect::<Vec<_>>(), ["id", "*"]);
    /// assert!(router.route(1).is_none());
    /// ```
    pub fn route(&self, id: usize) -> Option<(&str, impl Iterator<Item = &str> + '_)> {
        let route = self.routes.get(id)?;
        Some((&*route.pattern, route.names.iter().map(|n| &**n)))
    }

    /// Number of registered patterns.
    ///
    /// ```
    /// let mut router = mocket_router::Router::new();
    /// router.insert("/a", ()).unwrap();
    /// router.insert("/b/:x", ()).unwrap();
    /// assert_eq!(router.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// `true` if no pattern is registered.
    ///
    /// ```
    /// let mut router = mocket_router::Router::new();
    /// assert!(router.is_empty());
    /// router.insert("/", ()).unwrap();
    /// assert!(!router.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// Finds or creates the route for `pattern`; `true` if it was created.
    fn place(
        &mut self,
        pattern: &str,
        value: impl FnOnce() -> T,
    ) -> Result<(usize, bool), InsertError> {
        let segments = pattern::parse(pattern)?;
        let names = segments.iter().filter_map(|s: &Segment<'_>| s.name());
        let node = self.root.descend(&segments, &mut self.memo_slots);
        if let Some(index) = node.route {
            let existing = &self.routes[index];
            if existing.names.iter().map(|n| &**n).eq(names.clone()) {
                return Ok((index, false));
            }
            return Err(InsertError::Conflict {
                pattern: pattern.to_owned(),
                existing: existing.pattern.to_string(),
            });
        }
        let index = self.routes.len();
        node.route = Some(index);
        if segments.iter().all(|s| matches!(s, Segment::Static(_))) {
            self.exact.insert(pattern, index);
        }
        self.routes.push(Route {
            pattern: pattern.into(),
            names: names.map(Box::from).collect(),
            value: value(),
        });
        Ok((index, true))
    }
}

impl<T> Default for Router<T> {
    fn default() -> Self {
        Router::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for Router<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.routes.iter().map(|r| (&r.pattern, &r.value)))
            .finish()
    }
}
