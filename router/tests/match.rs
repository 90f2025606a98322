//! Matching: every segment kind, strictness, raw values, scale.

use mocket_router::Router;

#[path = "../benches/routes/github.rs"]
mod github;

/// A router whose values are the patterns themselves.
fn router(patterns: &[&'static str]) -> Router<&'static str> {
    let mut router = Router::new();
    for pattern in patterns {
        router.insert(pattern, *pattern).expect("valid pattern");
    }
    router
}

/// `(matched pattern, params)` for `path`, or `None`.
fn lookup<'p>(
    router: &Router<&'static str>,
    path: &'p str,
) -> Option<(&'static str, Vec<(String, &'p str)>)> {
    let m = router.at(path)?;
    assert_eq!(*m.value, m.pattern);
    Some((
        *m.value,
        m.params.iter().map(|(n, v)| (n.to_owned(), v)).collect(),
    ))
}

fn params<'a>(pairs: &[(&str, &'a str)]) -> Vec<(String, &'a str)> {
    pairs.iter().map(|(n, v)| ((*n).to_owned(), *v)).collect()
}

/// What looking up a path must give.
enum Want {
    /// No match.
    Miss,
    /// No match, for the reason given.
    MissBecause(&'static str),
    /// This pattern (its params are checked elsewhere or not at all).
    Pattern(&'static str),
    /// This pattern with exactly these params, in order.
    Params(&'static str, &'static [(&'static str, &'static str)]),
}

use Want::{Miss, MissBecause, Params, Pattern};

/// Looks each path up in a router of `patterns`; a failure names the path.
fn check(patterns: &[&'static str], rows: &[(&str, Want)]) {
    let r = router(patterns);
    for (path, want) in rows {
        let got = lookup(&r, path);
        match want {
            Miss => assert_eq!(got, None, "{path:?}"),
            MissBecause(why) => assert_eq!(got, None, "{path:?}: {why}"),
            Pattern(pattern) => assert_eq!(got.map(|m| m.0), Some(*pattern), "{path:?}"),
            Params(pattern, p) => assert_eq!(got, Some((*pattern, params(p))), "{path:?}"),
        }
    }
}

#[test]
fn static_segments() {
    check(
        &["/", "/a", "/a/b", "/a/b/c", "/b"],
        &[
            ("/", Params("/", &[])),
            ("/a", Params("/a", &[])),
            ("/a/b", Params("/a/b", &[])),
            ("/a/b/c", Params("/a/b/c", &[])),
            ("/b", Params("/b", &[])),
            ("/c", Miss),
            ("/a/c", Miss),
            ("/a/b/c/d", Miss),
            ("/ab", Miss),
            ("/A", Miss),
            ("", Miss),
        ],
    );
}

#[test]
fn named_param() {
    check(
        &["/users/:id", "/users/:id/posts/:post_id"],
        &[
            ("/users/42", Params("/users/:id", &[("id", "42")])),
            (
                "/users/42/posts/7",
                Params(
                    "/users/:id/posts/:post_id",
                    &[("id", "42"), ("post_id", "7")],
                ),
            ),
            ("/users", Miss),
            (
                "/users/",
                MissBecause("a param never matches an empty segment"),
            ),
            ("/users/42/posts", Miss),
        ],
    );
}

#[test]
fn star_named_and_unnamed() {
    check(
        &["/one/*", "/two/*name/end"],
        &[
            ("/one/x", Params("/one/*", &[("*", "x")])),
            ("/one/x/y", MissBecause("`*` is exactly one segment")),
            ("/one/", MissBecause("`*` needs a non-empty segment")),
            ("/two/n/end", Params("/two/*name/end", &[("name", "n")])),
        ],
    );
}

#[test]
fn glob_at_end() {
    check(
        &["/wild/**", "/named/**rest"],
        &[
            ("/wild/a/b/c/d", Params("/wild/**", &[("**", "a/b/c/d")])),
            ("/wild/a", Params("/wild/**", &[("**", "a")])),
            ("/named/x/y", Params("/named/**rest", &[("rest", "x/y")])),
            ("/wildx", Miss),
        ],
    );
}

#[test]
fn glob_zero_segments_and_trailing_slash() {
    // Decision: `/wild` and `/wild/` both match `/wild/**` with "". The
    // trailing slash is one empty segment, which only `**` (or a static empty
    // segment) matches; its value covers it without separators.
    check(
        &["/wild/**"],
        &[
            ("/wild", Params("/wild/**", &[("**", "")])),
            ("/wild/", Params("/wild/**", &[("**", "")])),
            ("/wild//", Params("/wild/**", &[("**", "/")])),
            ("/wild/a/", Params("/wild/**", &[("**", "a/")])),
        ],
    );
    check(
        &["/**"],
        &[
            ("/", Params("/**", &[("**", "")])),
            ("/a/b", Params("/**", &[("**", "a/b")])),
        ],
    );
}

#[test]
fn glob_in_the_middle() {
    check(
        &["/admin/**/settings"],
        &[
            (
                "/admin/settings",
                Params("/admin/**/settings", &[("**", "")]),
            ),
            (
                "/admin/x/settings",
                Params("/admin/**/settings", &[("**", "x")]),
            ),
            (
                "/admin/x/y/settings",
                Params("/admin/**/settings", &[("**", "x/y")]),
            ),
            (
                "/admin//settings",
                Params("/admin/**/settings", &[("**", "")]),
            ),
            ("/admin", Miss),
            ("/admin/", Miss),
            ("/admin/x", Miss),
            ("/admin/settings/", Miss),
            ("/admin/settings/x", Miss),
        ],
    );
}

#[test]
fn glob_then_params() {
    check(
        &["/**dir/:file", "/pre/**a/mid/**b/post"],
        &[
            (
                "/x/y/z.txt",
                Params("/**dir/:file", &[("dir", "x/y"), ("file", "z.txt")]),
            ),
            (
                "/pre/1/mid/2/3/post",
                Params("/pre/**a/mid/**b/post", &[("a", "1"), ("b", "2/3")]),
            ),
            // Shortest first: the first `mid` ends `a`.
            (
                "/pre/mid/mid/post",
                Params("/pre/**a/mid/**b/post", &[("a", ""), ("b", "mid")]),
            ),
        ],
    );
}

#[test]
fn root_and_strict_trailing_slash() {
    check(
        &["/", "/users", "/dir/"],
        &[
            ("/", Pattern("/")),
            ("/users", Pattern("/users")),
            ("/users/", Miss),
            ("/dir/", Pattern("/dir/")),
            ("/dir", Miss),
            ("//", Miss),
            ("", Miss),
            ("users", MissBecause("paths must start with `/`")),
        ],
    );
}

#[test]
fn empty_segments() {
    check(
        &["//", "/a//b", "/p/:x", "/s/*", "/g/**"],
        &[
            ("//", Pattern("//")),
            ("/a//b", Pattern("/a//b")),
            ("/a/b", Miss),
            ("/p/", Miss),
            ("/p//", Miss),
            ("/s/", Miss),
            ("/g//x/", Params("/g/**", &[("**", "/x/")])),
        ],
    );
}

#[test]
fn raw_percent_encoded_and_unicode_segments() {
    check(
        &["/echo/:msg", "/caf%C3%A9", "/café/:x", "/%2A/*"],
        &[
            (
                "/echo/hello%20world",
                Params("/echo/:msg", &[("msg", "hello%20world")]),
            ),
            ("/echo/a%2Fb", Params("/echo/:msg", &[("msg", "a%2Fb")])),
            ("/echo/日本語", Params("/echo/:msg", &[("msg", "日本語")])),
            ("/caf%C3%A9", Pattern("/caf%C3%A9")),
            ("/café", MissBecause("no decoding: `é` is not `%C3%A9`")),
            ("/café/ü", Params("/café/:x", &[("x", "ü")])),
            ("/%2A/x", Pattern("/%2A/*")),
            ("/%2a/x", MissBecause("byte-for-byte, case-sensitive")),
        ],
    );
}

#[test]
fn colon_inside_static_text() {
    check(
        &["/v1/books:search", "/v1/:name"],
        &[
            ("/v1/books:search", Pattern("/v1/books:search")),
            ("/v1/books", Pattern("/v1/:name")),
        ],
    );
}

#[test]
fn params_are_slices_of_the_path() {
    let r = router(&["/:a/*b/**c"]);
    let path = String::from("/x/y/z/w");
    let m = r.at(&path).expect("match");
    let range = path.as_ptr() as usize..path.as_ptr() as usize + path.len();
    for (_, value) in &m.params {
        assert!(range.contains(&(value.as_ptr() as usize)));
    }
    assert_eq!(m.params.get("c"), Some("z/w"));
}

#[test]
fn many_params_spill_past_inline_storage() {
    let r = router(&["/:a/:b/:c/:d/:e/:f/*g/**h"]);
    let m = r.at("/1/2/3/4/5/6/7/8/9").expect("match");
    let got: Vec<_> = m.params.iter().collect();
    assert_eq!(
        got,
        [
            ("a", "1"),
            ("b", "2"),
            ("c", "3"),
            ("d", "4"),
            ("e", "5"),
            ("f", "6"),
            ("g", "7"),
            ("h", "8/9")
        ]
    );
    assert_eq!(m.params.get("h"), Some("8/9"));
}

#[test]
fn thousand_static_routes() {
    let mut r = Router::new();
    for i in 0..1000 {
        r.insert(&format!("/static/{i}"), i).expect("distinct");
    }
    r.insert("/static/:other", usize::MAX).expect("distinct");
    assert_eq!(r.len(), 1001);
    for i in 0..1000 {
        assert_eq!(r.at(&format!("/static/{i}")).map(|m| *m.value), Some(i));
    }
    assert_eq!(r.at("/static/1000").map(|m| *m.value), Some(usize::MAX));
    assert_eq!(r.at("/static/0001").map(|m| *m.value), Some(usize::MAX));
}

#[test]
fn github_api_routes() {
    let mut r = Router::new();
    for (_, pattern) in github::ROUTES {
        let _ = r.entry(pattern).map(|v: &mut &str| *v = pattern);
    }
    assert_eq!(r.len(), 142);
    for (_, pattern) in github::ROUTES {
        let path = github::sample_path(pattern);
        let m = r.at(&path).unwrap_or_else(|| panic!("no match for {path}"));
        assert_eq!(m.pattern, *pattern, "{path}");
    }
}

#[test]
fn very_long_path_and_ten_thousand_segments() {
    let r = router(&["/**", "/a/**/b", "/a/:x"]);
    let long_segment = format!("/a/{}", "x".repeat(1 << 20));
    assert_eq!(lookup(&r, &long_segment).map(|m| m.0), Some("/a/:x"));

    let many = "/a".repeat(10_000);
    let (pattern, p) = lookup(&r, &many).expect("`/**` matches anything");
    assert_eq!(pattern, "/**");
    assert_eq!(p[0].1.len(), many.len() - 1);

    let with_b = format!("{many}/b");
    let (pattern, p) = lookup(&r, &with_b).expect("match");
    assert_eq!(pattern, "/a/**/b");
    assert_eq!(p[0].1, &many[3..]);

    let slashes = "/".repeat(10_000);
    assert_eq!(lookup(&r, &slashes).map(|m| m.0), Some("/**"));
}

#[test]
fn several_globs_stay_linear() {
    // Without memoisation this is cubic in the number of segments.
    let r = router(&["/**a/x/**b/x/**c/y"]);
    let path = "/x".repeat(20_000);
    assert_eq!(lookup(&r, &path), None);
    let hit = format!("{path}/y");
    let (_, p) = lookup(&r, &hit).expect("match");
    assert_eq!(
        p.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
    assert_eq!((p[0].1, p[1].1), ("", ""));
}
