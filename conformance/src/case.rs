//! Cases as data: requests to write, and what must come back.
//!
//! A [`Case`] is a list of [`Step`]s. An HTTP step writes one or more
//! requests at once (several make a pipeline) on a new connection or on the
//! previous step's, then reads one response per request and checks each
//! against its [`Expect`]; optionally it then checks that the server closed
//! the connection. A WebSocket step is a [`Session`]: handshakes checked
//! like any response, then frames sent and expected on one socket or
//! several.

use std::fmt;
use std::sync::Arc;

use mocket_testkit::http1::{Response, preview};

use crate::session::Session;

/// A backend the suite runs against, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Backend(pub &'static str);

impl Backend {
    /// hyper 1 + tokio.
    pub const NATIVE: Backend = Backend("native");
    /// wasm + `node:http`.
    pub const NODE: Backend = Backend("node");
    /// `wasm32-wasip2`, mode 1: a `wasi:http` component under `wasmtime
    /// serve`, a fresh instance per request (wasmtime's default, and
    /// Spin's).
    pub const WASI_HTTP: Backend = Backend("wasi-http");
    /// `wasm32-wasip2`, mode 1 with instances reused for many requests
    /// (`wasmtime serve --max-instance-reuse-count`), as it is deployed
    /// for throughput.
    pub const WASI_HTTP_REUSE: Backend = Backend("wasi-http-reuse");
    /// `wasm32-wasip2`, mode 2: a command listening through `wasi:sockets`
    /// under `wasmtime run`.
    pub const WASI_SOCKETS: Backend = Backend("wasi-sockets");
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// The `Host` header every built request carries.
pub const HOST: &str = "conformance.test";

/// What is written after the head.
#[derive(Debug, Clone)]
enum Payload {
    None,
    /// With `content-length`.
    Sized(Vec<u8>),
    /// With `transfer-encoding: chunked`, in chunks of `chunk` bytes;
    /// `finished` says whether the last (empty) chunk is sent.
    Chunked {
        data: Vec<u8>,
        chunk: usize,
        finished: bool,
    },
    /// A `content-length` header declaring `n` bytes, none of which are sent.
    DeclaredOnly(u64),
    /// A `content-length` header declaring `declared` bytes, of which only
    /// `sent` follow before the client stops writing (half-close).
    CutShort {
        sent: Vec<u8>,
        declared: u64,
    },
}

/// A request to write: built from parts, or raw bytes.
///
/// ```
/// use mocket_conformance::Req;
/// let req = Req::post("/body/text").header("content-type", "text/plain").body("hi");
/// assert_eq!(
///     String::from_utf8(req.to_bytes()).unwrap(),
///     "POST /body/text HTTP/1.1\r\nhost: conformance.test\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nhi"
/// );
/// ```
#[derive(Debug, Clone)]
pub struct Req {
    method: String,
    target: String,
    version: &'static str,
    host: bool,
    headers: Vec<(String, Vec<u8>)>,
    payload: Payload,
    raw: Option<Vec<u8>>,
}

impl Req {
    /// A request with any method token.
    pub fn new(method: &str, target: &str) -> Req {
        Req {
            method: method.to_owned(),
            target: target.to_owned(),
            version: "HTTP/1.1",
            host: true,
            headers: Vec::new(),
            payload: Payload::None,
            raw: None,
        }
    }

    /// `GET target`.
    pub fn get(target: &str) -> Req {
        Req::new("GET", target)
    }

    /// `HEAD target`: its response is read without a body.
    pub fn head(target: &str) -> Req {
        Req::new("HEAD", target)
    }

    /// `POST target`.
    pub fn post(target: &str) -> Req {
        Req::new("POST", target)
    }

    /// `PUT target`.
    pub fn put(target: &str) -> Req {
        Req::new("PUT", target)
    }

    /// `PATCH target`.
    pub fn patch(target: &str) -> Req {
        Req::new("PATCH", target)
    }

