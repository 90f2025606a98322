//! Groups, nested groups with their own middleware, and the app base path.

mod common;

use common::{Log, check, check_not_found, check_ok, fixed_routes};
use mocket_core::http::{HeaderValue, StatusCode};
use mocket_core::{Mocket, Next, Request, ResponseFuture};

fn tag(name: &'static str) -> impl Fn(Request, Next) -> ResponseFuture + Send + Sync + 'static {
    move |req, next| {
        Box::pin(async move {
            let mut res = next.run(req).await;
            let so_far = res
                .headers()
                .get("x-tags")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let tags = if so_far.is_empty() {
                name.to_owned()
            } else {
                format!("{so_far},{name}")
            };
            res.headers_mut()
                .insert("x-tags", HeaderValue::from_str(&tags).expect("header"));
            res
        })
    }
}

/// Checks the status and `x-tags` of `GET path` for each row, written as
/// `"200 a,b"`.
fn check_tags(app: &Mocket, rows: &[(&str, &str)]) {
    for &(path, want) in rows {
        let (status, headers, _) = common::send(app, path);
        let tags = common::header_str(&headers, "x-tags").unwrap_or_default();
        let got = format!("{} {tags}", status.as_u16());
        assert_eq!(got.trim_end(), want, "{path}");
    }
}

#[test]
fn group_routes_live_under_the_prefix_and_nest() {
    let mut app = Mocket::new();
    app.group("/api", |api| {
        api.get("/users", |_req| async { "users" });
        api.post("/users", |_req| async { "created" });
        api.get("/users/:id", |req| async move {
            format!("user {}", req.try_param("id").unwrap_or("-"))
        });
        // `/` inside a group serves the prefix itself.
        api.get("/", |req| async move {
            format!("api index {}", req.matched_pattern().unwrap_or("-"))
        });
        api.group("/v1", |v1| {
            v1.get("/ping", |_req| async { "v1 pong" });
            v1.group("/admin", |admin| {
                admin.get("/", |_req| async { "v1 admin" });
            });
        });
        api.group("v2/", |v2| {
            v2.get("/ping", |_req| async { "v2 pong" });
        });
    });
    check_ok(
        &app,
        &[
            ("/api/users", "users"),
            ("POST /api/users", "created"),
            ("/api/users/3", "user 3"),
            ("/api", "api index /api"),
            ("/api/v1/ping", "v1 pong"),
            ("/api/v1/admin", "v1 admin"),
            ("/api/v2/ping", "v2 pong"),
        ],
    );
    check_not_found(&app, &["/users", "/api/"]);
}

#[test]
fn group_middleware_applies_under_the_group_prefix_only() {
    let mut app = Mocket::new();
    app.use_middleware(tag("global"));
    app.group("/api", |api| {
        api.use_middleware(tag("api"));
        api.get("/", |_req| async { "api" });
        api.get("/x", |_req| async { "x" });
        api.group("/v1", |v1| {
            v1.use_middleware(tag("v1"));
            v1.get("/ping", |_req| async { "pong" });
        });
    });
    app.get("/apix", |_req| async { "apix" });
    app.get("/", |_req| async { "root" });

    // Tags are appended on the way out: innermost first.
    check_tags(
        &app,
        &[
            ("/api/v1/ping", "200 v1,api,global"),
            ("/api/x", "200 api,global"),
            ("/api", "200 api,global"),
            ("/apix", "200 global"),
            ("/", "200 global"),
            // A 404 under the group still gets the group's middleware.
            ("/api/v1/nothing", "404 v1,api,global"),
        ],
    );
}

#[test]
fn group_middleware_can_short_circuit_only_its_group() {
    let log = Log::default();
    let mut app = Mocket::new();
    app.group("/admin", |admin| {
        admin.use_middleware(|_req, _next| async { StatusCode::FORBIDDEN });
        admin.get("/users", |_req| async { "users" });
    });
    app.get("/administrators", log.handler("public", "list"));
    check(
        &app,
        &[
            ("/admin/users", StatusCode::FORBIDDEN, ""),
            ("/administrators", StatusCode::OK, "list"),
        ],
    );
    assert_eq!(log.take(), ["public"]);
}

#[test]
fn group_on_and_all() {
    let mut app = Mocket::new();
    app.group("/dav", |dav| {
        dav.on("PROPFIND", "/", |_req| async { "propfind" });
        dav.all("/any", |req| async move { req.method().to_string() });
    });
    check_ok(
        &app,
        &[("PROPFIND /dav", "propfind"), ("PATCH /dav/any", "PATCH")],
    );
}

#[test]
fn with_base_path_prefixes_every_route_and_normalizes_slashes() {
    let mut app = Mocket::with_base_path("/api");
    fixed_routes(
        &mut app,
        &[("GET", "/users", "users"), ("GET", "/", "api root")],
    );
    app.group("/v1", |v1| {
        v1.get("/ping", |_req| async { "pong" });
    });
    check_ok(
        &app,
        &[
            ("/api/users", "users"),
            ("/api", "api root"),
            ("/api/v1/ping", "pong"),
        ],
    );
    check_not_found(&app, &["/users", "/v1/ping"]);
    let mut app = Mocket::with_base_path("api/");
    app.get("/x", |_req| async { "x" });
    check(&app, &[("/api/x", StatusCode::OK, "x")]);
}

#[test]
fn with_base_path_scopes_use_middleware_at() {
    let mut app = Mocket::with_base_path("/api");
    app.use_middleware_at("/admin", |_req, _next| async { StatusCode::FORBIDDEN });
    app.get("/admin/users", |_req| async { "users" });
    app.get("/public", |_req| async { "public" });
    check(
        &app,
        &[
            ("/api/admin/users", StatusCode::FORBIDDEN, ""),
            ("/api/public", StatusCode::OK, "public"),
        ],
    );
}

/// Group middleware must apply to every route of the group, including when
/// the group's prefix has a `:param` (the middleware is scoped to the
/// pattern, not to the literal text `/users/:id`).
#[test]
fn group_prefix_with_a_param_serves_routes_params_and_middleware() {
    // Without and with an auth middleware on the group.
    for (auth, posts) in [
        (false, (StatusCode::OK, "posts of 7")),
        (true, (StatusCode::UNAUTHORIZED, "")),
    ] {
        let mut app = Mocket::new();
        app.group("/users/:id", move |user| {
            if auth {
                user.use_middleware(|_req, _next| async { StatusCode::UNAUTHORIZED });
            }
            user.get("/posts", |req| async move {
                format!("posts of {}", req.try_param("id").unwrap_or("-"))
            });
        });
        app.get("/public", |_req| async { "public" });
        let (status, body) = posts;
        check(
            &app,
            &[
                ("/users/7/posts", status, body),
                ("/public", StatusCode::OK, "public"),
            ],
        );
    }
}

#[test]
fn use_middleware_at_a_param_prefix() {
    let mut app = Mocket::new();
    app.use_middleware_at("/orgs/:org", tag("org"));
    app.get("/orgs/:org/repos", |_req| async { "repos" });
    app.get("/orgs", |_req| async { "orgs" });
    check_tags(&app, &[("/orgs/rust/repos", "200 org"), ("/orgs", "200")]);
}
