//! `application/x-www-form-urlencoded` bodies: typed (repeated fields into
//! a list), as ordered pairs, 415 and 400, and the body limit.

use super::{case, error, ok};
use crate::case::{Case, Expect, Req};

const C: &str = "forms";

const FORM: &str = "application/x-www-form-urlencoded";

fn post(path: &str, body: &str) -> Req {
    Req::post(path).header("content-type", FORM).body(body)
}

pub(super) fn cases() -> Vec<Case> {
    let too_many_tags = format!("name=a&age=1{}", "&tag=xxxxxxx".repeat(700));
    vec![
        case(C, "form() reads a typed form").send(
            post("/forms/typed", "name=Ada+Lovelace&age=36"),
            Expect::status(200).json(r#"{"name":"Ada Lovelace","age":36,"tag":[]}"#),
        ),
        case(C, "form() reads repeated fields into a list, in order").send(
            post("/forms/typed", "tag=b&name=x&tag=a%20c&age=1"),
            Expect::status(200).json(r#"{"name":"x","age":1,"tag":["b","a c"]}"#),
        ),
        case(C, "form() accepts a charset parameter").send(
            Req::post("/forms/typed")
                .header(
                    "content-type",
                    "application/x-www-form-urlencoded; charset=UTF-8",
                )
                .body("name=%C3%A9&age=2"),
            Expect::status(200).json(r#"{"name":"é","age":2,"tag":[]}"#),
        ),
        case(C, "form() with another content type is 415").send(
            Req::post("/forms/typed")
                .header("content-type", "application/json")
                .body(r#"{"name":"a","age":1}"#),
            error(
                415,
                "expected a request with content-type: application/x-www-form-urlencoded",
            ),
        ),
        case(C, "form() missing a field is 400 naming it").send(
            post("/forms/typed", "age=1"),
            error(400, "invalid form body: missing field `name`"),
        ),
        case(C, "form() with a field of the wrong type is 400 naming it").send(
            post("/forms/typed", "name=a&age=old"),
            error(400, "invalid form body: age: invalid digit found in string"),
        ),
        case(C, "form_data() keeps every pair in order, decoded").send(
            post("/forms/pairs", "b=2&a=1&b=3&empty=&x+y=p%2Bq&bad=%zz"),
            ok("b=2|a=1|b=3|empty=|x y=p+q|bad=%zz"),
        ),
        case(C, "a chunked form is read whole").send(
            Req::post("/forms/pairs")
                .header("content-type", FORM)
                .chunked("first=1&second=two+words&third=3", 4),
            ok("first=1|second=two words|third=3"),
        ),
        case(C, "a form over the body limit is 413").send(
            Req::post("/forms/typed")
                .header("content-type", FORM)
                .chunked(&too_many_tags, 1000),
            error(413, "request body is larger than the limit of 8192 bytes"),
        ),
    ]
}
