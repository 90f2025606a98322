//! Insertion: accepted syntax, `entry`, duplicates, conflicts, invalid patterns.

use mocket_router::{InsertError, Router};

fn invalid(pattern: &str) -> String {
    let mut router = Router::new();
    match router.insert(pattern, ()) {
        Err(InsertError::InvalidPattern { pattern: p, reason }) => {
            assert_eq!(p, pattern);
            assert!(!reason.is_empty());
            assert!(router.is_empty(), "a rejected pattern must not be stored");
            reason
        }
        other => panic!("{pattern:?} should be invalid, got {other:?}"),
    }
}

/// Inserts `first` (value 1), then `second` (value 2), which must be
/// refused; returns the router and the error.
fn refused_second(first: &str, second: &str) -> (Router<i32>, InsertError) {
    let mut router = Router::new();
    router.insert(first, 1).expect("first");
    let err = router.insert(second, 2).expect_err(second);
    (router, err)
}

/// Inserts every pattern of every group, in order, into one router; a
/// refusal names the group.
fn insert_groups(groups: &[(&str, &[&'static str])]) -> Router<&'static str> {
    let mut router = Router::new();
    for (group, patterns) in groups {
        for &pattern in *patterns {
            router
                .insert(pattern, pattern)
                .unwrap_or_else(|e| panic!("{group}: {pattern}: {e}"));
        }
    }
    router
}

#[test]
fn every_segment_kind_is_accepted() {
    let router = insert_groups(&[
        ("static", &["/", "//", "/a", "/a/", "/a/b"]),
        ("param", &["/:id", "/a/:id_2"]),
        ("star", &["/*", "/s/*name"]),
        ("glob", &["/**", "/g/**rest", "/a/**/b"]),
        ("every kind at once", &["/**x/:y/*z/w"]),
        (
            "`:`, `%` and non-ASCII in static text",
            &["/v1/books:search", "/caf%C3%A9", "/日本"],
        ),
        ("mixed-case param name", &["/x/:A_b9"]),
    ]);
    assert_eq!(router.len(), 17);
    assert!(!router.is_empty());
}

#[test]
fn new_and_default_are_empty() {
    let a: Router<u8> = Router::new();
    let b: Router<u8> = Router::default();
    assert!(a.is_empty() && b.is_empty());
    assert_eq!(a.len(), 0);
    assert!(a.at("/").is_none());
}

#[test]
fn entry_inserts_default_then_returns_existing() {
    let mut router: Router<Vec<&str>> = Router::new();
    router.entry("/r/:id").expect("valid").push("GET");
    router.entry("/r/:id").expect("valid").push("POST");
    assert_eq!(router.len(), 1);
    assert_eq!(
        router.at("/r/1").map(|m| m.value.clone()),
        Some(vec!["GET", "POST"])
    );
    assert!(router.insert("/r/:id", vec![]).is_err());
    assert!(matches!(
        router.entry("/r/:other"),
        Err(InsertError::Conflict { .. })
    ));
    assert!(matches!(
        router.entry("r"),
        Err(InsertError::InvalidPattern { .. })
    ));
}

#[test]
fn duplicate() {
    let (router, err) = refused_second("/a/:x/**", "/a/:x/**");
    assert_eq!(
        err,
        InsertError::Duplicate {
            pattern: "/a/:x/**".into()
        }
    );
    assert_eq!(
        err.to_string(),
        r#"route pattern "/a/:x/**" is already registered"#
    );
    assert_eq!(
        router.at("/a/b/c").map(|m| *m.value),
        Some(1),
        "first value kept"
    );
    assert_eq!(router.len(), 1);
}

#[test]
fn conflict_same_shape_different_names() {
    let (mut router, err) = refused_second("/a/:x", "/a/:y");
    assert_eq!(
        err,
        InsertError::Conflict {
            pattern: "/a/:y".into(),
            existing: "/a/:x".into()
        }
    );
    assert_eq!(
        err.to_string(),
        r#"route pattern "/a/:y" conflicts with "/a/:x": same shape, different parameter names"#
    );
    for (existing, new) in [
        ("/s/*", "/s/*name"),
        ("/g/**/z", "/g/**rest/z"),
        ("/m/:a/:b", "/m/:a/:c"),
    ] {
        router.insert(existing, 0).expect("first");
        assert_eq!(
            router.insert(new, 0),
            Err(InsertError::Conflict {
                pattern: new.into(),
                existing: existing.into()
            }),
            "{new:?} after {existing:?}"
        );
    }
    assert_eq!(router.len(), 4);
    assert_eq!(router.at("/a/v").map(|m| m.pattern), Some("/a/:x"));
}

#[test]
fn different_shapes_do_not_conflict() {
    let router = insert_groups(&[
        (
            "each kind in one place",
            &["/a/:x", "/a/*x", "/a/**x", "/a/b"],
        ),
        (
            "other names at other lengths",
            &["/users/:id", "/users/:user_id/posts"],
        ),
        ("a trailing slash, another position", &["/a/:x/", "/:x/a"]),
    ]);
    assert_eq!(router.len(), 8);
}

#[test]
fn invalid_patterns() {
    assert!(invalid("").contains("start with `/`"));
    assert!(invalid("a/b").contains("start with `/`"));
    assert!(invalid("/:").contains("name"));
    assert!(invalid("/a/:/b").contains("name"));
    assert!(invalid("/:a:b").contains("`a:b`"));
    assert!(invalid("/:a-b").contains("letters, digits and `_`"));
    assert!(invalid("/:é").contains("letters"));
    assert!(invalid("/*a.b").contains("letters"));
    assert!(invalid("/***").contains("letters"));
    assert!(invalid("/**a:b").contains("letters"));
    assert!(invalid("/a*").contains("`a*`"));
    assert!(invalid("/a*b").contains("whole segment"));
    assert!(invalid("/:id/x/:id").contains("`id` is used twice"));
    assert!(invalid("/*/*").contains("`*` is used twice"));
    assert!(invalid("/:x/*x").contains("`x` is used twice"));
    assert!(invalid("/**/**").contains("cannot directly follow"));
    assert!(invalid("/**a/**b").contains("cannot directly follow"));
}

#[test]
fn invalid_pattern_message_names_the_pattern() {
    let err = Router::new().insert("/:a:b", ()).expect_err("invalid");
    assert_eq!(
        err.to_string(),
        "invalid route pattern \"/:a:b\": parameter name `a:b` may only contain ASCII letters, digits and `_`"
    );
}

#[test]
fn errors_are_std_errors() {
    let err: Box<dyn std::error::Error + Send + Sync> =
        Box::new(Router::new().insert("nope", ()).expect_err("invalid"));
    assert!(
        err.to_string()
            .starts_with("invalid route pattern \"nope\"")
    );
}

#[test]
fn failed_inserts_leave_the_router_unchanged() {
    let mut router = Router::new();
    router.insert("/a/:x", 1).expect("first");
    let _ = router.insert("/a/:y", 2);
    let _ = router.insert("/a/:x", 3);
    let _ = router.insert("/a/:x/:x", 4);
    assert_eq!(router.len(), 1);
    assert_eq!(
        router.at("/a/1").map(|m| (*m.value, m.pattern)),
        Some((1, "/a/:x"))
    );
    assert!(router.at("/a/1/2").is_none());
}
