//! `helium`: the server. `helium [--mode M] [serve|migrate|openapi]`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use helium_api::settings::{self, Env, Settings};
use helium_api::{mode::WorkMode, server, telemetry};

// glibc malloc showed up as a tenth of the request path's CPU under load; mimalloc's
// per-thread heaps suit tokio's many short-lived allocations.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "helium", version, about = "Helium VPN-subscription backend server")]
struct Cli {
    /// Worker mode (overrides WORK_MODE): api, grpc, subscribe_api, webhook_api, consumer, mailer, cron_executor, all.
    #[arg(long, global = true)]
    mode: Option<String>,
    /// Do not apply migrations at start (another process does).
    #[arg(long, global = true)]
    skip_migration: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server in the selected mode (default).
    Serve,
    /// Apply the embedded database migrations and exit.
    Migrate,
    /// Print the OpenAPI 3.1 document.
    Openapi,
}

/// Configuration problems exit with 2 and one line, never a backtrace.
fn config_failure(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("helium: configuration error: {msg}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => {
            print!("{}", helium_api::openapi::document_json());
            ExitCode::SUCCESS
        }
        Command::Migrate => {
            let env = Env::process();
            let db = match settings::database_settings(&env) {
                Ok(db) => db,
                Err(e) => return config_failure(e),
            };
            telemetry::init(settings::LogFormat::Text, "info");
            run_async(async move {
                let pool = db.lazy_pool()?;
                helium_infra::db::migrate(&pool).await?;
                println!("migrations applied");
                anyhow::Ok(())
            })
        }
        Command::Serve => {
            let env = Env::process();
            let settings = match Settings::from_env(&env, cli.mode.as_deref(), cli.skip_migration) {
                Ok(s) => s,
                Err(e) => return config_failure(e),
            };
            telemetry::init(settings.log_format, "info");
            if std::env::var_os("OTEL_COLLECTOR").is_some() {
                tracing::info!("OTEL_COLLECTOR is set but this build exports no OpenTelemetry; using structured logs");
            }
            let mode: WorkMode = settings.mode;
            tracing::info!(%mode, "starting");
            run_async(server::run(settings))
        }
    }
}

fn run_async<F: std::future::Future<Output = anyhow::Result<()>>>(fut: F) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("helium: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(fut) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "helium failed");
            eprintln!("helium: {e:#}");
            ExitCode::FAILURE
        }
    }
}
