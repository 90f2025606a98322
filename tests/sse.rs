//! `mocket::sse`'s keep-alives on the portable clock, in-process: a quiet
//! stream gets `: keep-alive` comments, and its one event still ends it.

use std::convert::Infallible;

use futures_util::stream;
use mocket::Mocket;
use mocket::sse::{Event, KeepAlive as _, Sse};
use mocket::time::{Duration, sleep};

#[test]
fn a_quiet_stream_gets_keep_alives_and_its_events_still_end_it() {
    let mut app = Mocket::new();
    app.get("/quiet", |_req| async {
        // One event after 200 ms of silence; keep-alives every 20 ms.
        let event = stream::once(async {
            sleep(Duration::from_millis(200)).await;
            Ok::<_, Infallible>(Event::data("finally"))
        });
        Sse::new(event).keep_alive(Duration::from_millis(20))
    });
    let res = futures_executor::block_on(app.request("/quiet"));
    let body = futures_executor::block_on(res.into_body().to_text()).expect("a body");
    // Sleeps are never early, so the ticks at 20, 40, … ms come first.
    assert!(body.starts_with(": keep-alive\n\n"), "{body}");
    assert!(body.ends_with("data: finally\n\n"), "{body}");
    assert_eq!(body.matches("data:").count(), 1, "{body}");
}
