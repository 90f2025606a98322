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

#[test]
fn static_beats_param_in_either_order() {
    for r in both_orders(&["/users/:id", "/users/me"]) {
        assert_eq!(best(&r, "/users/me"), Some("/users/me"));
        assert_eq!(best(&r, "/users/you"), Some("/users/:id"));
    }
}

#[test]
fn param_beats_star_beats_glob() {
    for r in both_orders(&["/x/**", "/x/*", "/x/:p", "/x/s"]) {
        assert_eq!(best(&r, "/x/s"), Some("/x/s"));
        assert_eq!(best(&r, "/x/t"), Some("/x/:p"));
        assert_eq!(best(&r, "/x/t/u"), Some("/x/**"));
        assert_eq!(best(&r, "/x"), Some("/x/**"));
    }
    for r in both_orders(&["/y/**", "/y/*"]) {
        assert_eq!(best(&r, "/y/t"), Some("/y/*"));
    }
}

#[test]
fn backtracks_from_static_into_param() {
    for r in both_orders(&["/users/me/settings", "/users/:id/profile"]) {
        assert_eq!(best(&r, "/users/me/settings"), Some("/users/me/settings"));
        assert_eq!(best(&r, "/users/me/profile"), Some("/users/:id/profile"));
        let m = r.at("/users/me/profile").expect("match");
        assert_eq!(
            m.params.get("id"),
            Some("me"),
            "values pushed on the failed branch are undone"
        );
    }
}

#[test]
fn backtracks_through_every_kind() {
    for r in both_orders(&["/a/b/c", "/a/:x/d", "/a/*y/e", "/a/**z/f"]) {
        assert_eq!(best(&r, "/a/b/c"), Some("/a/b/c"));
        assert_eq!(best(&r, "/a/b/d"), Some("/a/:x/d"));
        assert_eq!(best(&r, "/a/b/e"), Some("/a/*y/e"));
        assert_eq!(best(&r, "/a/b/f"), Some("/a/**z/f"));
        assert_eq!(best(&r, "/a/b/g"), None);
        let m = r.at("/a/b/f").expect("match");
        assert_eq!(m.params.iter().collect::<Vec<_>>(), [("z", "b")]);
    }
}

#[test]
fn route_beats_glob_taking_zero_segments() {
    for r in both_orders(&["/wild/**", "/wild"]) {
        assert_eq!(best(&r, "/wild"), Some("/wild"));
        assert_eq!(best(&r, "/wild/"), Some("/wild/**"));
    }
    for r in both_orders(&["/wild/**", "/wild/"]) {
        assert_eq!(
            best(&r, "/wild/"),
            Some("/wild/"),
            "static empty segment beats `**`"
        );
    }
}

#[test]
fn glob_prefers_the_shortest_split() {
    for r in both_orders(&["/files/**", "/files/**/edit", "/files/**p/:name"]) {
        assert_eq!(best(&r, "/files/a/edit"), Some("/files/**/edit"));
        assert_eq!(best(&r, "/files/a/b"), Some("/files/**p/:name"));
        assert_eq!(best(&r, "/files/a/b/"), Some("/files/**"));
        let m = r.at("/files/a/b/c").expect("match");
        assert_eq!(
            (m.params.get("p"), m.params.get("name")),
            (Some("a/b"), Some("c"))
        );
    }
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
