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

#[test]
fn static_segments() {
    let r = router(&["/", "/a", "/a/b", "/a/b/c", "/b"]);
    assert_eq!(lookup(&r, "/"), Some(("/", vec![])));
    assert_eq!(lookup(&r, "/a"), Some(("/a", vec![])));
    assert_eq!(lookup(&r, "/a/b"), Some(("/a/b", vec![])));
    assert_eq!(lookup(&r, "/a/b/c"), Some(("/a/b/c", vec![])));
    assert_eq!(lookup(&r, "/b"), Some(("/b", vec![])));
    for miss in ["/c", "/a/c", "/a/b/c/d", "/ab", "/A", ""] {
        assert_eq!(lookup(&r, miss), None, "{miss}");
    }
}

#[test]
fn named_param() {
    let r = router(&["/users/:id", "/users/:id/posts/:post_id"]);
    assert_eq!(
        lookup(&r, "/users/42"),
        Some(("/users/:id", params(&[("id", "42")])))
    );
    assert_eq!(
        lookup(&r, "/users/42/posts/7"),
        Some((
            "/users/:id/posts/:post_id",
            params(&[("id", "42"), ("post_id", "7")])
        ))
    );
    assert_eq!(lookup(&r, "/users"), None);
    assert_eq!(
        lookup(&r, "/users/"),
        None,
        "a param never matches an empty segment"
    );
    assert_eq!(lookup(&r, "/users/42/posts"), None);
}

#[test]
fn star_named_and_unnamed() {
    let r = router(&["/one/*", "/two/*name/end"]);
    assert_eq!(
        lookup(&r, "/one/x"),
        Some(("/one/*", params(&[("*", "x")])))
    );
    assert_eq!(lookup(&r, "/one/x/y"), None, "`*` is exactly one segment");
    assert_eq!(lookup(&r, "/one/"), None, "`*` needs a non-empty segment");
    assert_eq!(
        lookup(&r, "/two/n/end"),
        Some(("/two/*name/end", params(&[("name", "n")])))
    );
}

#[test]
fn glob_at_end() {
    let r = router(&["/wild/**", "/named/**rest"]);
    assert_eq!(
        lookup(&r, "/wild/a/b/c/d"),
        Some(("/wild/**", params(&[("**", "a/b/c/d")])))
    );
    assert_eq!(
        lookup(&r, "/wild/a"),
        Some(("/wild/**", params(&[("**", "a")])))
    );
    assert_eq!(
        lookup(&r, "/named/x/y"),
        Some(("/named/**rest", params(&[("rest", "x/y")])))
    );
    assert_eq!(lookup(&r, "/wildx"), None);
}

#[test]
fn glob_zero_segments_and_trailing_slash() {
    // Decision: `/wild` and `/wild/` both match `/wild/**` with "". The
    // trailing slash is one empty segment, which only `**` (or a static empty
    // segment) matches; its value covers it without separators.
    let r = router(&["/wild/**"]);
    assert_eq!(
        lookup(&r, "/wild"),
        Some(("/wild/**", params(&[("**", "")])))
    );
    assert_eq!(
        lookup(&r, "/wild/"),
        Some(("/wild/**", params(&[("**", "")])))
    );
    assert_eq!(
        lookup(&r, "/wild//"),
        Some(("/wild/**", params(&[("**", "/")])))
    );
    assert_eq!(
        lookup(&r, "/wild/a/"),
        Some(("/wild/**", params(&[("**", "a/")])))
    );
    let root = router(&["/**"]);
    assert_eq!(lookup(&root, "/"), Some(("/**", params(&[("**", "")]))));
    assert_eq!(
        lookup(&root, "/a/b"),
        Some(("/**", params(&[("**", "a/b")])))
    );
}

#[test]
fn glob_in_the_middle() {
    let r = router(&["/admin/**/settings"]);
    assert_eq!(
        lookup(&r, "/admin/settings"),
        Some(("/admin/**/settings", params(&[("**", "")])))
    );
    assert_eq!(
        lookup(&r, "/admin/x/settings"),
        Some(("/admin/**/settings", params(&[("**", "x")])))
    );
    assert_eq!(
        lookup(&r, "/admin/x/y/settings"),
        Some(("/admin/**/settings", params(&[("**", "x/y")])))
    );
    assert_eq!(
        lookup(&r, "/admin//settings"),
        Some(("/admin/**/settings", params(&[("**", "")])))
    );
    for miss in [
        "/admin",
        "/admin/",
        "/admin/x",
        "/admin/settings/",
        "/admin/settings/x",
    ] {
        assert_eq!(lookup(&r, miss), None, "{miss}");
    }
}

