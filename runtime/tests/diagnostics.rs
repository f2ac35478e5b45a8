//! Compile-time tests (trybuild): the error a function that is not a handler
//! gets, and deriving through the prelude alone. Each case compiles against
//! the runtime, so keep them few.

#[test]
fn diagnostics() {
    let t = trybuild::TestCases::new();
    // `async fn greet(name: String)`, the FastMCP habit: the error must name
    // the accepted extractors and the `Args<T>` fix.
    t.compile_fail("tests/ui/fastmcp_habit.rs");
    // `#[derive(JsonSchema)]` resolving through the prelude alone.
    t.pass("tests/ui/derive_from_prelude.rs");
}
