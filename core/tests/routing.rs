//! Routing semantics: parameters, wildcards, precedence with backtracking,
//! percent-decoding, 404 and many routes.

mod common;

use common::{get, send};
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

#[test]
fn static_routes_and_root() {
    let mut app = Mocket::new();
    app.get("/", |_req| async { "root" });
    app.get("/about", |_req| async { "about" });
    app.get("/a/b/c", |_req| async { "deep" });
    assert_eq!(get(&app, "/"), (StatusCode::OK, "root".into()));
    assert_eq!(get(&app, "/about"), (StatusCode::OK, "about".into()));
    assert_eq!(get(&app, "/a/b/c"), (StatusCode::OK, "deep".into()));
}

#[test]
fn named_param_matches_exactly_one_segment() {
    let mut app = Mocket::new();
    app.get("/users/:id", |req| async move {
        format!("user {}", req.try_param("id").unwrap_or("?"))
    });
    assert_eq!(get(&app, "/users/42"), (StatusCode::OK, "user 42".into()));
    assert_eq!(get(&app, "/users/42/posts").0, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/users").0, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/users/").0, StatusCode::NOT_FOUND);
}

#[test]
fn several_params_in_pattern_order() {
    let mut app = Mocket::new();
    echo_params(&mut app, "/orgs/:org/repos/:repo");
    assert_eq!(
        get(&app, "/orgs/rust/repos/cargo").1,
        "/orgs/:org/repos/:repo|org=rust,repo=cargo"
    );
}

#[test]
fn star_matches_one_segment_and_is_readable() {
    let mut app = Mocket::new();
    app.get("/files/*", |req| async move {
        format!(
            "{}|{}",
            req.wildcard().unwrap_or("-"),
            req.try_param("*").unwrap_or("-")
        )
    });
    assert_eq!(
        get(&app, "/files/readme"),
        (StatusCode::OK, "readme|readme".into())
    );
    assert_eq!(get(&app, "/files/a/b").0, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/files").0, StatusCode::NOT_FOUND);
}

#[test]
fn named_star_is_readable_by_name() {
    let mut app = Mocket::new();
    app.get("/img/*file", |req| async move {
        req.try_param("file").unwrap_or("-").to_owned()
    });
    assert_eq!(get(&app, "/img/cat.png").1, "cat.png");
}

#[test]
fn double_star_matches_zero_or_more_segments() {
    let mut app = Mocket::new();
    app.get("/wild/**", |req| async move {
        format!(
            "[{}][{}]",
            req.wildcard().unwrap_or("-"),
            req.try_param("**").unwrap_or("-")
        )
    });
    assert_eq!(get(&app, "/wild/a/b/c").1, "[a/b/c][a/b/c]");
    assert_eq!(get(&app, "/wild/a").1, "[a][a]");
    assert_eq!(get(&app, "/wild").1, "[][]");
    assert_eq!(get(&app, "/wild").0, StatusCode::OK);
}

#[test]
fn named_double_star_rest() {
    let mut app = Mocket::new();
    app.get("/static/**rest", |req| async move {
        req.try_param("rest").unwrap_or("-").to_owned()
    });
    assert_eq!(get(&app, "/static/css/site.css").1, "css/site.css");
}

#[test]
fn double_star_in_the_middle() {
    let mut app = Mocket::new();
    app.get("/admin/**/settings", |req| async move {
        format!("settings [{}]", req.wildcard().unwrap_or("-"))
    });
    assert_eq!(
        get(&app, "/admin/x/y/settings"),
        (StatusCode::OK, "settings [x/y]".into())
    );
    assert_eq!(get(&app, "/admin/x/settings").1, "settings [x]");
    assert_eq!(
        get(&app, "/admin/settings"),
        (StatusCode::OK, "settings []".into())
    );
    assert_eq!(get(&app, "/admin").0, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/admin/x").0, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/admin/x/y").0, StatusCode::NOT_FOUND);
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
    for reverse in [false, true] {
        let mut app = Mocket::new();
        let mut regs: Vec<fn(&mut Mocket)> = vec![
            |a| {
                a.get("/q/:id/edit", |_req| async { "param" });
            },
            |a| {
                a.get("/q/*/view", |_req| async { "star" });
            },
            |a| {
                a.get("/q/**", |_req| async { "glob" });
            },
        ];
        if reverse {
            regs.reverse();
        }
        for r in &regs {
            r(&mut app);
        }
        assert_eq!(get(&app, "/q/1/edit").1, "param");
        assert_eq!(get(&app, "/q/1/view").1, "star");
        assert_eq!(get(&app, "/q/1/other").1, "glob");
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
        assert_eq!(get(&app, "/users/me").1, "me");
        assert_eq!(get(&app, "/users/you").1, "id you");
    }
}

