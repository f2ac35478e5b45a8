//! The prompts' files: each prompt's argument types and its handler stub.

use super::args::args_struct;
use super::output::{generated, user, Output};
use crate::generate::error::Result;
use crate::generate::model::Prompt;
use crate::generate::names::type_stem;
use crate::generate::render::{self, lit, render};

/// Plans the files of `items`; returns their registrations for `server.rs`.
pub(super) fn plan(items: &[Prompt], out: &mut Output) -> Result<Vec<render::PromptReg>> {
    let mut prompt_regs = Vec::new();
    for p in items {
        out.files.push(generated(
            &format!("src/generated/prompts/{}.rs", p.module),
            &prompt_types(p)?,
        )?);
        out.files.push(user(
            &format!("src/prompts/{}.rs", p.module),
            render(
                "prompt_stub.rs",
                &render::PromptStub {
                    name: p.name.clone(),
                    module: p.module.clone(),
                    args_type: (!p.args.is_empty())
                        .then(|| format!("{}Args", type_stem(&p.module))),
                },
            )?,
        ));
        prompt_regs.push(render::PromptReg {
            name: lit(&p.name),
            module: p.module.clone(),
            description: p.description.as_deref().map(lit),
        });
    }
    Ok(prompt_regs)
}

fn prompt_types(p: &Prompt) -> Result<String> {
    if p.args.is_empty() {
        return Ok(format!(
            "//! The `{}` prompt takes no arguments, so it has no types.\n",
            p.name
        ));
    }
    args_struct(
        &format!("Arguments of the `{}` prompt.", p.name),
        &format!(
            "The arguments of `{}`; each arrives as a string and is parsed into its field's type.",
            p.name
        ),
        true,
        &format!("{}Args", type_stem(&p.module)),
        &p.args,
    )
}
