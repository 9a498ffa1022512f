//! Module configuration store: PostgreSQL is the source of truth, Redis a shared cache,
//! plus a one-second in-process cache for hot paths.
//!
//! Staleness bound: a write updates PostgreSQL, then Redis. If the Redis write is lost,
//! the Redis entry still expires after `REDIS_TTL`; processes re-read it at most
//! `LOCAL_TTL` later. Every process sees a change within REDIS_TTL + LOCAL_TTL < 5 s.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use helium_domain::DomainError;
use helium_domain::config::{self, ConfigKind, ModuleConfig};
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use crate::db::{Db, ex};
use tokio::sync::RwLock;

use crate::RedisHandle;

const LOCAL_TTL: Duration = Duration::from_secs(1);
const REDIS_TTL_SECS: u64 = 3;
const REDIS_OP_TIMEOUT: Duration = Duration::from_millis(300);

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredConfig {
    pub key: String,
    pub value: serde_json::Value,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitOutcome {
    Created,
    Unchanged,
    Reset,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigStoreError {
    #[error("configuration `{0}` is not initialised (run `helium-cli init-config`)")]
    Missing(&'static str),
    #[error("configuration `{key}` is invalid at `{path}`: {reason}")]
    Invalid { key: &'static str, path: String, reason: String },
    #[error("configuration `{key}` changed concurrently (current version {current})")]
    VersionConflict { key: &'static str, current: i64 },
    #[error("database error: {0}")]
    Db(#[from] crate::db::DbError),
}

impl From<sqlx::Error> for ConfigStoreError {
    fn from(e: sqlx::Error) -> Self {
        Self::Db(e.into())
    }
}

type TypedEntry = (Instant, Arc<ModuleConfig>);

#[derive(Clone)]
pub struct ConfigStore {
    db: Db,
    redis: RedisHandle,
    local: Arc<RwLock<HashMap<ConfigKind, (Instant, StoredConfig)>>>,
    /// The parsed form of the current local entry (dropped whenever the entry is refreshed),
    /// so hot paths validate a document at most once per LOCAL_TTL.
    typed: Arc<RwLock<HashMap<ConfigKind, TypedEntry>>>,
}

/// A typed accessor for one module's configuration, as use cases read it: a missing or
/// unreadable document is `Unavailable`, never a panic.
macro_rules! typed_module {
    ($name:ident, $name_on:ident, $variant:ident, $ty:ty, $label:literal) => {
        #[doc = concat!("The `", $label, "` module config (read it before taking a connection).")]
        pub async fn $name(&self) -> Result<$ty, DomainError> {
            Self::typed(self.module_arc(ConfigKind::$variant).await, |m| match m {
                ModuleConfig::$variant(c) => Some(c.clone()),
                _ => None,
            })
        }

        #[doc = concat!("The `", $label, "` module config for code that already holds `conn`: a cache miss reads on it.")]
        pub async fn $name_on(&self, conn: &mut PgConnection) -> Result<$ty, DomainError> {
            Self::typed(self.module_arc_on(conn, ConfigKind::$variant).await, |m| match m {
                ModuleConfig::$variant(c) => Some(c.clone()),
                _ => None,
            })
        }
    };
}

impl ConfigStore {
    typed_module!(shop, shop_on, Shop, config::ShopConfig, "shop");
    typed_module!(telecom, telecom_on, Telecom, config::TelecomConfig, "telecom");
    typed_module!(affiliate, affiliate_on, Affiliate, config::AffiliateConfig, "affiliate");
    typed_module!(admin_jwt, admin_jwt_on, AdminJwt, config::AdminJwtConfig, "admin-jwt");

    fn typed<T>(
        found: Result<Arc<ModuleConfig>, ConfigStoreError>,
        pick: impl FnOnce(&ModuleConfig) -> Option<T>,
    ) -> Result<T, DomainError> {
        match found {
            Ok(m) => {
                pick(&m).ok_or_else(|| DomainError::Internal(format!("{} config has the wrong shape", m.kind().key())))
            }
            Err(e) => Err(DomainError::Unavailable(format!("{e}"))),
        }
    }
}

impl ConfigStore {
    pub fn new(db: Db, redis: RedisHandle) -> Self {
        Self { db, redis, local: Arc::default(), typed: Arc::default() }
    }

    fn redis_key(&self, kind: ConfigKind) -> String {
        self.redis.key(&format!("config:{}", kind.key()))
    }

    /// The current document, through the caches.
    pub async fn get(&self, kind: ConfigKind) -> Result<StoredConfig, ConfigStoreError> {
        self.get_via(None, kind).await
    }

    /// `get` for a caller holding `conn` (a consumer's transaction): a miss reads on it
    /// instead of taking a second connection from the pool.
    async fn get_via(
        &self,
        conn: Option<&mut PgConnection>,
        kind: ConfigKind,
    ) -> Result<StoredConfig, ConfigStoreError> {
        if let Some((at, cfg)) = self.local.read().await.get(&kind)
            && at.elapsed() < LOCAL_TTL
        {
            return Ok(cfg.clone());
        }
        let cfg = match self.redis_get(kind).await {
            Some(cfg) => cfg,
            None => {
                let loaded = match conn {
                    Some(conn) => Self::load_on(conn, kind).await?,
                    None => self.load(kind).await?,
                };
                let cfg = loaded.ok_or(ConfigStoreError::Missing(kind.key()))?;
                self.redis_set(&cfg, kind).await;
                cfg
            }
        };
        self.local.write().await.insert(kind, (Instant::now(), cfg.clone()));
        Ok(cfg)
    }

    /// The current document parsed and validated into its typed form.
    pub async fn module(&self, kind: ConfigKind) -> Result<ModuleConfig, ConfigStoreError> {
        self.module_arc(kind).await.map(|m| (*m).clone())
    }

    /// Like `module`, without copying: parsed once per document version.
    pub async fn module_arc(&self, kind: ConfigKind) -> Result<Arc<ModuleConfig>, ConfigStoreError> {
        self.module_arc_via(None, kind).await
    }

    /// `module_arc` for a caller holding `conn`: a cache miss reads on it (never a second
    /// connection while one is held — that is how a pool locks up).
    pub async fn module_arc_on(
        &self,
        conn: &mut PgConnection,
        kind: ConfigKind,
    ) -> Result<Arc<ModuleConfig>, ConfigStoreError> {
        self.module_arc_via(Some(conn), kind).await
    }

    async fn module_arc_via(
        &self,
        conn: Option<&mut PgConnection>,
        kind: ConfigKind,
    ) -> Result<Arc<ModuleConfig>, ConfigStoreError> {
        if let Some((at, parsed)) = self.typed.read().await.get(&kind)
            && at.elapsed() < LOCAL_TTL
        {
            return Ok(parsed.clone());
        }
        let cfg = self.get_via(conn, kind).await?;
        let parsed = Arc::new(config::validate_value(kind, &cfg.value).map_err(|e| ConfigStoreError::Invalid {
            key: kind.key(),
            path: e.path,
            reason: e.reason,
        })?);
        self.typed.write().await.insert(kind, (Instant::now(), parsed.clone()));
        Ok(parsed)
    }

    /// Reads straight from PostgreSQL, bypassing every cache.
    pub async fn load(&self, kind: ConfigKind) -> Result<Option<StoredConfig>, ConfigStoreError> {
        Self::load_on(&mut *self.db.conn().await?, kind).await
    }

    async fn load_on(conn: &mut PgConnection, kind: ConfigKind) -> Result<Option<StoredConfig>, ConfigStoreError> {
        let row = sqlx::query!(
            r#"SELECT key, value, version, updated_at FROM application__config WHERE key = $1"#,
            kind.key()
        )
        .fetch_optional(ex(conn))
        .await?;
        Ok(row.map(|r| StoredConfig { key: r.key, value: r.value, version: r.version, updated_at: r.updated_at }))
    }

    pub async fn list(&self) -> Result<Vec<StoredConfig>, ConfigStoreError> {
        let rows = sqlx::query!(r#"SELECT key, value, version, updated_at FROM application__config ORDER BY key"#)
            .fetch_all(ex(&mut *self.db.conn().await?))
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| StoredConfig { key: r.key, value: r.value, version: r.version, updated_at: r.updated_at })
            .collect())
    }

    /// Creates the document with defaults (fresh random secrets) unless it exists;
    /// with `force`, resets it to defaults.
    pub async fn init(&self, kind: ConfigKind, force: bool) -> Result<InitOutcome, ConfigStoreError> {
        let value = config::default_value(kind, &mut rand::rng());
        let mut tx = self.db.begin().await?;
        let outcome = if force {
            let inserted = sqlx::query_scalar!(
                r#"INSERT INTO application__config (key, value) VALUES ($1, $2)
                   ON CONFLICT (key) DO UPDATE
                   SET value = EXCLUDED.value, version = application__config.version + 1, updated_at = now()
                   RETURNING (xmax = 0) AS "inserted!""#,
                kind.key(),
                value
            )
            .fetch_one(ex(&mut tx))
            .await?;
            if inserted { InitOutcome::Created } else { InitOutcome::Reset }
        } else {
            let done = sqlx::query!(
                r#"INSERT INTO application__config (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING"#,
                kind.key(),
                value
            )
            .execute(ex(&mut tx))
            .await?;
            if done.rows_affected() == 1 { InitOutcome::Created } else { InitOutcome::Unchanged }
        };
        tx.commit().await?;
        if outcome != InitOutcome::Unchanged {
            self.invalidate(kind).await;
        }
        Ok(outcome)
    }

    /// Creates every missing document; returns the ones it created.
    pub async fn ensure_defaults(&self) -> Result<Vec<ConfigKind>, ConfigStoreError> {
        let mut created = Vec::new();
        for kind in ConfigKind::ALL {
            if self.init(kind, false).await? == InitOutcome::Created {
                created.push(kind);
            }
        }
        Ok(created)
    }

    /// Replaces a document after validating it. With `expected_version`, the write only
    /// happens if nobody changed the document since (optimistic concurrency).
    pub async fn put(
        &self,
        kind: ConfigKind,
        value: &serde_json::Value,
        expected_version: Option<i64>,
    ) -> Result<StoredConfig, ConfigStoreError> {
        let mut tx = self.db.begin().await?;
        let cfg = Self::write_in(&mut tx, kind, value, expected_version).await?;
        tx.commit().await?;
        self.committed(kind, &cfg).await;
        Ok(cfg)
    }

    /// The current row, locked until the end of `tx` (for a read-modify-write in one
    /// transaction). Bypasses every cache.
    pub async fn lock_in(tx: &mut PgConnection, kind: ConfigKind) -> Result<Option<StoredConfig>, ConfigStoreError> {
        let row = sqlx::query!(
            r#"SELECT key, value, version, updated_at FROM application__config WHERE key = $1 FOR UPDATE"#,
            kind.key()
        )
        .fetch_optional(ex(tx))
        .await?;
        Ok(row.map(|r| StoredConfig { key: r.key, value: r.value, version: r.version, updated_at: r.updated_at }))
    }

    /// `put` inside the caller's transaction, so the change can commit together with its
    /// audit row. The caches are not touched: call [`ConfigStore::committed`] after commit.
    pub async fn write_in(
        tx: &mut PgConnection,
        kind: ConfigKind,
        value: &serde_json::Value,
        expected_version: Option<i64>,
    ) -> Result<StoredConfig, ConfigStoreError> {
        config::validate_value(kind, value).map_err(|e| ConfigStoreError::Invalid {
            key: kind.key(),
            path: e.path,
            reason: e.reason,
        })?;
        let row = sqlx::query!(
            r#"UPDATE application__config
               SET value = $2, version = version + 1, updated_at = now()
               WHERE key = $1 AND ($3::BIGINT IS NULL OR version = $3)
               RETURNING key, value, version, updated_at"#,
            kind.key(),
            value,
            expected_version
        )
        .fetch_optional(ex(tx))
        .await?;
        let Some(r) = row else {
            let current = sqlx::query_scalar!(r#"SELECT version FROM application__config WHERE key = $1"#, kind.key())
                .fetch_optional(ex(tx))
                .await?
                .ok_or(ConfigStoreError::Missing(kind.key()))?;
            return Err(ConfigStoreError::VersionConflict { key: kind.key(), current });
        };
        Ok(StoredConfig { key: r.key, value: r.value, version: r.version, updated_at: r.updated_at })
    }

    /// After a committed write: drops this process's copies and publishes the new document
    /// to Redis, so every process sees it within the staleness bound.
    pub async fn committed(&self, kind: ConfigKind, cfg: &StoredConfig) {
        self.local.write().await.remove(&kind);
        self.typed.write().await.remove(&kind);
        self.redis_set(cfg, kind).await;
    }

    async fn invalidate(&self, kind: ConfigKind) {
        self.local.write().await.remove(&kind);
        self.typed.write().await.remove(&kind);
        let key = self.redis_key(kind);
        let result = tokio::time::timeout(REDIS_OP_TIMEOUT, async {
            let mut conn = self.redis.conn().await?;
            conn.del::<_, ()>(&key).await?;
            anyhow::Ok(())
        })
        .await;
        if !matches!(result, Ok(Ok(()))) {
            tracing::warn!(config = kind.key(), "could not invalidate cached config; it expires on its own");
        }
    }

    async fn redis_get(&self, kind: ConfigKind) -> Option<StoredConfig> {
        let key = self.redis_key(kind);
        let result = tokio::time::timeout(REDIS_OP_TIMEOUT, async {
            let mut conn = self.redis.conn().await?;
            let raw: Option<String> = conn.get(&key).await?;
            anyhow::Ok(raw)
        })
        .await;
        match result {
            Ok(Ok(Some(raw))) => serde_json::from_str(&raw).ok(),
            Ok(Ok(None)) => None,
            _ => {
                tracing::debug!(config = kind.key(), "config cache unavailable; reading PostgreSQL");
                None
            }
        }
    }

    async fn redis_set(&self, cfg: &StoredConfig, kind: ConfigKind) {
        let key = self.redis_key(kind);
        let Ok(raw) = serde_json::to_string(cfg) else {
            return;
        };
        let result = tokio::time::timeout(REDIS_OP_TIMEOUT, async {
            let mut conn = self.redis.conn().await?;
            conn.set_ex::<_, _, ()>(&key, raw, REDIS_TTL_SECS).await?;
            anyhow::Ok(())
        })
        .await;
        if !matches!(result, Ok(Ok(()))) {
            tracing::debug!(config = kind.key(), "config cache write skipped: Redis unavailable");
        }
    }
}
