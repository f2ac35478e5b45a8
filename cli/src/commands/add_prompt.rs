//! `cargo mcp add-prompt`.

use crate::cli::AddPromptArgs;
use crate::generate::{add_prompt, metadata::Arg};
use crate::ui::Ui;

/// Adds the prompt and regenerates.
pub fn exec(args: AddPromptArgs, ui: &Ui) -> anyhow::Result<()> {
    let mut project = super::project(&args.project)?;
    let parsed = args
        .arg
        .iter()
        .map(|a| Arg::parse(a))
        .collect::<Result<Vec<_>, _>>()?;
    let report = add_prompt(&mut project, &args.name, args.description, parsed)?;
    super::print_report(ui, &report);
    let p = project
        .meta
        .prompts
        .last()
        .map(|p| (p.name.clone(), p.module.clone()))
        .unwrap_or_default();
    ui.status(
        "Added",
        format!("prompt `{}`: write it in src/prompts/{}.rs", p.0, p.1),
    );
    Ok(())
}
