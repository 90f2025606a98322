//! The benchmark routes of ROUTES.md: what is sent, and what every server
//! must answer (checked before any server is measured on a route).

/// One request.
#[derive(Clone, Debug)]
pub struct Req {
    pub method: &'static str,
    pub path: String,
    pub content_type: Option<&'static str>,
    pub body: Vec<u8>,
}

impl Req {
    fn get(path: &str) -> Req {
        Req {
            method: "GET",
            path: path.to_owned(),
            content_type: None,
            body: Vec::new(),
        }
    }

    fn post(path: &str, content_type: Option<&'static str>, body: impl Into<Vec<u8>>) -> Req {
        Req {
            method: "POST",
            path: path.to_owned(),
            content_type,
            body: body.into(),
        }
    }
}

/// What a response must be.
#[derive(Clone, Debug)]
pub struct Expect {
    pub status: u16,
    /// The exact body, when it matters.
    pub body: Option<Vec<u8>>,
    /// Headers that must be present with this value (name lowercase; values
    /// compared ASCII-case-insensitively, spaces after `;` ignored).
    pub headers: Vec<(&'static str, &'static str)>,
    /// Headers that must be absent.
    pub absent: Vec<&'static str>,
}

/// A request and the answer it must get.
#[derive(Clone, Debug)]
pub struct Check {
    pub req: Req,
    pub expect: Expect,
}

/// A benchmark case.
#[derive(Clone, Debug)]
pub struct Route {
    pub name: &'static str,
    /// What wrk sends (and callgrind's client).
    pub req: Req,
    /// The wrk Lua script in bench/wrk/, for requests that are not a plain GET.
    pub script: Option<&'static str>,
    /// Every check; the first is the measured request itself.
    pub checks: Vec<Check>,
    /// Whether the measured request is answered with a non-2xx status on
    /// purpose (wrk counts those).
    pub non2xx_expected: bool,
}

const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";
pub const POST_JSON_BODY: &str = r#"{"message":"Hello, World!","items":[1,2,3,4]}"#;

/// The 16 KiB body of post_large and post_consume: `a`..`z` repeated, as in
/// tests/bench_app.rs and bench/wrk/post_16k.lua.
pub fn large_body() -> Vec<u8> {
    (0..16 * 1024).map(|i| b'a' + (i % 26) as u8).collect()
}

fn ok(content_type: &'static str, body: impl Into<Vec<u8>>) -> Expect {
    Expect {
        status: 200,
        body: Some(body.into()),
        headers: vec![("content-type", content_type)],
        absent: vec![],
    }
}

fn status(code: u16) -> Expect {
    Expect {
        status: code,
        body: None,
        headers: vec![],
        absent: vec![],
    }
}

fn check(req: Req, expect: Expect) -> Check {
    Check { req, expect }
}

fn route(name: &'static str, req: Req, expect: Expect) -> Route {
    let non2xx_expected = !(200..400).contains(&expect.status);
    Route {
        name,
        checks: vec![check(req.clone(), expect)],
        req,
        script: None,
        non2xx_expected,
    }
}

