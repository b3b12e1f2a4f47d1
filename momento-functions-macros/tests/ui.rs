//! Compile-time behaviour of the handler macros: what compiles, and the exact messages of what does not.
//! Bless changed messages with `TRYBUILD=overwrite cargo test -p momento-functions-macros --test ui`.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.pass("tests/ui/pass/*.rs");
    cases.compile_fail("tests/ui/fail/*.rs");
}
