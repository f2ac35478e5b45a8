//! `add-tool NAME --openapi FILE --operation ID`: one operation of an OpenAPI
//! document as one tool, added to that document's import (or a new one).

use super::generate::Report;
use super::import_openapi::{import_openapi, Import};
use crate::generate::error::{io, Error, Result};
use crate::generate::model::Filters;
use crate::generate::openapi::{analyze, Options, Sources};
use crate::generate::project::Project;
use std::path::Path;

/// `add-tool NAME --openapi FILE --operation ID`: one operation as one tool.
pub fn add_operation(
    project: &mut Project,
    tool: &str,
    spec: &Path,
    operation: &str,
) -> Result<Report> {
    // The same document imported before: its copy under openapi/ has the same text.
    let text = std::fs::read(spec).map_err(io(spec))?;
    let existing = project
        .meta
        .openapi
        .iter()
        .find(|a| std::fs::read(project.root.join(&a.spec)).ok().as_ref() == Some(&text))
        .cloned();
    let mut opts = Import {
        spec: spec.to_path_buf(),
        max_tools: usize::MAX,
        ..Default::default()
    };
    if let Some(a) = &existing {
        if a.filters.operations.is_empty() {
            return Err(Error::Invalid(format!(
                "{} is already imported whole as `{}`; its operations are tools already",
                spec.display(),
                a.name
            )));
        }
        opts.name = Some(a.name.clone());
        opts.base_url = a.base_url.clone();
        opts.filters = a.filters.clone();
        opts.rename = a.rename.clone();
        opts.typed = a.typed;
        opts.resources = a.resources;
    }
    // Check the operation exists before recording it.
    let sources = Sources::load(spec)?;
    let one = Filters {
        operations: vec![operation.to_string()],
        ..Default::default()
    };
    let found = analyze(
        &sources,
        "API",
        &Options {
            filters: one,
            ..Default::default()
        },
    )?;
    if found.tools.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: no operation `{operation}`; give an operationId or `METHOD /path` (as in `GET /pets/{{id}}`)",
            spec.display()
        )));
    }
    if !opts.filters.operations.iter().any(|o| o == operation) {
        opts.filters.operations.push(operation.to_string());
    }
    opts.rename.insert(operation.to_string(), tool.to_string());
    if existing.is_some() {
        // Re-import under the same name: the copy is refreshed from FILE.
        project
            .meta
            .openapi
            .retain(|a| Some(&a.name) != opts.name.as_ref());
    }
    import_openapi(project, &opts)
}
