//! Bodies a handler produces over time: `Body::from_stream` from any
//! `Stream` of chunks, and `Body::channel` for pushing chunks from a loop
//! or a task, with its bound, its end, its abort and the client going away.

use std::task::Poll;

use futures_executor::block_on;
use futures_util::future::{FutureExt as _, join};
use futures_util::stream::{self, StreamExt as _};
use mocket_core::{Body, BodyClosed, Mocket};

#[test]
fn a_stream_of_chunks_is_the_body_in_order() {
    let chunks = stream::iter(["a", "bc", "", "def"].map(Ok::<_, std::io::Error>));
    let body = Body::from_stream(chunks);
    assert_eq!(block_on(body.to_bytes()).expect("the body"), "abcdef");
}

#[test]
fn an_error_in_the_stream_ends_the_body_with_that_error() {
    let items = vec![
        Ok("first"),
        Err(std::io::Error::other("disk gone")),
        Ok("never"),
    ];
    let body = Body::from_stream(stream::iter(items));
    let err = block_on(body.to_bytes()).expect_err("a broken body");
    assert!(err.to_string().contains("disk gone"), "{err}");
}

#[test]
fn a_handler_answers_with_a_stream() {
    let mut app = Mocket::new();
    app.get("/count", |_req| async {
        let numbers = stream::iter(1..=3).map(|n| Ok::<_, std::io::Error>(format!("{n}\n")));
        Body::from_stream(numbers)
    });
    let res = block_on(app.request("/count"));
    assert_eq!(res.status(), 200);
    let text = block_on(res.into_body().to_text()).expect("the body");
    assert_eq!(text, "1\n2\n3\n");
}

#[test]
fn a_channel_body_carries_what_is_sent_and_ends_when_the_sender_drops() {
    let (mut tx, body) = Body::channel(2);
    let produce = async move {
        for part in ["x", "y", "z"] {
            tx.send(part).await.expect("the body is read");
        }
    };
    let (_, got) = block_on(join(produce, body.to_bytes()));
    assert_eq!(got.expect("the body"), "xyz");
}

#[test]
fn send_waits_once_capacity_chunks_are_unread() {
    let (mut tx, body) = Body::channel(2);
    assert!(block_on(tx.send("1")).is_ok());
    assert!(block_on(tx.send("2")).is_ok());
    // The third waits for the reader: memory stays bounded.
    assert!(
        tx.send("3").now_or_never().is_none(),
        "a third chunk was taken unread"
    );
    drop(tx);
    assert_eq!(block_on(body.to_bytes()).expect("the body"), "12");
}

#[test]
fn a_dropped_body_tells_the_sender_to_stop() {
    let (mut tx, body) = Body::channel(4);
    assert!(!tx.is_closed());
    drop(body);
    assert!(tx.is_closed());
    assert_eq!(block_on(tx.send("late")), Err(BodyClosed));
    assert!(BodyClosed.to_string().contains("client disconnected"));
}

#[test]
fn abort_ends_the_body_with_an_error_after_what_was_sent() {
    let (mut tx, body) = Body::channel(4);
    block_on(tx.send("partial")).expect("room");
    tx.abort("upstream failed");
    let mut body = std::pin::pin!(body);
    let mut frames = Vec::new();
    let err = block_on(futures_util::future::poll_fn(|cx| {
        loop {
            match http_body::Body::poll_frame(body.as_mut(), cx) {
                Poll::Ready(Some(Ok(frame))) => frames.extend(frame.into_data().ok()),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(e)),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }));
    assert_eq!(frames, ["partial"]);
    let err = err.expect("the body ends with the error, not cleanly");
    assert!(err.to_string().contains("upstream failed"), "{err}");
}
