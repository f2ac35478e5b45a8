//! `cargo mcp add-resource`.

use crate::cli::AddResourceArgs;
use crate::generate::add_resource;
use crate::ui::Ui;

/// Adds the resource and regenerates.
pub fn exec(args: AddResourceArgs, ui: &Ui) -> anyhow::Result<()> {
    let mut project = super::project(&args.project)?;
    let report = add_resource(&mut project, &args.uri, args.description, args.mime_type)?;
    super::print_report(ui, &report);
    let module = project
        .meta
        .resources
        .last()
        .map(|r| r.module.clone())
        .unwrap_or_default();
    ui.status(
        "Added",
        format!(
            "resource `{}`: implement it in src/resources/{module}.rs",
            args.uri
        ),
    );
    Ok(())
}
