//! Parsing patterns on their own: names, static-ness, and the errors the
//! router gives for the same text.

use mocket_router::{InsertError, Pattern, Router};

#[test]
fn parameter_names_come_in_pattern_order() {
    let p = Pattern::parse("/a/:x/*/**rest/:y").expect("valid");
    assert_eq!(p.param_names().collect::<Vec<_>>(), ["x", "*", "rest", "y"]);
    assert_eq!(p.param_names().len(), 4);
    let p = Pattern::parse("/a/*name/**").expect("valid");
    assert_eq!(p.param_names().collect::<Vec<_>>(), ["name", "**"]);
}

#[test]
fn static_patterns_have_no_parameters_or_wildcards() {
    for text in ["/", "//", "/about", "/a/b/", "/has:colon", "/%20"] {
        assert!(Pattern::parse(text).expect("valid").is_static(), "{text}");
    }
    for text in ["/:id", "/a/*", "/**", "/a/**b/c"] {
        assert!(!Pattern::parse(text).expect("valid").is_static(), "{text}");
    }
}

#[test]
fn parse_refuses_what_insert_refuses_with_the_same_error() {
    for text in ["", "users", "/a*b", "/:", "/:a/:a", "/**/**", "/:a-b"] {
        let parsed = Pattern::parse(text).expect_err(text);
        let inserted = Router::new().insert(text, ()).expect_err(text);
        assert_eq!(parsed, inserted, "{text}");
        assert!(
            matches!(parsed, InsertError::InvalidPattern { .. }),
            "{text}"
        );
    }
}

#[test]
fn route_ids_are_registration_order() {
    let mut router = Router::new();
    for p in ["/b", "/a/:x", "/c/**"] {
        router.insert(p, p).expect("valid");
    }
    for (id, p) in ["/b", "/a/:x", "/c/**"].into_iter().enumerate() {
        let (pattern, _) = router.route(id).expect("registered");
        assert_eq!(pattern, p);
    }
    assert_eq!(router.at("/a/1").expect("match").id, 1);
    assert_eq!(router.at("/b").expect("match").id, 0);
}
