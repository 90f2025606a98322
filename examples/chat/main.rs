//! Real time on every backend: a chat over WebSocket rooms and a ticker
//! over Server-Sent Events. `cargo run --example chat` (or `cargo mocket
//! run --backend node|wasi-sockets --example chat`), then open
//! http://127.0.0.1:3000/ in two browser tabs.
//!
//! - `GET /`: the page, a chat client (`WebSocket`) and a ticker (`EventSource`);
//! - `/ws/echo`: every message sent back unchanged (text as text, binary as binary);
//! - `/ws/room/:name`: every text message published to room `name`, which
//!   every subscriber, the sender included, receives;
//! - `GET /sse/ticks?n=N`: N events, one every 100 ms (`event: tick`,
//!   `id: i`, `data: i`), then the end of the stream.

use futures_util::stream;
use mocket::prelude::*;
use mocket::sse::{Event, Sse};
use mocket::time::{Duration, interval};
use mocket::ws::{Message, WebSocket};

fn main() {
    let mut app = Mocket::new();
    app.get("/", |_req| async { Html(include_str!("index.html")) });
    app.ws("/ws/echo", |_req, ws| async move { ws.on_upgrade(echo) });
    app.ws("/ws/room/:name", |req, ws| async move {
        let room = req.param("name").to_owned();
        ws.on_upgrade(move |socket| chat(socket, room))
    });
    app.get("/sse/ticks", |req| async move {
        let n: u64 = req
            .query_param("n")
            .and_then(|n| n.parse().ok())
            .unwrap_or(10);
        Sse::new(ticks(n))
    });
    let port = mocket::env_var("PORT").unwrap_or_else(|| "3000".into());
    app.listen(&format!("127.0.0.1:{port}"));
}

async fn echo(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        if matches!(message, Message::Close(_)) || socket.send(message).await.is_err() {
            break;
        }
    }
}

async fn chat(mut socket: WebSocket, room: String) {
    socket.subscribe(&room);
    while let Some(Ok(message)) = socket.recv().await {
        if let Message::Text(text) = message {
            socket.publisher().publish(&room, text);
        }
    }
}

/// `tick` events 1..=n, 100 ms apart.
fn ticks(n: u64) -> impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>> {
    let clock = interval(Duration::from_millis(100));
    stream::unfold((clock, 1), move |(mut clock, i)| async move {
        if i > n {
            return None;
        }
        clock.tick().await;
        let event = Event::data(i.to_string()).event("tick").id(i.to_string());
        Some((Ok(event), (clock, i + 1)))
    })
}