    /// `DELETE target`.
    pub fn delete(target: &str) -> Req {
        Req::new("DELETE", target)
    }

    /// Exactly these bytes, nothing added. `label` names it in reports. A
    /// raw request starting with `HEAD ` is read as a HEAD.
    ///
    /// ```
    /// use mocket_conformance::Req;
    /// assert_eq!(Req::raw("garbage", b"xx\r\n\r\n").to_bytes(), b"xx\r\n\r\n");
    /// ```
    pub fn raw(label: &str, bytes: &[u8]) -> Req {
        let mut req = Req::new("", label);
        req.raw = Some(bytes.to_vec());
        req
    }

    /// Adds a header line (repeat the call to repeat the header).
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Req {
        self.headers
            .push((name.to_owned(), value.as_ref().to_vec()));
        self
    }

    /// Uses `HTTP/1.0` in the request line.
    pub fn http10(mut self) -> Req {
        self.version = "HTTP/1.0";
        self
    }

    /// Leaves out the `Host` header.
    pub fn without_host(mut self) -> Req {
        self.host = false;
        self
    }

    /// A body with its `content-length`.
    pub fn body(mut self, body: impl AsRef<[u8]>) -> Req {
        self.payload = Payload::Sized(body.as_ref().to_vec());
        self
    }

    /// A chunked body, `chunk` bytes per chunk.
    ///
    /// ```
    /// use mocket_conformance::Req;
    /// let bytes = Req::post("/x").chunked("abc", 2).to_bytes();
    /// assert!(bytes.ends_with(b"transfer-encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n"));
    /// ```
    pub fn chunked(mut self, body: impl AsRef<[u8]>, chunk: usize) -> Req {
        self.payload = Payload::Chunked {
            data: body.as_ref().to_vec(),
            chunk: chunk.max(1),
            finished: true,
        };
        self
    }

    /// Chunks of a body that never ends: the final chunk is not sent.
    pub fn chunked_unfinished(mut self, body: impl AsRef<[u8]>, chunk: usize) -> Req {
        self.payload = Payload::Chunked {
            data: body.as_ref().to_vec(),
            chunk: chunk.max(1),
            finished: false,
        };
        self
    }

    /// Declares `content-length: n` but sends only the head.
    pub fn declared_length_only(mut self, n: u64) -> Req {
        self.payload = Payload::DeclaredOnly(n);
        self
    }

    /// Declares `content-length: declared`, sends `sent` (fewer bytes), then
    /// shuts down the client's writing half: the body ends early, and the
    /// response can still be read.
    ///
    /// ```
    /// use mocket_conformance::Req;
    /// let req = Req::post("/x").cut_short("abc", 10);
    /// assert!(req.to_bytes().ends_with(b"content-length: 10\r\n\r\nabc"));
    /// assert!(req.half_closes());
    /// ```
    pub fn cut_short(mut self, sent: impl AsRef<[u8]>, declared: u64) -> Req {
        self.payload = Payload::CutShort {
            sent: sent.as_ref().to_vec(),
            declared,
        };
        self
    }

    /// Whether the client shuts down its writing half after this request.
    pub fn half_closes(&self) -> bool {
        matches!(self.payload, Payload::CutShort { .. })
    }

    /// Whether the response to this request has no body (a HEAD).
    pub fn is_head(&self) -> bool {
        match &self.raw {
            Some(raw) => raw.starts_with(b"HEAD "),
            None => self.method == "HEAD",
        }
    }

    /// `METHOD target`, or the raw request's label.
    pub fn label(&self) -> String {
        match &self.raw {
            Some(_) => self.target.clone(),
            None => format!("{} {}", self.method, self.target),
        }
    }

