//! `cargo mcp dev`: finds the project, then hands over to [`crate::dev`].

use crate::cli::{DevArgs, InspectorArg, TransportArg};
use crate::dev::{self, Inspector, Options, Transport};
use crate::ui::Ui;
use std::time::Duration;

/// Builds, runs and watches the project until Ctrl-C.
pub fn exec(args: DevArgs, ui: &Ui) -> anyhow::Result<()> {
    let project = super::project(&args.project)?;
    let options = Options {
        manifest: project.manifest.clone(),
        package: project.package.clone(),
        transport: match args.transport {
            TransportArg::Stdio => Transport::Stdio,
            TransportArg::Http => Transport::Http,
        },
        port: args.port,
        inspector_port: args.inspector_port,
        open: !args.no_open,
        inspector: match args.inspector {
            InspectorArg::Builtin => Inspector::Builtin,
            InspectorArg::Official => Inspector::Official,
        },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let outcome = runtime.block_on(dev::run(options, *ui));
    // Tasks still reading a dead server's pipes must not hold up the exit.
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(outcome?)
}
