//! WebSocket (RFC 6455): the opening handshake and its refusals, messages
//! echoed (fragmented, large, at and over a size limit), pings, the
//! closing handshake from either side, every protocol error closing just
//! its socket with the right code, and rooms.
//!
//! Routes in `conformance/app/src/websocket.rs`. The raw client
//! (`mocket_testkit::ws`) masks with a fixed key, never offers an
//! extension, and can send what a client must not.

use mocket_testkit::ws::{Frame, KEY, encode};

use super::{case, error, get, ok};
use crate::case::{Backend, Case, Expect, Req};
use crate::session::{Session, accepted, accepted_with, handshake, handshake_without};

const C: &str = "websocket";

/// The core's message for a request to a WebSocket route that is no
/// handshake.
const NOT_A_HANDSHAKE: &str = "this route speaks WebSocket: send an HTTP/1.1 upgrade";

/// Why the `wasi:http` modes answer an accepted upgrade otherwise.
const NO_UPGRADE: &str = "the wasi:http 0.2 proxy world has no upgrade: a component answers a request and cannot take its connection over, so the core answers an accepted WebSocket handshake 501 through the app's error handler (Service::refuse_upgrade), at once, and there is no socket to script";

/// The core's 501 for an upgrade the host cannot carry.
fn not_implemented() -> Expect {
    error(
        501,
        "WebSocket is not available on this host: the wasi:http proxy world cannot hand a connection over",
    )
}

/// Why the `wasi:http` modes' 426 cannot name `websocket`.
const NO_UPGRADE_HEADER: &str = "a wasi:http component may not set `upgrade` or `connection`: wasmtime refuses these hop-by-hop response headers (DEFAULT_FORBIDDEN_HEADERS) and the backend leaves them out, so the 426 cannot name websocket; its status, its message and its other headers are the same";

/// Why the `wasi:http` modes know a handshake by its key alone.
const STRIPPED: &str = "wasmtime strips `connection` and `upgrade` from incoming requests too, so there the core knows a handshake by its sec-websocket-key: one without a key is a plain GET (426), and the app's middleware sees no `upgrade` header";

/// Why the `wasi:http` modes take an HTTP/1.0 handshake for a valid one.
const NO_VERSION: &str = "wasi:http 0.2's incoming-request has no HTTP version, so the backend says HTTP/1.1 and the core takes the HTTP/1.0 handshake for a valid one; like every accepted handshake there it is answered 501";

/// `expect`, or `instead` on both `wasi:http` modes, for `reason`.
fn on_wasi_http(expect: Expect, instead: Expect, reason: &'static str) -> Expect {
    expect
        .instead_on(Backend::WASI_HTTP, instead.clone(), reason)
        .instead_on(Backend::WASI_HTTP_REUSE, instead, reason)
}

/// `expect`, or the 501 on the hosts that cannot upgrade.
fn or_501(expect: Expect) -> Expect {
    on_wasi_http(expect, not_implemented(), NO_UPGRADE)
}

/// A 426 with this message, naming `websocket` where the host lets it.
fn upgrade_required(message: &str) -> Expect {
    on_wasi_http(
        error(426, message).header("upgrade", "websocket"),
        error(426, message),
        NO_UPGRADE_HEADER,
    )
}

/// The `101` accepting [`handshake`]: no subprotocol, no extension (the
/// client offers neither); 501 where there is no upgrade.
fn upgraded() -> Expect {
    or_501(
        accepted()
            .no_header("sec-websocket-protocol")
            .no_header("sec-websocket-extensions"),
    )
}

/// A session whose first socket upgrades `path`.
fn open(path: &str) -> Session {
    Session::open_with(handshake(path), upgraded())
}

/// A case of one session.
fn session(name: &str, session: Session) -> Case {
    case(C, name).session(session)
}

/// Every byte value, in order, `n` bytes.
fn bytes(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 31 % 251) as u8).collect()
}

pub(super) fn cases() -> Vec<Case> {
    [
        handshakes(),
        messages(),
        closing(),
        protocol_errors(),
        rooms(),
    ]
    .concat()
}

