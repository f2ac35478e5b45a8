//! `add-prompt`: a prompt with its arguments.

use super::generate::{finish, Report};
use crate::generate::error::{Error, Result};
use crate::generate::metadata;
use crate::generate::model::{Arg, Pending, Prompt};
use crate::generate::names;
use crate::generate::project::Project;

/// `add-prompt`: records a prompt and regenerates.
pub fn add_prompt(
    project: &mut Project,
    name: &str,
    description: Option<String>,
    args: Vec<Arg>,
) -> Result<Report> {
    let mut notes = Vec::new();
    let (name, note) = names::tool_name(name).map_err(Error::Invalid)?;
    notes.extend(note);
    if project.meta.prompts.iter().any(|p| p.name == name) {
        return Err(Error::Invalid(format!(
            "a prompt named `{name}` is already in [package.metadata.mcp]; pick another name"
        )));
    }
    let (module, note) = names::module_name(&name, &project.meta.modules());
    notes.extend(note);
    let prompt = Prompt {
        name,
        module,
        description,
        args,
    };
    metadata::add_prompt(&project.manifest, &mut project.doc, &prompt)?;
    project.meta.prompts.push(prompt);
    finish(project, Pending::new(), notes, false, false)
}
