//! Lazily connected Redis handle with a key prefix.
//!
//! The process must start (and answer /readyz with an error) while Redis is down, so the
//! connection is made on first use and retried on later calls after a failure.

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::Mutex;

const CONNECT_TIMEOUT: Duration = Duration::from_millis(1000);
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(1000);
/// After a failed connect, callers fail fast for this long instead of each waiting for a
/// connect timeout (an outage must not add a second to every request).
const RETRY_AFTER_FAILURE: Duration = Duration::from_millis(1000);

#[derive(Clone)]
pub struct RedisHandle {
    inner: std::sync::Arc<Inner>,
}

struct Inner {
    client: redis::Client,
    prefix: String,
    conn: Mutex<Option<ConnectionManager>>,
    failed_at: std::sync::Mutex<Option<std::time::Instant>>,
}

impl RedisHandle {
    pub fn new(url: &str, prefix: impl Into<String>) -> redis::RedisResult<Self> {
        let client = redis::Client::open(url)?;
        Ok(Self {
            inner: std::sync::Arc::new(Inner {
                client,
                prefix: prefix.into(),
                conn: Mutex::new(None),
                failed_at: std::sync::Mutex::new(None),
            }),
        })
    }

    /// Prefix every key with this (per deployment, per test).
    pub fn key(&self, suffix: &str) -> String {
        format!("{}{}", self.inner.prefix, suffix)
    }

    pub fn prefix(&self) -> &str {
        &self.inner.prefix
    }

    /// A multiplexed connection; connects (bounded in time) when none exists yet. Its
    /// commands are client spans of the current trace when traces are exported.
    pub async fn conn(&self) -> anyhow::Result<crate::trace::TracedConnection> {
        self.manager().await.map(crate::trace::TracedConnection)
    }

    async fn manager(&self) -> anyhow::Result<ConnectionManager> {
        let mut guard = self.inner.conn.lock().await;
        if let Some(c) = guard.as_ref() {
            return Ok(c.clone());
        }
        let recently_failed = self
            .inner
            .failed_at
            .lock()
            .map(|f| f.is_some_and(|at| at.elapsed() < RETRY_AFTER_FAILURE))
            .unwrap_or(false);
        anyhow::ensure!(!recently_failed, "Redis error: unavailable (recent connection failure)");
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(CONNECT_TIMEOUT)
            .set_response_timeout(RESPONSE_TIMEOUT)
            .set_number_of_retries(1);
        let manager = crate::with_timeout(
            CONNECT_TIMEOUT + Duration::from_millis(200),
            "Redis",
            ConnectionManager::new_with_config(self.inner.client.clone(), config),
        )
        .await;
        let manager = match manager {
            Ok(m) => m,
            Err(e) => {
                if let Ok(mut f) = self.inner.failed_at.lock() {
                    *f = Some(std::time::Instant::now());
                }
                return Err(e);
            }
        };
        *guard = Some(manager.clone());
        Ok(manager)
    }

    pub async fn ping(&self) -> anyhow::Result<()> {
        let mut conn = self.conn().await?;
        let pong: String =
            crate::with_timeout(RESPONSE_TIMEOUT, "Redis", redis::cmd("PING").query_async::<String>(&mut conn)).await?;
        anyhow::ensure!(pong == "PONG", "Redis error: unexpected PING reply");
        Ok(())
    }
}
