//! The files that tie a project's items together: `src/generated/mod.rs`,
//! `src/generated/server.rs` (every registration), the handler folders'
//! `mod.rs`, and the manifest with the crates the generated types need.

use super::output::{generated, Output};
use crate::generate::error::Result;
use crate::generate::files::{Owner, PlannedFile};
use crate::generate::metadata;
use crate::generate::model::AuthKind;
use crate::generate::project::Project;
use crate::generate::render::{self, render};
use crate::generate::versions;

/// What the item planners registered, for `server.rs`.
pub(super) struct Registrations {
    /// Tools.
    pub tools: Vec<render::ToolReg>,
    /// Resources and templates.
    pub resources: Vec<render::ResourceReg>,
    /// Prompts.
    pub prompts: Vec<render::PromptReg>,
    /// OpenAPI modules.
    pub apis: Vec<String>,
}

/// Plans the module files and `server.rs`, adds the dependencies the types
/// need, and plans the manifest if it changed.
pub(super) fn plan(project: &mut Project, regs: Registrations, out: &mut Output) -> Result<()> {
    let meta = project.meta.clone();
    out.files.push(generated(
        "src/generated/mod.rs",
        &render(
            "generated_mod.rs",
            &render::GeneratedMod {
                tools: meta.tools.iter().map(|t| t.module.clone()).collect(),
                resources: meta.resources.iter().map(|r| r.module.clone()).collect(),
                prompts: meta.prompts.iter().map(|p| p.module.clone()).collect(),
                openapi: !regs.apis.is_empty(),
            },
        )?,
    )?);
    out.files.push(generated(
        "src/generated/server.rs",
        &render(
            "generated_server.rs",
            &render::ServerRs {
                tools: regs.tools,
                resources: regs.resources,
                prompts: regs.prompts,
                apis: regs.apis,
                auth: meta.auth.map(AuthKind::as_str),
            },
        )?,
    )?);
    for (dir, kind, command, list) in [
        (
            "tools",
            "tool",
            "add-tool",
            meta.tools
                .iter()
                .map(|t| t.module.clone())
                .collect::<Vec<_>>(),
        ),
        (
            "resources",
            "resource",
            "add-resource",
            meta.resources.iter().map(|r| r.module.clone()).collect(),
        ),
        (
            "prompts",
            "prompt",
            "add-prompt",
            meta.prompts.iter().map(|p| p.module.clone()).collect(),
        ),
    ] {
        let body = render(
            "handlers_mod.rs",
            &render::HandlersMod {
                kind,
                command,
                modules: list,
            },
        )?;
        out.files
            .push(generated(&format!("src/{dir}/mod.rs"), &body)?);
    }

    for (needed, dep) in [
        (out.uses.chrono, versions::CHRONO),
        (out.uses.uuid, versions::UUID),
        (out.uses.regress, versions::REGRESS),
    ] {
        if needed && metadata::ensure_dependency(&project.manifest, &mut project.doc, &dep)? {
            out.findings.added_dependencies.push(dep.name.to_string());
        }
    }
    let manifest = project.doc.to_string();
    if manifest != project.original {
        out.files.push(PlannedFile {
            path: "Cargo.toml".into(),
            contents: manifest,
            owner: Owner::Replace,
        });
    }
    Ok(())
}