    /// The bytes written to the socket.
    pub fn to_bytes(&self) -> Vec<u8> {
        if let Some(raw) = &self.raw {
            return raw.clone();
        }
        let mut out = format!("{} {} {}\r\n", self.method, self.target, self.version).into_bytes();
        let mut line = |name: &str, value: &[u8]| {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        };
        if self.host {
            line("host", HOST.as_bytes());
        }
        for (name, value) in &self.headers {
            line(name, value);
        }
        match &self.payload {
            Payload::None => {}
            Payload::Sized(body) => line("content-length", body.len().to_string().as_bytes()),
            Payload::DeclaredOnly(n) | Payload::CutShort { declared: n, .. } => {
                line("content-length", n.to_string().as_bytes());
            }
            Payload::Chunked { .. } => line("transfer-encoding", b"chunked"),
        }
        out.extend_from_slice(b"\r\n");
        match &self.payload {
            Payload::None | Payload::DeclaredOnly(_) => {}
            Payload::Sized(body) | Payload::CutShort { sent: body, .. } => {
                out.extend_from_slice(body);
            }
            Payload::Chunked {
                data,
                chunk,
                finished,
            } => {
                for piece in data.chunks(*chunk) {
                    out.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
                    out.extend_from_slice(piece);
                    out.extend_from_slice(b"\r\n");
                }
                if *finished {
                    out.extend_from_slice(b"0\r\n\r\n");
                }
            }
        }
        out
    }
}

/// A check on the body, described in words for failure messages.
pub type BodyPredicate = Arc<dyn Fn(&[u8]) -> bool + Send + Sync>;

/// What a header must be.
#[derive(Debug, Clone)]
pub enum HeaderCheck {
    /// Exactly one value, equal to these bytes.
    Is(Vec<u8>),
    /// Exactly these values, in this order.
    Values(Vec<String>),
    /// Exactly one value: a comma-separated list of these items, in any
    /// order (for `Allow`).
    ListOf(Vec<String>),
    /// One or more values, together a comma-separated list holding this
    /// token, compared without regard to case (`connection: Upgrade`).
    Token(String),
    /// Present, with any value.
    Present,
    /// Not there at all.
    Absent,
}

/// What the body must be.
#[derive(Clone)]
pub enum BodyCheck {
    /// Anything.
    Any,
    /// Exactly these bytes.
    Is(Vec<u8>),
    /// Passes the predicate, which the text describes.
    Satisfies(String, BodyPredicate),
}

impl fmt::Debug for BodyCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyCheck::Any => f.write_str("Any"),
            BodyCheck::Is(b) => write!(f, "Is({})", preview(b)),
            BodyCheck::Satisfies(what, _) => write!(f, "Satisfies({what:?})"),
        }
    }
}

/// The content type of text responders.
pub const TEXT: &str = "text/plain; charset=utf-8";
/// The content type of `Json`.
pub const JSON: &str = "application/json";
/// The content type of `Html`.
pub const HTML: &str = "text/html; charset=utf-8";
/// The content type of byte responders.
pub const OCTETS: &str = "application/octet-stream";

/// The response a request must get.
///
/// ```
/// use mocket_conformance::Expect;
/// let ok = Expect::status(200).text("home").no_header("set-cookie");
/// assert_eq!(format!("{ok:?}").contains("home"), true);
/// ```
#[derive(Debug, Clone)]
pub struct Expect {
    status: u16,
    headers: Vec<(String, HeaderCheck)>,
    body: BodyCheck,
    /// What a backend that cannot give this answer must give instead,
    /// and why.
    instead: Vec<(Backend, Expect, &'static str)>,
}

impl Expect {
    /// A response with this status, any headers and any body.
    pub fn status(status: u16) -> Expect {
        Expect {
            status,
            headers: Vec::new(),
            body: BodyCheck::Any,
            instead: Vec::new(),
        }
    }

