//! The REST example: CRUD, validation errors and JSON error bodies.

#[path = "../examples/rest_api/app.rs"]
mod app;

use futures_executor::block_on;
use mocket::http::{Request, StatusCode};
use mocket::{Body, Mocket};
use serde_json::{Value, json};

fn send(app: &Mocket, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    let body = match body {
        Some(v) => {
            req = req.header("content-type", "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let res = block_on(app.request(req.body(body).expect("a valid request")));
    let status = res.status();
    let text = block_on(res.into_body().to_text()).expect("a text body");
    let value = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).expect("a JSON body")
    };
    (status, value)
}

#[test]
fn create_read_update_delete() {
    let app = app::build();
    let (status, todo) = send(
        &app,
        "POST",
        "/todos",
        Some(json!({ "title": "  write docs " })),
    );
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        todo,
        json!({ "id": 1, "title": "write docs", "done": false })
    );

    assert_eq!(
        send(&app, "GET", "/todos", None),
        (StatusCode::OK, json!([todo]))
    );
    assert_eq!(send(&app, "GET", "/todos/1", None), (StatusCode::OK, todo));

    let (status, patched) = send(&app, "PATCH", "/todos/1", Some(json!({ "done": true })));
    assert_eq!(status, StatusCode::OK);
    assert_eq!(patched["done"], true);

    assert_eq!(
        send(&app, "DELETE", "/todos/1", None).0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&app, "GET", "/todos/1", None),
        (
            StatusCode::NOT_FOUND,
            json!({ "error": "no todo with id 1" })
        )
    );
    assert_eq!(
        send(&app, "GET", "/todos", None),
        (StatusCode::OK, json!([]))
    );
}

#[test]
fn validation_errors_are_json() {
    let app = app::build();
    let (status, body) = send(&app, "POST", "/todos", Some(json!({ "title": " " })));
    assert_eq!(
        (status, body),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "error": "title must not be empty" })
        )
    );

    let long = "x".repeat(201);
    assert_eq!(
        send(&app, "POST", "/todos", Some(json!({ "title": long }))).0,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let (status, body) = send(&app, "POST", "/todos", Some(json!({ "name": "x" })));
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid JSON body"),
        "{body}"
    );

    let (status, body) = send(&app, "GET", "/todos/abc", None);
    assert_eq!(
        (status, body),
        (
            StatusCode::BAD_REQUEST,
            json!({ "error": "todo id must be a number, got \"abc\"" })
        )
    );

    let req = Request::post("/todos")
        .header("content-type", "text/plain")
        .body(Body::from("x"))
        .unwrap();
    assert_eq!(
        block_on(app.request(req)).status(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE
    );

    let (status, body) = send(&app, "PUT", "/todos/1", None);
    assert_eq!(
        (status, body),
        (
            StatusCode::METHOD_NOT_ALLOWED,
            json!({ "error": "Method Not Allowed" })
        )
    );
}
