//! Properties of the parsers that read what a client sends: for any input
//! they answer without panicking, and what the matching encoder writes
//! they read back exactly. `proptest` runs each with generated inputs
//! (256 cases by default; `PROPTEST_CASES=100000` for a longer run), and
//! shrinks a failure to its smallest input.

mod accept_encoding;
mod cookies;
mod event_stream;
mod forms;
mod listen_addr;
mod multipart;
mod path_params;
mod query;
mod safe_path;
mod signed_cookies;
mod sse;
