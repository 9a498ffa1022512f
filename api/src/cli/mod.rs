//! `helium-cli`: the operator tool the seed documents.

pub mod config_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "helium-cli", version, about = "Helium operator tool: configuration and admin accounts")]
pub struct Cli {
    /// PostgreSQL URL (or DATABASE_URL).
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// Redis URL (or REDIS_URL); used to refresh the configuration cache.
    #[arg(long, env = "REDIS_URL", global = true, hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Detailed logs on stderr.
    #[arg(long, global = true)]
    pub verbose: bool,
    /// Do not apply database migrations when connecting.
    #[arg(long, global = true)]
    pub skip_migration: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create every missing module configuration with defaults (fresh random secrets).
    InitConfig {
        /// Reset every configuration to its defaults (new secrets: signs everybody out).
        #[arg(long)]
        force: bool,
    },
    /// Check a JSON configuration document before deploying it.
    ValidateConfig {
        /// auth | admin-jwt (admin_jwt) | telecom | shop | market (affiliate) | mailer
        #[arg(long = "config-type")]
        config_type: String,
        /// The JSON file to check.
        file: std::path::PathBuf,
    },
}

/// Exit codes: 0 ok, 1 the operation or the validation failed, 2 usage/configuration error.
pub fn run(cli: Cli) -> ExitCode {
    let filter = if cli.verbose { "debug" } else { "warn" };
    crate::telemetry::init(crate::settings::LogFormat::Text, filter);
    match &cli.command {
        Command::ValidateConfig { config_type, file } => config_cmd::validate(config_type, file),
        Command::InitConfig { force } => {
            let force = *force;
            with_runtime(async move {
                let ctx = match config_cmd::Connected::open(&cli).await {
                    Ok(ctx) => ctx,
                    Err(code) => return code,
                };
                config_cmd::init(&ctx, force).await
            })
        }
    }
}

fn with_runtime(fut: impl std::future::Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt.block_on(fut),
        Err(e) => {
            eprintln!("Error: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}
