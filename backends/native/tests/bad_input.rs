//! What malformed or oversized requests get: a status, never a hang or a
//! crash, and the server keeps serving.

mod common;

use common::{
    Conn, assert_serving, expect, expect_status, get, post_chunked, raw_status, start, start_with,
    start_with_body_limit, test_app, with_conn,
};

#[test]
fn malformed_request_lines_get_400() {
    let server = start(test_app());
    let addr = server.local_addr();
    let bad_heads: [&[u8]; 5] = [
        b"this is not http\r\n\r\n",
        b"GET / HTTX/1.1\r\nhost: test\r\n\r\n",
        b"GET /a b HTTP/1.1\r\nhost: test\r\n\r\n",
        b"G\x01T / HTTP/1.1\r\nhost: test\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
    ];
    for bad in bad_heads {
        raw_status(addr, bad, 400);
    }
    assert_serving(addr);
    server.shutdown().expect("shutdown");
}

fn head_with_header_of(len: usize) -> Vec<u8> {
    format!(
        "GET / HTTP/1.1\r\nhost: test\r\nx-big: {}\r\n\r\n",
        "a".repeat(len)
    )
    .into_bytes()
}

/// Heads of `within` bytes of header value get 200, those of `over` 431.
fn check_head_limit(max_header_bytes: Option<usize>, within: usize, over: &[usize]) {
    let server = start_with(|app| {
        if let Some(max) = max_header_bytes {
            app.server_options().max_header_bytes = max;
        }
    });
    let addr = server.local_addr();
    raw_status(addr, &head_with_header_of(within), 200);
    for &over in over {
        raw_status(addr, &head_with_header_of(over), 431);
    }
    assert_serving(addr);
    server.shutdown().expect("shutdown");
}

#[test]
fn head_larger_than_max_header_bytes_gets_431() {
    // The default max_header_bytes is 16 KiB.
    check_head_limit(None, 12 * 1024, &[17 * 1024, 20 * 1024, 100 * 1024]);
}

#[test]
fn max_header_bytes_option_is_honoured() {
    check_head_limit(Some(64 * 1024), 40 * 1024, &[66 * 1024, 80 * 1024]);
}

#[test]
fn body_too_large_by_content_length_is_refused_before_it_is_sent() {
    // The default body limit is 1 MiB.
    with_conn(start(test_app()), |conn| {
        // Only the head: the answer must not wait for 2 MB that never come.
        let res = expect_status(
            conn,
            b"POST /echo HTTP/1.1\r\nhost: test\r\ncontent-length: 2000000\r\n\r\n",
            413,
        );
        assert!(res.text().contains("limit"), "{}", res.text());
    });
}

/// A `POST /echo` of `len` bytes of `x` by content-length.
fn post_of(len: usize) -> Vec<u8> {
    let mut req =
        format!("POST /echo HTTP/1.1\r\nhost: test\r\ncontent-length: {len}\r\n\r\n").into_bytes();
    req.resize(req.len() + len, b'x');
    req
}

#[test]
fn body_at_the_limit_passes_and_one_byte_more_is_413() {
    let server = start_with_body_limit(1000);
    let addr = server.local_addr();
    let res = expect_status(&mut Conn::open(addr), &post_of(1000), 200);
    assert_eq!(res.body.len(), 1000);
    raw_status(addr, &post_of(1001), 413);
    server.shutdown().expect("shutdown");
}

#[test]
fn chunked_body_larger_than_the_limit_is_413() {
    let server = start_with_body_limit(1024);
    let addr = server.local_addr();
    raw_status(addr, &post_chunked(&[b'y'; 4096], 500), 413);
    // Within the limit, chunked is fine.
    let raw = raw_status(addr, &post_chunked(&[b'z'; 1024], 300), 200);
    assert!(raw.ends_with(&"z".repeat(1024)), "{raw}");
    server.shutdown().expect("shutdown");
}

#[test]
fn chunked_body_larger_than_the_limit_is_cut_off_without_reading_it_all() {
    // More than the limit, but the body never ends: the 413 must come anyway.
    let mut req =
        b"POST /echo HTTP/1.1\r\nhost: test\r\ntransfer-encoding: chunked\r\n\r\n".to_vec();
    req.extend_from_slice(b"800\r\n");
    req.extend_from_slice(&[b'y'; 0x800]);
    req.extend_from_slice(b"\r\n");
    with_conn(start_with_body_limit(1024), |conn| {
        expect_status(conn, &req, 413);
    });
}

#[test]
fn bad_percent_encoding_in_a_path_parameter_is_400() {
    with_conn(start(test_app()), |conn| {
        let res = expect_status(conn, &get("/echo/%zz"), 400);
        assert!(res.text().contains("percent-encoding"), "{}", res.text());
        // An app-level 400 leaves the connection usable.
        expect(conn, &get("/echo/fine%20now"), 200, "fine now");
    });
}

#[test]
fn invalid_utf8_after_decoding_is_400() {
    let server = start(test_app());
    let addr = server.local_addr();
    for path in ["/echo/%FF", "/echo/%C3", "/echo/a%C3%28"] {
        let res = expect_status(&mut Conn::open(addr), &get(path), 400);
        assert!(res.text().contains("UTF-8"), "{path}: {}", res.text());
    }
    let raw = raw_status(addr, &get("/echo/caf%C3%A9"), 200);
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
    assert_serving(addr);
    server.shutdown().expect("shutdown");
}
