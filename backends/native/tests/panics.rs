//! A panicking handler becomes a 500; the connection and the worker live on.

mod common;

use common::{
    Conn, block_on, get, h2_connect, h2_get, h2_send, send_raw, start, status_of, test_app,
};

#[test]
fn panic_is_500_then_the_same_connection_and_a_new_one_work() {
    let mut app = test_app();
    // One worker: the panic and the later requests all hit the same thread.
    app.server_options().workers = Some(1);
    let server = start(app);
    let addr = server.local_addr();

    let mut conn = Conn::open(addr);
    conn.send(&get("/panic"));
    let res = conn.response();
    assert_eq!(res.status, 500);
    assert!(
        !res.text().contains("secret panic detail"),
        "the panic message must stay in the log: {}",
        res.text()
    );

    conn.send(&get("/"));
    let res = conn.response();
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "hello");

    let raw = send_raw(addr, &get("/echo/new"));
    assert_eq!(status_of(&raw), 200, "{raw}");
    assert!(raw.ends_with("new"), "{raw}");
    server.shutdown().expect("shutdown");
}

#[test]
fn panic_in_middleware_is_500_too() {
    let mut app = test_app();
    app.server_options().workers = Some(1);
    app.use_middleware_at("/mw-panic", |_req, _next| async {
        if std::hint::black_box(true) {
            panic!("middleware blew up");
        }
        "unreachable"
    });
    app.get("/mw-panic", |_req| async { "not reached" });
    let server = start(app);
    let mut conn = Conn::open(server.local_addr());
    conn.send(&get("/mw-panic"));
    assert_eq!(conn.response().status, 500);
    conn.send(&get("/"));
    assert_eq!(conn.response().text(), "hello");
    server.shutdown().expect("shutdown");
}

#[test]
fn panic_over_http2_is_500_and_the_connection_lives_on() {
    let mut app = test_app();
    app.server_options().workers = Some(1);
    let server = start(app);
    let addr = server.local_addr();
    block_on(async move {
        let mut h2 = h2_connect(addr).await;
        let (parts, _) = h2_send(&mut h2, h2_get("/panic")).await;
        assert_eq!(parts.status, 500);
        let (parts, body) = h2_send(&mut h2, h2_get("/")).await;
        assert_eq!(parts.status, 200);
        assert_eq!(&body[..], b"hello");
    });
    server.shutdown().expect("shutdown");
}

#[test]
fn many_panics_do_not_use_up_the_workers() {
    let mut app = test_app();
    app.server_options().workers = Some(2);
    let server = start(app);
    let addr = server.local_addr();
    for _ in 0..20 {
        let raw = send_raw(addr, &get("/panic"));
        assert_eq!(status_of(&raw), 500, "{raw}");
    }
    let raw = send_raw(addr, &get("/"));
    assert_eq!(status_of(&raw), 200, "{raw}");
    server.shutdown().expect("shutdown");
}
