//! A socket's settings, chosen per route on the
//! [`WebSocketUpgrade`](super::WebSocketUpgrade).

use super::pubsub::Backlog;

/// The largest message taken by default: 16 MiB, as Bun's default (a
/// larger one closes the socket with 1009).
pub const DEFAULT_MAX_MESSAGE: usize = 16 << 20;

/// A socket's settings.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Config {
    pub(crate) max_message: usize,
    pub(crate) backlog: Backlog,
    pub(crate) deflate: bool,
    /// The window we ask a compressing client to keep (2^bits bytes held
    /// per socket between messages).
    pub(crate) client_window_bits: u8,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_message: DEFAULT_MAX_MESSAGE,
            backlog: Backlog {
                messages: 1024,
                bytes: 1 << 20,
            },
            deflate: true,
            client_window_bits: 12,
        }
    }
}
