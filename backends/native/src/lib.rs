//! Mocket's native backend: serves a Mocket app over hyper 1 and tokio.
//!
//! Thread per core: each worker thread runs its own single-threaded tokio
//! runtime and accepts from the same listening socket, and a connection
//! stays on the thread that accepted it. Nothing is moved between threads,
//! so handlers' futures need not be `Send` (the same rule as on wasm), and
//! no work-stealing scheduler sits between the socket and the app.
//!
//! Applications normally call `listen` from the `mocket` crate; this crate's
//! [`Server`] is for tests and for programs that need the bound address.
//!
//! ```no_run
//! let mut app = mocket_core::Mocket::new();
//! app.get("/", |_req| async { "hi" });
//! let server = mocket_native::Server::bind(app, "127.0.0.1:0").unwrap();
//! println!("listening on {}", server.local_addr());
//! server.run().unwrap(); // until SIGINT or SIGTERM
//! ```

#![forbid(unsafe_code)]

mod conn;
#[cfg(feature = "static-files")]
mod fs;
mod server;
mod shutdown;
mod time;
mod timer;
mod worker;

#[cfg(feature = "static-files")]
pub use fs::NativeFs;
pub use server::{Server, ServerHandle, serve};
pub use time::{Sleep, sleep};
