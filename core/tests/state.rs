//! Shared state: `Mocket::state` and `Request::state`.

mod common;

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use common::{assert_opaque_500, check, get, send, verbose_errors};
use mocket_core::http::{HeaderValue, StatusCode};
use mocket_core::{Json, Mocket};

struct Config {
    greeting: &'static str,
}

struct Hits(AtomicU64);

#[test]
fn handlers_read_state_and_missing_state_is_500() {
    let mut app = Mocket::new();
    app.state(Config { greeting: "hello" });
    app.get("/", |req| async move {
        let config = req.state::<Config>()?;
        Ok(format!("{}, world", config.greeting))
    });
    app.get("/hits", |req| async move {
        let hits = req.state::<Hits>()?;
        Ok(hits.0.load(Ordering::SeqCst).to_string())
    });
    check(
        &app,
        &[
            ("/", StatusCode::OK, "hello, world"),
            (
                "/hits",
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error",
            ),
        ],
    );
    assert!(
        !get(&app, "/hits").1.contains("Hits"),
        "type names are for the log only"
    );
}

#[test]
fn state_is_shared_between_requests() {
    let mut app = Mocket::new();
    app.state(Hits(AtomicU64::new(0)));
    app.get("/hits", |req| async move {
        let hits = req.state::<Hits>()?;
        Ok((hits.0.fetch_add(1, Ordering::SeqCst) + 1).to_string())
    });
    assert_eq!(get(&app, "/hits").1, "1");
    assert_eq!(get(&app, "/hits").1, "2");
    assert_eq!(get(&app, "/hits").1, "3");
}

#[test]
fn middleware_reads_and_writes_state() {
    let mut app = Mocket::new();
    app.state(Mutex::new(Vec::<String>::new()));
    app.state(Config { greeting: "hi" });
    app.use_middleware(|req, next| async move {
        let log = req.state::<Mutex<Vec<String>>>()?;
        log.lock().expect("lock").push(format!("mw {}", req.path()));
        let greeting = req.state::<Config>()?.greeting;
        let mut res = next.run(req).await;
        res.headers_mut()
            .insert("x-greeting", HeaderValue::from_static(greeting));
        Ok(res)
    });
    app.get("/a", |req| async move {
        let log = req.state::<Mutex<Vec<String>>>()?;
        log.lock().expect("lock").push("handler a".into());
        let all = log.lock().expect("lock").clone();
        Ok(Json(all))
    });
    let (status, headers, body) = send(&app, "/a");
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-greeting"], "hi");
    assert_eq!(body, r#"["mw /a","handler a"]"#);
}

#[test]
fn several_state_types_coexist_and_a_second_value_replaces_the_first() {
    let mut app = Mocket::new();
    app.state(Config { greeting: "first" });
    app.state(Hits(AtomicU64::new(41)));
    app.state(Config { greeting: "second" });
    app.get("/", |req| async move {
        let config = req.state::<Config>()?;
        let hits = req.state::<Hits>()?;
        Ok(format!(
            "{} {}",
            config.greeting,
            hits.0.load(Ordering::SeqCst)
        ))
    });
    assert_eq!(get(&app, "/").1, "second 41");
}

#[test]
fn missing_state_in_a_middleware_is_500() {
    let mut app = Mocket::new();
    app.use_middleware(|req, next| async move {
        req.state::<Config>()?;
        Ok(next.run(req).await)
    });
    app.get("/", |_req| async { "never" });
    assert_opaque_500(&app, "/");
}

#[test]
fn missing_state_error_is_internal_with_a_useful_cause() {
    let mut app = Mocket::new();
    verbose_errors(&mut app);
    app.get(
        "/",
        |req| async move { req.state::<Hits>().map(|_| "found") },
    );
    let (status, _, body) = send(&app, "/");
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(body.contains("Hits"), "{body}");
    assert!(body.contains("register one with app.state"), "{body}");
}
