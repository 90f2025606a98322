//! The smallest Mocket app: `cargo run --example hello`, then
//! `curl http://127.0.0.1:3000/users/42`.

use mocket::prelude::*;

fn main() {
    let mut app = Mocket::new();
    app.get("/", |_req| async { "Hello, Mocket!" });
    app.get("/users/:id", |req| async move {
        format!("user {}", req.try_param("id").unwrap_or_default())
    });
    app.listen(":3000");
}
