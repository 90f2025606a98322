use mocket::prelude::*;

fn main() {
    let mut app = Mocket::new();
    // A number is not a response: the message says what would be.
    app.get("/", |_req| async { 42u32 });
}
