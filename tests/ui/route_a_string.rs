use mocket::prelude::*;

fn main() {
    let mut app = Mocket::new();
    // A string is not a handler: the message says what one looks like.
    app.route("GET", "/", "hello");
}