/// Every route, in ROUTES.md's order.
pub fn all() -> Vec<Route> {
    let hello = || ok(TEXT, "Hello, World!");
    let mut plaintext = route("plaintext", Req::get("/plaintext"), hello());
    plaintext.checks[0].expect.absent.push("x-middleware");

    let mut middleware = hello();
    middleware.headers.push(("x-middleware", "1"));
    let middleware = route(
        "middleware_plaintext",
        Req::get("/middleware/plaintext"),
        middleware,
    );

    let mut api = route("api_plaintext", Req::get("/api/plaintext"), hello());
    api.checks[0].expect.absent.push("x-middleware");

    let deep = route(
        "deep_static",
        Req::get("/api/v1/users/current/profile/settings"),
        ok(TEXT, "settings"),
    );

    let mut many = route("many_routes", Req::get("/static/999"), ok(TEXT, "999"));
    many.checks
        .push(check(Req::get("/static/0"), ok(TEXT, "0")));
    many.checks
        .push(check(Req::get("/static/500"), ok(TEXT, "500")));
    many.checks
        .push(check(Req::get("/static/1000"), status(404)));

    let json = route(
        "json",
        Req::get("/json"),
        ok(JSON, r#"{"message":"Hello, World!"}"#),
    );

    let mut echo = route("echo", Req::get("/echo/moonbit"), ok(TEXT, "moonbit"));
    echo.checks.push(check(
        Req::get("/echo/hello%20world"),
        ok(TEXT, "hello world"),
    ));

    let multi = route(
        "multi_param",
        Req::get("/users/42/posts/99/comments/7"),
        ok(TEXT, "42,99,7"),
    );

    let wildcard = route("wildcard", Req::get("/wild/a/b/c/d"), ok(TEXT, "a/b/c/d"));

    let mut query = route(
        "query",
        Req::get("/query?name=moonbit&repeat=4"),
        ok(TEXT, "moonbitmoonbitmoonbitmoonbit"),
    );
    query
        .checks
        .push(check(Req::get("/query?name=moonbit"), ok(TEXT, "moonbit")));
    query
        .checks
        .push(check(Req::get("/query?name=x&repeat=abc"), status(400)));
    query
        .checks
        .push(check(Req::get("/query?name=x&repeat=1001"), status(400)));
    query.checks.push(check(
        Req::get("/query?name=x&repeat=1000"),
        ok(TEXT, "x".repeat(1000)),
    ));

    let mut headers = ok(TEXT, "ok");
    headers
        .headers
        .extend([("x-powered-by", "bench"), ("cache-control", "no-store")]);
    let headers = route("headers", Req::get("/headers"), headers);

    let notfound = route("notfound", Req::get("/missing"), status(404));

    let mut post_small = route(
        "post_small",
        Req::post("/echo", None, "hello moonbit"),
        ok(TEXT, "hello moonbit"),
    );
    post_small.script = Some("post_small.lua");

    let mut post_json = route(
        "post_json",
        Req::post("/json-echo", Some(JSON), POST_JSON_BODY),
        ok(JSON, POST_JSON_BODY),
    );
    post_json.checks.push(check(
        Req::post("/json-echo", Some(JSON), "{nope"),
        status(400),
    ));
    post_json.script = Some("post_json.lua");

    let large = large_body();
    let mut post_large = route(
        "post_large",
        Req::post("/echo", None, large.clone()),
        Expect {
            status: 200,
            body: Some(large.clone()),
            headers: vec![],
            absent: vec![],
        },
    );
    post_large.script = Some("post_16k.lua");

    let mut post_consume = route(
        "post_consume",
        Req::post("/consume", None, large),
        ok(TEXT, "ok"),
    );
    post_consume.script = Some("post_16k.lua");

    vec![
        plaintext,
        middleware,
        api,
        deep,
        many,
        json,
        echo,
        multi,
        wildcard,
        query,
        headers,
        notfound,
        post_small,
        post_json,
        post_large,
        post_consume,
    ]
}

fn normalize(value: &str) -> String {
    value
        .split(';')
        .map(|p| p.trim().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(";")
}

/// Checks a response; `Err` says what is wrong.
pub fn verify(expect: &Expect, res: &crate::client::Resp) -> Result<(), String> {
    if res.status != expect.status {
        return Err(format!(
            "status {} instead of {}",
            res.status, expect.status
        ));
    }
    for &(name, value) in &expect.headers {
        match res.header(name) {
            None => return Err(format!("no {name} header (expected {value:?})")),
            Some(got) if normalize(got) != normalize(value) => {
                return Err(format!("{name}: {got:?} instead of {value:?}"));
            }
            Some(_) => {}
        }
    }
    for &name in &expect.absent {
        if res.header(name).is_some() {
            return Err(format!("unexpected {name} header"));
        }
    }
    if let Some(body) = &expect.body
        && &res.body != body
    {
        let show = |b: &[u8]| {
            let s = String::from_utf8_lossy(&b[..b.len().min(60)]).into_owned();
            if b.len() > 60 {
                format!("{s:?}… ({} bytes)", b.len())
            } else {
                format!("{s:?}")
            }
        };
        return Err(format!(
            "body {} instead of {}",
            show(&res.body),
            show(body)
        ));
    }
    Ok(())
}
