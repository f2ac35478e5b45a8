//! One file per command: each turns parsed arguments into a call to
//! [`crate::generate`] (or [`crate::inspect`], [`crate::dev`]) and prints
//! what it did.

mod add_prompt;
mod add_resource;
mod add_tool;
mod dev;
mod generate;
mod import_openapi;
mod inspect;
mod new;

use crate::cli::{Command, ProjectArgs};
use crate::generate::{Project, Report};
use crate::ui::Ui;

/// Runs a command.
pub fn run(command: Command, ui: &Ui) -> anyhow::Result<()> {
    match command {
        Command::New(args) => new::exec(args, ui),
        Command::AddTool(args) => add_tool::exec(args, ui),
        Command::AddResource(args) => add_resource::exec(args, ui),
        Command::AddPrompt(args) => add_prompt::exec(args, ui),
        Command::Generate(args) => generate::exec(args, ui),
        Command::ImportOpenapi(args) => import_openapi::exec(args, ui),
        Command::Inspect(args) => inspect::exec(args, ui),
        Command::Dev(args) => dev::exec(args, ui),
    }
}

/// The project named by --manifest-path, or found from the current folder.
fn project(args: &ProjectArgs) -> anyhow::Result<Project> {
    Ok(match &args.manifest_path {
        Some(p) => Project::open(p)?,
        None => Project::find(&std::env::current_dir()?)?,
    })
}

/// Prints a report's notes, warnings and files.
fn print_report(ui: &Ui, report: &Report) {
    for note in &report.notes {
        ui.note(note);
    }
    for warning in &report.findings.warnings {
        ui.warn(warning);
    }
    for dep in &report.findings.added_dependencies {
        ui.status(
            "Adding",
            format!("dependency `{dep}` (the generated types need it)"),
        );
    }
    for f in &report.applied.written {
        ui.detail("Wrote", f);
    }
    for f in &report.applied.unchanged {
        ui.detail("Unchanged", f);
    }
    for f in &report.applied.kept_user {
        ui.detail("Kept", format!("{f} (yours)"));
    }
    for f in &report.applied.removed {
        ui.status("Removed", format!("{f} (no longer generated)"));
    }
    for f in &report.applied.kept_stale {
        ui.warn(format!("{f} is no longer generated but was edited by hand, so it was kept; delete it, or run `cargo mcp generate --force`"));
    }
    for f in &report.applied.kept_edited {
        ui.warn(format!("{f} was edited by hand, so it was kept; run `cargo mcp generate --force` to overwrite it"));
    }
}
