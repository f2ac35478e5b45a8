//! The dependencies of generated projects, pinned in one table so that no
//! template names a version of its own.

/// A dependency a generated project may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dependency {
    /// The crate's name on crates.io.
    pub name: &'static str,
    /// The version requirement written into the project's Cargo.toml.
    pub version: &'static str,
    /// Cargo features to enable.
    pub features: &'static [&'static str],
}

/// Every project depends on these (besides `mcp-runtime`).
pub const BASE: &[Dependency] = &[
    Dependency {
        name: "serde",
        version: "1",
        features: &["derive"],
    },
    Dependency {
        name: "serde_json",
        version: "1",
        features: &[],
    },
    Dependency {
        name: "tokio",
        version: "1",
        features: &["macros", "rt-multi-thread"],
    },
];

/// Needed by typify's output for `format: date` / `date-time`.
pub const CHRONO: Dependency = Dependency {
    name: "chrono",
    version: "0.4",
    features: &["serde"],
};
/// Needed by typify's output for `format: uuid`.
pub const UUID: Dependency = Dependency {
    name: "uuid",
    version: "1",
    features: &["serde"],
};
/// Needed by typify's output for `pattern` on strings.
pub const REGRESS: Dependency = Dependency {
    name: "regress",
    version: "0.10",
    features: &[],
};

/// The runtime's version requirement when the project takes it from crates.io.
pub const RUNTIME_VERSION: &str = "0.1";

/// The runtime's package name, as generated projects depend on it.
pub const RUNTIME: &str = "mcp-runtime";

/// The runtime feature that projects with tools imported from OpenAPI enable:
/// `mcp_runtime::openapi`, the HTTP client their handlers call.
pub const OPENAPI_FEATURE: &str = "openapi";