    /// On `backend`, which cannot give this answer for `reason` (a limit
    /// of its platform, not a bug), the response must be `expect` instead.
    /// Unlike a skip, this still checks what the backend does (a refusal
    /// that says why, say, rather than a hang); the report counts a case
    /// that needed it as passed instead, with the reason.
    ///
    /// ```
    /// use mocket_conformance::{Backend, Expect};
    /// let e = Expect::status(101).instead_on(Backend::WASI_HTTP, Expect::status(501), "no upgrade");
    /// assert_eq!(e.on(Backend::WASI_HTTP).0.expected_status(), 501);
    /// assert_eq!(e.on(Backend::NATIVE).0.expected_status(), 101);
    /// ```
    pub fn instead_on(mut self, backend: Backend, expect: Expect, reason: &'static str) -> Expect {
        self.instead.push((backend, expect, reason));
        self
    }

    /// The answer `backend` must give: this one, or its alternative with
    /// the reason for it.
    pub fn on(&self, backend: Backend) -> (&Expect, Option<&'static str>) {
        match self.instead.iter().find(|(b, _, _)| *b == backend) {
            Some((_, expect, reason)) => (expect, Some(reason)),
            None => (self, None),
        }
    }

    /// The backends that answer otherwise.
    pub fn answered_otherwise_on(&self) -> impl Iterator<Item = Backend> + '_ {
        self.instead.iter().map(|(b, _, _)| *b)
    }

    /// `name` has exactly one value, `value`.
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Expect {
        self.headers
            .push((name.to_owned(), HeaderCheck::Is(value.as_ref().to_vec())));
        self
    }

    /// `name` has exactly these values, in order.
    pub fn header_values(mut self, name: &str, values: &[&str]) -> Expect {
        let values = values.iter().map(|v| (*v).to_owned()).collect();
        self.headers
            .push((name.to_owned(), HeaderCheck::Values(values)));
        self
    }

    /// `name` is one comma-separated list of exactly these items, any order.
    pub fn header_list(mut self, name: &str, items: &[&str]) -> Expect {
        let items = items.iter().map(|v| (*v).to_owned()).collect();
        self.headers
            .push((name.to_owned(), HeaderCheck::ListOf(items)));
        self
    }

    /// `name`'s values, as one comma-separated list, hold `token` (ASCII
    /// case ignored): for tokens such as `connection: upgrade`.
    ///
    /// ```
    /// use mocket_conformance::Expect;
    /// let e = Expect::status(101).header_token("connection", "upgrade");
    /// assert!(format!("{e:?}").contains("Token"));
    /// ```
    pub fn header_token(mut self, name: &str, token: &str) -> Expect {
        self.headers
            .push((name.to_owned(), HeaderCheck::Token(token.to_owned())));
        self
    }

    /// `name` is present.
    pub fn has_header(mut self, name: &str) -> Expect {
        self.headers.push((name.to_owned(), HeaderCheck::Present));
        self
    }

    /// `name` is absent.
    pub fn no_header(mut self, name: &str) -> Expect {
        self.headers.push((name.to_owned(), HeaderCheck::Absent));
        self
    }

    /// The body is exactly `body`.
    pub fn body(mut self, body: impl AsRef<[u8]>) -> Expect {
        self.body = BodyCheck::Is(body.as_ref().to_vec());
        self
    }

    /// The body is empty.
    pub fn empty_body(self) -> Expect {
        self.body("")
    }

    /// The body passes `check`, described by `what` ("is 256 KiB of …").
    pub fn body_satisfies(
        mut self,
        what: &str,
        check: impl Fn(&[u8]) -> bool + Send + Sync + 'static,
    ) -> Expect {
        self.body = BodyCheck::Satisfies(what.to_owned(), Arc::new(check));
        self
    }

    /// The body does not contain `needle` (a secret that must not leak).
    pub fn body_lacks(self, needle: &'static str) -> Expect {
        self.body_satisfies(&format!("does not contain {needle:?}"), move |b| {
            !b.windows(needle.len()).any(|w| w == needle.as_bytes())
        })
    }

    /// A text responder's answer: `text/plain; charset=utf-8` and `body`.
    pub fn text(self, body: impl AsRef<[u8]>) -> Expect {
        self.header("content-type", TEXT).body(body)
    }