#[test]
fn deeper_static_dead_end_falls_back_to_param_branch() {
    let mut app = Mocket::new();
    app.get("/users/me/profile", |_req| async { "my profile" });
    app.get("/users/:id/posts", |req| async move {
        format!("posts of {}", req.try_param("id").unwrap_or("?"))
    });
    assert_eq!(get(&app, "/users/me/profile").1, "my profile");
    assert_eq!(
        get(&app, "/users/me/posts"),
        (StatusCode::OK, "posts of me".into())
    );
    assert_eq!(get(&app, "/users/7/profile").0, StatusCode::NOT_FOUND);
}

#[test]
fn params_are_percent_decoded() {
    let mut app = Mocket::new();
    app.get("/echo/:name", |req| async move {
        req.try_param("name").unwrap_or("-").to_owned()
    });
    app.get("/wild/**", |req| async move {
        req.wildcard().unwrap_or("-").to_owned()
    });
    assert_eq!(
        get(&app, "/echo/hello%20world"),
        (StatusCode::OK, "hello world".into())
    );
    assert_eq!(get(&app, "/echo/caf%C3%A9").1, "café");
    // `+` is not a space in a path.
    assert_eq!(get(&app, "/echo/a+b").1, "a+b");
    assert_eq!(get(&app, "/wild/a%20b/c").1, "a b/c");
}

#[test]
fn invalid_percent_encoding_is_400() {
    let mut app = Mocket::new();
    app.get("/echo/:name", |req| async move {
        req.try_param("name").unwrap_or("-").to_owned()
    });
    for bad in ["/echo/%zz", "/echo/%", "/echo/%2", "/echo/a%g0"] {
        let (status, _, body) = send(&app, bad);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body.contains("percent-encoding"), "{bad}: {body}");
    }
}

#[test]
fn invalid_utf8_after_decoding_is_400() {
    let mut app = Mocket::new();
    app.get("/echo/:name", |req| async move {
        req.try_param("name").unwrap_or("-").to_owned()
    });
    for bad in ["/echo/%FF", "/echo/%C3"] {
        let (status, _, body) = send(&app, bad);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        assert!(body.contains("UTF-8"), "{bad}: {body}");
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
fn static_segments_with_escapes_are_not_decoded_paths_only_params() {
    // Only unmatched paths 404: a percent sign in a static path that no
    // route covers is a plain 404, not a 400.
    let mut app = Mocket::new();
    app.get("/a", |_req| async { "a" });
    assert_eq!(get(&app, "/b%zz").0, StatusCode::NOT_FOUND);
}

#[test]
fn no_match_is_404() {
    let mut app = Mocket::new();
    app.get("/here", |_req| async { "here" });
    let (status, _, body) = send(&app, "/there");
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, "Not Found");
    // Trailing slashes are significant.
    assert_eq!(get(&app, "/here/").0, StatusCode::NOT_FOUND);
}

#[test]
fn empty_app_answers_404() {
    let app = Mocket::new();
    assert_eq!(get(&app, "/").0, StatusCode::NOT_FOUND);
}

#[test]
fn matched_pattern_is_the_registered_pattern() {
    let mut app = Mocket::new();
    app.get("/users/:id/posts/*", |req| async move {
        req.matched_pattern().unwrap_or("-").to_owned()
    });
    assert_eq!(get(&app, "/users/1/posts/2").1, "/users/:id/posts/*");
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

#[test]
fn query_string_does_not_affect_routing() {
    let mut app = Mocket::new();
    app.get("/search", |_req| async { "search" });
    assert_eq!(get(&app, "/search?q=a/b&x=%zz").1, "search");
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
    let req = http::Request::post("/users/me")
        .body(mocket_core::Body::empty())
        .unwrap();
    let res = futures_executor::block_on(app.request(req));
    assert_eq!(res.status(), 200);
    assert_eq!(
        futures_executor::block_on(res.into_body().to_text()).unwrap(),
        "posted me"
    );
    let req = http::Request::delete("/users/me")
        .body(mocket_core::Body::empty())
        .unwrap();
    let res = futures_executor::block_on(app.request(req));
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET, POST, HEAD");
}
