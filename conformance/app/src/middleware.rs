//! Middleware: global order, prefix scoping, changing the request and the
//! response, answering without calling `next`, and middleware that sees
//! path parameters.

use mocket::http::HeaderValue;
use mocket::prelude::*;
use mocket::{Body, Next};

/// What the request-changing middleware attaches for the handler.
#[derive(Clone, Copy)]
struct Role(&'static str);

pub(crate) fn register(app: &mut Mocket) {
    // Two global middlewares, registered first so they are the outermost.
    // On the way in, each appends its number to the request header
    // `x-trail`; on the way out, each appends an `x-after` response header,
    // so every response carries `x-after: 2` then `x-after: 1`, and
    // `x-global: yes` (404 and 405 answers included).
    app.use_middleware(|mut req: Request, next: Next| async move {
        req.headers_mut()
            .insert("x-trail", HeaderValue::from_static("1"));
        let mut res = next.run(req).await;
        let headers = res.headers_mut();
        headers.append("x-after", HeaderValue::from_static("1"));
        headers.insert("x-global", HeaderValue::from_static("yes"));
        res
    });
    app.use_middleware(|mut req: Request, next: Next| async move {
        let trail = format!("{},2", req.header("x-trail").unwrap_or("-"));
        req.headers_mut()
            .insert("x-trail", HeaderValue::try_from(trail)?);
        let mut res = next.run(req).await;
        res.headers_mut()
            .append("x-after", HeaderValue::from_static("2"));
        Ok(res)
    });
    app.get("/mw/trail", |req| async move {
        req.header("x-trail").unwrap_or("-").to_owned()
    });

    // Scoped to `/api`: covers `/api` and `/api/…`, never `/apix`.
    app.use_middleware_at("/api", |req, next| async move {
        let mut res = next.run(req).await;
        res.headers_mut()
            .insert("x-api", HeaderValue::from_static("1"));
        res
    });
    app.get("/api", |_req| async { "api root" });
    app.get("/api/items", |_req| async { "api items" });
    app.get("/apix", |_req| async { "apix" });

    // Short-circuit: without `x-token: letmein` the handler never runs, and
    // the middleware's error goes through the app's error handler.
    app.use_middleware_at("/guarded", |req, next| async move {
        if req.header("x-token") != Some("letmein") {
            return Err(Error::new(StatusCode::UNAUTHORIZED, "missing token"));
        }
        Ok(next.run(req).await)
    });
    app.get("/guarded/secret", |_req| async { "the secret" });

    // Changing the request: a header (overwriting the client's) and an
    // extension the handler reads.
    app.use_middleware_at("/mw/rewrite", |mut req: Request, next: Next| async move {
        req.headers_mut()
            .insert("x-user", HeaderValue::from_static("ada"));
        req.extensions_mut().insert(Role("admin"));
        next.run(req).await
    });
    app.get("/mw/rewrite", |req| async move {
        let role = req.extensions().get::<Role>().map_or("-", |r| r.0);
        format!("user={} role={role}", req.header("x-user").unwrap_or("-"))
    });

    // Changing the response: its status, and its whole body.
    app.use_middleware_at("/mw/status", |req, next| async move {
        let mut res = next.run(req).await;
        *res.status_mut() = StatusCode::CREATED;
        res.headers_mut()
            .insert("x-changed", HeaderValue::from_static("status"));
        res
    });
    app.get("/mw/status", |_req| async { "status changed" });

    app.use_middleware_at("/mw/body", |req, next| async move {
        let (parts, body) = next.run(req).await.into_parts();
        let text = body.to_text().await?;
        Ok(Response::from_parts(parts, Body::from(text.to_uppercase())))
    });
    app.get("/mw/body", |_req| async { "shout this" });

    // Routing runs before middleware: a middleware scoped to a pattern
    // reads the path parameter.
    app.group("/mw/items/:id", |items| {
        items.use_middleware(|req, next| async move {
            let id = req.try_param("id").unwrap_or("-").to_owned();
            let mut res = next.run(req).await;
            res.headers_mut()
                .insert("x-item-id", HeaderValue::try_from(id)?);
            Ok(res)
        });
        items.get("/", |req| async move {
            format!("item {}", req.try_param("id").unwrap_or("-"))
        });
    });
}
