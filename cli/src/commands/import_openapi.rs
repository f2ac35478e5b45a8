//! `cargo mcp import-openapi`.

use crate::cli::{ImportOpenApiArgs, OpenApiOptions};
use crate::generate::openapi::Filters;
use crate::generate::{import_openapi, Import};
use crate::ui::Ui;
use std::path::Path;

/// The import options from the command line.
pub fn import_options(spec: &Path, o: &OpenApiOptions) -> Import {
    Import {
        spec: spec.to_path_buf(),
        name: o.api_name.clone(),
        base_url: o.base_url.clone(),
        filters: Filters {
            include_tags: o.include_tag.clone(),
            exclude_tags: o.exclude_tag.clone(),
            include_paths: o.include_path.clone(),
            exclude_paths: o.exclude_path.clone(),
            methods: o.methods.iter().map(|m| m.to_ascii_lowercase()).collect(),
            operations: Vec::new(),
        },
        max_tools: o.max_tools,
        typed: !o.untyped,
        resources: o.resources,
        ..Default::default()
    }
}

/// Imports the document into the project around the current folder.
pub fn exec(args: ImportOpenApiArgs, ui: &Ui) -> anyhow::Result<()> {
    let mut project = super::project(&args.project)?;
    let before = project.meta.openapi.len();
    let report = import_openapi(&mut project, &import_options(&args.file, &args.openapi))?;
    super::print_report(ui, &report);
    let api = project.meta.openapi.last().cloned().unwrap_or_default();
    let verb = if project.meta.openapi.len() > before {
        "Imported"
    } else {
        "Re-imported"
    };
    ui.status(
        verb,
        format!(
            "{} as `{}` ({} typed input(s), {} as JSON): see openapi/README.md for its env variables",
            args.file.display(),
            api.name,
            report.findings.typed,
            report.findings.fallback
        ),
    );
    Ok(())
}
