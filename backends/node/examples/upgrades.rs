//! Node.js only: the upgrade paths of this backend that `examples/chat`
//! does not take, for `cli/tests/node_websocket.rs`. Run it with
//!
//! ```sh
//! cd backends/node && PORT=3000 cargo mocket run --backend node --example upgrades
//! ```
//!
//! Routes:
//!
//! - `/ws/echo`: every message sent back, accepted at once;
//! - `/ws/later/:ms`: accepted after a timer of `ms` milliseconds (the
//!   answer is a promise, not ready when the request crosses), then echoes;
//! - `/ws/refuse/:ms`: refused with 401 after a timer of `ms` milliseconds;
//! - `/ws/panic`: echoes, and panics on the text `panic`: on
//!   wasm32-unknown-unknown a trap, which retires the instance and every
//!   socket it served;
//! - `GET /instance`: how many requests this instance has answered there
//!   (a fresh instance starts again at 1).

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn main() {
    use std::cell::Cell;
    use std::time::Duration;

    use mocket_core::http::StatusCode;
    use mocket_core::ws::{Message, WebSocket};
    use mocket_core::{IntoResponse, Mocket};

    async fn echo(mut socket: WebSocket, panic_on: Option<&'static str>) {
        while let Some(Ok(message)) = socket.recv().await {
            if let (Some(word), Message::Text(text)) = (panic_on, &message)
                && text.as_str() == word
            {
                panic!("asked to panic by the socket");
            }
            if matches!(message, Message::Close(_)) || socket.send(message).await.is_err() {
                break;
            }
        }
    }

    fn millis(req: &mocket_core::Request) -> Duration {
        Duration::from_millis(req.param_as("ms").unwrap_or(0))
    }

    thread_local! {
        static ANSWERED: Cell<u32> = const { Cell::new(0) };
    }

    let mut app = Mocket::new();
    app.ws("/ws/echo", |_req, ws| async move {
        ws.on_upgrade(|socket| echo(socket, None))
    });
    app.ws("/ws/later/:ms", |req, ws| async move {
        mocket_node::sleep(millis(&req)).await;
        ws.on_upgrade(|socket| echo(socket, None))
    });
    app.ws("/ws/refuse/:ms", |req, _ws| async move {
        mocket_node::sleep(millis(&req)).await;
        (StatusCode::UNAUTHORIZED, "no entry").into_response()
    });
    app.ws("/ws/panic", |_req, ws| async move {
        ws.on_upgrade(|socket| echo(socket, Some("panic")))
    });
    app.get("/instance", |_req| async {
        let n = ANSWERED.get() + 1;
        ANSWERED.set(n);
        n.to_string()
    });
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
            "this example runs on Node.js: cd backends/node && cargo mocket run --backend node --example upgrades"
        );
    }
    std::process::exit(2);
}
