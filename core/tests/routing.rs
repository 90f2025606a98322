//! Routing semantics: parameters, wildcards, precedence with backtracking,
//! percent-decoding, 404 and many routes.

mod common;

use common::{both_orders, check, check_ok, fixed_routes, get, method, send};
use mocket_core::Mocket;
use mocket_core::http::StatusCode;

fn echo_params(app: &mut Mocket, pattern: &str) {
    let pattern_owned = pattern.to_owned();
    app.get(pattern, move |req| {
        let pattern = pattern_owned.clone();
        async move {
            let params = req
                .params()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",");
            format!("{pattern}|{params}")
        }
    });
}

const NOT_FOUND: (StatusCode, &str) = (StatusCode::NOT_FOUND, "Not Found");

#[test]
fn static_routes_root_and_404() {
    let mut app = Mocket::new();
    fixed_routes(
        &mut app,
        &[
            ("GET", "/", "root"),
            ("GET", "/about", "about"),
            ("GET", "/a/b/c", "deep"),
            ("GET", "/here", "here"),
            ("GET", "/search", "search"),
        ],
    );
    let (nf, nf_body) = NOT_FOUND;
    check(
        &app,
        &[
            ("/", StatusCode::OK, "root"),
            ("/about", StatusCode::OK, "about"),
            ("/a/b/c", StatusCode::OK, "deep"),
            ("/there", nf, nf_body),
            // Trailing slashes are significant.
            ("/here/", nf, nf_body),
            // A percent sign in a path no route covers is a plain 404, not
            // a 400: only parameters are decoded.
            ("/b%zz", nf, nf_body),
            // The query string does not affect routing.
            ("/search?q=a/b&x=%zz", StatusCode::OK, "search"),
        ],
    );
}

#[test]
fn params_and_wildcards_match_their_segments() {
    let mut app = Mocket::new();
    app.get("/users/:id", |req| async move {
        format!("user {}", req.try_param("id").unwrap_or("?"))
    });
    app.get("/files/*", |req| async move {
        format!(
            "{}|{}",
            req.wildcard().unwrap_or("-"),
            req.try_param("*").unwrap_or("-")
        )
    });
    app.get("/wild/**", |req| async move {
        format!(
            "[{}][{}]",
            req.wildcard().unwrap_or("-"),
            req.try_param("**").unwrap_or("-")
        )
    });
    app.get("/admin/**/settings", |req| async move {
        format!("settings [{}]", req.wildcard().unwrap_or("-"))
    });
    let (nf, nf_body) = NOT_FOUND;
    check(
        &app,
        &[
            // `:id` matches exactly one segment.
            ("/users/42", StatusCode::OK, "user 42"),
            ("/users/42/posts", nf, nf_body),
            ("/users", nf, nf_body),
            ("/users/", nf, nf_body),
            // `*` matches one segment and is readable.
            ("/files/readme", StatusCode::OK, "readme|readme"),
            ("/files/a/b", nf, nf_body),
            ("/files", nf, nf_body),
            // `**` matches zero or more segments.
            ("/wild/a/b/c", StatusCode::OK, "[a/b/c][a/b/c]"),
            ("/wild/a", StatusCode::OK, "[a][a]"),
            ("/wild", StatusCode::OK, "[][]"),
        ],
    );
    // `**` in the middle of a pattern.
    check(
        &app,
        &[
            ("/admin/x/y/settings", StatusCode::OK, "settings [x/y]"),
            ("/admin/x/settings", StatusCode::OK, "settings [x]"),
            ("/admin/settings", StatusCode::OK, "settings []"),
            ("/admin", nf, nf_body),
            ("/admin/x", nf, nf_body),
            ("/admin/x/y", nf, nf_body),
        ],
    );
}

#[test]
fn params_and_wildcards_are_readable_by_name() {
    let mut app = Mocket::new();
    echo_params(&mut app, "/orgs/:org/repos/:repo");
    app.get("/img/*file", |req| async move {
        req.try_param("file").unwrap_or("-").to_owned()
    });
    app.get("/static/**rest", |req| async move {
        req.try_param("rest").unwrap_or("-").to_owned()
    });
    app.get("/users/:id/posts/*", |req| async move {
        req.matched_pattern().unwrap_or("-").to_owned()
    });
    check(
        &app,
        &[
            // Several params, in pattern order.
            (
                "/orgs/rust/repos/cargo",
                StatusCode::OK,
                "/orgs/:org/repos/:repo|org=rust,repo=cargo",
            ),
            ("/img/cat.png", StatusCode::OK, "cat.png"),
            ("/static/css/site.css", StatusCode::OK, "css/site.css"),
            // The matched pattern is the registered one.
            ("/users/1/posts/2", StatusCode::OK, "/users/:id/posts/*"),
        ],
    );
}

/// Registers the four kinds of route in the given order.
fn precedence_app(order: &[usize]) -> Mocket {
    let mut app = Mocket::new();
    for &i in order {
        match i {
            0 => app.get("/p/x", |_req| async { "static" }),
            1 => app.get("/p/:id", |_req| async { "param" }),
            2 => app.get("/p/*", |_req| async { "star" }),
            _ => app.get("/p/**", |_req| async { "glob" }),
        };
    }
    app
}

