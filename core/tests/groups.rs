//! Groups, nested groups with their own middleware, and the app base path.

mod common;

use common::{Log, get, method, send};
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

fn tags(app: &Mocket, path: &str) -> (StatusCode, String) {
    let (status, headers, _) = send(app, path);
    let tags = headers
        .get("x-tags")
        .map(|v| v.to_str().expect("text").to_owned())
        .unwrap_or_default();
    (status, tags)
}

#[test]
fn group_routes_live_under_the_prefix() {
    let mut app = Mocket::new();
    app.group("/api", |api| {
        api.get("/users", |_req| async { "users" });
        api.post("/users", |_req| async { "created" });
        api.get("/users/:id", |req| async move {
            format!("user {}", req.try_param("id").unwrap_or("-"))
        });
    });
    assert_eq!(get(&app, "/api/users"), (StatusCode::OK, "users".into()));
    assert_eq!(send(&app, method("POST", "/api/users")).2, "created");
    assert_eq!(get(&app, "/api/users/3").1, "user 3");
    assert_eq!(get(&app, "/users").0, StatusCode::NOT_FOUND);
}

#[test]
fn slash_inside_group_serves_the_prefix_itself() {
    let mut app = Mocket::new();
    app.group("/api", |api| {
        api.get("/", |req| async move {
            format!("api index {}", req.matched_pattern().unwrap_or("-"))
        });
    });
    assert_eq!(get(&app, "/api"), (StatusCode::OK, "api index /api".into()));
    assert_eq!(get(&app, "/api/").0, StatusCode::NOT_FOUND);
}

#[test]
fn nested_groups_join_prefixes() {
    let mut app = Mocket::new();
    app.group("/api", |api| {
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
    assert_eq!(get(&app, "/api/v1/ping").1, "v1 pong");
    assert_eq!(get(&app, "/api/v1/admin").1, "v1 admin");
    assert_eq!(get(&app, "/api/v2/ping").1, "v2 pong");
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
    assert_eq!(
        tags(&app, "/api/v1/ping"),
        (StatusCode::OK, "v1,api,global".into())
    );
    assert_eq!(tags(&app, "/api/x"), (StatusCode::OK, "api,global".into()));
    assert_eq!(tags(&app, "/api"), (StatusCode::OK, "api,global".into()));
    assert_eq!(tags(&app, "/apix"), (StatusCode::OK, "global".into()));
    assert_eq!(tags(&app, "/"), (StatusCode::OK, "global".into()));
    // A 404 under the group still gets the group's middleware.
    assert_eq!(
        tags(&app, "/api/v1/nothing"),
        (StatusCode::NOT_FOUND, "v1,api,global".into())
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
    let l = log.clone();
    app.get("/administrators", move |_req| {
        let l = l.clone();
        async move {
            l.push("public");
            "list"
        }
    });
    assert_eq!(get(&app, "/admin/users").0, StatusCode::FORBIDDEN);
    assert_eq!(
        get(&app, "/administrators"),
        (StatusCode::OK, "list".into())
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
    assert_eq!(send(&app, method("PROPFIND", "/dav")).2, "propfind");
    assert_eq!(send(&app, method("PATCH", "/dav/any")).2, "PATCH");
}

#[test]
fn with_base_path_prefixes_every_route() {
    let mut app = Mocket::with_base_path("/api");
    app.get("/users", |_req| async { "users" });
    app.get("/", |_req| async { "api root" });
    app.group("/v1", |v1| {
        v1.get("/ping", |_req| async { "pong" });
    });
    assert_eq!(get(&app, "/api/users"), (StatusCode::OK, "users".into()));
    assert_eq!(get(&app, "/api"), (StatusCode::OK, "api root".into()));
    assert_eq!(get(&app, "/api/v1/ping").1, "pong");
    assert_eq!(get(&app, "/users").0, StatusCode::NOT_FOUND);
    assert_eq!(get(&app, "/v1/ping").0, StatusCode::NOT_FOUND);
}

#[test]
fn with_base_path_normalizes_slashes() {
    let mut app = Mocket::with_base_path("api/");
    app.get("/x", |_req| async { "x" });
    assert_eq!(get(&app, "/api/x").1, "x");
}

#[test]
fn with_base_path_scopes_use_middleware_at() {
    let mut app = Mocket::with_base_path("/api");
    app.use_middleware_at("/admin", |_req, _next| async { StatusCode::FORBIDDEN });
    app.get("/admin/users", |_req| async { "users" });
    app.get("/public", |_req| async { "public" });
    assert_eq!(get(&app, "/api/admin/users").0, StatusCode::FORBIDDEN);
    assert_eq!(get(&app, "/api/public").0, StatusCode::OK);
}

#[test]
fn group_prefix_with_a_param_serves_routes_and_params() {
    let mut app = Mocket::new();
    app.group("/users/:id", |user| {
        user.get("/posts", |req| async move {
            format!("posts of {}", req.try_param("id").unwrap_or("-"))
        });
    });
    assert_eq!(
        get(&app, "/users/7/posts"),
        (StatusCode::OK, "posts of 7".into())
    );
}

/// Group middleware must apply to every route of the group, including when
/// the group's prefix has a `:param` (the middleware is scoped to the
/// pattern, not to the literal text `/users/:id`).
#[test]
fn group_middleware_applies_under_a_param_prefix() {
    let mut app = Mocket::new();
    app.group("/users/:id", |user| {
        user.use_middleware(|_req, _next| async { StatusCode::UNAUTHORIZED });
        user.get("/posts", |_req| async { "private posts" });
    });
    app.get("/public", |_req| async { "public" });
    assert_eq!(
        get(&app, "/users/7/posts").0,
        StatusCode::UNAUTHORIZED,
        "the group's auth middleware was skipped"
    );
    assert_eq!(get(&app, "/public").0, StatusCode::OK);
}

#[test]
fn use_middleware_at_a_param_prefix() {
    let mut app = Mocket::new();
    app.use_middleware_at("/orgs/:org", tag("org"));
    app.get("/orgs/:org/repos", |_req| async { "repos" });
    app.get("/orgs", |_req| async { "orgs" });
    assert_eq!(
        tags(&app, "/orgs/rust/repos"),
        (StatusCode::OK, "org".into())
    );
    assert_eq!(tags(&app, "/orgs"), (StatusCode::OK, String::new()));
}
