//! Idempotency-Key storage. The whole first execution runs while this process holds a
//! transaction-scoped advisory lock on (principal, route, key): a concurrent duplicate sees
//! the lock taken and is told "in progress" at once; a crash releases the lock and stores
//! nothing, so the client's retry runs again. Transaction-scoped, hence pooler-safe.

use sha2::{Digest, Sha256};
use sqlx::{PgPool, Postgres, Transaction};

/// How long a stored response is replayed (≥ 24 h required; 48 h chosen).
pub const RETENTION_HOURS: i32 = 48;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

pub enum Begin {
    /// First execution: run the handler, then `complete` or `abandon`.
    Proceed(Pending),
    /// Same key and same request: answer the stored response.
    Replay(StoredResponse),
    /// Same key, different request body.
    Mismatch,
    /// Another execution with this key holds the lock right now.
    InProgress,
}

pub struct Pending {
    tx: Transaction<'static, Postgres>,
    principal: String,
    route: String,
    key: String,
    hash: Vec<u8>,
}

pub fn request_hash(method: &str, route: &str, body: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update([0]);
    h.update(route.as_bytes());
    h.update([0]);
    h.update(body);
    h.finalize().to_vec()
}

pub async fn begin(
    pool: &PgPool,
    principal: &str,
    route: &str,
    key: &str,
    hash: Vec<u8>,
) -> Result<Begin, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let lock_name = format!("idem\u{1f}{principal}\u{1f}{route}\u{1f}{key}");
    let locked =
        sqlx::query_scalar!(r#"SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS "locked!""#, lock_name)
            .fetch_one(&mut *tx)
            .await?;
    if !locked {
        return Ok(Begin::InProgress);
    }
    let row = sqlx::query!(
        r#"SELECT request_hash, status, content_type, body FROM idempotency_keys
           WHERE principal = $1 AND route = $2 AND key = $3 AND expires_at > now()"#,
        principal,
        route,
        key
    )
    .fetch_optional(&mut *tx)
    .await?;
    match row {
        Some(r) if r.request_hash == hash => {
            Ok(Begin::Replay(StoredResponse { status: r.status as u16, content_type: r.content_type, body: r.body }))
        }
        Some(_) => Ok(Begin::Mismatch),
        None => Ok(Begin::Proceed(Pending {
            tx,
            principal: principal.to_owned(),
            route: route.to_owned(),
            key: key.to_owned(),
            hash,
        })),
    }
}

impl Pending {
    /// Stores the first response and releases the lock.
    pub async fn complete(mut self, response: &StoredResponse) -> Result<(), sqlx::Error> {
        sqlx::query!(
            r#"INSERT INTO idempotency_keys (principal, route, key, request_hash, status, content_type, body, expires_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(hours => $8))
               ON CONFLICT (principal, route, key) DO UPDATE
               SET request_hash = EXCLUDED.request_hash, status = EXCLUDED.status,
                   content_type = EXCLUDED.content_type, body = EXCLUDED.body,
                   created_at = now(), expires_at = EXCLUDED.expires_at"#,
            self.principal,
            self.route,
            self.key,
            self.hash,
            response.status as i16,
            response.content_type,
            response.body,
            RETENTION_HOURS
        )
        .execute(&mut *self.tx)
        .await?;
        self.tx.commit().await
    }

    /// Stores nothing (the request failed validation or the server failed): a retry runs again.
    pub async fn abandon(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

/// Cron: deletes expired records in bounded batches; returns how many went.
pub async fn purge_expired(pool: &PgPool, batch: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query!(
        r#"DELETE FROM idempotency_keys WHERE ctid IN
           (SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT $1)"#,
        batch
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