#[test]
fn precedence_static_param_star_glob_regardless_of_order() {
    for order in [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1], [1, 3, 0, 2]] {
        let app = precedence_app(&order);
        assert_eq!(get(&app, "/p/x").1, "static", "order {order:?}");
        assert_eq!(get(&app, "/p/y").1, "param", "order {order:?}");
        assert_eq!(get(&app, "/p/y/z").1, "glob", "order {order:?}");
        assert_eq!(get(&app, "/p").1, "glob", "order {order:?}");
    }
}

#[test]
fn star_beats_glob_and_param_beats_star_with_backtracking() {
    let rows = [
        ("GET", "/q/:id/edit", "param"),
        ("GET", "/q/*/view", "star"),
        ("GET", "/q/**", "glob"),
    ];
    for app in both_orders(&rows) {
        check_ok(
            &app,
            &[
                ("/q/1/edit", "param"),
                ("/q/1/view", "star"),
                ("/q/1/other", "glob"),
            ],
        );
    }
}

#[test]
fn users_me_beats_users_id_registered_first_or_last() {
    for me_first in [true, false] {
        let mut app = Mocket::new();
        if me_first {
            app.get("/users/me", |_req| async { "me" });
        }
        app.get("/users/:id", |req| async move {
            format!("id {}", req.try_param("id").unwrap_or("?"))
        });
        if !me_first {
            app.get("/users/me", |_req| async { "me" });
        }
        check_ok(&app, &[("/users/me", "me"), ("/users/you", "id you")]);
    }
}

#[test]
fn deeper_static_dead_end_falls_back_to_param_branch() {
    let mut app = Mocket::new();
    app.get("/users/me/profile", |_req| async { "my profile" });
    app.get("/users/:id/posts", |req| async move {
        format!("posts of {}", req.try_param("id").unwrap_or("?"))
    });
    let (nf, nf_body) = NOT_FOUND;
    check(
        &app,
        &[
            ("/users/me/profile", StatusCode::OK, "my profile"),
            ("/users/me/posts", StatusCode::OK, "posts of me"),
            ("/users/7/profile", nf, nf_body),
        ],
    );
}

#[test]
fn params_are_percent_decoded_and_bad_escapes_are_400() {
    let mut app = Mocket::new();
    app.get("/echo/:name", |req| async move {
        req.try_param("name").unwrap_or("-").to_owned()
    });
    app.get("/wild/**", |req| async move {
        req.wildcard().unwrap_or("-").to_owned()
    });
    check(
        &app,
        &[
            ("/echo/hello%20world", StatusCode::OK, "hello world"),
            ("/echo/caf%C3%A9", StatusCode::OK, "café"),
            // `+` is not a space in a path.
            ("/echo/a+b", StatusCode::OK, "a+b"),
            ("/wild/a%20b/c", StatusCode::OK, "a b/c"),
        ],
    );
    let bad_escapes = ["/echo/%zz", "/echo/%", "/echo/%2", "/echo/a%g0"];
    let bad_utf8 = ["/echo/%FF", "/echo/%C3"];
    for (targets, says) in [(&bad_escapes[..], "percent-encoding"), (&bad_utf8, "UTF-8")] {
        for bad in targets {
            let (status, _, body) = send(&app, *bad);
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
            assert!(body.contains(says), "{bad}: {body}");
        }
    }
}

#[test]
fn bad_percent_encoding_never_reaches_the_handler() {
    let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = ran.clone();
    let mut app = Mocket::new();
    app.get("/echo/:name", move |_req| {
        flag.store(true, std::sync::atomic::Ordering::SeqCst);
        async { "ran" }
    });
    assert_eq!(get(&app, "/echo/%zz").0, StatusCode::BAD_REQUEST);
    assert!(!ran.load(std::sync::atomic::Ordering::SeqCst));
}

#[test]
fn empty_app_answers_404() {
    let app = Mocket::new();
    assert_eq!(get(&app, "/").0, StatusCode::NOT_FOUND);
}

#[test]
fn thousand_static_routes_each_answer_their_number() {
    let mut app = Mocket::new();
    for i in 0..1000u32 {
        app.get(
            &format!("/static/{i}"),
            move |_req| async move { i.to_string() },
        );
    }
    assert!(app.check().is_ok());
    for i in 0..1000u32 {
        let (status, body) = get(&app, &format!("/static/{i}"));
        assert_eq!(status, StatusCode::OK, "/static/{i}");
        assert_eq!(body, i.to_string());
    }
    assert_eq!(get(&app, "/static/1000").0, StatusCode::NOT_FOUND);
}

/// The exact-path fast path for static routes must not hide a dynamic
/// route that has the method the static one lacks.
#[test]
fn a_static_route_without_the_method_falls_back_to_a_param_route() {
    let mut app = Mocket::new();
    app.get("/users/me", |_req| async { "me" });
    app.post("/users/:id", |req| async move {
        format!("posted {}", req.param("id"))
    });
    check(&app, &[("POST /users/me", StatusCode::OK, "posted me")]);
    let (status, headers, _) = send(&app, method("DELETE", "/users/me"));
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers["allow"], "GET, POST, HEAD");
}
