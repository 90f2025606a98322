//! What malformed or oversized requests get: a status, never a hang or a
//! crash, and the server keeps serving.

mod common;

use common::{Conn, chunked, get, send_raw, start, status_of, test_app};

#[test]
fn malformed_request_lines_get_400() {
    let server = start(test_app());
    let addr = server.local_addr();
    for bad in [
        &b"this is not http\r\n\r\n"[..],
        b"GET / HTTX/1.1\r\nhost: test\r\n\r\n",
        b"GET /a b HTTP/1.1\r\nhost: test\r\n\r\n",
        b"G\x01T / HTTP/1.1\r\nhost: test\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
    ] {
        let raw = send_raw(addr, bad);
        assert_eq!(
            status_of(&raw),
            400,
            "{:?} got {raw:?}",
            String::from_utf8_lossy(bad)
        );
    }
    // Still serving.
    let raw = send_raw(addr, &get("/"));
    assert_eq!(status_of(&raw), 200, "{raw}");
    server.shutdown().expect("shutdown");
}

fn head_with_header_of(len: usize) -> Vec<u8> {
    format!(
        "GET / HTTP/1.1\r\nhost: test\r\nx-big: {}\r\n\r\n",
        "a".repeat(len)
    )
    .into_bytes()
}

#[test]
fn head_larger_than_max_header_bytes_gets_431() {
    let server = start(test_app()); // default max_header_bytes: 16 KiB
    let addr = server.local_addr();
    let raw = send_raw(addr, &head_with_header_of(12 * 1024));
    assert_eq!(
        status_of(&raw),
        200,
        "a 12 KiB head is within the default 16 KiB"
    );
    for over in [17 * 1024, 20 * 1024, 100 * 1024] {
        let raw = send_raw(addr, &head_with_header_of(over));
        assert_eq!(status_of(&raw), 431, "a head of {over} bytes: {raw:?}");
    }
    let raw = send_raw(addr, &get("/"));
    assert_eq!(status_of(&raw), 200, "{raw}");
    server.shutdown().expect("shutdown");
}

#[test]
fn max_header_bytes_option_is_honoured() {
    let mut app = test_app();
    app.server_options().max_header_bytes = 64 * 1024;
    let server = start(app);
    let addr = server.local_addr();
    let raw = send_raw(addr, &head_with_header_of(40 * 1024));
    assert_eq!(
        status_of(&raw),
        200,
        "a 40 KiB head is within a 64 KiB limit"
    );
    for over in [66 * 1024, 80 * 1024] {
        let raw = send_raw(addr, &head_with_header_of(over));
        assert_eq!(status_of(&raw), 431, "a head of {over} bytes: {raw:?}");
    }
    server.shutdown().expect("shutdown");
}

#[test]
fn body_too_large_by_content_length_is_refused_before_it_is_sent() {
    let server = start(test_app()); // default body limit: 1 MiB
    let mut conn = Conn::open(server.local_addr());
    // Only the head: the answer must not wait for 2 MB that never come.
    conn.send(b"POST /echo HTTP/1.1\r\nhost: test\r\ncontent-length: 2000000\r\n\r\n");
    let res = conn.response();
    assert_eq!(res.status, 413, "{}", res.text());
    assert!(res.text().contains("limit"), "{}", res.text());
    server.shutdown().expect("shutdown");
}

#[test]
fn body_at_the_limit_passes_and_one_byte_more_is_413() {
    let mut app = test_app();
    app.body_limit(1000);
    let server = start(app);
    let addr = server.local_addr();

    let mut ok = b"POST /echo HTTP/1.1\r\nhost: test\r\ncontent-length: 1000\r\n\r\n".to_vec();
    ok.extend_from_slice(&[b'x'; 1000]);
    let mut conn = Conn::open(addr);
    conn.send(&ok);
    let res = conn.response();
    assert_eq!(res.status, 200);
    assert_eq!(res.body.len(), 1000);

    let mut over = b"POST /echo HTTP/1.1\r\nhost: test\r\ncontent-length: 1001\r\n\r\n".to_vec();
    over.extend_from_slice(&[b'x'; 1001]);
    let raw = send_raw(addr, &over);
    assert_eq!(status_of(&raw), 413, "{raw}");
    server.shutdown().expect("shutdown");
}

#[test]
fn chunked_body_larger_than_the_limit_is_413() {
    let mut app = test_app();
    app.body_limit(1024);
    let server = start(app);
    let addr = server.local_addr();

    let mut req =
        b"POST /echo HTTP/1.1\r\nhost: test\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    req.extend_from_slice(&chunked(&[b'y'; 4096], 500));
    let raw = send_raw(addr, &req);
    assert_eq!(status_of(&raw), 413, "{raw}");

    // Within the limit, chunked is fine.
    let mut req =
        b"POST /echo HTTP/1.1\r\nhost: test\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    req.extend_from_slice(&chunked(&[b'z'; 1024], 300));
    let raw = send_raw(addr, &req);
    assert_eq!(status_of(&raw), 200, "{raw}");
    assert!(raw.ends_with(&"z".repeat(1024)), "{raw}");
    server.shutdown().expect("shutdown");
}

#[test]
fn chunked_body_larger_than_the_limit_is_cut_off_without_reading_it_all() {
    let mut app = test_app();
    app.body_limit(1024);
    let server = start(app);
    let mut conn = Conn::open(server.local_addr());
    // More than the limit, but the body never ends: the 413 must come anyway.
    let mut req =
        b"POST /echo HTTP/1.1\r\nhost: test\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    req.extend_from_slice(b"800\r\n");
    req.extend_from_slice(&[b'y'; 0x800]);
    req.extend_from_slice(b"\r\n");
    conn.send(&req);
    let res = conn.response();
    assert_eq!(res.status, 413, "{}", res.text());
    server.shutdown().expect("shutdown");
}

#[test]
fn bad_percent_encoding_in_a_path_parameter_is_400() {
    let server = start(test_app());
    let mut conn = Conn::open(server.local_addr());
    conn.send(&get("/echo/%zz"));
    let res = conn.response();
    assert_eq!(res.status, 400, "{}", res.text());
    assert!(res.text().contains("percent-encoding"), "{}", res.text());
    // An app-level 400 leaves the connection usable.
    conn.send(&get("/echo/fine%20now"));
    let res = conn.response();
    assert_eq!(res.status, 200);
    assert_eq!(res.text(), "fine now");
    server.shutdown().expect("shutdown");
}

#[test]
fn invalid_utf8_after_decoding_is_400() {
    let server = start(test_app());
    let addr = server.local_addr();
    for path in ["/echo/%FF", "/echo/%C3", "/echo/a%C3%28"] {
        let mut conn = Conn::open(addr);
        conn.send(&get(path));
        let res = conn.response();
        assert_eq!(res.status, 400, "{path}: {}", res.text());
        assert!(res.text().contains("UTF-8"), "{path}: {}", res.text());
    }
    let raw = send_raw(addr, &get("/echo/caf%C3%A9"));
    assert!(raw.ends_with("café"), "{raw}");
    server.shutdown().expect("shutdown");
}

#[test]
fn garbage_after_the_http2_preface_does_not_hurt_the_server() {
    let server = start(test_app());
    let addr = server.local_addr();
    let mut conn = Conn::open(addr);
    let _ = conn.try_send(
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nthis is not a frame at all, not even close\r\n",
    );
    conn.closed_within(std::time::Duration::from_secs(5));
    let raw = send_raw(addr, &get("/"));
    assert_eq!(status_of(&raw), 200, "{raw}");
    server.shutdown().expect("shutdown");
}
