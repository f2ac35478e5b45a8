//! `cargo mcp inspect`.

use crate::cli::{InspectAction, InspectArgs};
use crate::inspect::{inspect, parse_header, prompt_arguments, tool_arguments, Ask, Target};
use crate::ui::Ui;
use std::time::Duration;

/// Connects to the target, asks, and prints the answer.
pub fn exec(args: InspectArgs, ui: &Ui) -> anyhow::Result<()> {
    // Bad arguments are reported before anything is started.
    let ask = match args.action {
        InspectAction::Info => Ask::Info,
        InspectAction::Tools => Ask::Tools,
        InspectAction::Prompts => Ask::Prompts,
        InspectAction::Resources => Ask::Resources,
        InspectAction::Call {
            name,
            arg,
            args_json,
        } => Ask::Call {
            name,
            arguments: tool_arguments(&arg, args_json.as_deref())?,
        },
        InspectAction::Read { uri } => Ask::Read { uri },
        InspectAction::Prompt { name, arg } => Ask::Prompt {
            name,
            arguments: prompt_arguments(&arg)?,
        },
    };
    let headers = args
        .header
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<Vec<_>, _>>()?;
    if !headers.is_empty() && !args.target.starts_with("http") {
        ui.warn("--header applies to http(s) targets only; a command speaks stdio");
    }
    let target = Target {
        target: &args.target,
        timeout: Duration::from_secs(args.timeout.max(1)),
        headers: &headers,
    };
    inspect(target, &ask, args.json, ui)?;
    Ok(())
}
