//! WebSocket routes: an echo, rooms, a route behind a middleware that
//! refuses without credentials, a negotiated subprotocol, a small message
//! size limit, sockets the app closes and drops, and an echo inside a group wrapped
//! in compression and CORS.
//!
//! On a host that cannot hand a connection over (the `wasi:http` proxy
//! world) every accepted upgrade is the core's 501; the refusals
//! (426, 400, 405, 401) are the same everywhere.

use mocket::http::HeaderValue;
use mocket::prelude::*;
use mocket::ws::{CloseCode, Message, WebSocket};

/// The largest message `/ws/small` takes.
const SMALL_LIMIT: usize = 1024;

pub(crate) fn register(app: &mut Mocket) {
    app.ws("/ws/echo", |_req, ws| async move { ws.on_upgrade(echo) });

    // Every text is published to the room, the sender included. Once
    // subscribed, each socket says `joined <room>`: a client that waits
    // for it knows the room reaches the socket.
    app.ws("/ws/room/:name", |req, ws| async move {
        let room = req.param("name").to_owned();
        ws.on_upgrade(move |mut socket| async move {
            socket.subscribe(&room);
            if socket.send(format!("joined {room}")).await.is_err() {
                return;
            }
            while let Some(Ok(message)) = socket.recv().await {
                if let Message::Text(text) = message {
                    socket.publisher().publish(&room, text);
                }
            }
        })
    });

    // The middleware sees the upgrade request (its `upgrade` header) and
    // marks the answer, a 101 or a refusal alike.
    app.use_middleware_at("/ws/private", |req: Request, next: Next| async move {
        let seen = format!("upgrade={}", req.header("upgrade").unwrap_or("-"));
        let mut res = next.run(req).await;
        res.headers_mut()
            .insert("x-ws-middleware", HeaderValue::try_from(seen)?);
        Ok(res)
    });
    app.ws("/ws/private", |req, ws| async move {
        if req.header("authorization").is_none() {
            return Err(Error::new(
                StatusCode::UNAUTHORIZED,
                "authorization required",
            ));
        }
        Ok(ws.on_upgrade(echo))
    });

    // The subprotocol is the first the client asked for that is supported;
    // the socket's first message names it (`none` without one).
    app.ws("/ws/protocol", |_req, ws| async move {
        ws.protocols(["chat.v1", "chat.v2"])
            .on_upgrade(|mut socket| async move {
                let chosen = socket.protocol().unwrap_or("none").to_owned();
                if socket.send(chosen).await.is_ok() {
                    echo(socket).await;
                }
            })
    });

    app.ws("/ws/small", |_req, ws| async move {
        ws.max_message_size(SMALL_LIMIT).on_upgrade(echo)
    });

    // The app closes: a text, then the closing handshake with 4000 "bye".
    app.ws("/ws/close", |_req, ws| async move {
        ws.on_upgrade(|mut socket| async move {
            if socket.send("closing").await.is_ok() {
                socket.close(CloseCode::from(4000), "bye").await;
            }
        })
    });

    // The app lets go of the socket at once: dropping it closes it (1000).
    app.ws("/ws/drop", |_req, ws| async move {
        ws.on_upgrade(|_socket| async {})
    });

    // Middleware that rewrites bodies and adds headers must leave the 101
    // and the connection it hands over alone.
    app.group("/ws/wrapped", |g| {
        g.wrap(Compression::new());
        g.wrap(Cors::permissive());
        g.ws("/echo", |_req, ws| async move { ws.on_upgrade(echo) });
    });
}

/// Sends every text and binary message back unchanged, until the close.
async fn echo(mut socket: WebSocket) {
    while let Some(Ok(message)) = socket.recv().await {
        if matches!(message, Message::Close(_)) || socket.send(message).await.is_err() {
            break;
        }
    }
}
