//! PostgreSQL pool and embedded migrations.

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

/// Every migration under `migrations/`, embedded in the binary.
pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

#[derive(Debug, Clone)]
pub struct DbSettings {
    pub url: String,
    pub max_connections: u32,
    /// Prepared-statement cache per connection; 0 disables named prepared statements so
    /// Helium works behind a transaction-mode pooler (PgBouncer, HeliosProxy).
    pub statement_cache: usize,
}

impl DbSettings {
    pub fn connect_options(&self) -> Result<PgConnectOptions, sqlx::Error> {
        Ok(PgConnectOptions::from_str(&self.url)?
            .statement_cache_capacity(self.statement_cache)
            .application_name("helium"))
    }

    /// A pool that connects on first use, so a process can start (and report "not ready")
    /// while the database is down.
    pub fn lazy_pool(&self) -> Result<PgPool, sqlx::Error> {
        Ok(PgPoolOptions::new()
            .max_connections(self.max_connections)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(5))
            .idle_timeout(Some(Duration::from_secs(300)))
            .connect_lazy_with(self.connect_options()?))
    }
}

/// Applies pending migrations. sqlx holds a PostgreSQL advisory lock for the whole run,
/// so several processes starting together apply each migration exactly once.
pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// `SELECT 1` for readiness probes.
pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(pool).await.map(|_| ())
}
