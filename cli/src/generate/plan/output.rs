//! What planning produces, as each planner adds to it: the files, the
//! findings, and the crates the generated types need; and the two ways a
//! file enters a plan (generator-owned, formatted; or user-owned).

use crate::generate::error::{Error, Result};
use crate::generate::files::{with_header, Owner, PlannedFile};
use crate::generate::model::Findings;
use crate::generate::render;

/// The plan so far.
#[derive(Debug, Default)]
pub(super) struct Output {
    /// Files, in the order they were planned.
    pub files: Vec<PlannedFile>,
    /// Warnings, typing counts, dependencies added.
    pub findings: Findings,
    /// Crates the generated types need: chrono, uuid, regress.
    pub uses: Uses,
}

/// Crates the generated types need beyond the runtime (typify's output).
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Uses {
    /// chrono (`format: date-time`).
    pub chrono: bool,
    /// uuid (`format: uuid`).
    pub uuid: bool,
    /// regress (`pattern`).
    pub regress: bool,
}

/// A generator-owned Rust file: formatted, with the generator's header.
pub(super) fn generated(path: &str, body: &str) -> Result<PlannedFile> {
    let name: &'static str = if path.ends_with("server.rs") {
        "server.rs"
    } else {
        "a generated module"
    };
    let formatted = render::format_rust(name, body).map_err(|e| match e {
        Error::Invalid(m) => Error::Invalid(format!("{path}: {m}")),
        other => other,
    })?;
    Ok(PlannedFile {
        path: path.into(),
        contents: with_header(&formatted),
        owner: Owner::Generator,
    })
}

/// A user-owned file, written only when missing.
pub(super) fn user(path: &str, contents: String) -> PlannedFile {
    PlannedFile {
        path: path.into(),
        contents,
        owner: Owner::User,
    }
}