fn handshakes() -> Vec<Case> {
    let other_key = "x3JJHMbDL1EzLkh9GBhXDw==";
    let other_accept = "HSmrc0sMlYUkAGmm5OPpG2HaGWk=";
    let with_key = |key: &str| {
        handshake_without("/ws/echo", "sec-websocket-key").header("sec-websocket-key", key)
    };
    let bad_key = || error(400, "missing or malformed sec-websocket-key");
    let with_protocols =
        |offer: &str| handshake("/ws/protocol").header("sec-websocket-protocol", offer);
    let chose = |protocol: &str| {
        or_501(
            accepted()
                .header("sec-websocket-protocol", protocol)
                .no_header("sec-websocket-extensions"),
        )
    };
    let mut early = handshake("/ws/echo").to_bytes();
    early.extend_from_slice(&encode(0x81, b"early"));
    vec![
        session(
            "an upgrade is answered 101 with the accept key derived from the client's key",
            Session::open_with(
                with_key(other_key),
                or_501(accepted_with(other_accept).no_header("sec-websocket-extensions")),
            )
            .send_text("hi")
            .expect_text("hi"),
        ),
        case(C, "a plain GET to a WebSocket route is 426 naming websocket, and the connection serves on")
            .send(get("/ws/echo"), upgrade_required(NOT_A_HANDSHAKE))
            .then(get("/"), ok("home")),
        session(
            "the handshake's headers are read as token lists in any case, as Firefox sends them",
            Session::open_with(
                handshake_without("/ws/echo", "connection")
                    .header("connection", "keep-alive, Upgrade")
                    .header("upgrade", "WebSocket"),
                upgraded(),
            )
            .send_text("tokens")
            .expect_text("tokens"),
        ),
        case(C, "an upgrade to another WebSocket version is 426 naming version 13").send(
            handshake_without("/ws/echo", "sec-websocket-version")
                .header("sec-websocket-version", "8"),
            on_wasi_http(
                error(426, "unsupported sec-websocket-version: 13 is")
                    .header("sec-websocket-version", "13")
                    .header("upgrade", "websocket"),
                error(426, "unsupported sec-websocket-version: 13 is")
                    .header("sec-websocket-version", "13"),
                NO_UPGRADE_HEADER,
            ),
        ),
        case(C, "an upgrade over HTTP/1.0 is 426").send(
            handshake("/ws/echo").http10(),
            on_wasi_http(
                error(426, NOT_A_HANDSHAKE).header("upgrade", "websocket"),
                not_implemented(),
                NO_VERSION,
            ),
        ),
        case(C, "a missing or malformed sec-websocket-key is 400")
            .send(
                handshake_without("/ws/echo", "sec-websocket-key"),
                on_wasi_http(
                    bad_key(),
                    error(426, "this route speaks WebSocket: send an HTTP/1.1 upgrade"),
                    STRIPPED,
                ),
            )
            .send(with_key("not base64!"), bad_key())
            // Base64, but of 15 bytes instead of 16.
            .send(with_key("AAAAAAAAAAAAAAAAAAAA"), bad_key()),
        case(C, "an upgrade with POST is 405, the route being a GET").send(
            Req::post("/ws/echo")
                .header("connection", "Upgrade")
                .header("upgrade", "websocket")
                .header("sec-websocket-version", "13")
                .header("sec-websocket-key", KEY),
            error(405, "Method Not Allowed").header_list("allow", &["GET", "HEAD"]),
        ),
        case(C, "the handler refuses an upgrade without authorization: 401, through the middleware")
            .send(
                handshake("/ws/private"),
                on_wasi_http(
                    error(401, "authorization required").header("x-ws-middleware", "upgrade=websocket"),
                    error(401, "authorization required").header("x-ws-middleware", "upgrade=-"),
                    STRIPPED,
                ),
            ),
        session(
            "a middleware sees the upgrade request and marks the 101",
            Session::open_with(
                handshake("/ws/private").header("authorization", "Bearer conformance"),
                or_501(accepted().header("x-ws-middleware", "upgrade=websocket")),
            )
            .send_text("through")
            .expect_text("through"),
        ),
        session(
            "the subprotocol chosen is the client's first supported one",
            Session::open_with(with_protocols("chat.v2, chat.v1"), chose("chat.v2"))
                .expect_text("chat.v2")
                .and_open_with(with_protocols("other, chat.v1, chat.v2"), chose("chat.v1"))
                .expect_text("chat.v1")
                .send_text("on v1")
                .expect_text("on v1"),
        ),
        session(
            "without a supported subprotocol the answer names none",
            Session::open_with(with_protocols("other, another"), upgraded())
                .expect_text("none")
                .and_open_with(handshake("/ws/protocol"), upgraded())
                .expect_text("none"),
        ),
        session(
            "compression and CORS middleware leave the upgrade and its frames alone",
            Session::open_with(
                handshake("/ws/wrapped/echo")
                    .header("accept-encoding", "gzip, br")
                    .header("origin", "https://app.example"),
                upgraded()
                    .no_header("content-encoding")
                    .header("access-control-allow-origin", "*"),
            )
            .send_text(&"compressible ".repeat(200))
            .expect_text(&"compressible ".repeat(200)),
        ),
        session(
            "a frame sent right behind the handshake, before the 101, is not lost",
            Session::open_with(
                Req::raw("GET /ws/echo, a text frame in the same write", &early),
                upgraded(),
            )
            .expect_text("early"),
        ),
    ]
}

