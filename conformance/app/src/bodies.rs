//! What handlers read: the request head, the query string and the body.

use mocket::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize)]
struct Paging {
    page: u32,
    per_page: Option<u32>,
}

#[derive(Deserialize)]
struct Person {
    name: String,
    age: u32,
}

#[derive(Serialize)]
struct Greeting {
    greeting: String,
    adult: bool,
}

pub(crate) fn register(app: &mut Mocket) {
    request_head(app);
    query(app);
    body(app);
}

/// Echoes of the request head, to check that backends pass it faithfully.
fn request_head(app: &mut Mocket) {
    app.get("/request/raw/**", |req| async move {
        format!("{}|{}", req.path(), req.query_string().unwrap_or("-"))
    });
    app.get("/request/headers", |req| async move {
        let multi: Vec<&str> = req
            .headers()
            .get_all("x-multi")
            .iter()
            .map(|v| v.to_str().unwrap_or("?"))
            .collect();
        format!(
            "one={} multi={}",
            req.header("x-one").unwrap_or("-"),
            multi.join("|")
        )
    });
    app.get("/request/version", |req| async move {
        format!("{:?}", req.version())
    });
    app.get("/request/host", |req| async move {
        req.header("host").unwrap_or("-").to_owned()
    });
    app.all(
        "/request/method",
        |req| async move { req.method().to_string() },
    );
}

fn query(app: &mut Mocket) {
    app.get("/query/map", |req| async move {
        let mut pairs: Vec<String> = req
            .query()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        pairs.sort();
        pairs.join(";")
    });
    app.get("/query/param", |req| async move {
        req.query_param("name").unwrap_or_else(|| "(none)".into())
    });
    app.get("/query/typed", |req| async move {
        let paging: Paging = req.query_as()?;
        Ok(Json(paging))
    });
}

fn body(app: &mut Mocket) {
    app.post("/body/text", |mut req| async move { req.text().await });
    app.post("/body/bytes", |mut req| async move { req.bytes().await });
    app.post("/body/length", |mut req| async move {
        Ok(format!("{} bytes", req.bytes().await?.len()))
    });
    app.post("/body/json", |mut req| async move {
        let person: Person = req.json().await?;
        Ok(Json(Greeting {
            greeting: format!("hello {}", person.name),
            adult: person.age >= 18,
        }))
    });
    // Never reads the body: the server must still find the next request.
    app.post("/body/ignored", |_req| async { "ignored" });
}
