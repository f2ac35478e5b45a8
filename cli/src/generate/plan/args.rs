//! The struct of declared arguments: a tool's `--arg`s, a resource
//! template's variables, a prompt's arguments.

use crate::generate::error::{Error, Result};
use crate::generate::model::Arg;
use crate::generate::names;
use crate::generate::render::{self, lit, render, Field};

fn fields(args: &[Arg]) -> Result<Vec<Field>> {
    args.iter()
        .map(|a| {
            let (field, renamed) = names::field_name(&a.name).map_err(Error::Invalid)?;
            let ty = if a.required {
                a.ty.rust().to_string()
            } else {
                format!("Option<{}>", a.ty.rust())
            };
            Ok(Field {
                field,
                ty,
                doc: a.description.as_deref().map(|d| lit(&format!(" {d}"))),
                rename: renamed.then(|| lit(&a.name)),
                required: a.required,
            })
        })
        .collect()
}

/// Renders the struct of `args`, named `type_name`; `schema` derives a JSON Schema for it.
pub(super) fn args_struct(
    doc: &str,
    what: &str,
    schema: bool,
    type_name: &str,
    args: &[Arg],
) -> Result<String> {
    render(
        "args_types.rs",
        &render::ArgsTypes {
            doc: doc.into(),
            what: lit(&format!(" {what}")),
            schema,
            type_name: type_name.into(),
            fields: fields(args)?,
        },
    )
}