fn messages() -> Vec<Case> {
    let mib = 1 << 20;
    let two_byte_text = "ü".repeat(mib / 2);
    // "héllo" cut inside its "é" (0xC3 0xA9).
    let hello = "héllo".as_bytes();
    vec![
        session(
            "a text message is echoed",
            open("/ws/echo")
                .send_text("héllo wörld ✓")
                .expect_text("héllo wörld ✓"),
        ),
        session(
            "a binary message is echoed, every byte value kept",
            open("/ws/echo")
                .send_binary(bytes(256))
                .expect_binary(bytes(256)),
        ),
        session(
            "empty text and binary messages are echoed",
            open("/ws/echo")
                .send_text("")
                .expect_text("")
                .send_binary(b"")
                .expect_binary(b""),
        ),
        session(
            "a fragmented message is echoed whole, a ping between its fragments answered first",
            open("/ws/echo")
                .send_frame(0x01, &hello[..2])
                .send_ping("mid")
                .send_frame(0x00, &hello[2..4])
                .send_frame(0x80, &hello[4..])
                .expect_pong("mid")
                .expect_text("héllo"),
        ),
        session(
            "a 1 MiB binary message is echoed whole",
            open("/ws/echo")
                .send_binary(bytes(mib))
                .expect_binary(bytes(mib)),
        ),
        session(
            "a 1 MiB text of two-byte characters, split across reads, is echoed whole",
            open("/ws/echo")
                .send_text(&two_byte_text)
                .expect_text(&two_byte_text),
        ),
        session(
            "a ping is answered with a pong carrying the same payload",
            open("/ws/echo")
                .send_ping("are you there?")
                .expect_pong("are you there?")
                .send_ping("")
                .expect_pong("")
                .send_ping(bytes(125))
                .expect_pong(bytes(125)),
        ),
        session(
            "an unsolicited pong is ignored",
            open("/ws/echo")
                .send_frame(0x8A, "unasked")
                .send_text("after")
                .expect_text("after"),
        ),
        session(
            "a message at the size limit is echoed, one byte over closes with 1009",
            open("/ws/small")
                .send_binary(bytes(1024))
                .expect_binary(bytes(1024))
                .send_binary(bytes(1025))
                .fails_with(1009),
        ),
        session(
            "fragments that together exceed the size limit close with 1009",
            open("/ws/small")
                .send_frame(0x01, "a".repeat(600))
                .send_frame(0x80, "b".repeat(600))
                .fails_with(1009),
        ),
    ]
}

fn closing() -> Vec<Case> {
    vec![
        session(
            "the close handshake echoes the client's code, then the server closes",
            open("/ws/echo")
                .send_close(1000, "bye")
                .expect_close(1000)
                .closed()
                .and_open("/ws/echo")
                .send_close(4321, "")
                .expect_close(4321)
                .closed(),
        ),
        session(
            "a close without a code is answered with one without a code",
            open("/ws/echo")
                .send_frame(0x88, b"")
                .expect(Frame {
                    b0: 0x88,
                    payload: Vec::new(),
                })
                .closed(),
        ),
        session(
            "the app closes with its code and reason, and closes the connection once answered",
            open("/ws/close")
                .expect_text("closing")
                .expect(Frame::close(4000, "bye"))
                .send_close(4000, "")
                .closed(),
        ),
        session(
            "a socket the app drops is closed with 1000",
            open("/ws/drop").expect_close(1000).closed(),
        ),
    ]
}

