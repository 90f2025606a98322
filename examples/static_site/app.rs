//! The static site's app, apart from `main` so tests can build it.

use mocket::prelude::*;

/// The folder, relative to the repository root (where the example runs).
const SITE: &str = "examples/static_site/public";

/// Uploads may be larger than the default 1 MiB body limit; the upload
/// handler streams them, so the limit bounds time, not memory.
const UPLOAD_LIMIT: usize = 16 * 1024 * 1024;

/// The site: an API route, the upload handler, and the folder at `/`.
pub(crate) fn build() -> Mocket {
    let mut app = Mocket::new();
    app.body_limit(UPLOAD_LIMIT);

    // Routes more specific than the folder's mount win over it.
    app.get("/api/hello", |_req| async {
        Json(serde_json::json!({ "message": "Hello from the API" }))
    });

    // The form of `public/upload.html` posts here.
    app.post("/upload", |mut req| async move {
        let mut form = req.multipart()?;
        let mut rows = String::new();
        while let Some(mut field) = form.next_field().await? {
            let name = escape(field.name());
            let file = field.file_name().map(escape);
            let kind = escape(field.content_type().unwrap_or("text/plain"));
            // Counted chunk by chunk: an upload is never held whole.
            let mut size = 0;
            while let Some(chunk) = field.chunk().await? {
                size += chunk.len();
            }
            let what = match file {
                Some(file) => format!("file <code>{file}</code>"),
                None => "a field".to_owned(),
            };
            rows.push_str(&format!(
                "<li><code>{name}</code>: {what}, {kind}, {size} bytes</li>\n"
            ));
        }
        Ok(Html(format!(
            "<!doctype html>\n<title>Uploaded</title>\n<link rel=\"stylesheet\" \
             href=\"/assets/site.css\">\n<h1>Received</h1>\n<ul>\n{rows}</ul>\n\
             <p><a href=\"/upload.html\">Upload another</a></p>\n"
        )))
    });

    app.serve_dir(
        "/",
        ServeDir::new(SITE).precompressed_br().precompressed_gzip(),
    );
    app
}

/// Names, file names and types come from the client: escaped before they
/// go into HTML.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
