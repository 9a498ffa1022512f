//! `helium`: the server. `helium [--mode M] [serve|migrate|openapi]`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use helium_api::settings::{self, Env, Settings};
use helium_api::{mode::WorkMode, server, telemetry};

// glibc malloc showed up as a tenth of the request path's CPU under load; mimalloc's
// per-thread heaps suit tokio's many short-lived allocations. Built without transparent huge
// pages (`no_thp`): its eagerly committed arenas otherwise count as 30 MB of resident 2 MiB
// pages in an idle process.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc returns freed memory to the OS a second after the fact, but only when some
/// allocation later runs its housekeeping: an idle process (after start-up built its router
/// and caches, or after a burst) would keep those pages for good. Parking workers run it (see
/// `runtime`), and a low-priority thread every few seconds for the rest (abandoned heaps of
/// finished blocking threads); `mi_collect(false)` only releases what is due.
fn return_freed_memory_periodically() {
    let spawned = std::thread::Builder::new().name("mi-collect".into()).stack_size(64 * 1024).spawn(|| {
        loop {
            std::thread::sleep(std::time::Duration::from_secs(5));
            helium_api::memory::collect_freed();
        }
    });
    if let Err(e) = spawned {
        eprintln!("helium: allocator housekeeping thread not started: {e}");
    }
}

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
    /// Probe this host's health port (`GET /healthz`, or `--path /readyz`): exit 0 when it
    /// answers 200 within 3 s. For container HEALTHCHECKs in images without curl.
    Health {
        #[arg(long, default_value = "/healthz")]
        path: String,
    },
}

/// Configuration problems exit with 2 and one line, never a backtrace.
fn config_failure(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("helium: configuration error: {msg}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Health { path } => health_probe(&path),
        Command::Openapi => {
            print!("{}", helium_api::app::openapi_json());
            ExitCode::SUCCESS
        }
        Command::Migrate => {
            let env = Env::process();
            let db = match settings::database_settings(&env)
                .and_then(|db| settings::migration_database_settings(&env, &db))
            {
                Ok(db) => db,
                Err(e) => return config_failure(e),
            };
            telemetry::init(settings::LogFormat::Text, "info");
            let Some(runtime) = runtime() else { return ExitCode::FAILURE };
            finish(runtime.block_on(async move {
                server::migrate(&db).await?;
                println!("migrations applied");
                anyhow::Ok(())
            }))
        }
        Command::Serve => {
            let env = Env::process();
            let settings = match Settings::from_env(&env, cli.mode.as_deref(), cli.skip_migration) {
                Ok(s) => s,
                Err(e) => return config_failure(e),
            };
            let Some(runtime) = runtime() else { return ExitCode::FAILURE };
            let mode: WorkMode = settings.mode;
            // The OTLP channel is spawned on the runtime, so it is built inside it.
            let traces = match &settings.otel {
                None => None,
                Some(otel) => {
                    let _inside = runtime.enter();
                    match helium_api::otel::provider(otel, mode.service_name()) {
                        Ok(p) => Some(p),
                        Err(e) => return config_failure(format!("OTEL_COLLECTOR: {e}")),
                    }
                }
            };
            match &traces {
                Some(provider) => telemetry::init_with_traces(settings.log_format, "info", provider),
                None => telemetry::init(settings.log_format, "info"),
            }
            if let Some(otel) = &settings.otel {
                tracing::info!(collector = %otel.endpoint, sampling_ratio = otel.sampling_ratio, "exporting traces (OTLP/gRPC)");
            }
            tracing::info!(%mode, "starting");
            return_freed_memory_periodically();
            finish(runtime.block_on(async move {
                let outcome = server::run(settings).await;
                if let Some(provider) = traces {
                    helium_api::otel::shutdown(provider).await;
                }
                outcome
            }))
        }
    }
}

fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_park(helium_api::memory::collect_when_parked)
        .build()
    {
        Ok(rt) => Some(rt),
        Err(e) => {
            eprintln!("helium: cannot start the async runtime: {e}");
            None
        }
    }
}

fn finish(outcome: anyhow::Result<()>) -> ExitCode {
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "helium failed");
            eprintln!("helium: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `helium health`: HEALTH_LISTEN_ADDR (an unspecified address means this host), else
/// 127.0.0.1:HEALTH_CHECK_PORT.
fn health_probe(path: &str) -> ExitCode {
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};
    use std::time::Duration;
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let port: u16 = env("HEALTH_CHECK_PORT").and_then(|p| p.trim().parse().ok()).unwrap_or(9090);
    let mut addr: SocketAddr = match env("HEALTH_LISTEN_ADDR").map(|a| a.trim().parse()) {
        Some(Ok(a)) => a,
        Some(Err(_)) => return config_failure("HEALTH_LISTEN_ADDR is invalid: expected host:port"),
        None => SocketAddr::from(([127, 0, 0, 1], port)),
    };
    if addr.ip().is_unspecified() {
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let limit = Duration::from_secs(3);
    let answer = (|| -> std::io::Result<String> {
        let mut conn = TcpStream::connect_timeout(&addr, limit)?;
        conn.set_read_timeout(Some(limit))?;
        conn.set_write_timeout(Some(limit))?;
        write!(conn, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n")?;
        let mut head = [0u8; 64];
        let n = conn.read(&mut head)?;
        Ok(String::from_utf8_lossy(&head[..n]).into_owned())
    })();
    match answer {
        Ok(head) if head.starts_with("HTTP/1.1 200") => ExitCode::SUCCESS,
        Ok(head) => {
            eprintln!("helium: {addr}{path}: {}", head.lines().next().unwrap_or("no answer"));
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("helium: {addr}{path}: {e}");
            ExitCode::FAILURE
        }
    }
}
