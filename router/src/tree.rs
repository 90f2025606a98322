//! The segment tree.
//!
//! Each node stands for one pattern segment. A node has at most one child of
//! each parameter kind (`:`, `*`, `**`), because parameter names do not
//! change what a pattern matches; names live on the route at the terminal
//! node, which is also where name conflicts are detected. Static children
//! are indexed by [`Statics`] so wide fan-outs stay cheap.

use crate::pattern::Segment;
use crate::statics::Statics;

/// No memo slot: this `**` node needs no memoisation (see `search`).
pub(crate) const NO_MEMO: u32 = u32::MAX;

#[derive(Clone, Debug)]
pub(crate) struct Node {
    pub(crate) statics: Statics,
    pub(crate) param: Option<Box<Node>>,
    pub(crate) star: Option<Box<Node>>,
    pub(crate) glob: Option<Box<Node>>,
    /// Index into the router's route table of the pattern ending here.
    pub(crate) route: Option<usize>,
    /// For a `**` node below another `**`: its slot in the search memo.
    pub(crate) memo: u32,
}

impl Node {
    pub(crate) const fn new() -> Self {
        Node {
            statics: Statics::new(),
            param: None,
            star: None,
            glob: None,
            route: None,
            memo: NO_MEMO,
        }
    }

    /// `true` when nothing can follow this node: it only ends a route.
    #[inline]
    pub(crate) fn is_leaf(&self) -> bool {
        self.statics.is_empty()
            && self.param.is_none()
            && self.star.is_none()
            && self.glob.is_none()
    }

    /// Walks (creating as needed) the nodes for `segments` and returns the
    /// last one. `memo_slots` counts `**` nodes that sit below another `**`.
    pub(crate) fn descend(&mut self, segments: &[Segment<'_>], memo_slots: &mut u32) -> &mut Node {
        let mut node = self;
        let mut below_glob = false;
        for segment in segments {
            node = match *segment {
                Segment::Static(text) => node.statics.get_or_insert(text),
                Segment::Param(_) => node.param.get_or_insert_with(Box::default),
                Segment::Star(_) => node.star.get_or_insert_with(Box::default),
                Segment::Glob(_) => {
                    let glob = node.glob.get_or_insert_with(Box::default);
                    if below_glob && glob.memo == NO_MEMO {
                        glob.memo = *memo_slots;
                        *memo_slots += 1;
                    }
                    below_glob = true;
                    glob
                }
            };
        }
        node
    }
}

impl Default for Node {
    fn default() -> Self {
        Node::new()
    }
}
