//! The backtracking search.
//!
//! At each segment the search tries the static child, then `:param`, then
//! `*`, then `**`, and backs up to the next alternative when a branch fails
//! deeper down. This visits matching routes in precedence order, which is
//! what lets [`Router::find`](crate::Router::find) offer them one by one.
//!
//! The path is split lazily: `pos` is the byte offset where the current
//! segment starts, and `pos == path.len() + 1` means "no segments left", so
//! `/users` (one segment) and `/users/` (two, the last empty) stay distinct.
//!
//! The last alternative at a node needs no way back, so it is taken by
//! looping instead of recursing; on typical route tables (one kind of child
//! per node) the whole lookup is a loop. Recursion, where needed, follows the
//! tree, so its depth is bounded by the longest *pattern*, never by the
//! request path; `**` walks over path segments in a loop.
//!
//! A pattern with several `**` could make that loop quadratic (or worse) in
//! the number of path segments, so each `**` that sits below another one
//! remembers the smallest start at which it already failed: starting later
//! can only see a subset of the same splits, so it is skipped. That keeps
//! lookups linear in the path length and guarantees each route is offered to
//! `accept` at most once.

use crate::Route;
use crate::params::Values;
use crate::scan;
use crate::tree::{NO_MEMO, Node};

pub(crate) struct Search<'r, 'p, 'a, T, F> {
    path: &'p str,
    routes: &'r [Route<T>],
    accept: &'a mut F,
    pub(crate) values: Values<'p>,
    /// Per memo slot: smallest start offset at which that `**` failed.
    memo: Vec<usize>,
    memo_slots: usize,
    /// A route already offered (and refused) by the exact-path lookup.
    skip: Option<usize>,
}

impl<'r, 'p, 'a, T, F> Search<'r, 'p, 'a, T, F>
where
    F: FnMut(&'r T) -> bool,
{
    pub(crate) fn new(
        path: &'p str,
        routes: &'r [Route<T>],
        memo_slots: u32,
        accept: &'a mut F,
        skip: Option<usize>,
    ) -> Self {
        Search {
            path,
            routes,
            accept,
            values: Values::new(),
            memo: Vec::new(),
            memo_slots: memo_slots as usize,
            skip,
        }
    }

    /// Searches from the root; returns the accepted route's index.
    #[inline]
    pub(crate) fn run(&mut self, root: &'r Node) -> Option<usize> {
        let path = self.path.as_bytes();
        if path.first() != Some(&b'/') {
            return None;
        }
        // `/` has zero segments, like the root pattern.
        let start = if path.len() == 1 { 2 } else { 1 };
        self.node(root, start)
    }

    /// Offers `node`'s route to `accept`.
    #[inline]
    fn offer(&mut self, node: &Node) -> Option<usize> {
        let index = node.route?;
        if self.skip == Some(index) {
            return None;
        }
        let route = self.routes.get(index)?;
        (self.accept)(&route.value).then_some(index)
    }

    /// Matches the segments from `pos` on against `node`'s subtree.
    ///
    /// On failure, values pushed below may be left on the stack; callers
    /// truncate back to their own mark before trying something else.
    fn node(&mut self, mut node: &'r Node, mut pos: usize) -> Option<usize> {
        let path = self.path;
        let bytes = path.as_bytes();
        loop {
            if pos > bytes.len() {
                // Out of segments: this node's own route, then `**` taking none.
                if let Some(found) = self.offer(node) {
                    return Some(found);
                }
                return self.glob_child(node, pos);
            }
            let (end, child) = if node.statics.is_empty() {
                (scan::end(bytes, pos), None)
            } else {
                let (end, hash) = scan::end_and_hash(bytes, pos);
                (
                    end,
                    node.statics
                        .get(bytes.get(pos..end).unwrap_or_default(), hash),
                )
            };
            let next = end + 1;
            let mark = self.values.len();
            if let Some(child) = child {
                if node.param.is_none() && node.star.is_none() && node.glob.is_none() {
                    (node, pos) = (child, next);
                    continue;
                }
                if let Some(found) = self.node(child, next) {
                    return Some(found);
                }
                self.values.truncate(mark);
            }
            if end > pos {
                let value = path.get(pos..end).unwrap_or_default();
                if let Some(child) = &node.param {
                    self.values.push(value);
                    if node.star.is_none() && node.glob.is_none() {
                        (node, pos) = (child, next);
                        continue;
                    }
                    if let Some(found) = self.node(child, next) {
                        return Some(found);
                    }
                    self.values.truncate(mark);
                }
                if let Some(child) = &node.star {
                    self.values.push(value);
                    if node.glob.is_none() {
                        (node, pos) = (child, next);
                        continue;
                    }
                    if let Some(found) = self.node(child, next) {
                        return Some(found);
                    }
                    self.values.truncate(mark);
                }
            }
            return self.glob_child(node, pos);
        }
    }

    /// Tries `node`'s `**` child from `start` on, letting it take 0, 1, 2, …
    /// segments.
    #[inline]
    fn glob_child(&mut self, node: &'r Node, start: usize) -> Option<usize> {
        let glob = node.glob.as_deref()?;
        let slot = glob.memo as usize;
        if glob.memo != NO_MEMO {
            if self.memo.is_empty() {
                self.memo = vec![usize::MAX; self.memo_slots];
            }
            if self.memo.get(slot).is_some_and(|&failed| failed <= start) {
                return None;
            }
        }
        let found = if glob.is_leaf() {
            self.glob_rest(glob, start)
        } else {
            self.glob_splits(glob, start)
        };
        if found.is_none()
            && let Some(failed) = self.memo.get_mut(slot)
        {
            *failed = start.min(*failed);
        }
        found
    }

    /// A trailing `**` takes everything that is left.
    fn glob_rest(&mut self, glob: &'r Node, start: usize) -> Option<usize> {
        let path = self.path;
        let mark = self.values.len();
        self.values
            .push(path.get(start.min(path.len())..).unwrap_or_default());
        let found = self.offer(glob);
        if found.is_none() {
            self.values.truncate(mark);
        }
        found
    }

    /// Tries the splits shortest first.
    fn glob_splits(&mut self, glob: &'r Node, start: usize) -> Option<usize> {
        let path = self.path;
        let mark = self.values.len();
        // Values are always slices of the path, even empty ones.
        let from = start.min(path.len());
        let mut pos = start;
        loop {
            // The segments taken so far, without the separator after them.
            let to = if pos == start { from } else { pos - 1 };
            self.values.push(path.get(from..to).unwrap_or_default());
            if let Some(found) = self.node(glob, pos) {
                return Some(found);
            }
            self.values.truncate(mark);
            path.as_bytes().get(pos..)?;
            pos = scan::end(path.as_bytes(), pos) + 1;
        }
    }
}
