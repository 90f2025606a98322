use mocket::prelude::*;

fn main() {
    let mut app = Mocket::new();
    // wrap takes middleware values; the note points closures elsewhere.
    app.wrap(42u8);
}
