//! One socket over an in-memory connection: messages both ways, pings,
//! the closing handshake, protocol errors, `Stream` and `Sink`.

mod common;

use common::ws_client::{Client, close_code, connect, echo};
use futures_executor::LocalPool;
use futures_util::StreamExt as _;
use futures_util::task::LocalSpawnExt as _;
use mocket_core::Mocket;
use mocket_core::ws::{CloseCode, Message};

fn app() -> Mocket {
    let mut app = Mocket::new();
    app.ws("/echo", |_req, ws| async move { ws.on_upgrade(echo) });
    app.ws("/small", |_req, ws| async move {
        ws.max_message_size(10).on_upgrade(echo)
    });
    app.ws("/split", |_req, ws| async move {
        ws.on_upgrade(|socket| async move {
            // The socket composes with futures code: uppercase every text.
            let (sink, stream) = socket.split();
            let upper = stream
                .take_while(|m| std::future::ready(matches!(m, Ok(Message::Text(_)))))
                .map(|m| {
                    Ok(Message::from(
                        m.expect("text").as_text().expect("text").to_uppercase(),
                    ))
                });
            let _ = upper.forward(sink).await;
        })
    });
    app.ws("/hello", |_req, ws| async move {
        ws.on_upgrade(|mut socket| async move {
            let _ = socket.send("hello").await;
            // Dropped without a close: the socket still says goodbye.
        })
    });
    app
}

/// Runs `test` as the client of `path`, with the server side spawned.
fn with_client<F: Future<Output = ()>>(path: &str, test: impl FnOnce(Client) -> F) {
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    let app = app();
    pool.run_until(async move {
        let (client, server) = connect(&app, path, 1 << 20).await;
        spawner.spawn_local(server).expect("spawn");
        test(client).await;
    });
}

#[test]
fn text_and_binary_come_back_as_they_went() {
    with_client("/echo", |mut c| async move {
        c.text("hello").await;
        assert_eq!(c.recv().await, Some((0x81, b"hello".to_vec())));
        c.send(0x82, &[0, 1, 2, 255]).await;
        assert_eq!(c.recv().await, Some((0x82, vec![0, 1, 2, 255])));
        // Fragmented, with a ping in between: one message back, pong first.
        c.send(0x01, b"frag").await;
        c.send(0x89, b"are you there").await;
        c.send(0x80, b"mented").await;
        assert_eq!(c.recv().await, Some((0x8A, b"are you there".to_vec())));
        assert_eq!(c.recv_text().await, "fragmented");
        let big = vec![b'x'; 300_000];
        c.send(0x81, &big).await;
        assert_eq!(c.recv().await, Some((0x81, big)));
    });
}

#[test]
fn the_closing_handshake_echoes_the_code_then_closes() {
    with_client("/echo", |mut c| async move {
        c.send(0x88, &[0x0F, 0xA0, b'b', b'y', b'e']).await; // 4000
        let (b0, payload) = c.recv().await.expect("the close answer");
        assert_eq!((b0, close_code(&payload)), (0x88, 4000));
        assert_eq!(c.recv().await, None, "then the connection closes");
    });
}

#[test]
fn protocol_errors_close_with_their_code() {
    for (frame, code) in [
        ((0xC1u8, b"rsv1".as_slice()), 1002),
        ((0x83, b"opcode 3"), 1002),
        ((0x81, b"\xff\xfe"), 1007),
        ((0x80, b"stray continuation"), 1002),
    ] {
        with_client("/echo", |mut c| async move {
            c.send(frame.0, frame.1).await;
            let (b0, payload) = c.recv().await.expect("a close frame");
            assert_eq!((b0, close_code(&payload)), (0x88, code), "{frame:?}");
            assert_eq!(c.recv().await, None);
        });
    }
}

#[test]
fn a_message_over_the_limit_closes_with_1009() {
    with_client("/small", |mut c| async move {
        c.text("0123456789").await;
        assert_eq!(c.recv_text().await, "0123456789");
        c.text("0123456789!").await;
        let (_, payload) = c.recv().await.expect("a close frame");
        assert_eq!(close_code(&payload), CloseCode::MESSAGE_TOO_BIG.as_u16());
    });
}

#[test]
fn the_socket_is_a_stream_and_a_sink() {
    with_client("/split", |mut c| async move {
        c.text("loud").await;
        assert_eq!(c.recv_text().await, "LOUD");
        c.text("louder").await;
        assert_eq!(c.recv_text().await, "LOUDER");
    });
}

#[test]
fn a_dropped_socket_sends_a_normal_close() {
    with_client("/hello", |mut c| async move {
        assert_eq!(c.recv_text().await, "hello");
        let (b0, payload) = c.recv().await.expect("a close frame");
        assert_eq!((b0, close_code(&payload)), (0x88, 1000));
        assert_eq!(c.recv().await, None);
    });
}
