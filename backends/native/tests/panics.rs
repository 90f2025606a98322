//! A panicking handler becomes a 500; the connection and the worker live on.
//! One or two workers throughout, so the panic and the later requests hit
//! the same threads.

mod common;

use common::{
    Conn, assert_serving, expect, expect_status, get, h2_expect, h2_get, raw_status, start_with,
    start_workers, with_conn, with_h2,
};

#[test]
fn panic_is_500_then_the_same_connection_and_a_new_one_work() {
    let server = start_workers(1);
    let addr = server.local_addr();

    let mut conn = Conn::open(addr);
    let res = expect_status(&mut conn, &get("/panic"), 500);
    assert!(
        !res.text().contains("secret panic detail"),
        "the panic message must stay in the log: {}",
        res.text()
    );
    expect(&mut conn, &get("/"), 200, "hello");

    let raw = raw_status(addr, &get("/echo/new"), 200);
    assert!(raw.ends_with("new"), "{raw}");
    server.shutdown().expect("shutdown");
}

#[test]
fn panic_in_middleware_is_500_too() {
    let server = start_with(|app| {
        app.server_options().workers = Some(1);
        app.use_middleware_at("/mw-panic", |_req, _next| async {
            if std::hint::black_box(true) {
                panic!("middleware blew up");
            }
            "unreachable"
        });
        app.get("/mw-panic", |_req| async { "not reached" });
    });
    with_conn(server, |conn| {
        expect_status(conn, &get("/mw-panic"), 500);
        expect(conn, &get("/"), 200, "hello");
    });
}

#[test]
fn panic_over_http2_is_500_and_the_connection_lives_on() {
    with_h2(start_workers(1), |mut h2| async move {
        h2_expect(&mut h2, h2_get("/panic"), 500).await;
        let body = h2_expect(&mut h2, h2_get("/"), 200).await;
        assert_eq!(&body[..], b"hello");
    });
}

#[test]
fn many_panics_do_not_use_up_the_workers() {
    let server = start_workers(2);
    let addr = server.local_addr();
    for _ in 0..20 {
        raw_status(addr, &get("/panic"), 500);
    }
    assert_serving(addr);
    server.shutdown().expect("shutdown");
}
