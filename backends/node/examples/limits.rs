//! Node.js only: an app with small limits, for `cli/tests/node_limits.rs`
//! (that the backend sets Node's server from `ServerOptions`, not from
//! Node's defaults). Run it with
//!
//! ```sh
//! cd backends/node && PORT=3000 cargo mocket run --backend node --example limits
//! ```
//!
//! A 1 s header timeout (which also bounds an idle keep-alive connection,
//! as natively) and a 4 KiB head; `GET /` answers `ok`.

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn main() {
    use std::time::Duration;

    let mut app = mocket_core::Mocket::new();
    app.server_options().header_read_timeout = Duration::from_secs(1);
    app.server_options().max_header_bytes = 4 * 1024;
    app.get("/", |_req| async { "ok" });
    let port = mocket_node::env_var("PORT").unwrap_or_else(|| "3000".into());
    if let Err(e) = mocket_node::serve(app, &format!("127.0.0.1:{port}")) {
        mocket_node::exit_with_error(&e);
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn main() {
    #[allow(clippy::print_stderr)] // the one line this binary has to say
    {
        eprintln!(
            "this example runs on Node.js: cd backends/node && cargo mocket run --backend node --example limits"
        );
    }
    std::process::exit(2);
}
