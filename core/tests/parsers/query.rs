//! `Request::query`, `query_param` and `query_as`: the request target's
//! query string, as a browser encodes a form sent with GET
//! (`application/x-www-form-urlencoded`: a space is `+`, the rest
//! percent-encoded).

use std::cell::RefCell;
use std::collections::HashMap;

use mocket_core::http::{self, StatusCode, Uri};
use mocket_core::{Mocket, Request};
use proptest::prelude::*;
use serde::Deserialize;

/// A small typed query, as a search page reads it.
#[derive(Debug, Deserialize, PartialEq)]
struct Search {
    q: String,
    page: u32,
    exact: Option<bool>,
}

// The app: `/keep` keeps the request for the test to read; `/typed`
// answers `query_as::<Search>()` (its error as the app sends it).
thread_local! {
    /// The request `/keep` received (a `Request` is not `Send`: it stays on
    /// this thread, where `block_on` runs the handler).
    static KEPT: RefCell<Option<Request>> = const { RefCell::new(None) };
    static APP: Mocket = {
        let mut app = Mocket::new();
        app.get("/keep", |req| {
            KEPT.with(|kept| *kept.borrow_mut() = Some(req));
            async { "kept" }
        });
        app.get("/typed", |req| async move {
            req.query_as::<Search>().map(|s| format!("{s:?}"))
        });
        app
    };
}

/// Sends `GET {target}` in-process: status and body text.
fn send(target: Uri) -> (StatusCode, String) {
    APP.with(|app| {
        futures_executor::block_on(async {
            let req = http::Request::get(target)
                .body(())
                .expect("a valid request");
            let res = app.request(req).await;
            let status = res.status();
            (
                status,
                res.into_body().to_text().await.expect("a text body"),
            )
        })
    })
}

/// The request the app received for `/keep?{query}`.
fn kept(query: &[u8]) -> Option<Request> {
    let target = Uri::try_from([b"/keep?", query].concat()).ok()?;
    let (status, _) = send(target);
    assert_eq!(status, StatusCode::OK);
    KEPT.with(|kept| kept.borrow_mut().take())
}

/// `GET /typed?{query}`.
fn typed(query: &str) -> (StatusCode, String) {
    let target = Uri::try_from(format!("/typed?{query}")).expect("an encoded query is a valid URI");
    send(target)
}

/// As a browser encodes `pairs`.
fn encode<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Names that repeat often, and any text.
fn name() -> impl Strategy<Value = String> {
    prop_oneof!["[ab]", any::<String>()]
}

/// What `Search` makes of decoded pairs: each field at most once (serde
/// refuses a duplicate), `q` and `page` present, `page` a `u32`, `exact`
/// a `bool`; other names are ignored.
fn expected_search(pairs: &[(String, String)]) -> Option<Search> {
    let one = |name: &str| -> Result<Option<&String>, ()> {
        let mut values = pairs.iter().filter(|(k, _)| k == name).map(|(_, v)| v);
        match (values.next(), values.next()) {
            (first, None) => Ok(first),
            _ => Err(()),
        }
    };
    let q = one("q").ok()??.clone();
    let page = one("page").ok()??.parse().ok()?;
    let exact = match one("exact").ok()? {
        Some(v) => Some(v.parse().ok()?),
        None => None,
    };
    Some(Search { q, page, exact })
}

/// A value of a `Search` field, often a wrong one.
fn field_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u32>().prop_map(|n| n.to_string()),
        Just("4294967296".to_owned()),
        Just("-1".to_owned()),
        Just("+7".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        Just("TRUE".to_owned()),
        Just(String::new()),
        any::<String>(),
    ]
}

