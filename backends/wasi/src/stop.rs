//! When the `wasi:sockets` server stops.
//!
//! WASI 0.2 delivers no signals to a component: `wasmtime run` dies at
//! once on SIGTERM. So whoever starts the server keeps a pipe on its
//! stdin and closes it to ask for a graceful stop (`cargo mocket run`
//! and the script `cargo mocket build` writes do this on SIGINT and
//! SIGTERM); a supervisor that dies closes it too. It is opt-in, through
//! [`STOP_ON_STDIN_CLOSE`]: a server started with `< /dev/null` must not
//! stop at once.

use wasip2::cli::stdin::get_stdin;

use crate::executor::Registration;

/// The environment variable (`1`) that makes the end of stdin stop the
/// server. Keep in sync with the CLI (`cli/src/wasi.rs`).
pub(crate) const STOP_ON_STDIN_CLOSE: &str = "MOCKET_STOP_ON_STDIN_CLOSE";

/// Ready once a stop is asked for; never, unless [`STOP_ON_STDIN_CLOSE`]
/// is set.
pub(crate) async fn requested() {
    if std::env::var(STOP_ON_STDIN_CLOSE).as_deref() != Ok("1") {
        return std::future::pending().await;
    }
    let stdin = get_stdin();
    let registration = Registration::new(stdin.subscribe());
    // Anything written is not a request to stop; the end of the stream
    // (or its failure) is.
    while stdin.read(4096).is_ok() {
        registration.ready().await;
    }
    // The pollable goes before the stream it came from.
    drop(registration);
}
