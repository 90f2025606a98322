//! Topics: fan-out, the sender included, unsubscribing, publishing from
//! other threads, and a slow subscriber dropped while the others keep up.

mod common;

use common::ws_client::{close_code, connect};
use futures_executor::LocalPool;
use futures_util::task::LocalSpawnExt as _;
use mocket_core::Mocket;
use mocket_core::ws::Message;

/// Lets the other tasks of the pool run once.
async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            return std::task::Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    })
    .await;
}

fn app() -> Mocket {
    let mut app = Mocket::new();
    app.ws("/room/:name", |req, ws| async move {
        let room = req.param("name").to_owned();
        ws.backlog(8, 64 * 1024)
            .on_upgrade(move |mut socket| async move {
                socket.subscribe(&room);
                while let Some(Ok(message)) = socket.recv().await {
                    match message {
                        Message::Text(t) if &*t == "leave" => socket.unsubscribe(&room),
                        Message::Text(t) => {
                            socket.publisher().publish(&room, t);
                        }
                        _ => break,
                    }
                }
            })
    });
    app
}

#[test]
fn every_subscriber_gets_each_message_the_sender_included() {
    let app = app();
    let publisher = app.publisher();
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    pool.run_until(async move {
        let mut clients = Vec::new();
        for _ in 0..50 {
            let (client, server) = connect(&app, "/room/lobby", 1 << 16).await;
            spawner.spawn_local(server).expect("spawn");
            clients.push(client);
        }
        let (mut other_room, server) = connect(&app, "/room/elsewhere", 1 << 16).await;
        spawner.spawn_local(server).expect("spawn");
        // Subscriptions happen when the sockets first run.
        while publisher.subscribers("lobby") < 50 {
            yield_now().await;
        }
        clients[0].text("hi all").await;
        for client in &mut clients {
            assert_eq!(client.recv_text().await, "hi all");
        }
        // From outside any socket, and from another thread.
        let from_thread = publisher.clone();
        let reached = std::thread::spawn(move || from_thread.publish("lobby", "from a thread"))
            .join()
            .expect("thread");
        assert_eq!(reached, 50);
        for client in &mut clients {
            assert_eq!(client.recv_text().await, "from a thread");
        }
        // Unsubscribed: the rest still hear.
        clients[1].text("leave").await;
        while publisher.subscribers("lobby") > 49 {
            yield_now().await;
        }
        clients[2].text("after").await;
        for (i, client) in clients.iter_mut().enumerate() {
            if i != 1 {
                assert_eq!(client.recv_text().await, "after");
            }
        }
        other_room.text("only here").await;
        assert_eq!(other_room.recv_text().await, "only here");
    });
}

#[test]
fn a_slow_subscriber_is_dropped_with_1008_and_the_others_keep_everything() {
    let app = app();
    let publisher = app.publisher();
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    pool.run_until(async move {
        // A connection that holds 4 KiB and is never read: the slow one.
        let (slow, server) = connect(&app, "/room/feed", 4096).await;
        spawner.spawn_local(server).expect("spawn");
        let (mut fast, server) = connect(&app, "/room/feed", 1 << 20).await;
        spawner.spawn_local(server).expect("spawn");
        while publisher.subscribers("feed") < 2 {
            yield_now().await;
        }
        let message = "m".repeat(1000);
        for i in 0..2000 {
            publisher.publish("feed", format!("{i} {message}"));
            // The fast one reads everything as it comes.
            assert!(fast.recv_text().await.starts_with(&format!("{i} ")));
        }
        // The slow one was dropped on the way: it no longer counts, and
        // what waits for it is bounded by its connection's buffer, not by
        // the 2 MB published.
        assert_eq!(publisher.subscribers("feed"), 1);
        assert!(slow.end.pending() <= 4096);
        drop(slow);
    });
}

#[test]
fn a_dropped_slow_subscriber_reads_1008_at_the_end() {
    let app = app();
    let publisher = app.publisher();
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    pool.run_until(async move {
        let (mut slow, server) = connect(&app, "/room/feed", 1 << 20).await;
        spawner.spawn_local(server).expect("spawn");
        while publisher.subscribers("feed") < 1 {
            yield_now().await;
        }
        // Published faster than the socket task runs: the inbox (8
        // messages) overflows before the socket writes any of them.
        for i in 0..20 {
            publisher.publish("feed", format!("{i}"));
        }
        let (b0, payload) = slow.recv().await.expect("a close frame");
        assert_eq!((b0, close_code(&payload)), (0x88, 1008));
        assert_eq!(slow.recv().await, None);
    });
}
