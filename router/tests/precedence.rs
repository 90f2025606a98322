//! Precedence: static > `:param` > `*` > `**` per segment, with
//! backtracking, independent of registration order; and `find`.

use mocket_router::Router;

/// Builds the router in the given order and in reverse.
fn both_orders(patterns: &[&'static str]) -> [Router<&'static str>; 2] {
    let build = |iter: &mut dyn Iterator<Item = &&'static str>| {
        let mut router = Router::new();
        for pattern in iter {
            router.insert(pattern, *pattern).expect("valid pattern");
        }
        router
    };
    [
        build(&mut patterns.iter()),
        build(&mut patterns.iter().rev()),
    ]
}

fn best(router: &Router<&'static str>, path: &str) -> Option<&'static str> {
    router.at(path).map(|m| *m.value)
}

/// Every matching pattern in the order `find` offers them.
fn candidates(router: &Router<&'static str>, path: &str) -> Vec<&'static str> {
    let mut seen = Vec::new();
    let found = router.find(path, |p| {
        seen.push(*p);
        false
    });
    assert!(found.is_none());
    seen
}

/// Each path's best match, checked with `patterns` registered in both
/// orders; a failure names the path and the order.
fn check_best(patterns: &[&'static str], rows: &[(&str, &str)]) {
    for (order, r) in ["given", "reversed"].into_iter().zip(both_orders(patterns)) {
        for (path, want) in rows {
            assert_eq!(best(&r, path), Some(*want), "{path:?}, {order} order");
        }
    }
}

/// The params of `path`'s best match, in order, for both registration
/// orders of `patterns`.
fn check_params(patterns: &[&'static str], path: &str, want: &[(&str, &str)], why: &str) {
    for (order, r) in ["given", "reversed"].into_iter().zip(both_orders(patterns)) {
        let m = r
            .at(path)
            .unwrap_or_else(|| panic!("{path:?}: no match, {order} order"));
        let got: Vec<_> = m.params.iter().collect();
        assert_eq!(got, want, "{path:?}, {order} order: {why}");
    }
}

#[test]
fn static_beats_param_in_either_order() {
    check_best(
        &["/users/:id", "/users/me"],
        &[("/users/me", "/users/me"), ("/users/you", "/users/:id")],
    );
}

#[test]
fn param_beats_star_beats_glob() {
    check_best(
        &["/x/**", "/x/*", "/x/:p", "/x/s"],
        &[
            ("/x/s", "/x/s"),
            ("/x/t", "/x/:p"),
            ("/x/t/u", "/x/**"),
            ("/x", "/x/**"),
        ],
    );
    check_best(&["/y/**", "/y/*"], &[("/y/t", "/y/*")]);
}

#[test]
fn backtracks_from_static_into_param() {
    let patterns = ["/users/me/settings", "/users/:id/profile"];
    check_best(
        &patterns,
        &[
            ("/users/me/settings", "/users/me/settings"),
            ("/users/me/profile", "/users/:id/profile"),
        ],
    );
    check_params(
        &patterns,
        "/users/me/profile",
        &[("id", "me")],
        "values pushed on the failed branch are undone",
    );
}

#[test]
fn backtracks_through_every_kind() {
    let patterns = ["/a/b/c", "/a/:x/d", "/a/*y/e", "/a/**z/f"];
    check_best(
        &patterns,
        &[
            ("/a/b/c", "/a/b/c"),
            ("/a/b/d", "/a/:x/d"),
            ("/a/b/e", "/a/*y/e"),
            ("/a/b/f", "/a/**z/f"),
        ],
    );
    for r in both_orders(&patterns) {
        assert_eq!(best(&r, "/a/b/g"), None);
    }
    check_params(&patterns, "/a/b/f", &[("z", "b")], "`**z` took one segment");
}

#[test]
fn route_beats_glob_taking_zero_segments() {
    check_best(
        &["/wild/**", "/wild"],
        &[("/wild", "/wild"), ("/wild/", "/wild/**")],
    );
    // A static empty segment beats `**`.
    check_best(&["/wild/**", "/wild/"], &[("/wild/", "/wild/")]);
}

#[test]
fn glob_prefers_the_shortest_split() {
    let patterns = ["/files/**", "/files/**/edit", "/files/**p/:name"];
    check_best(
        &patterns,
        &[
            ("/files/a/edit", "/files/**/edit"),
            ("/files/a/b", "/files/**p/:name"),
            ("/files/a/b/", "/files/**"),
        ],
    );
    check_params(
        &patterns,
        "/files/a/b/c",
        &[("p", "a/b"), ("name", "c")],
        "`:name` takes the last segment",
    );
}

#[test]
fn full_precedence_order() {
    let patterns = [
        "/**", "/:p/b/c", "/a/**", "/a/**/c", "/a/*/c", "/a/:y/**", "/a/:y/c", "/a/b/*", "/a/b/:x",
        "/a/b/c",
    ];
    let expected = [
        "/a/b/c", "/a/b/:x", "/a/b/*", "/a/:y/c", "/a/:y/**", "/a/*/c", "/a/**/c", "/a/**",
        "/:p/b/c", "/**",
    ];
    for r in both_orders(&patterns) {
        assert_eq!(candidates(&r, "/a/b/c"), expected);
        assert_eq!(best(&r, "/a/b/c"), Some("/a/b/c"));
    }
}

#[test]
fn find_falls_through_to_the_next_candidate() {
    for r in both_orders(&["/users/me", "/users/:id", "/users/**"]) {
        let mut seen = Vec::new();
        let m = r
            .find("/users/me", |p| {
                seen.push(*p);
                *p != "/users/me"
            })
            .expect("second candidate accepted");
        assert_eq!(m.pattern, "/users/:id");
        assert_eq!(m.params.get("id"), Some("me"));
        assert_eq!(seen, ["/users/me", "/users/:id"]);

        let m = r.find("/users/me", |p| p.ends_with("**")).expect("third");
        assert_eq!((m.pattern, m.params.get("**")), ("/users/**", Some("me")));

        assert_eq!(
            candidates(&r, "/users/me"),
            ["/users/me", "/users/:id", "/users/**"]
        );
        assert_eq!(candidates(&r, "/nope"), Vec::<&str>::new());
    }
}

#[test]
fn find_collects_allowed_methods() {
    let mut r: Router<Vec<&str>> = Router::new();
    r.entry("/items/:id")
        .expect("valid")
        .extend(["GET", "DELETE"]);
    r.entry("/items/new").expect("valid").push("GET");
    r.entry("/items/**").expect("valid").push("OPTIONS");
    let mut allow = Vec::new();
    let m = r.find("/items/new", |methods| {
        allow.extend(methods.iter().copied());
        methods.contains(&"POST")
    });
    assert!(m.is_none());
    assert_eq!(allow, ["GET", "GET", "DELETE", "OPTIONS"]);
}

#[test]
fn find_offers_each_route_once_with_several_globs() {
    for r in both_orders(&["/**a/x/**b", "/x/**c"]) {
        // `/**a/x/**b` matches `/x/x/x` three ways; it is offered once.
        assert_eq!(candidates(&r, "/x/x/x"), ["/x/**c", "/**a/x/**b"]);
        let m = r.find("/x/x/x", |p| p.starts_with("/**")).expect("match");
        assert_eq!(
            (m.params.get("a"), m.params.get("b")),
            (Some(""), Some("x/x"))
        );
    }
}
