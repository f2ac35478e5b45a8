//! Output for people: cargo-style status lines on stderr, coloured only when
//! stderr is a terminal and NO_COLOR is unset (anstream decides), with
//! `--quiet` and `--verbose`.

use anstyle::{AnsiColor, Effects, Style};

/// Prints status, warnings and notes.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    quiet: bool,
    verbose: bool,
}

const STATUS: Style = AnsiColor::Green.on_default().effects(Effects::BOLD);
const WARN: Style = AnsiColor::Yellow.on_default().effects(Effects::BOLD);
const ERROR: Style = AnsiColor::Red.on_default().effects(Effects::BOLD);
const NOTE: Style = AnsiColor::Cyan.on_default().effects(Effects::BOLD);

impl Ui {
    /// A printer; `color` is applied globally.
    pub fn new(quiet: bool, verbose: bool, color: crate::cli::Color) -> Ui {
        let choice = match color {
            crate::cli::Color::Auto => anstream::ColorChoice::Auto,
            crate::cli::Color::Always => anstream::ColorChoice::Always,
            crate::cli::Color::Never => anstream::ColorChoice::Never,
        };
        choice.write_global();
        Ui { quiet, verbose }
    }

    /// `     Created thing` (hidden by --quiet).
    pub fn status(&self, verb: &str, message: impl std::fmt::Display) {
        if !self.quiet {
            anstream::eprintln!("{STATUS}{verb:>12}{STATUS:#} {message}");
        }
    }

    /// Plain text (hidden by --quiet).
    pub fn info(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            anstream::eprintln!("{message}");
        }
    }

    /// Detail shown with --verbose only.
    pub fn detail(&self, verb: &str, message: impl std::fmt::Display) {
        if self.verbose && !self.quiet {
            anstream::eprintln!("{NOTE}{verb:>12}{NOTE:#} {message}");
        }
    }

    /// `warning: ...` (always shown).
    pub fn warn(&self, message: impl std::fmt::Display) {
        anstream::eprintln!("{WARN}warning{WARN:#}: {message}");
    }

    /// `note: ...` (hidden by --quiet).
    pub fn note(&self, message: impl std::fmt::Display) {
        if !self.quiet {
            anstream::eprintln!("{NOTE}note{NOTE:#}: {message}");
        }
    }

    /// `error: ...` (always shown).
    pub fn error(&self, message: impl std::fmt::Display) {
        anstream::eprintln!("{ERROR}error{ERROR:#}: {message}");
    }
}