/// Bytes of a query string: mostly what a URI allows in one (the bytes
/// that mean something there most often, escapes, UTF-8 text), now and
/// then any byte, so that most inputs are valid targets but not all.
fn query_bytes() -> impl Strategy<Value = Vec<u8>> {
    let legal: Vec<u8> = (0x21u8..0x7f).filter(|b| !b"#\"<>".contains(b)).collect();
    let piece = prop_oneof![
        10 => prop::sample::select(b"%+&==;?/aqZ09fF".to_vec()).prop_map(|b| vec![b]),
        10 => prop::sample::select(legal).prop_map(|b| vec![b]),
        2 => any::<u8>().prop_map(|b| format!("%{b:02X}").into_bytes()),
        2 => any::<char>().prop_map(|c| c.to_string().into_bytes()),
        1 => Just(b"#".to_vec()),
        1 => any::<u8>().prop_map(|b| vec![b]),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    /// Pairs of any text, encoded as a browser encodes them, read back:
    /// `query()` maps each name to its first value (a repeated name keeps
    /// the first, later ones are dropped), `query_param` gives that same
    /// first value, and a name not sent is `None`.
    #[test]
    fn encoded_pairs_read_back(pairs in prop::collection::vec((name(), any::<String>()), 0..8)) {
        let encoded = encode(&pairs);
        let req = kept(encoded.as_bytes()).expect("an encoded query is a valid URI");
        prop_assert_eq!(req.query_string(), Some(encoded.as_str()));
        let mut first = HashMap::new();
        for (k, v) in &pairs {
            first.entry(k.clone()).or_insert_with(|| v.clone());
        }
        prop_assert_eq!(req.query(), first.clone());
        for (k, v) in &first {
            prop_assert_eq!(req.query_param(k), Some(v.clone()), "{:?}", k);
        }
        let absent = "x".repeat(pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1);
        prop_assert_eq!(req.query_param(&absent), None);
    }

    /// Any `Search`, encoded among other pairs, reads back as itself.
    #[test]
    fn typed_queries_read_back(
        q in any::<String>(),
        page in any::<u32>(),
        exact in any::<Option<bool>>(),
        noise in prop::collection::vec(("x[a-z]{0,5}", any::<String>()), 0..4),
    ) {
        let mut pairs = noise;
        let at = pairs.len() / 2;
        pairs.insert(at, ("page".into(), page.to_string()));
        pairs.push(("q".into(), q.clone()));
        if let Some(exact) = exact {
            pairs.insert(0, ("exact".into(), exact.to_string()));
        }
        let want = Search { q, page, exact };
        prop_assert_eq!(typed(&encode(&pairs)), (StatusCode::OK, format!("{want:?}")));
    }

    /// `query_as` on pairs of the struct's names with often wrong values,
    /// missing or repeated, and raw bytes of a query between them: the
    /// struct when `expected_search` says it is one, else a 400 naming the
    /// problem. Never a 500.
    #[test]
    fn malformed_typed_queries_are_400(
        pieces in prop::collection::vec(
            prop_oneof![
                (prop::sample::select(vec!["q", "page", "exact", "other"]), field_value())
                    .prop_map(|(k, v)| encode(&[(k, v)])),
                query_bytes().prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
            ],
            0..6,
        ),
    ) {
        let query = pieces.join("&");
        let Ok(target) = Uri::try_from(format!("/typed?{query}")) else {
            return Ok(()); // raw bytes no client can send in a URI
        };
        let raw = target.query().unwrap_or("").to_owned();
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes()).into_owned().collect();
        let (status, body) = send(target);
        match expected_search(&pairs) {
            Some(want) => prop_assert_eq!((status, body), (StatusCode::OK, format!("{want:?}"))),
            None => {
                prop_assert_eq!(status, StatusCode::BAD_REQUEST, "{}", body);
                prop_assert!(body.starts_with("invalid query string: "), "{}", body);
            }
        }
    }

    /// Any bytes that make a valid request target as its query: never a
    /// panic; `query_param` agrees with `query()` on every name; `query_as`
    /// is the struct or a 400, never a 5xx.
    #[test]
    fn any_query_is_handled(query in query_bytes()) {
        let Some(req) = kept(&query) else {
            return Ok(()); // not a valid URI
        };
        let map = req.query();
        for (k, v) in &map {
            prop_assert_eq!(req.query_param(k), Some(v.clone()), "{:?}", k);
        }
        if let Err(e) = req.query_as::<Search>() {
            prop_assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        }
        let target = Uri::try_from([b"/typed?", &query[..]].concat()).expect("valid, as above");
        let (status, body) = send(target);
        prop_assert!(status == StatusCode::OK || status == StatusCode::BAD_REQUEST, "{} {}", status, body);
    }
}
