//! `cargo mcp new`.

use crate::cli::{NewArgs, TransportArg, Vcs};
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
        (None, None) => RuntimeSource::bundled()?,
    };
    let path = args.path.unwrap_or_else(|| args.name.clone().into());
    let opts = NewProject {
        name: args.name.clone(),
        path,
        http: args.transport == TransportArg::Http,
        git: args.vcs == Vcs::Git,
        runtime,
    };
    let report = new_project(&opts)?;
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
