//! `cargo mcp new`.

use crate::cli::{AuthArg, NewArgs, TransportArg, Vcs};
use crate::generate::metadata::AuthKind;
use crate::generate::{new_project, NewProject, RuntimeSource};
use crate::ui::Ui;

/// Creates the project and prints the next commands.
pub fn exec(args: NewArgs, ui: &Ui) -> anyhow::Result<()> {
    let runtime = match (args.runtime_path, args.runtime_version) {
        (Some(p), _) => RuntimeSource::Path(
            std::fs::canonicalize(&p)
                .map_err(|e| anyhow::anyhow!("--runtime-path {}: {e}", p.display()))?,
        ),
        (None, Some(v)) => RuntimeSource::Version(v),
        (None, None) => RuntimeSource::default_for_cli(),
    };
    let path = args.path.unwrap_or_else(|| args.name.clone().into());
    let import = args
        .from_openapi
        .as_deref()
        .map(|spec| super::import_openapi::import_options(spec, &args.openapi));
    if let Some(import) = &import {
        // Check the document before creating anything.
        let spec = std::fs::canonicalize(&import.spec)
            .map_err(|e| anyhow::anyhow!("--from-openapi {}: {e}", import.spec.display()))?;
        let options = crate::generate::openapi::Options {
            filters: import.filters.clone(),
            ..Default::default()
        };
        let analysis = crate::generate::openapi::dry_run(&spec, &options)?;
        crate::generate::openapi::check_count(&spec, &analysis, import.max_tools)?;
    }
    let opts = NewProject {
        name: args.name.clone(),
        path,
        http: args.transport == TransportArg::Http,
        git: args.vcs == Vcs::Git,
        runtime,
        auth: args.auth.map(|a| match a {
            AuthArg::Jwt => AuthKind::Jwt,
            AuthArg::Dev => AuthKind::Dev,
        }),
    };
    let report = new_project(&opts)?;
    if let Some(mut import) = import {
        import.spec = std::fs::canonicalize(&import.spec)?;
        let mut project = crate::generate::Project::find(&report.root)?;
        let imported = crate::generate::import_openapi(&mut project, &import)?;
        super::print_report(ui, &imported);
    }
    for w in &report.warnings {
        ui.warn(w);
    }
    ui.status(
        "Created",
        format!("MCP server `{}` at {}", args.name, report.root.display()),
    );
    if let Some(ws) = &report.joined_workspace {
        ui.status(
            "Adding",
            format!("`{}` as member of workspace at {}", args.name, ws.display()),
        );
    }
    let shown = report
        .root
        .strip_prefix(std::env::current_dir()?)
        .unwrap_or(&report.root)
        .display()
        .to_string();
    ui.info(format!("\nNext:\n  cd {shown}\n  cargo run            # serves stdio; try `--transport http --port 8000`\n  cargo test\n  cargo mcp add-tool NAME --arg query:string"));
    Ok(())
}
