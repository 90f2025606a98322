//! Static files: the folder `public/` next to this crate's manifest (the
//! suite runs the app from there), served twice:
//!
//! - `/static`: the default mount (404 for missing files, 405 for other
//!   methods), with precompressed `.br` and `.gz` siblings;
//! - `/fall`: falling through to the routes below and the app's 404 when
//!   there is no such file.
//!
//! The fixture (checked in; the suite pins every file's modification time
//! so that `ETag` and `Last-Modified` are known in advance):
//!
//! ```text
//! public/index.html, hello.txt, style.css, empty.txt, .env, sub/index.html
//! public/large.bin                 150 000 bytes, byte i = (7i + i/256) % 256
//! public/style.css.gz              gzip -9 -n -k style.css
//! public/style.css.br              node: zlib.brotliCompressSync(…, quality 11)
//! public/inside.txt -> hello.txt   a symlink inside the folder
//! public/sub/up-hello.txt -> ../hello.txt, public/linked-sub -> sub: more of them
//! public/leak.txt -> ../secret.txt a symlink out of it (secret.txt is beside public/)
//! public/abs-leak.txt -> /etc/passwd an absolute symlink out of it
//! ```

use mocket::prelude::*;

pub(crate) fn register(app: &mut Mocket) {
    app.serve_dir(
        "/static",
        ServeDir::new("public")
            .precompressed_br()
            .precompressed_gzip(),
    );
    app.serve_dir("/fall", ServeDir::new("public").fall_through());
    app.get("/fall/:name", |req| async move {
        format!("route {}", req.try_param("name").unwrap_or_default())
    });
    app.post("/fall/hello.txt", |_req| async { "posted" });
}
