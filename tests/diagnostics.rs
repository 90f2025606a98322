//! What the compiler says about a wrong handler, a wrong middleware value
//! and a value that is no response: the `#[diagnostic::on_unimplemented]`
//! messages of `IntoResponse`, `Handler` and `IntoMiddleware`, checked
//! against `tests/ui/*.stderr` (regenerate with `TRYBUILD=overwrite` after
//! a deliberate change, and read the diff).

#[test]
fn wrong_handlers_get_a_clear_compiler_message() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
