//! Turns every fenced `rust` block of the project's READMEs into code, so that
//! `cargo check -p mocket-docs-snippets` fails when a snippet no longer
//! compiles as written. See `src/lib.rs` for how blocks are wrapped.

use std::fmt::Write as _;
use std::path::Path;

/// The documents whose snippets are checked, from the repository root.
const DOCUMENTS: &[&str] = &[
    "README.md",
    "backends/node/README.md",
    "backends/wasi/README.md",
];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = String::new();
    for document in DOCUMENTS {
        let path = root.join(document);
        println!("cargo::rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        for (n, snippet) in snippets(&text).into_iter().enumerate() {
            wrap(&mut out, document, n, &snippet);
        }
    }
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("snippets.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
}

/// A fenced block: its info string's tags after `rust`, its first line in
/// the document, and its code.
struct Snippet {
    tags: Vec<String>,
    line: usize,
    code: String,
}

fn snippets(text: &str) -> Vec<Snippet> {
    let mut found = Vec::new();
    let mut open: Option<Snippet> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        match &mut open {
            None => {
                if let Some(info) = trimmed.strip_prefix("```")
                    && let Some(rest) = info.strip_prefix("rust")
                    && (rest.is_empty() || rest.starts_with(','))
                {
                    let tags = rest.split(',').filter(|t| !t.is_empty()).map(str::to_owned);
                    open = Some(Snippet {
                        tags: tags.collect(),
                        line: i + 2,
                        code: String::new(),
                    });
                }
            }
            Some(snippet) => {
                if trimmed.starts_with("```") {
                    found.extend(open.take());
                } else {
                    snippet.code.push_str(line);
                    snippet.code.push('\n');
                }
            }
        }
    }
    found
}

fn wrap(out: &mut String, document: &str, n: usize, snippet: &Snippet) {
    if snippet.tags.iter().any(|t| t == "ignore") {
        return;
    }
    let name = format!(
        "{}_{n}",
        document.replace(['/', '.', '-'], "_").to_lowercase()
    );
    // Node.js-only snippets use wasm-bindgen: checked for that target.
    let cfg = if snippet.tags.iter().any(|t| t == "node") {
        "#[cfg(all(target_arch = \"wasm32\", target_os = \"unknown\"))]\n"
    } else {
        ""
    };
    let _ = writeln!(out, "// {document}, line {}", snippet.line);
    let _ = writeln!(
        out,
        "{cfg}#[allow(unused, clippy::all)]\nmod {name} {{\n    use crate::support::*;"
    );
    if snippet.code.contains("fn main()") {
        // A whole program, as written.
        let _ = writeln!(out, "{}", snippet.code);
    } else {
        // Statements about an `app` in scope, as in `main` (async only so
        // that the testing section can await): no `?` at the top level.
        let _ = writeln!(
            out,
            "    async fn snippet(mut app: Mocket) {{\n{}\n    }}",
            snippet.code
        );
    }
    let _ = writeln!(out, "}}\n");
}
