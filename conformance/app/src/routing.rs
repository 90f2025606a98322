//! Paths, methods and groups.

use mocket::http::HeaderValue;
use mocket::prelude::*;

pub(crate) fn register(app: &mut Mocket) {
    paths(app);
    methods(app);
    groups(app);
}

fn param<'r>(req: &'r Request, name: &str) -> &'r str {
    req.try_param(name).unwrap_or("-")
}

fn paths(app: &mut Mocket) {
    app.get("/", |_req| async { "home" });
    // Registered before the static `/users/me`, which still wins: precedence
    // is by specificity, not registration order.
    app.get("/users/:id", |req| async move {
        format!("user {}", param(&req, "id"))
    });
    app.get("/users/me", |_req| async { "me" });
    app.get("/users/:uid/posts/:pid", |req| async move {
        format!("user {} post {}", param(&req, "uid"), param(&req, "pid"))
    });
    app.get("/files/*/raw", |req| async move {
        format!("raw [{}]", req.wildcard().unwrap_or("-"))
    });
    app.get("/docs/**/edit", |req| async move {
        format!("edit [{}]", req.wildcard().unwrap_or("-"))
    });
    app.get("/wild/**", |req| async move {
        format!("wild [{}]", req.wildcard().unwrap_or("-"))
    });
    app.get("/echo/:name", |req| async move {
        param(&req, "name").to_owned()
    });
    app.get("/pattern/:id/*", |req| async move {
        req.matched_pattern().unwrap_or("-").to_owned()
    });
}

fn methods(app: &mut Mocket) {
    app.get("/methods/item", |_req| async { "GET item" });
    app.post("/methods/item", |_req| async {
        (StatusCode::CREATED, "POST item")
    });
    app.put("/methods/item", |_req| async { "PUT item" });
    app.patch("/methods/item", |_req| async { "PATCH item" });
    app.delete("/methods/item", |_req| async { StatusCode::NO_CONTENT });
    app.options("/methods/item", |_req| async {
        (
            [("allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS")],
            StatusCode::NO_CONTENT,
        )
    });

    app.get("/methods/readonly", |_req| async { "read" });
    app.post("/methods/readonly", |_req| async { "posted" });

    app.on("PROPFIND", "/methods/dav", |_req| async {
        (StatusCode::MULTI_STATUS, "PROPFIND dav")
    });

    // `all` answers every method; a method-specific route beats it.
    app.all("/methods/any", |req| async move {
        format!("any {}", req.method())
    });
    app.post("/methods/any", |_req| async { "POST specific" });

    // An explicit HEAD route replaces the GET route's answer to HEAD.
    app.get("/methods/head", |_req| async {
        ([("x-from", "get")], "body from GET")
    });
    app.head("/methods/head", |_req| async {
        ([("x-from", "head")], StatusCode::OK)
    });
}

fn groups(app: &mut Mocket) {
    app.group("/g", |g| {
        g.use_middleware(|req, next| async move {
            let mut res = next.run(req).await;
            let headers = res.headers_mut();
            headers.insert("x-group", HeaderValue::from_static("g"));
            headers.append("x-group-order", HeaderValue::from_static("outer"));
            res
        });
        g.get("/", |_req| async { "group root" });
        g.group("/v1", |v1| {
            v1.use_middleware(|req, next| async move {
                let mut res = next.run(req).await;
                res.headers_mut()
                    .append("x-group-order", HeaderValue::from_static("inner"));
                res
            });
            v1.get("/ping", |_req| async { "pong" });
            v1.delete("/items/:id", |req| async move {
                format!("deleted {}", param(&req, "id"))
            });
            v1.on("PROPFIND", "/dav", |_req| async { "group PROPFIND" });
            v1.all("/any", |req| async move {
                format!("group any {}", req.method())
            });
        });
    });
    // Shares the `/g` text but not the segment: no group middleware.
    app.get("/gx", |_req| async { "outside the group" });
}
