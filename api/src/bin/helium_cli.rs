//! `helium-cli`: configuration and admin account management for operators.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    helium_api::cli::run(helium_api::cli::Cli::parse())
}
