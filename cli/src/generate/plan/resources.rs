//! The resources' files: each resource's types (a template's variables)
//! and its handler stub.

use super::args::args_struct;
use super::output::{generated, user, Output};
use crate::generate::error::Result;
use crate::generate::model::{template_variables, Arg, ArgType, Resource};
use crate::generate::names::type_stem;
use crate::generate::render::{self, lit, render};

/// Plans the files of `items`; returns their registrations for `server.rs`.
pub(super) fn plan(items: &[Resource], out: &mut Output) -> Result<Vec<render::ResourceReg>> {
    let mut resource_regs = Vec::new();
    for r in items {
        out.files.push(generated(
            &format!("src/generated/resources/{}.rs", r.module),
            &resource_types(r)?,
        )?);
        out.files.push(user(
            &format!("src/resources/{}.rs", r.module),
            render(
                "resource_stub.rs",
                &render::ResourceStub {
                    uri: r.uri.clone(),
                    module: r.module.clone(),
                    params_type: r
                        .is_template()
                        .then(|| format!("{}Params", type_stem(&r.module))),
                },
            )?,
        ));
        resource_regs.push(render::ResourceReg {
            uri: lit(&r.uri),
            module: r.module.clone(),
            template: r.is_template(),
            description: r.description.as_deref().map(lit),
            mime_type: r.mime_type.as_deref().map(lit),
        });
    }
    Ok(resource_regs)
}

fn resource_types(r: &Resource) -> Result<String> {
    let vars = template_variables(&r.uri);
    if vars.is_empty() {
        return Ok(format!(
            "//! The resource `{}` has a fixed URI, so it has no types.\n",
            r.uri.replace('\n', " ")
        ));
    }
    let args: Vec<Arg> = vars
        .iter()
        .map(|v| Arg {
            name: v.clone(),
            ty: ArgType::String,
            description: None,
            required: true,
        })
        .collect();
    args_struct(
        &format!("Variables of the resource template `{}`.", r.uri),
        &format!("The variables matched in `{}`.", r.uri),
        false,
        &format!("{}Params", type_stem(&r.module)),
        &args,
    )
}