    /// A JSON answer: `application/json` and exactly `body`.
    pub fn json(self, body: &str) -> Expect {
        self.header("content-type", JSON).body(body)
    }

    /// The conformance app's error rendering: `{"error": message}` as JSON.
    ///
    /// ```
    /// use mocket_conformance::Expect;
    /// let e = Expect::status(404).error("Not Found");
    /// assert!(format!("{e:?}").contains(r#"{\"error\":\"Not Found\"}"#));
    /// ```
    pub fn error(self, message: &str) -> Expect {
        let body = serde_json::json!({ "error": message }).to_string();
        self.json(&body)
    }

    /// The status this expects.
    pub fn expected_status(&self) -> u16 {
        self.status
    }

    /// Every way `res` differs from this expectation, one line each.
    pub fn mismatches(&self, res: &Response) -> Vec<String> {
        let mut out = Vec::new();
        if res.status != self.status {
            out.push(format!(
                "status: expected {}, got {} {}",
                self.status, res.status, res.reason
            ));
        }
        for (name, check) in &self.headers {
            if let Some(problem) = check_header(res, name, check) {
                out.push(problem);
            }
        }
        match &self.body {
            BodyCheck::Any => {}
            BodyCheck::Is(want) if *want != res.body => out.push(format!(
                "body: expected {}, got {}",
                preview(want),
                preview(&res.body)
            )),
            BodyCheck::Is(_) => {}
            BodyCheck::Satisfies(what, check) if !check(&res.body) => out.push(format!(
                "body: expected a body that {what}, got {}",
                preview(&res.body)
            )),
            BodyCheck::Satisfies(..) => {}
        }
        out
    }
}

fn check_header(res: &Response, name: &str, check: &HeaderCheck) -> Option<String> {
    let values: Vec<&[u8]> = res
        .headers
        .iter()
        .filter(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| &h.value[..])
        .collect();
    let shown = || {
        let list: Vec<String> = values.iter().map(|v| preview(v)).collect();
        if list.is_empty() {
            "no such header".to_owned()
        } else {
            list.join(", ")
        }
    };
    let ok = match check {
        HeaderCheck::Is(want) => values.len() == 1 && values[0] == &want[..],
        HeaderCheck::Values(want) => {
            values.len() == want.len() && values.iter().zip(want).all(|(v, w)| *v == w.as_bytes())
        }
        HeaderCheck::ListOf(want) => {
            values.len() == 1 && {
                let text = String::from_utf8_lossy(values[0]);
                let mut got: Vec<&str> = text.split(',').map(str::trim).collect();
                let mut want: Vec<&str> = want.iter().map(String::as_str).collect();
                got.sort_unstable();
                want.sort_unstable();
                got == want
            }
        }
        HeaderCheck::Token(token) => values.iter().any(|v| {
            v.split(|&b| b == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(token.as_bytes()))
        }),
        HeaderCheck::Present => !values.is_empty(),
        HeaderCheck::Absent => values.is_empty(),
    };
    if ok {
        return None;
    }
    let wanted = match check {
        HeaderCheck::Is(want) => preview(want),
        HeaderCheck::Values(want) => format!("the values {want:?} in this order"),
        HeaderCheck::ListOf(want) => format!("one list of {want:?} in any order"),
        HeaderCheck::Token(token) => format!("a list holding the token {token:?}"),
        HeaderCheck::Present => "present".to_owned(),
        HeaderCheck::Absent => "absent".to_owned(),
    };
    Some(format!("header {name}: expected {wanted}, got {}", shown()))
}

/// Which connection a step uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// A new connection.
    New,
    /// The previous step's connection (keep-alive).
    Same,
}

/// Requests written together, and the responses expected in order.
#[derive(Debug, Clone)]
pub struct HttpStep {
    /// Which connection to write on.
    pub connection: Connection,
    /// Each request with the response it must get.
    pub exchanges: Vec<(Req, Expect)>,
    /// After the responses, the server must close the connection.
    pub then_closed: bool,
    /// Runs only if the previous response kept the connection open: if it
    /// said `connection: close`, the server must close instead, and this
    /// step is not sent.
    pub only_if_kept_open: bool,
}