#[test]
fn glob_then_params() {
    let r = router(&["/**dir/:file", "/pre/**a/mid/**b/post"]);
    assert_eq!(
        lookup(&r, "/x/y/z.txt"),
        Some(("/**dir/:file", params(&[("dir", "x/y"), ("file", "z.txt")])))
    );
    assert_eq!(
        lookup(&r, "/pre/1/mid/2/3/post"),
        Some(("/pre/**a/mid/**b/post", params(&[("a", "1"), ("b", "2/3")])))
    );
    // Shortest first: the first `mid` ends `a`.
    assert_eq!(
        lookup(&r, "/pre/mid/mid/post"),
        Some(("/pre/**a/mid/**b/post", params(&[("a", ""), ("b", "mid")])))
    );
}

#[test]
fn root_and_strict_trailing_slash() {
    let r = router(&["/", "/users", "/dir/"]);
    assert_eq!(lookup(&r, "/").map(|m| m.0), Some("/"));
    assert_eq!(lookup(&r, "/users").map(|m| m.0), Some("/users"));
    assert_eq!(lookup(&r, "/users/"), None);
    assert_eq!(lookup(&r, "/dir/").map(|m| m.0), Some("/dir/"));
    assert_eq!(lookup(&r, "/dir"), None);
    assert_eq!(lookup(&r, "//"), None);
    assert_eq!(lookup(&r, ""), None);
    assert_eq!(lookup(&r, "users"), None, "paths must start with `/`");
}

#[test]
fn empty_segments() {
    let r = router(&["//", "/a//b", "/p/:x", "/s/*", "/g/**"]);
    assert_eq!(lookup(&r, "//").map(|m| m.0), Some("//"));
    assert_eq!(lookup(&r, "/a//b").map(|m| m.0), Some("/a//b"));
    assert_eq!(lookup(&r, "/a/b"), None);
    assert_eq!(lookup(&r, "/p/"), None);
    assert_eq!(lookup(&r, "/p//"), None);
    assert_eq!(lookup(&r, "/s/"), None);
    assert_eq!(
        lookup(&r, "/g//x/"),
        Some(("/g/**", params(&[("**", "/x/")])))
    );
}

#[test]
fn raw_percent_encoded_and_unicode_segments() {
    let r = router(&["/echo/:msg", "/caf%C3%A9", "/café/:x", "/%2A/*"]);
    assert_eq!(
        lookup(&r, "/echo/hello%20world"),
        Some(("/echo/:msg", params(&[("msg", "hello%20world")])))
    );
    assert_eq!(
        lookup(&r, "/echo/a%2Fb"),
        Some(("/echo/:msg", params(&[("msg", "a%2Fb")])))
    );
    assert_eq!(
        lookup(&r, "/echo/日本語"),
        Some(("/echo/:msg", params(&[("msg", "日本語")])))
    );
    assert_eq!(lookup(&r, "/caf%C3%A9").map(|m| m.0), Some("/caf%C3%A9"));
    assert_eq!(
        lookup(&r, "/café"),
        None,
        "no decoding: `é` is not `%C3%A9`"
    );
    assert_eq!(
        lookup(&r, "/café/ü"),
        Some(("/café/:x", params(&[("x", "ü")])))
    );
    assert_eq!(lookup(&r, "/%2A/x").map(|m| m.0), Some("/%2A/*"));
    assert_eq!(lookup(&r, "/%2a/x"), None, "byte-for-byte, case-sensitive");
}

#[test]
fn colon_inside_static_text() {
    let r = router(&["/v1/books:search", "/v1/:name"]);
    assert_eq!(
        lookup(&r, "/v1/books:search").map(|m| m.0),
        Some("/v1/books:search")
    );
    assert_eq!(lookup(&r, "/v1/books").map(|m| m.0), Some("/v1/:name"));
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
