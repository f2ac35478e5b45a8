//! `add-resource`: a resource, or a template when its URI has `{variables}`.

use super::generate::{finish, Report};
use crate::generate::error::{Error, Result};
use crate::generate::metadata;
use crate::generate::model::{template_variables, Pending, Resource};
use crate::generate::names;
use crate::generate::project::Project;

/// `add-resource`: records a resource (or template, if the URI has `{variables}`) and regenerates.
pub fn add_resource(
    project: &mut Project,
    uri: &str,
    description: Option<String>,
    mime_type: Option<String>,
) -> Result<Report> {
    let mut notes = Vec::new();
    if !uri.contains(':') {
        return Err(Error::Invalid(format!("`{uri}` is not a URI: give a scheme, as in `config://app` or `users://{{user_id}}/profile`")));
    }
    if project.meta.resources.iter().any(|r| r.uri == uri) {
        return Err(Error::Invalid(format!(
            "the resource `{uri}` is already in [package.metadata.mcp]"
        )));
    }
    if uri.matches('{').count() != uri.matches('}').count() {
        return Err(Error::Invalid(format!(
            "`{uri}` has unbalanced braces; a template variable is written `{{name}}`"
        )));
    }
    for v in template_variables(uri) {
        names::field_name(&v).map_err(|e| Error::Invalid(format!("in `{uri}`: {e}")))?;
    }
    let stem: String = uri
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty() && !template_variables(uri).iter().any(|v| v == s))
        .collect::<Vec<_>>()
        .join("_");
    let (module, note) = names::module_name(&stem, &project.meta.modules());
    notes.extend(note);
    let resource = Resource {
        uri: uri.to_string(),
        module,
        description,
        mime_type,
    };
    metadata::add_resource(&project.manifest, &mut project.doc, &resource)?;
    project.meta.resources.push(resource);
    finish(project, Pending::new(), notes, false, false)
}
