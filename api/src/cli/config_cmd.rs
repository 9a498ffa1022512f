//! `init-config` and `validate-config`.

use std::path::Path;
use std::process::ExitCode;

use helium_domain::config::{self, ConfigKind};
use helium_infra::config_store::InitOutcome;
use helium_infra::{ConfigStore, DbSettings, RedisHandle};

use super::Cli;

/// A database (and cache) connection for commands that need one.
pub struct Connected {
    pub pool: sqlx::PgPool,
    pub config: ConfigStore,
    pub redis: RedisHandle,
}

impl Connected {
    pub async fn open(cli: &Cli) -> Result<Self, ExitCode> {
        let Some(url) = cli.database_url.clone().filter(|u| !u.trim().is_empty()) else {
            eprintln!("Error: DATABASE_URL must be provided (use --database-url or set DATABASE_URL)");
            return Err(ExitCode::from(2));
        };
        // Same statement-cache rule as the server (0 behind a transaction-mode pooler).
        let statement_cache = match std::env::var("DATABASE_STATEMENT_CACHE").ok().filter(|v| !v.trim().is_empty()) {
            None => 100,
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) => n,
                Err(_) => {
                    eprintln!("Error: DATABASE_STATEMENT_CACHE is invalid ({v:?}): expected an integer >= 0");
                    return Err(ExitCode::from(2));
                }
            },
        };
        let db = DbSettings { url, read_url: None, max_connections: 2, statement_cache };
        let pool = match db.lazy_pool() {
            Ok(p) => p,
            Err(e) => {
                eprintln!("Error: invalid DATABASE_URL: {e}");
                return Err(ExitCode::from(2));
            }
        };
        if let Err(e) = helium_infra::db::ping(&pool).await {
            eprintln!("Error: Failed to connect to database: {e}");
            return Err(ExitCode::FAILURE);
        }
        // Migrations over a direct connection when one is configured, as the server does.
        let direct = ["MIGRATION_DATABASE_URL", "CRON_DATABASE_URL"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
            .unwrap_or_else(|| db.url.clone());
        let migration_db = DbSettings { url: direct, read_url: None, max_connections: 1, statement_cache };
        if !cli.skip_migration
            && let Err(e) = crate::server::migrate(&migration_db).await
        {
            eprintln!("Error: Failed to apply migrations: {e}");
            return Err(ExitCode::FAILURE);
        }
        // Without Redis the cache simply expires on its own; PostgreSQL is the source of truth.
        let redis_url = cli.redis_url.clone().unwrap_or_else(|| "redis://127.0.0.1:6379".to_owned());
        let prefix = std::env::var("REDIS_KEY_PREFIX").unwrap_or_else(|_| "helium:".to_owned());
        let redis = match RedisHandle::new(&redis_url, prefix) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("Error: invalid REDIS_URL: {e}");
                return Err(ExitCode::from(2));
            }
        };
        let config = ConfigStore::new(helium_infra::db::Db::new(pool.clone()), redis.clone());
        Ok(Self { pool, config, redis })
    }
}

pub async fn init(ctx: &Connected, force: bool) -> ExitCode {
    println!("Initializing {} configuration types...", ConfigKind::ALL.len());
    let (mut ok, mut failed, mut changed) = (0, 0, 0);
    for kind in ConfigKind::ALL {
        match ctx.config.init(kind, force).await {
            Ok(outcome) => {
                ok += 1;
                let note = match outcome {
                    InitOutcome::Created => {
                        changed += 1;
                        "✓ Success"
                    }
                    InitOutcome::Reset => {
                        changed += 1;
                        "✓ Success (reset to defaults)"
                    }
                    InitOutcome::Unchanged => "✓ Already initialized (unchanged)",
                };
                println!("Initializing {} config... {note}", kind.display_name());
            }
            Err(e) => {
                failed += 1;
                println!("Initializing {} config... ✗ Failed: {e}", kind.display_name());
            }
        }
    }
    println!();
    println!("Configuration initialization completed:");
    println!("✓ Successful: {ok}");
    if failed > 0 {
        println!("✗ Failed: {failed}");
        return ExitCode::FAILURE;
    }
    if changed == 0 {
        println!("Nothing changed: every configuration already exists (use --force to reset to defaults).");
    }
    ctx.pool.close().await;
    ExitCode::SUCCESS
}

pub fn validate(config_type: &str, file: &Path) -> ExitCode {
    let Some(kind) = ConfigKind::parse(config_type) else {
        eprintln!(
            "Error: Invalid config type '{config_type}'. Supported types: auth, admin-jwt (admin_jwt), telecom, shop, market (affiliate), mailer"
        );
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("Error: cannot read {}: {e}", file.display());
            return ExitCode::FAILURE;
        }
    };
    let file_name = file.display();
    match config::parse_document_shape(kind, &text) {
        Err(e) => {
            println!("✗ Configuration validation failed");
            println!("File: {file_name}");
            println!("Type: {}", kind.type_name());
            let path = if e.path.is_empty() || e.path == "." { "(document)".to_owned() } else { e.path.clone() };
            println!("Error at `{path}`: {}", e.reason);
            ExitCode::FAILURE
        }
        Ok(_) => {
            println!("✓ Configuration file is valid!");
            println!("File: {file_name}");
            println!("Type: {}", kind.type_name());
            println!("Key: {}", kind.key());
            // Shape is fine; say so if the server would still refuse it (placeholder secrets).
            if let Err(e) = config::parse_document(kind, &text) {
                println!("⚠ Warning at `{}`: {} (the server refuses this value)", e.path, e.reason);
            }
            ExitCode::SUCCESS
        }
    }
}
