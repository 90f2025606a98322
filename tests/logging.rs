//! `request_logger`: one `tracing` event per request with the method, path
//! and status, and no request log at all without it.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use mocket::http;
use mocket::prelude::*;
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// One event as the capturing layer saw it.
#[derive(Debug, Clone)]
struct Captured {
    target: String,
    level: tracing::Level,
    fields: BTreeMap<String, String>,
}

impl Captured {
    fn field(&self, name: &str) -> &str {
        self.fields
            .get(name)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("no field {name:?} in {self:?}"))
    }
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Captured>>>);

impl<S: tracing::Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        self.0.lock().expect("capture lock").push(Captured {
            target: event.metadata().target().to_owned(),
            level: *event.metadata().level(),
            fields: fields.0,
        });
    }
}

#[derive(Default)]
struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_owned(), value.to_string());
    }
}

/// Runs `f` with a subscriber that records every event (all levels) on
/// this thread, and returns what it recorded.
fn capture(f: impl FnOnce()) -> Vec<Captured> {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    tracing::subscriber::with_default(subscriber, f);
    capture.0.lock().expect("capture lock").clone()
}

fn app(with_logger: bool) -> Mocket {
    let mut app = Mocket::new();
    if with_logger {
        app.use_middleware(mocket::request_logger());
    }
    app.get("/users/:id", |req| async move {
        format!("user {}", req.param("id"))
    });
    app.post("/items", |_req| async { (StatusCode::CREATED, "made") });
    app
}

fn send(app: &Mocket, req: http::Request<&'static str>) -> StatusCode {
    futures_executor::block_on(app.request(req)).status()
}

fn request_events(events: &[Captured]) -> Vec<&Captured> {
    events
        .iter()
        .filter(|e| e.target == "mocket::request")
        .collect()
}

#[test]
fn logs_method_path_and_status_of_each_request() {
    let app = app(true);
    let events = capture(|| {
        let get = http::Request::get("/users/7?tab=posts")
            .body("")
            .expect("request");
        assert_eq!(send(&app, get), StatusCode::OK);
        let post = http::Request::post("/items").body("{}").expect("request");
        assert_eq!(send(&app, post), StatusCode::CREATED);
        let missing = http::Request::get("/nowhere").body("").expect("request");
        assert_eq!(send(&app, missing), StatusCode::NOT_FOUND);
    });
    let logged = request_events(&events);
    assert_eq!(logged.len(), 3, "{events:#?}");
    let expected = [
        ("GET", "/users/7", "200"),
        ("POST", "/items", "201"),
        ("GET", "/nowhere", "404"),
    ];
    for (event, (method, path, status)) in logged.iter().zip(expected) {
        assert_eq!(event.level, tracing::Level::INFO, "{event:?}");
        assert_eq!(event.field("method"), method, "{event:?}");
        assert_eq!(event.field("path"), path, "{event:?}");
        assert_eq!(event.field("status"), status, "{event:?}");
        let micros: u64 = event.field("micros").parse().expect("micros is a number");
        assert!(micros < 60_000_000, "{event:?}");
    }
}

#[test]
fn nothing_is_logged_without_the_logger() {
    let app = app(false);
    let events = capture(|| {
        let get = http::Request::get("/users/7").body("").expect("request");
        assert_eq!(send(&app, get), StatusCode::OK);
        let post = http::Request::post("/items").body("{}").expect("request");
        assert_eq!(send(&app, post), StatusCode::CREATED);
    });
    assert!(
        events.is_empty(),
        "successful requests logged without the logger: {events:#?}"
    );

    // Errors may be logged by the error renderer, but not as request lines.
    let events = capture(|| {
        let missing = http::Request::get("/nowhere").body("").expect("request");
        assert_eq!(send(&app, missing), StatusCode::NOT_FOUND);
    });
    assert!(request_events(&events).is_empty(), "{events:#?}");
}

#[test]
fn a_scoped_logger_logs_only_its_paths() {
    let mut app = Mocket::new();
    app.use_middleware_at("/api", mocket::request_logger());
    app.get("/api/ping", |_req| async { "pong" });
    app.get("/health", |_req| async { "ok" });
    let events = capture(|| {
        for path in ["/health", "/api/ping", "/health"] {
            let req = http::Request::get(path).body("").expect("request");
            assert_eq!(send(&app, req), StatusCode::OK);
        }
    });
    let logged = request_events(&events);
    assert_eq!(logged.len(), 1, "{events:#?}");
    assert_eq!(logged[0].field("path"), "/api/ping");
}

#[test]
fn a_replaced_error_handler_keeps_the_5xx_log() {
    let mut app = Mocket::new();
    app.on_error(|err: Error| {
        (
            err.status(),
            Json(serde_json::json!({ "error": err.message() })),
        )
    });
    app.get("/fail", |_req| async {
        Error::internal("the database is down")
    });
    app.get("/missing", |_req| async {
        Error::not_found("no such thing")
    });
    let events = capture(|| {
        let req = http::Request::get("/fail").body("").expect("request");
        assert_eq!(send(&app, req), StatusCode::INTERNAL_SERVER_ERROR);
        let req = http::Request::get("/missing").body("").expect("request");
        assert_eq!(send(&app, req), StatusCode::NOT_FOUND);
    });
    let errors: Vec<&Captured> = events
        .iter()
        .filter(|e| e.level == tracing::Level::ERROR)
        .collect();
    assert_eq!(errors.len(), 1, "{events:#?}");
    assert!(
        errors[0].field("error").contains("the database is down"),
        "{events:#?}"
    );
}
