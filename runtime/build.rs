//! Links the examples (the bench and conformance servers among them) as
//! position-dependent executables on Linux.
//!
//! A position-independent executable makes the dynamic loader apply every
//! relative relocation at start-up (19,555 for the bench server),
//! touching and copying the pages that hold them: measured, 3 MB more RSS and
//! twice the start-up page faults. Linked with `-no-pie`, the linker resolves
//! them once. The cost is that the executable's own image is not randomized
//! (ASLR still applies to the stack, heap and libraries). Servers built with
//! `cargo mcp` choose for themselves.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-examples=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
