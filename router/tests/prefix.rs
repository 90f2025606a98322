//! Prefix coverage: which request paths and which route patterns lie under
//! a middleware's scope.

use mocket_router::{Coverage, Pattern, Prefix};

#[test]
fn a_literal_prefix_covers_itself_and_below_never_siblings() {
    let api = Prefix::new("/api");
    for path in ["/api", "/api/", "/api/users", "/api/a/b/c"] {
        assert!(api.covers(path), "{path}");
    }
    for path in ["/apix", "/ap", "/", "/v1/api", "/API"] {
        assert!(!api.covers(path), "{path}");
    }
}

#[test]
fn the_empty_prefix_covers_everything() {
    let root = Prefix::new("");
    for path in ["/", "/a", "/a/b/c"] {
        assert!(root.covers(path), "{path}");
    }
}

#[test]
fn pattern_segments_in_a_prefix_cover_any_non_empty_segment() {
    let user = Prefix::new("/users/:id");
    assert!(user.covers("/users/7"));
    assert!(user.covers("/users/7/posts"));
    assert!(!user.covers("/users"));
    assert!(!user.covers("/users/"));
    assert!(!user.covers("/members/7"));
    let star = Prefix::new("/a/*/c");
    assert!(star.covers("/a/b/c/d"));
    assert!(!star.covers("/a//c"));
    let glob = Prefix::new("/files/**");
    for path in ["/files", "/files/", "/files/a/b"] {
        assert!(glob.covers(path), "{path}");
    }
    assert!(!glob.covers("/filesx"));
}

fn coverage(prefix: &str, pattern: &str) -> Coverage {
    Prefix::new(prefix).covers_pattern(&Pattern::parse(pattern).expect("valid pattern"))
}

#[test]
fn a_pattern_is_covered_wholly_not_at_all_or_depending_on_the_path() {
    let cases = [
        ("/api", "/api", Coverage::All),
        ("/api", "/api/users/:id", Coverage::All),
        ("/api", "/api/**rest", Coverage::All),
        ("/api", "/apix/users", Coverage::None),
        ("/api", "/", Coverage::None),
        ("/api", "/admin/:id", Coverage::None),
        // A parameter where the prefix has text: only some of its paths.
        ("/api", "/:section", Coverage::Depends),
        // A wildcard in the pattern may match on either side of the prefix.
        ("/api", "/*/x", Coverage::Depends),
        ("/api", "/**", Coverage::Depends),
        ("/users/:id", "/users/:uid/posts", Coverage::All),
        ("/users/:id", "/users/me", Coverage::All),
        ("/users/:id", "/users", Coverage::None),
        ("/files/**", "/files/:name", Coverage::All),
        ("", "/anything/:x", Coverage::All),
    ];
    for (prefix, pattern, want) in cases {
        assert_eq!(coverage(prefix, pattern), want, "{prefix} over {pattern}");
    }
}

#[test]
fn coverage_agrees_with_covers_on_the_paths_a_pattern_matches() {
    // For every pattern said to be wholly in or out, each sample path it
    // matches must be covered (or not) accordingly.
    let prefixes = ["", "/api", "/users/:id", "/a/*", "/files/**"];
    let samples: &[(&str, &[&str])] = &[
        ("/api/users/:id", &["/api/users/1", "/api/users/x"]),
        ("/users/:id/posts", &["/users/7/posts", "/users/me/posts"]),
        ("/a/:b/c", &["/a/x/c", "/a/y/c"]),
        ("/files/:name", &["/files/a", "/files/b.txt"]),
        ("/other", &["/other"]),
    ];
    for prefix in prefixes {
        let scope = Prefix::new(prefix);
        for (pattern, paths) in samples {
            let want = match coverage(prefix, pattern) {
                Coverage::All => true,
                Coverage::None => false,
                Coverage::Depends => continue,
            };
            for path in *paths {
                assert_eq!(scope.covers(path), want, "{prefix} over {pattern}: {path}");
            }
        }
    }
}
