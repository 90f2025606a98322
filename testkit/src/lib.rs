//! What Mocket's tests share, written once: tests of every crate (the
//! backends', the CLI's, the conformance suite, the examples') talk to real
//! servers over real sockets and start real processes, and before this crate
//! each carried its own copy of the client, the process runner and the
//! tools' versions.
//!
//! - [`autobahn`]: the Autobahn WebSocket TestSuite (kosoku, installed once
//!   into the tools folder) run against a server, its report read.
//! - [`chat_app`]: the chat example's page checked in a browser, on any backend.
//! - [`browser`]: headless Chromium over the DevTools Protocol.
//! - [`bench_app`]: what every route of the bench app answers, checked.
//! - [`http1`]: a raw-TCP HTTP/1.1 client that writes exact bytes and reads
//!   exactly what comes back, always against a deadline.
//! - [`process`]: a server process with its output captured, its
//!   `Listening on http://ADDR` line awaited, signals and exit checked.
//! - [`tools`]: the wasmtime and wasm-bindgen the backends run with, found
//!   (or installed) by `cargo mocket setup`, the one place that knows them.
//! - [`ws`]: a blocking WebSocket client writing exact (or broken) frames.
//! - [`workspace`]: the workspace's folders and a cargo that builds into the
//!   tests' own target folder.
//!
//! ```no_run
//! use mocket_testkit::{http1, process::Server};
//! let mut cmd = std::process::Command::new("target/debug/examples/hello");
//! let server = Server::start(&mut cmd);
//! let res = http1::get(server.addr, "/");
//! assert_eq!(res.status, 200);
//! ```

pub mod autobahn;
pub mod bench_app;
pub mod browser;
pub mod chat_app;
pub mod http1;
pub mod process;
pub mod tools;
pub mod workspace;
pub mod ws;
