//! Negotiation: offers, answers and parameters (RFC 7692 §5, §7.1).

use super::*;

fn answer(header: &str) -> Option<String> {
    offer(&[header], 12).map(|(_, answer)| answer)
}

#[test]
fn rfc_examples() {
    // §7.1 / §5.2: the plain offer; we add server_no_context_takeover.
    let (params_, answer) = offer(&["permessage-deflate"], 12).expect("accepted");
    assert_eq!(answer, "permessage-deflate; server_no_context_takeover");
    assert_eq!(params_, params(15, 15, false));
    // What browsers send: we bound the client's window.
    let (params_, answer) =
        offer(&["permessage-deflate; client_max_window_bits"], 12).expect("accepted");
    assert_eq!(
        answer,
        "permessage-deflate; server_no_context_takeover; client_max_window_bits=12"
    );
    assert_eq!(params_, params(15, 12, false));
    // §7.1.2.1: a server window asked for is honoured and echoed.
    let (params_, answer) =
        offer(&["permessage-deflate; server_max_window_bits=10"], 12).expect("accepted");
    assert_eq!(
        answer,
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=10"
    );
    assert_eq!(params_.server_max_window_bits, 10);
    // §5.2: two offers, the first one acceptable.
    let (params_, answer) = offer(
        &["permessage-deflate; client_max_window_bits; server_max_window_bits=10, permessage-deflate; client_max_window_bits"],
        12,
    )
    .expect("accepted");
    assert_eq!(
        answer,
        "permessage-deflate; server_no_context_takeover; server_max_window_bits=10; client_max_window_bits=12"
    );
    assert_eq!(params_, params(10, 12, false));
    // §7.1.1: both no_context_takeover parameters.
    let (params_, answer) = offer(
        &["permessage-deflate; server_no_context_takeover; client_no_context_takeover"],
        12,
    )
    .expect("accepted");
    assert_eq!(
        answer,
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
    );
    assert_eq!(params_, params(15, 15, true));
}

#[test]
fn client_window() {
    // The smaller of what the client offers and what we ask.
    assert_eq!(
        answer("permessage-deflate; client_max_window_bits=10").as_deref(),
        Some("permessage-deflate; server_no_context_takeover; client_max_window_bits=10")
    );
    assert_eq!(
        answer("permessage-deflate; client_max_window_bits=15").as_deref(),
        Some("permessage-deflate; server_no_context_takeover; client_max_window_bits=12")
    );
    // Our argument is clamped to 8..=15.
    let (p, a) = offer(&["permessage-deflate; client_max_window_bits"], 40).expect("accepted");
    assert_eq!(
        (
            p.client_max_window_bits,
            a.ends_with("client_max_window_bits=15")
        ),
        (15, true)
    );
    let (p, a) = offer(&["permessage-deflate; client_max_window_bits"], 0).expect("accepted");
    assert_eq!(
        (
            p.client_max_window_bits,
            a.ends_with("client_max_window_bits=8")
        ),
        (8, true)
    );
    // Without context takeover the window costs nothing: not bounded.
    let (p, a) = offer(
        &["permessage-deflate; client_no_context_takeover; client_max_window_bits=9"],
        12,
    )
    .expect("accepted");
    assert_eq!(
        a,
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
    );
    assert_eq!(p, params(15, 15, true));
}

#[test]
fn first_acceptable_offer_wins() {
    let (p, a) = offer(
        &[
            "permessage-deflate; foo=1, permessage-deflate; server_max_window_bits=16",
            "x-webkit-deflate-frame, permessage-deflate; client_max_window_bits=9, permessage-deflate",
        ],
        12,
    )
    .expect("the third offer");
    assert_eq!(
        a,
        "permessage-deflate; server_no_context_takeover; client_max_window_bits=9"
    );
    assert_eq!(p.client_max_window_bits, 9);
    // Empty list elements are skipped too.
    assert!(answer(", ,permessage-deflate").is_some());
    assert!(offer(&[], 12).is_none());
    assert!(offer(&["", "foo, bar; baz=1"], 12).is_none());
}

#[test]
fn quoted_values() {
    assert_eq!(
        answer("permessage-deflate; client_max_window_bits=\"10\"; server_max_window_bits=\"9\"")
            .as_deref(),
        Some(
            "permessage-deflate; server_no_context_takeover; server_max_window_bits=9; client_max_window_bits=10"
        )
    );
    // A quoted-pair is unescaped before the value is read.
    assert!(
        answer("permessage-deflate; server_max_window_bits=\"1\\1\"")
            .is_some_and(|a| a.ends_with("=11"))
    );
    // A ';' or ',' inside quotes does not split (the value is then bad).
    assert!(answer("permessage-deflate; server_max_window_bits=\"10;x\"").is_none());
    assert!(
        answer("permessage-deflate; server_max_window_bits=\"10, permessage-deflate\"").is_none()
    );
    for bad in ["\"10", "10\"", "\"\"", "\"1\"0\""] {
        assert!(
            answer(&format!("permessage-deflate; client_max_window_bits={bad}")).is_none(),
            "{bad}"
        );
    }
}

#[test]
fn bad_offers_declined() {
    for bad in [
        // Out of range, leading zeros, not a number, empty.
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=08",
        "permessage-deflate; client_max_window_bits=015",
        "permessage-deflate; client_max_window_bits=-9",
        "permessage-deflate; client_max_window_bits=x",
        "permessage-deflate; client_max_window_bits=",
        "permessage-deflate; client_max_window_bits=\"16\"",
        // server_max_window_bits needs a value; the takeovers take none.
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_no_context_takeover=1",
        "permessage-deflate; client_no_context_takeover=\"\"",
        // Duplicates.
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; client_no_context_takeover; client_no_context_takeover",
        "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
        "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
        // Unknown or empty parameters.
        "permessage-deflate; foo",
        "permessage-deflate; client_max_window=10",
        "permessage-deflate;",
        "permessage-deflate; ; client_max_window_bits",
    ] {
        assert!(answer(bad).is_none(), "{bad}");
    }
}

#[test]
fn names_and_whitespace() {
    assert_eq!(
        answer("PerMessage-Deflate; Client_Max_Window_Bits; SERVER_NO_CONTEXT_TAKEOVER").as_deref(),
        Some("permessage-deflate; server_no_context_takeover; client_max_window_bits=12")
    );
    assert!(
        answer(" \tpermessage-deflate ;client_max_window_bits = 10 ; server_max_window_bits= 9\t")
            .is_some()
    );
    // Other extensions, even with a similar name, are skipped.
    assert!(answer("permessage-deflate-x").is_none());
    assert!(answer("x-webkit-deflate-frame; no_context_takeover").is_none());
    assert!(answer("deflate-frame, permessage-deflate").is_some());
}
