//! The URL router of Mocket.
//!
//! ```
//! use mocket_router::Router;
//!
//! let mut router = Router::new();
//! router.insert("/", "home").unwrap();
//! router.insert("/users/:id", "user").unwrap();
//! router.insert("/users/me", "me").unwrap();
//! router.insert("/admin/**/settings", "settings").unwrap();
//! router.insert("/static/**path", "static").unwrap();
//!
//! assert_eq!(*router.at("/").unwrap().value, "home");
//! assert_eq!(*router.at("/users/me").unwrap().value, "me");
//! assert_eq!(router.at("/users/42").unwrap().params.get("id"), Some("42"));
//! assert_eq!(*router.at("/admin/a/b/settings").unwrap().value, "settings");
//! assert_eq!(router.at("/static/css/app.css").unwrap().params.get("path"), Some("css/app.css"));
//! assert!(router.at("/users/42/").is_none()); // strict: trailing slash is a segment
//! ```
//!
//! # Pattern grammar
//!
//! A pattern starts with `/` and is split on `/` into segments (the root
//! pattern `/` has none). Each segment is one of:
//!
//! | segment            | matches                                   | param name |
//! |--------------------|-------------------------------------------|------------|
//! | `text`             | exactly `text`, byte for byte, still raw  | —          |
//! | `:name`            | one non-empty segment                     | `name`     |
//! | `*` / `*name`      | one non-empty segment                     | `*`/`name` |
//! | `**` / `**name`    | zero or more segments, anywhere           | `**`/`name`|
//!
//! Names are `[A-Za-z0-9_]+` and unique within a pattern. A `**` value is the
//! raw slice it covered without the separators around it: `/wild/**` gives
//! `a/b` for `/wild/a/b` and `""` for both `/wild` and `/wild/`.
//!
//! # Why it is built this way
//!
//! * **A tree of segments, not of bytes.** Precedence is defined per segment
//!   (static, then `:param`, then `*`, then `**`) and `**` may sit in the
//!   middle of a pattern, so the unit of backtracking is a segment. A byte
//!   radix tree would have to rediscover segment boundaries on every
//!   backtrack; here each tree edge *is* a segment.
//! * **Specificity, never registration order.** `/users/me` beats
//!   `/users/:id` whichever came first, and when the static branch fails
//!   deeper down the search backs up and tries `:id`. Routes can therefore be
//!   registered from anywhere (plugins, nested routers) without an ordering
//!   contract.
//! * **Wide nodes stay cheap.** The path is scanned eight bytes at a time,
//!   and the same pass hashes the segment (a segment of up to 7 bytes is its
//!   own hash). Static siblings are found by comparing hashes: a linear
//!   scan over a handful, a hash table beyond that, so a thousand sibling
//!   routes cost what ten do.
//! * **Loops, not recursion, on the common path.** The last alternative at
//!   a node needs no way back, so the search loops into it; recursion only
//!   happens where a node really has several kinds of children.
//! * **Zero-copy, zero-allocation lookups.** The path is split lazily while
//!   walking and never re-validated as UTF-8; parameter values are `&str`
//!   slices of the raw path (decoding is the caller's business) kept in an
//!   inline stack of four before anything is allocated.
//! * **Bounded work on hostile paths.** Recursion depth follows the longest
//!   pattern, never the request path, and `**` nodes memoise failures, so
//!   even patterns with several `**` match in time linear in the path length
//!   (a naive backtracker is cubic for three).
//! * **Static patterns in one lookup.** A pattern without parameters or
//!   wildcards is the most specific match for its own text, so
//!   [`Router::find`] first looks the whole path up among them; the tree is
//!   walked only when that misses or is refused.
//! * **The grammar in one place.** [`Pattern`] parses and validates a
//!   pattern on its own (its parameter names, whether it is static), and
//!   [`Prefix`] answers which paths and which patterns lie under a
//!   middleware's scope ([`Coverage`]), so a framework never re-parses
//!   pattern text.
//! * **[`Router::find`]** exposes the precedence order itself: it offers each
//!   matching route to a predicate, which is how the framework picks a route
//!   by HTTP method and still knows every allowed method for a `405`.
//!
//! The crate has no `unsafe` and one small dependency (`rustc-hash`), and
//! builds for `wasm32-unknown-unknown` and `wasm32-wasip2` as-is.

#![forbid(unsafe_code)]

mod error;
mod exact;
mod params;
mod pattern;
mod prefix;
mod router;
mod scan;
mod search;
mod statics;
mod tree;

pub use error::InsertError;
pub use params::{Params, ParamsIter};
pub use pattern::Pattern;
pub use prefix::{Coverage, Prefix};
pub use router::{Match, Router};

pub(crate) use router::Route;
