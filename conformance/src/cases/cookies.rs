//! Cookies: reading them (spacing, quoting, encoding, several headers),
//! setting them with every attribute as several `Set-Cookie` headers,
//! removing them, refusing injection, and a signed session that rejects
//! tampered and forged values.

use super::{case, error, get, internal_error, ok};
use crate::case::{Case, Expect, Req};

const C: &str = "cookies";

/// `session=ada` signed with the app's key: base64url(HMAC-SHA256(key,
/// len(name) as u64 BE ‖ name ‖ value)) ‖ value, computed independently of
/// the framework (a few lines of Python's `hmac`).
const ADA: &str = "session=jPb3N-AHjlTfvEvjcejf4_pnZVGOMg9D0iwtZgbem4oada";
/// The same tag over the value `ada`, for the cookie `theme`.
const ADA_AS_THEME: &str = "4Hk2S1kdi3MG_x-grzdxtkpYo_4y0Swfjt1MlCSYwlAada";

fn with_cookie(path: &str, cookie: &str) -> Req {
    get(path).header("cookie", cookie)
}

fn me(cookie: &str) -> Req {
    with_cookie("/cookies/me", cookie)
}

fn anonymous() -> Expect {
    error(401, "not logged in")
}

pub(super) fn cases() -> Vec<Case> {
    let mut cases = reading();
    cases.extend(setting());
    cases.extend(signed());
    cases.extend(host());
    cases
}

fn reading() -> Vec<Case> {
    vec![
        case(C, "a cookie is read by name").send(
            with_cookie("/cookies/read/theme", "a=1; theme=dark; b=2"),
            ok("[dark]"),
        ),
        case(C, "an absent cookie reads as none")
            .send(with_cookie("/cookies/read/theme", "a=1"), ok("(none)"))
            .then(get("/cookies/read/theme"), ok("(none)")),
        case(C, "odd spacing, empty pairs and quotes are tolerated").send(
            with_cookie("/cookies/read/theme", " a=1 ;; theme = \"dark mode\" ;b"),
            ok("[dark mode]"),
        ),
        case(C, "values are percent-decoded").send(
            with_cookie("/cookies/read/name", "name=J%C3%BCrgen%3B%20M"),
            ok("[Jürgen; M]"),
        ),
        case(C, "a broken pair does not hide the others").send(
            with_cookie("/cookies/all", "bad=%FF; noequals; =x; ok=yes"),
            ok("ok=yes"),
        ),
        case(C, "every Cookie header is read").send(
            get("/cookies/all")
                .header("cookie", "a=1")
                .header("cookie", "b=2; c=3"),
            ok("a=1;b=2;c=3"),
        ),
    ]
}

fn setting() -> Vec<Case> {
    vec![
        case(
            C,
            "cookies are set with every attribute, one Set-Cookie header each",
        )
        .send(
            get("/cookies/set"),
            Expect::status(201).text("set").header_values(
                "set-cookie",
                &[
                    "full=a%20b; HttpOnly; SameSite=Strict; Secure; Path=/cookies; \
                     Domain=conformance.test; Max-Age=3600; Expires=Wed, 21 Oct 2015 07:28:00 GMT",
                    "lax=1; SameSite=Lax; Path=/",
                    "none=1; SameSite=None; Secure; Path=/",
                ],
            ),
        ),
        case(
            C,
            "a removal matches path and domain, with Max-Age=0 and a past Expires",
        )
        .send(
            with_cookie("/cookies/remove", "full=a%20b; lax=1"),
            Expect::status(303)
                .header("location", "/cookies/all")
                .header_values(
                    "set-cookie",
                    &[
                        "full=; Path=/cookies; Domain=conformance.test; Max-Age=0; \
                         Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                        "lax=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                    ],
                ),
        ),
        case(C, "a reflected value is percent-encoded").send(
            get("/cookies/reflect?v=a%20b%3Bc"),
            ok("reflected").header("set-cookie", "reflected=a%20b%3Bc; Path=/"),
        ),
        case(C, "CR LF in a cookie value is 500, nothing injected")
            .send(
                get("/cookies/reflect?v=x%0D%0ASet-Cookie:%20evil=1"),
                internal_error().no_header("set-cookie").body_lacks("evil"),
            )
            .then(get("/cookies/read/a"), ok("(none)")),
    ]
}

fn signed() -> Vec<Case> {
    let (_, signed) = ADA.split_at("session=".len());
    let (tag, _) = signed.split_at(43);
    vec![
        case(C, "logging in sets the signed session cookie")
            .send(
                Req::post("/cookies/login/ada"),
                Expect::status(303)
                    .header("location", "/cookies/me")
                    .header("set-cookie", format!("{ADA}; HttpOnly; Path=/")),
            )
            .then(me(ADA), ok("user ada")),
        case(C, "a tampered signed value reads as absent")
            .send(me(&format!("session={tag}admin")), anonymous())
            .then(me(&format!("session=x{}ada", &tag[1..])), anonymous())
            .then(me(&format!("session={tag}")), anonymous()),
        case(C, "an unsigned or forged session reads as absent")
            .send(me("session=ada"), anonymous())
            .then(me(&format!("session={}ada", "A".repeat(43))), anonymous())
            .then(me("session=%FF%FE"), anonymous()),
        case(C, "a value signed for another cookie reads as absent")
            .send(me(&format!("session={ADA_AS_THEME}")), anonymous()),
        case(C, "logging out removes the session cookie").send(
            Req::post("/cookies/logout").header("cookie", ADA),
            Expect::status(303).header(
                "set-cookie",
                "session=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            ),
        ),
    ]
}

/// What cookies need from the host: a clock, a random source.
fn host() -> Vec<Case> {
    vec![
        case(
            C,
            "a permanent cookie expires 20 years from the host's clock",
        )
        .send(
            get("/cookies/permanent"),
            Expect::status(200).has_header("set-cookie").body_satisfies(
                "is a year 20 years from now (2045 or later)",
                |b| {
                    std::str::from_utf8(b)
                        .ok()
                        .and_then(|y| y.parse::<u32>().ok())
                        .is_some_and(|y| (2045..2200).contains(&y))
                },
            ),
        ),
        case(
            C,
            "a generated key signs and verifies, and differs from the next",
        )
        .send(
            get("/cookies/generated-key"),
            ok("own key: true, other key: false"),
        ),
    ]
}
