//! `cargo mcp generate`.

use crate::cli::GenerateArgs;
use crate::generate::generate;
use crate::ui::Ui;

/// Rewrites the generator-owned files.
pub fn exec(args: GenerateArgs, ui: &Ui) -> anyhow::Result<()> {
    let mut project = super::project(&args.project)?;
    let report = generate(&mut project, args.force)?;
    super::print_report(ui, &report);
    let (written, kept) = (
        report.applied.written.len(),
        report.applied.kept_edited.len(),
    );
    ui.status(
        "Generated",
        format!(
            "{written} file(s) changed, {} unchanged, {kept} kept",
            report.applied.unchanged.len()
        ),
    );
    Ok(())
}
