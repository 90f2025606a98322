//! What the benchmark's peers share, so each peer's own file holds only
//! what is particular to its framework: the JSON and query shapes of
//! bench/ROUTES.md, the hand-written match of its three-parameter route
//! (raw hyper, the raw wasi:http component), the whole routing of the two
//! raw WASI peers (`raw`, feature `raw`), and the tokio runtime of the
//! peers that run on one (`WORKERS` threads when set).

use serde::{Deserialize, Serialize};

#[cfg(feature = "raw")]
pub mod raw;

/// `GET /json`'s body, and the shape `POST /json-echo` reads.
#[derive(Serialize)]
pub struct Message {
    /// `"Hello, World!"`.
    pub message: &'static str,
}

/// `GET /query`'s parameters.
#[derive(Deserialize)]
pub struct Repeat {
    /// What to repeat.
    pub name: Option<String>,
    /// How many times (at most 1000).
    pub repeat: Option<usize>,
}

/// `/users/:user_id/posts/:post_id/comments/:comment_id`: the three ids.
pub fn users_posts_comments(path: &str) -> Option<[&str; 3]> {
    let mut it = path.strip_prefix('/')?.split('/');
    let mut next = |expect: &str| {
        (it.next()? == expect).then_some(())?;
        it.next().filter(|s| !s.is_empty())
    };
    let ids = [next("users")?, next("posts")?, next("comments")?];
    it.next().is_none().then_some(ids)
}

/// `PORT`, 3000 by default.
pub fn port() -> String {
    std::env::var("PORT").unwrap_or_else(|_| "3000".into())
}

/// A multi-thread tokio runtime, with `WORKERS` threads when set.
#[cfg(feature = "tokio")]
pub fn runtime() -> tokio::runtime::Runtime {
    let mut rt = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = std::env::var("WORKERS").ok().and_then(|w| w.parse().ok()) {
        rt.worker_threads(n);
    }
    rt.enable_all().build().expect("tokio runtime")
}
