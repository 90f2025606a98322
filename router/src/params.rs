//! Captured parameters.
//!
//! Values are slices of the request path (`&'p str`), never copies and never
//! percent-decoded: decoding allocates and its rules (is `+` a space? what
//! about `%2F`?) belong to the caller. Names are borrowed from the router
//! (`&'r str`). During the search values live on a small stack that keeps
//! up to [`INLINE`] of them in place, so typical routes match without
//! touching the allocator; longer routes spill to a `Vec`.

use std::fmt;

/// Values kept inline before spilling to the heap.
pub(crate) const INLINE: usize = 4;

/// A tiny stack of parameter values; safe-code stand-in for a `SmallVec`.
#[derive(Clone)]
pub(crate) enum Values<'p> {
    Inline { len: u8, buf: [&'p str; INLINE] },
    Heap(Vec<&'p str>),
}

impl<'p> Values<'p> {
    pub(crate) const fn new() -> Self {
        Values::Inline {
            len: 0,
            buf: [""; INLINE],
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, value: &'p str) {
        match self {
            Values::Inline { len, buf } => {
                if let Some(slot) = buf.get_mut(usize::from(*len)) {
                    *slot = value;
                    *len += 1;
                } else {
                    let mut heap = Vec::with_capacity(2 * INLINE);
                    heap.extend_from_slice(buf);
                    heap.push(value);
                    *self = Values::Heap(heap);
                }
            }
            Values::Heap(heap) => heap.push(value),
        }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        match self {
            Values::Inline { len, .. } => usize::from(*len),
            Values::Heap(heap) => heap.len(),
        }
    }

    /// Drops the values pushed since the stack had `mark` entries.
    #[inline]
    pub(crate) fn truncate(&mut self, mark: usize) {
        match self {
            Values::Inline { len, .. } => *len = (*len).min(u8::try_from(mark).unwrap_or(u8::MAX)),
            Values::Heap(heap) => heap.truncate(mark),
        }
    }

    #[inline]
    pub(crate) fn as_slice(&self) -> &[&'p str] {
        match self {
            Values::Inline { len, buf } => buf.get(..usize::from(*len)).unwrap_or(&[]),
            Values::Heap(heap) => heap,
        }
    }
}

/// The parameters captured by a match, in pattern order.
///
/// Values are raw slices of the request path: still percent-encoded, never
/// copied.
///
/// ```
/// use mocket_router::Router;
///
/// let mut router = Router::new();
/// router.insert("/users/:id/files/**path", ()).unwrap();
///
/// let m = router.at("/users/42/files/a%20b/c").unwrap();
/// assert_eq!(m.params.get("id"), Some("42"));
/// assert_eq!(m.params.get("path"), Some("a%20b/c"));
/// assert_eq!(m.params.get("nope"), None);
/// assert_eq!(m.params.len(), 2);
/// ```
#[derive(Clone)]
pub struct Params<'r, 'p> {
    names: &'r [Box<str>],
    values: Values<'p>,
}

impl<'r, 'p> Params<'r, 'p> {
    pub(crate) fn new(names: &'r [Box<str>], values: Values<'p>) -> Self {
        debug_assert_eq!(names.len(), values.as_slice().len());
        Params { names, values }
    }

    /// The raw value bound to `name`. Unnamed wildcards are named `"*"`
    /// and `"**"`.
    ///
    /// ```
    /// use mocket_router::Router;
    ///
    /// let mut router = Router::new();
    /// router.insert("/raw/*", ()).unwrap();
    /// let m = router.at("/raw/hello%20world").unwrap();
    /// assert_eq!(m.params.get("*"), Some("hello%20world"));
    /// ```
    pub fn get(&self, name: &str) -> Option<&'p str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// `(name, value)` pairs in pattern order.
    ///
    /// ```
    /// use mocket_router::Router;
    ///
    /// let mut router = Router::new();
    /// router.insert("/:a/:b", ()).unwrap();
    /// let m = router.at("/x/y").unwrap();
    /// let pairs: Vec<_> = m.params.iter().collect();
    /// assert_eq!(pairs, [("a", "x"), ("b", "y")]);
    /// ```
    pub fn iter(&self) -> ParamsIter<'_, 'r, 'p> {
        ParamsIter {
            names: self.names.iter(),
            values: self.values.as_slice().iter(),
        }
    }

    /// Number of captured parameters.
    ///
    /// ```
    /// use mocket_router::Router;
    ///
    /// let mut router = Router::new();
    /// router.insert("/:a/*/**", ()).unwrap();
    /// assert_eq!(router.at("/x/y").unwrap().params.len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// `true` when the pattern has no parameters.
    ///
    /// ```
    /// use mocket_router::Router;
    ///
    /// let mut router = Router::new();
    /// router.insert("/health", ()).unwrap();
    /// assert!(router.at("/health").unwrap().params.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

impl fmt::Debug for Params<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<'a, 'r, 'p> IntoIterator for &'a Params<'r, 'p> {
    type Item = (&'r str, &'p str);
    type IntoIter = ParamsIter<'a, 'r, 'p>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Iterator over `(name, value)` pairs, returned by [`Params::iter`].
///
/// ```
/// use mocket_router::Router;
///
/// let mut router = Router::new();
/// router.insert("/:org/:repo", ()).unwrap();
/// let m = router.at("/rust-lang/rust").unwrap();
/// let mut it = m.params.iter();
/// assert_eq!(it.len(), 2);
/// assert_eq!(it.next(), Some(("org", "rust-lang")));
/// assert_eq!(it.next_back(), Some(("repo", "rust")));
/// assert_eq!(it.next(), None);
/// ```
#[derive(Clone, Debug)]
pub struct ParamsIter<'a, 'r, 'p> {
    names: std::slice::Iter<'r, Box<str>>,
    values: std::slice::Iter<'a, &'p str>,
}

impl<'r, 'p> Iterator for ParamsIter<'_, 'r, 'p> {
    type Item = (&'r str, &'p str);

    fn next(&mut self) -> Option<Self::Item> {
        let name: &'r str = self.names.next()?;
        Some((name, *self.values.next()?))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.values.size_hint()
    }
}

impl<'r> DoubleEndedIterator for ParamsIter<'_, 'r, '_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let name: &'r str = self.names.next_back()?;
        Some((name, *self.values.next_back()?))
    }
}

impl ExactSizeIterator for ParamsIter<'_, '_, '_> {}
