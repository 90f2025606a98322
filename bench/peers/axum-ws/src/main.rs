//! The WebSocket routes of `examples/chat` on axum 0.8's `ws` (which is
//! tokio-tungstenite), written the way axum's own chat example writes them:
//! a room is a `tokio::sync::broadcast` channel; each socket is split into
//! a task that forwards the room to the client and a loop that publishes
//! what the client sends.
//!
//! - `/ws/echo`: every message sent back unchanged;
//! - `/ws/room/{name}`: every text message published to room `name`, which
//!   every subscriber, the sender included, receives.
//!
//! A subscriber that falls `BACKLOG` messages behind is closed with 1008,
//! as Mocket closes a slow subscriber. Listens on 127.0.0.1:$PORT;
//! `WORKERS` sets tokio's worker threads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::{
    Router,
    extract::{
        Path, State,
        ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
    },
    response::Response,
    routing::any,
    serve::{Listener, ListenerExt},
};
use futures_util::{SinkExt, StreamExt};
use tokio::sync::broadcast;

/// Messages a subscriber may fall behind before it is closed (Mocket's
/// default backlog).
const BACKLOG: usize = 1024;

#[derive(Clone, Default)]
struct Rooms(Arc<Mutex<HashMap<String, broadcast::Sender<Utf8Bytes>>>>);

impl Rooms {
    fn join(&self, name: &str) -> broadcast::Sender<Utf8Bytes> {
        let mut rooms = self.0.lock().unwrap();
        rooms
            .entry(name.to_owned())
            .or_insert_with(|| broadcast::channel(BACKLOG).0)
            .clone()
    }
}

async fn echo(ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(|mut socket| async move {
        while let Some(Ok(msg)) = socket.recv().await {
            if matches!(msg, Message::Close(_)) || socket.send(msg).await.is_err() {
                break;
            }
        }
    })
}

async fn room(
    ws: WebSocketUpgrade,
    Path(name): Path<String>,
    State(rooms): State<Rooms>,
) -> Response {
    ws.on_upgrade(move |socket| chat(socket, rooms.join(&name)))
}

async fn chat(socket: WebSocket, room: broadcast::Sender<Utf8Bytes>) {
    let (mut sink, mut stream) = socket.split();
    let mut inbox = room.subscribe();
    let mut forward = tokio::spawn(async move {
        loop {
            match inbox.recv().await {
                Ok(text) => {
                    if sink.send(Message::Text(text)).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    let close = CloseFrame {
                        code: 1008,
                        reason: "too slow".into(),
                    };
                    let _ = sink.send(Message::Close(Some(close))).await;
                    return;
                }
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    });
    let mut publish = tokio::spawn(async move {
        while let Some(Ok(msg)) = stream.next().await {
            match msg {
                Message::Text(text) => {
                    let _ = room.send(text);
                }
                Message::Close(_) => return,
                _ => {}
            }
        }
    });
    // Whichever half ends first ends the socket.
    tokio::select! {
        _ = &mut forward => publish.abort(),
        _ = &mut publish => forward.abort(),
    }
}

fn main() {
    let port = peer_common::port();
    peer_common::runtime().block_on(async {
        let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}"))
            .await
            .expect("bind")
            .tap_io(|tcp| {
                let _ = tcp.set_nodelay(true);
            });
        println!("Listening on http://{}", listener.local_addr().unwrap());
        let app = Router::new()
            .route("/ws/echo", any(echo))
            .route("/ws/room/{name}", any(room))
            .with_state(Rooms::default());
        axum::serve(listener, app).await.expect("serve");
    });
}
