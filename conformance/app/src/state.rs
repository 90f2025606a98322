//! Shared state, reached from handlers and middleware.

use std::sync::atomic::{AtomicU64, Ordering};

use mocket::http::HeaderValue;
use mocket::prelude::*;

struct AppName(&'static str);

struct Counter(AtomicU64);

/// Never registered: asking for it is a 500.
struct Unregistered;

pub(crate) fn register(app: &mut Mocket) {
    app.state(AppName("mocket-conformance"));
    app.state(Counter(AtomicU64::new(0)));

    app.use_middleware_at("/state", |req, next| async move {
        let name = req.state::<AppName>()?;
        let mut res = next.run(req).await;
        res.headers_mut()
            .insert("x-app", HeaderValue::from_static(name.0));
        Ok(res)
    });
    app.get(
        "/state/name",
        |req| async move { Ok(req.state::<AppName>()?.0) },
    );
    app.delete("/state/counter", |req| async move {
        req.state::<Counter>()?.0.store(0, Ordering::SeqCst);
        Ok(StatusCode::NO_CONTENT)
    });
    app.post("/state/counter", |req| async move {
        let counter = req.state::<Counter>()?;
        Ok((counter.0.fetch_add(1, Ordering::SeqCst) + 1).to_string())
    });
    app.get("/state/counter", |req| async move {
        Ok(req.state::<Counter>()?.0.load(Ordering::SeqCst).to_string())
    });
    app.get("/state/missing", |req| async move {
        req.state::<Unregistered>()?;
        Ok("unreachable")
    });
}
