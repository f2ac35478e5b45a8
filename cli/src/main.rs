//! The `cargo-mcp` binary: parse, run, report errors with an exit code.

use cargo_mcp::{cli, client::ClientError, commands, generate::Error, ui::Ui};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli::Cargo::Mcp(args) = cli::Cargo::parse();
    let ui = Ui::new(args.global.quiet, args.global.verbose, args.global.color);
    match commands::run(args.command, &ui) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let mut message = err.to_string();
            for cause in err.chain().skip(1) {
                message.push_str(&format!("\n  caused by: {cause}"));
            }
            ui.error(message);
            ExitCode::from(exit_code(&err))
        }
    }
}

fn exit_code(err: &anyhow::Error) -> u8 {
    if let Some(ClientError::Unreachable(_)) = err.downcast_ref::<ClientError>() {
        return 6;
    }
    match err.downcast_ref::<Error>() {
        Some(
            Error::Invalid(_) | Error::Json { .. } | Error::Yaml { .. } | Error::Manifest { .. },
        ) => 3,
        Some(Error::Io { .. }) => 4,
        Some(Error::NotAProject { .. } | Error::Ambiguous { .. }) => 5,
        _ => 1,
    }
}
