//! `Server::bind`: every documented address form, and clear errors for bad
//! addresses, ports in use and apps with setup errors.

mod common;

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, TcpListener};

use common::{assert_serving, get, raw_status, test_app};
use mocket_core::ListenError;
use mocket_core::Mocket;
use mocket_native::Server;

/// Binds `addr`, checks the bound address, and serves one request on it.
fn bind_and_serve(addr: &str, ip: IpAddr) {
    let server = Server::bind(test_app(), addr).unwrap_or_else(|e| panic!("bind {addr:?}: {e}"));
    let bound = server.local_addr();
    assert_eq!(bound.ip(), ip, "{addr:?}");
    assert_ne!(bound.port(), 0, "{addr:?}: port 0 must pick a free port");
    let handle = server.spawn().expect("spawn");
    assert_eq!(handle.local_addr(), bound);
    let raw = raw_status(bound, &get("/echo/bound"), 200);
    assert!(raw.ends_with("bound"), "{addr:?}: {raw}");
    handle.shutdown().expect("shutdown");
}

#[test]
fn port_only_forms_bind_loopback() {
    for addr in [":0", "0"] {
        bind_and_serve(addr, IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
}

#[test]
fn ipv4_and_localhost_forms() {
    bind_and_serve("127.0.0.1:0", IpAddr::V4(Ipv4Addr::LOCALHOST));
    bind_and_serve("localhost:0", IpAddr::V4(Ipv4Addr::LOCALHOST));
}

#[test]
fn all_interfaces_form() {
    let server = Server::bind(test_app(), "0.0.0.0:0").expect("bind 0.0.0.0:0");
    assert!(server.local_addr().ip().is_unspecified());
    let handle = server.spawn().expect("spawn");
    let loopback = (Ipv4Addr::LOCALHOST, handle.local_addr().port()).into();
    assert_serving(loopback);
    handle.shutdown().expect("shutdown");
}

#[test]
fn ipv6_loopback() {
    if let Err(e) = TcpListener::bind("[::1]:0") {
        #[allow(clippy::print_stdout)]
        {
            println!("skipping: this machine cannot bind [::1]:0 ({e}); IPv6 seems to be off");
        }
        return;
    }
    bind_and_serve("[::1]:0", IpAddr::V6(Ipv6Addr::LOCALHOST));
}

#[test]
fn bad_addresses_are_addr_errors_with_a_reason() {
    for (addr, reason) in [
        ("nonsense", "expected HOST:PORT, :PORT or PORT"),
        (":70000", "the port must be 0 to 65535"),
        ("127.0.0.1:http", "the port must be 0 to 65535"),
        (
            "example.com:80",
            "the host must be an IP address or localhost",
        ),
        ("::1:3000", "brackets"),
        ("", "expected HOST:PORT"),
    ] {
        let err = Server::bind(test_app(), addr).expect_err(addr);
        assert!(
            matches!(err, ListenError::Addr(_)),
            "{addr:?}: expected ListenError::Addr, got {err:?}"
        );
        let msg = err.to_string();
        assert!(msg.starts_with("invalid listen address"), "{addr:?}: {msg}");
        assert!(
            msg.contains(&format!("{addr:?}")),
            "{addr:?}: the message should quote the input: {msg}"
        );
        assert!(msg.contains(reason), "{addr:?}: {msg}");
    }
}

#[test]
fn port_in_use_says_so() {
    let holder = TcpListener::bind("127.0.0.1:0").expect("hold a port");
    let taken = holder.local_addr().expect("held address");
    let err = Server::bind(test_app(), &taken.to_string()).expect_err("the port is taken");
    match &err {
        ListenError::Bind { addr, source } => {
            assert_eq!(*addr, taken);
            assert_eq!(source.kind(), io::ErrorKind::AddrInUse);
        }
        other => panic!("expected ListenError::Bind, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("already in use"), "{msg}");
    assert!(msg.contains(&taken.to_string()), "{msg}");
    assert!(std::error::Error::source(&err).is_some());

    // Same for a port held by another Mocket server, in the ":PORT" form.
    let first = Server::bind(test_app(), ":0").expect("first server");
    let port = first.local_addr().port();
    let err = Server::bind(test_app(), &format!(":{port}")).expect_err("the port is taken");
    assert!(err.to_string().contains("already in use"), "{err}");
}

#[test]
fn unassignable_address_is_a_bind_error() {
    // 192.0.2.0/24 is reserved for documentation: no host has it.
    let err = Server::bind(test_app(), "192.0.2.1:0").expect_err("not a local address");
    assert!(matches!(err, ListenError::Bind { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("cannot listen on 192.0.2.1:0: "),
        "{err}"
    );
}

/// An app with `method path` registered twice, answering `bodies`: a
/// setup error.
fn app_with_route_twice(method: &'static str, path: &str, bodies: [&'static str; 2]) -> Mocket {
    let mut app = Mocket::new();
    for body in bodies {
        app.on(method, path, move |_req| async move { body });
    }
    app
}

#[test]
fn setup_errors_name_the_route() {
    let app = app_with_route_twice("GET", "/users/:id", ["a", "b"]);
    let err = Server::bind(app, "127.0.0.1:0").expect_err("a route is registered twice");
    match &err {
        ListenError::Setup(setup) => assert_eq!(setup.problems().len(), 1, "{setup}"),
        other => panic!("expected ListenError::Setup, got {other:?}"),
    }
    let msg = err.to_string();
    assert!(msg.contains("GET /users/:id"), "{msg}");
    assert!(msg.contains("registered twice"), "{msg}");
}

#[test]
fn setup_errors_win_over_a_bad_address() {
    let app = app_with_route_twice("POST", "/a", ["1", "2"]);
    let err = Server::bind(app, "nonsense").expect_err("both are wrong");
    assert!(matches!(err, ListenError::Setup(_)), "{err:?}");
    assert!(err.to_string().contains("POST /a"), "{err}");
}
