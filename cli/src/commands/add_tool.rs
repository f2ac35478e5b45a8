//! `cargo mcp add-tool`.

use crate::cli::AddToolArgs;
use crate::generate::{add_operation, add_tool, metadata::Arg, AddTool};
use crate::ui::Ui;

/// Adds the tool and regenerates.
pub fn exec(args: AddToolArgs, ui: &Ui) -> anyhow::Result<()> {
    let mut project = super::project(&args.project)?;
    if let (Some(spec), Some(operation)) = (&args.openapi, &args.operation) {
        let report = add_operation(&mut project, &args.name, spec, operation)?;
        super::print_report(ui, &report);
        ui.status(
            "Added",
            format!("tool `{}` calling `{operation}` of {}: see openapi/README.md for its env variables", args.name, spec.display()),
        );
        return Ok(());
    }
    let parsed = args
        .arg
        .iter()
        .map(|a| Arg::parse(a))
        .collect::<Result<Vec<_>, _>>()?;
    let opts = AddTool {
        name: args.name,
        description: args.description,
        input: args.input,
        output: args.output,
        args: parsed,
        sync: args.sync,
        scopes: args.scope,
    };
    let report = add_tool(&mut project, &opts)?;
    super::print_report(ui, &report);
    let tool = project
        .meta
        .tools
        .last()
        .map(|t| (t.name.clone(), t.module.clone()))
        .unwrap_or_default();
    ui.status(
        "Added",
        format!("tool `{}`: implement it in src/tools/{}.rs", tool.0, tool.1),
    );
    Ok(())
}
