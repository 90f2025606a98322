//! The cookie-session example over a real socket: log in with a form, reach
//! the protected page with the signed cookie, fail with a tampered or
//! forged one, log out.

#![cfg(all(unix, not(target_family = "wasm")))]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// How long the example may take to build and start on a busy machine.
const START_TIMEOUT: Duration = Duration::from_secs(300);

/// The example, killed when the test ends.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

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
        .env_remove("SESSION_SECRET")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some(secret) = secret {
        cmd.env("SESSION_SECRET", secret);
    }
    let mut child = cmd.spawn().expect("start the example");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let line = rx.recv_timeout(START_TIMEOUT).expect("a Listening line");
    let addr = line
        .strip_prefix("Listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .expect("an address");
    Server { child, addr }
}

/// One response: status, `(name, value)` headers, body.
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request on a new connection (`connection: close`) and reads
/// the whole response.
fn request(addr: SocketAddr, head: &str, body: &str) -> Response {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let raw = format!(
        "{head}\r\nhost: test\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(raw.as_bytes()).expect("send");
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).expect("read");
    let text = String::from_utf8(bytes).expect("UTF-8 response");
    let (head, body) = text.split_once("\r\n\r\n").expect("a head");
    let mut lines = head.lines();
    let status = lines.next().expect("status line")[9..12]
        .parse()
        .expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    Response {
        status,
        headers,
        body: body.to_owned(),
    }
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
    assert_eq!(res.status, 303, "{}", res.body);
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
    assert!(page.body.contains("<form method=post action=/login>"));

    // Wrong password: 401, no cookie.
    let res = login(addr, "user=ada&password=nope");
    assert_eq!(res.status, 401);
    assert!(res.body.contains("Wrong user name or password."));
    assert_eq!(res.header("set-cookie"), None);

    // Logged in: the signed cookie opens the account page.
    let session = log_in(addr);
    let res = get(addr, "/account", Some(&session));
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Hello, ada!"), "{}", res.body);

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
        res.body.contains("missing field `password`"),
        "{}",
        res.body
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
