//! `Encoding::negotiate`: the request's `Accept-Encoding`.

use mocket_core::compression::Encoding;
use mocket_core::http::{HeaderMap, HeaderValue};
use proptest::prelude::*;

const OFFERS: [Encoding; 2] = [Encoding::Brotli, Encoding::Gzip];

fn negotiate(header: &str) -> Encoding {
    let mut headers = HeaderMap::new();
    headers.insert(
        "accept-encoding",
        HeaderValue::from_str(header).expect("visible ASCII is a header value"),
    );
    Encoding::negotiate(&headers, &OFFERS)
}

/// One element of a header: a coding, maybe with a weight.
fn element() -> impl Strategy<Value = (String, Option<u16>)> {
    (
        prop_oneof![
            Just("gzip".to_owned()),
            Just("x-gzip".to_owned()),
            Just("br".to_owned()),
            Just("identity".to_owned()),
            Just("*".to_owned()),
            "[a-z]{1,6}",
        ],
        prop::option::of(0u16..=1000),
    )
}

fn render((coding, weight): &(String, Option<u16>)) -> String {
    match weight {
        None => coding.clone(),
        Some(w) => format!("{coding};q={}.{:03}", w / 1000, w % 1000),
    }
}

proptest! {
    /// Whatever the header, the answer is identity or an offered coding,
    /// and never one every element naming it refused with `q=0`.
    #[test]
    fn never_a_refused_coding(elements in prop::collection::vec(element(), 0..6)) {
        let header = elements.iter().map(render).collect::<Vec<_>>().join(", ");
        let chosen = negotiate(&header);
        prop_assert!(chosen == Encoding::Identity || OFFERS.contains(&chosen));
        let refused = |names: &[&str]| {
            let naming: Vec<_> = elements.iter().filter(|(c, _)| names.contains(&c.as_str())).collect();
            !naming.is_empty() && naming.iter().all(|(_, w)| *w == Some(0))
        };
        match chosen {
            Encoding::Gzip => prop_assert!(!refused(&["gzip", "x-gzip"]), "{}", header),
            Encoding::Brotli => prop_assert!(!refused(&["br"]), "{}", header),
            Encoding::Identity => {}
        }
    }

    /// A header naming one offered coding, at any weight above 0, gets it.
    #[test]
    fn a_single_accepted_coding_is_chosen(gzip in any::<bool>(), weight in 1u16..=1000) {
        let (name, want) = if gzip { ("gzip", Encoding::Gzip) } else { ("br", Encoding::Brotli) };
        prop_assert_eq!(negotiate(&render(&(name.to_owned(), Some(weight)))), want);
    }

    /// Any visible text: an answer, never a panic.
    #[test]
    fn any_text_negotiates(header in "[ -~]{0,80}") {
        let chosen = negotiate(&header);
        prop_assert!(chosen == Encoding::Identity || OFFERS.contains(&chosen));
    }
}
