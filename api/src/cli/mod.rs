//! `helium-cli`: the operator tool the seed documents.

pub mod admin_cmd;
pub mod config_cmd;
pub mod events_cmd;

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
    /// RabbitMQ URL (or MQ_URL); used by `dlq` commands.
    #[arg(long, env = "MQ_URL", global = true, hide_env_values = true)]
    pub mq_url: Option<String>,
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
    /// Inspect and replay dead-lettered messages.
    Dlq {
        #[command(subcommand)]
        command: DlqCommand,
    },
    /// Event pipeline tools.
    Events {
        #[command(subcommand)]
        command: EventsCommand,
    },
    /// The staff audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Staff accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Recompute the audit log's hash chain; prints the first broken row and exits 1 if a
    /// row was edited, removed or forged. Needs the server's DATA_ENCRYPTION_KEY (or the
    /// generated key in the database).
    Verify,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// List admin accounts.
    List {
        /// Number of results to return.
        #[arg(long, default_value_t = 50)]
        limit: i64,
        /// Number of results to skip.
        #[arg(long, default_value_t = 0)]
        offset: i64,
    },
    /// Show one admin account.
    Show {
        /// The admin's id.
        id: String,
    },
    /// Create an admin account and print its single-use setup link (24 h).
    Create {
        /// Display name.
        #[arg(long)]
        name: String,
        /// super_admin | moderator | customer_support | support_bot (case-insensitive; `-` or no separator too)
        #[arg(long)]
        role: String,
        /// E-mail address (needed to sign in).
        #[arg(long)]
        email: Option<String>,
        /// Avatar image URL.
        #[arg(long)]
        avatar: Option<String>,
    },
    /// Delete an admin account (asks for confirmation unless --yes).
    Delete {
        /// The admin's id.
        id: String,
        /// Skip the confirmation prompt.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum DlqCommand {
    /// Show parked messages (type, id, error, attempts); they stay parked.
    List {
        /// Consumer name (`mailer`) or queue (`helium.mailer`); default: every known consumer.
        #[arg(long)]
        queue: Option<String>,
    },
    /// Move parked messages back to their queue.
    Replay {
        #[arg(long)]
        queue: String,
        /// Only the message with this id.
        #[arg(long, conflicts_with = "all", required_unless_present = "all")]
        id: Option<String>,
        /// Every parked message of the queue.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum EventsCommand {
    /// Queue `system.probe` events: an end-to-end check of relay, broker and consumers.
    Probe {
        #[arg(long, default_value_t = 1)]
        count: u32,
    },
}

/// Exit codes: 0 ok, 1 the operation or the validation failed, 2 usage/configuration error.
pub fn run(cli: Cli) -> ExitCode {
    let filter = if cli.verbose { "debug" } else { "warn" };
    crate::telemetry::init(crate::settings::LogFormat::Text, filter);
    match &cli.command {
        Command::ValidateConfig { config_type, file } => config_cmd::validate(config_type, file),
        Command::Dlq { command } => with_runtime(async {
            match command {
                DlqCommand::List { queue } => events_cmd::dlq_list(&cli, queue.as_deref()).await,
                DlqCommand::Replay { queue, id, .. } => events_cmd::dlq_replay(&cli, queue, id.as_deref()).await,
            }
        }),
        Command::Events { command: EventsCommand::Probe { count } } => {
            let count = *count;
            with_runtime(async {
                match config_cmd::Connected::open(&cli).await {
                    Ok(ctx) => events_cmd::probe(&ctx, count).await,
                    Err(code) => code,
                }
            })
        }
        Command::Admin { command } => with_runtime(async {
            let ctx = match config_cmd::Connected::open(&cli).await {
                Ok(ctx) => ctx,
                Err(code) => return code,
            };
            match command {
                AdminCommand::List { limit, offset } => admin_cmd::list(&ctx, *limit, *offset).await,
                AdminCommand::Show { id } => admin_cmd::show(&ctx, id).await,
                AdminCommand::Create { name, role, email, avatar } => {
                    admin_cmd::create(&ctx, name, role, email.as_deref(), avatar.as_deref()).await
                }
                AdminCommand::Delete { id, yes } => admin_cmd::delete(&ctx, id, *yes).await,
            }
        }),
        Command::Audit { command: AuditCommand::Verify } => with_runtime(async {
            match config_cmd::Connected::open(&cli).await {
                Ok(ctx) => admin_cmd::verify_audit(&ctx).await,
                Err(code) => code,
            }
        }),
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
