//! The plan: every file the metadata implies, rendered in memory, by one
//! planner per kind of item. Nothing is written here;
//! [`super::files::apply`] writes a plan all at once.

mod args;
mod openapi;
mod output;
mod project_files;
mod prompts;
mod resources;
mod tools;

pub use super::model::{template_variables, Findings, Pending};
pub use super::parse::{parse_json, parse_yaml};

use super::error::Result;
use super::files::PlannedFile;
use super::project::Project;
use output::Output;
use project_files::Registrations;

/// Plans every generator-owned file, plus user-owned files that are missing
/// (written only if absent). Edits `project.doc` to add needed dependencies;
/// the manifest is part of the plan if it changed.
pub fn plan(project: &mut Project, pending: &Pending) -> Result<(Vec<PlannedFile>, Findings)> {
    let mut out = Output::default();
    let tools = tools::plan(project, pending, &mut out)?;
    let resources = resources::plan(&project.meta.resources, &mut out)?;
    let prompts = prompts::plan(&project.meta.prompts, &mut out)?;
    let apis = openapi::plan(project, pending, &mut out)?;
    let regs = Registrations {
        tools,
        resources,
        prompts,
        apis,
    };
    project_files::plan(project, regs, &mut out)?;
    Ok((out.files, out.findings))
}