/// One step of a case.
#[derive(Debug, Clone)]
pub enum Step {
    /// Requests on one connection, and their responses.
    Http(HttpStep),
    /// A WebSocket session, on connections of its own: a step after it
    /// opens a new connection.
    WebSocket(Session),
}

/// One conformance case.
///
/// ```
/// use mocket_conformance::{Case, Expect, Req};
/// let case = Case::new("routing", "home")
///     .send(Req::get("/"), Expect::status(200).text("home"))
///     .then(Req::get("/users/me"), Expect::status(200).text("me"));
/// assert_eq!(case.steps.len(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct Case {
    /// What the case is about ("routing", "body limits", …).
    pub concern: &'static str,
    /// What it checks, as a sentence.
    pub name: String,
    /// The steps, in order; a failing step ends the case.
    pub steps: Vec<Step>,
    /// Backends that legitimately cannot meet the case, and why.
    pub skip_on: Vec<(Backend, &'static str)>,
}

impl Case {
    /// An empty case.
    pub fn new(concern: &'static str, name: &str) -> Case {
        Case {
            concern,
            name: name.to_owned(),
            steps: Vec::new(),
            skip_on: Vec::new(),
        }
    }

    fn step(mut self, connection: Connection, exchanges: Vec<(Req, Expect)>) -> Case {
        self.steps.push(Step::Http(HttpStep {
            connection,
            exchanges,
            then_closed: false,
            only_if_kept_open: false,
        }));
        self
    }

    /// The last step, if it is an HTTP one.
    fn last_http(&mut self) -> Option<&mut HttpStep> {
        match self.steps.last_mut() {
            Some(Step::Http(step)) => Some(step),
            _ => None,
        }
    }

    /// Writes `req` on a new connection and expects `expect`.
    pub fn send(self, req: Req, expect: Expect) -> Case {
        self.step(Connection::New, vec![(req, expect)])
    }

    /// Writes `req` on the same connection as the previous step, after its
    /// responses were read.
    pub fn then(self, req: Req, expect: Expect) -> Case {
        self.step(Connection::Same, vec![(req, expect)])
    }

    /// Like [`Case::then`], but a server may instead answer the previous
    /// request with `connection: close` and close (allowed where it would
    /// otherwise have to read a body the handler ignored); closing without
    /// saying so still fails.
    pub fn then_if_kept_open(mut self, req: Req, expect: Expect) -> Case {
        self = self.step(Connection::Same, vec![(req, expect)]);
        if let Some(last) = self.last_http() {
            last.only_if_kept_open = true;
        }
        self
    }

    /// Writes all requests at once on a new connection (a pipeline) and
    /// expects the responses in the same order.
    pub fn pipeline(self, exchanges: Vec<(Req, Expect)>) -> Case {
        self.step(Connection::New, exchanges)
    }

    /// After the last step's responses, the server must close the
    /// connection (and send nothing more).
    pub fn then_closed(mut self) -> Case {
        if let Some(last) = self.last_http() {
            last.then_closed = true;
        }
        self
    }

    /// Runs a WebSocket [`Session`] (on connections of its own).
    ///
    /// ```
    /// use mocket_conformance::Case;
    /// use mocket_conformance::session::Session;
    /// let case = Case::new("websocket", "echo")
    ///     .session(Session::open("/ws/echo").send_text("hi").expect_text("hi"));
    /// assert_eq!(case.steps.len(), 1);
    /// ```
    pub fn session(mut self, session: Session) -> Case {
        self.steps.push(Step::WebSocket(session));
        self
    }

    /// Skips the case on `backend`, which cannot meet it for `reason`;
    /// the reason is printed in every report.
    pub fn skip_on(mut self, backend: Backend, reason: &'static str) -> Case {
        self.skip_on.push((backend, reason));
        self
    }
}
