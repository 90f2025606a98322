//! The cookie-session example over a real socket: log in with a form, reach
//! the protected page with the signed cookie, fail with a tampered or
//! forged one, log out.

#![cfg(all(unix, not(target_family = "wasm")))]

use std::net::SocketAddr;
use std::process::{Command, Stdio};

use mocket_testkit::http1::{Conn, Response};
use mocket_testkit::process::Server;

/// Builds and starts the example on a free port (`PORT=0`), with `secret`
/// as `SESSION_SECRET` if given.
fn start(secret: Option<&str>) -> Server {
    let built = Command::new(env!("CARGO"))
        .args(["build", "-q", "--example", "cookie_session"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .expect("run cargo build");
    assert!(built.success(), "building the example failed");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["run", "-q", "--example", "cookie_session"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("PORT", "0")
        .env_remove("SESSION_SECRET");
    if let Some(secret) = secret {
        cmd.env("SESSION_SECRET", secret);
    }
    Server::start(&mut cmd)
}

/// Sends one request on a new connection and reads its response.
fn request(addr: SocketAddr, head: &str, body: &str) -> Response {
    let raw = format!(
        "{head}\r\nhost: test\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    Conn::open(addr).exchange(raw.as_bytes())
}

fn get(addr: SocketAddr, path: &str, cookie: Option<&str>) -> Response {
    match cookie {
        Some(cookie) => request(
            addr,
            &format!("GET {path} HTTP/1.1\r\ncookie: {cookie}"),
            "",
        ),
        None => request(addr, &format!("GET {path} HTTP/1.1"), ""),
    }
}

fn login(addr: SocketAddr, form: &str) -> Response {
    request(
        addr,
        "POST /login HTTP/1.1\r\ncontent-type: application/x-www-form-urlencoded",
        form,
    )
}

/// The `session=…` pair a successful login sets.
fn log_in(addr: SocketAddr) -> String {
    let res = login(addr, "user=ada&password=lovelace");
    assert_eq!(res.status, 303, "{}", res.text());
    assert_eq!(res.header("location"), Some("/account"));
    let set = res.header("set-cookie").expect("a session cookie");
    assert!(set.starts_with("session="), "{set}");
    assert!(set.ends_with("; HttpOnly; SameSite=Lax; Path=/"), "{set}");
    set.split(';').next().unwrap_or_default().to_owned()
}

#[test]
fn login_session_and_logout() {
    let server = start(None);
    let addr = server.addr;

    // Not logged in: sent to the login page, which has the form.
    let res = get(addr, "/account", None);
    assert_eq!((res.status, res.header("location")), (303, Some("/login")));
    let page = get(addr, "/login", None);
    assert_eq!(page.status, 200);
    assert!(page.text().contains("<form method=post action=/login>"));

    // Wrong password: 401, no cookie.
    let res = login(addr, "user=ada&password=nope");
    assert_eq!(res.status, 401);
    assert!(res.text().contains("Wrong user name or password."));
    assert_eq!(res.header("set-cookie"), None);

    // Logged in: the signed cookie opens the account page.
    let session = log_in(addr);
    let res = get(addr, "/account", Some(&session));
    assert_eq!(res.status, 200);
    assert!(res.text().contains("Hello, ada!"), "{}", res.text());

    // The value is readable but not changeable.
    assert!(session.ends_with("ada"));
    let admin = format!("{}admin", &session[..session.len() - 3]);
    for forged in [admin.as_str(), "session=ada", "session=", "session=%FF"] {
        let res = get(addr, "/account", Some(forged));
        assert_eq!(res.status, 303, "{forged} was accepted");
        assert_eq!(res.header("location"), Some("/login"));
    }

    // Logging out removes the cookie.
    let res = request(
        addr,
        &format!("POST /logout HTTP/1.1\r\ncookie: {session}"),
        "",
    );
    assert_eq!((res.status, res.header("location")), (303, Some("/login")));
    assert_eq!(
        res.header("set-cookie"),
        Some("session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
    );
}

#[test]
fn bad_login_requests_are_4xx() {
    let server = start(None);
    let res = request(
        server.addr,
        "POST /login HTTP/1.1\r\ncontent-type: application/json",
        r#"{"user":"ada"}"#,
    );
    assert_eq!(res.status, 415);
    let res = login(server.addr, "user=ada");
    assert_eq!(res.status, 400);
    assert!(
        res.text().contains("missing field `password`"),
        "{}",
        res.text()
    );
}

#[test]
fn sessions_survive_a_restart_with_the_same_secret_only() {
    let secret = "an example secret of at least 32 bytes";
    let session = log_in(start(Some(secret)).addr);
    let same = start(Some(secret));
    assert_eq!(get(same.addr, "/account", Some(&session)).status, 200);
    drop(same);
    let other = start(Some("another secret, also at least 32 bytes"));
    assert_eq!(get(other.addr, "/account", Some(&session)).status, 303);
}

#[test]
fn a_short_secret_is_refused_at_startup() {
    let out = Command::new(env!("CARGO"))
        .args(["run", "-q", "--example", "cookie_session"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SESSION_SECRET", "short")
        .env("PORT", "0")
        .stdin(Stdio::null())
        .output()
        .expect("run the example");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "error: SESSION_SECRET: a cookie key needs a secret of at least 32 bytes, got 5"
    );
}