fn protocol_errors() -> Vec<Case> {
    vec![
        session(
            "a reserved data opcode fails the connection with 1002",
            open("/ws/echo").send_frame(0x83, "x").fails_with(1002),
        ),
        session(
            "a reserved control opcode fails the connection with 1002",
            open("/ws/echo").send_frame(0x8B, "x").fails_with(1002),
        ),
        session(
            "an unmasked frame fails the connection with 1002",
            open("/ws/echo")
                .send_unmasked(0x81, "not masked")
                .fails_with(1002),
        ),
        session(
            "a reserved bit without an extension fails the connection with 1002",
            open("/ws/echo")
                .send_frame(0xC1, "rsv1")
                .fails_with(1002)
                .and_open("/ws/echo")
                .send_frame(0xA1, "rsv2")
                .fails_with(1002)
                .and_open("/ws/echo")
                .send_frame(0x91, "rsv3")
                .fails_with(1002),
        ),
        session(
            "a continuation without a message fails the connection with 1002",
            open("/ws/echo").send_frame(0x80, "stray").fails_with(1002),
        ),
        session(
            "a new message before the previous one ended fails the connection with 1002",
            open("/ws/echo")
                .send_frame(0x01, "unfinished")
                .send_frame(0x81, "new")
                .fails_with(1002),
        ),
        session(
            "a fragmented or oversized control frame fails the connection with 1002",
            open("/ws/echo")
                .send_frame(0x09, "not final")
                .fails_with(1002)
                .and_open("/ws/echo")
                .send_ping(bytes(126))
                .fails_with(1002),
        ),
        session(
            "a close frame with a reserved code or a one-byte payload fails with 1002",
            open("/ws/echo")
                .send_close(1005, "")
                .fails_with(1002)
                .and_open("/ws/echo")
                .send_frame(0x88, [0x03])
                .fails_with(1002),
        ),
        session(
            "text that is not UTF-8 fails the connection with 1007",
            open("/ws/echo")
                .send_frame(0x81, [b'o', b'k', 0xFF, 0xFE])
                .fails_with(1007),
        ),
        session(
            "a first fragment that is not UTF-8 fails with 1007 before the message ends",
            // 0xC0 0x80: an overlong encoding, invalid from its first byte.
            open("/ws/echo")
                .send_frame(0x01, [b'a', 0xC0, 0x80])
                .fails_with(1007),
        ),
        session(
            "a close reason that is not UTF-8 fails with 1007",
            open("/ws/echo")
                .send_frame(0x88, [0x03, 0xE8, 0xFF])
                .fails_with(1007),
        ),
    ]
}

fn rooms() -> Vec<Case> {
    let join = |session: Session, room: &str| {
        session
            .and_open(&format!("/ws/room/{room}"))
            .expect_text(&format!("joined {room}"))
    };
    vec![
        session(
            "two sockets in a room both get a message, the sender included",
            join(open("/ws/room/lobby").expect_text("joined lobby"), "lobby")
                .send_text("hello room")
                .expect_text("hello room")
                .on(0)
                .expect_text("hello room"),
        ),
        session(
            "a message to one room does not reach another",
            join(open("/ws/room/red").expect_text("joined red"), "blue")
                .on(0)
                .send_text("for red")
                .expect_text("for red")
                // Had the red message reached it, it would come first.
                .on(1)
                .send_text("for blue")
                .expect_text("for blue"),
        ),
        session(
            "a protocol error on one socket does not disturb another open socket",
            join(open("/ws/room/calm").expect_text("joined calm"), "calm")
                .send_unmasked(0x81, "broken")
                .fails_with(1002)
                .on(0)
                .send_text("still here")
                .expect_text("still here")
                .and_open("/ws/echo")
                .send_text("and new sockets too")
                .expect_text("and new sockets too"),
        ),
    ]
}
