//! Helium infrastructure: PostgreSQL, Redis, RabbitMQ and the config store.
//! Implements what `helium-domain` needs; nothing here decides business rules.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod config_store;
pub mod cron;
pub mod db;
pub mod events;
pub mod gateways;
pub mod idempotency;
pub mod identity;
pub mod mail;
pub mod mq;
pub mod notify;
pub mod paging;
pub mod redis_conn;
pub mod shop;
pub mod telecom;
pub mod trace;
pub mod wallet;

pub use config_store::ConfigStore;
pub use db::{DbSettings, MIGRATOR};
pub use mq::MqHandle;
pub use redis_conn::RedisHandle;

use std::time::Duration;

/// Runs `fut` with a deadline so that a hung dependency never hangs a caller.
pub async fn with_timeout<T, E>(
    limit: Duration,
    what: &str,
    fut: impl std::future::Future<Output = Result<T, E>>,
) -> anyhow::Result<T>
where
    E: std::fmt::Display,
{
    match tokio::time::timeout(limit, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(anyhow::anyhow!("{what} error: {e}")),
        Err(_) => Err(anyhow::anyhow!("{what} error: timed out after {} ms", limit.as_millis())),
    }
}
