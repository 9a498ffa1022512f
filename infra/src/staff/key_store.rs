//! SQL of staff API keys. Only the SHA-256 of a key is stored; lists show its prefix.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct ApiKeyRow {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub role: String,
    pub permissions: Option<Vec<String>>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub async fn by_hash(pool: &PgPool, hash: &[u8]) -> Result<Option<ApiKeyRow>, sqlx::Error> {
    sqlx::query_as!(
        ApiKeyRow,
        r#"SELECT id, name, prefix, role, permissions, created_by, created_at, expires_at, last_used_at, revoked_at
             FROM staff.api_keys WHERE key_hash = $1"#,
        hash
    )
    .fetch_optional(pool)
    .await
}

pub async fn touch(pool: &PgPool, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("UPDATE staff.api_keys SET last_used_at = now() WHERE id = $1", id).execute(pool).await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    tx: &mut PgConnection,
    id: Uuid,
    name: &str,
    prefix: &str,
    hash: &[u8],
    role: &str,
    permissions: Option<&[String]>,
    created_by: Option<Uuid>,
    expires_at: Option<DateTime<Utc>>,
) -> Result<ApiKeyRow, sqlx::Error> {
    sqlx::query_as!(
        ApiKeyRow,
        r#"INSERT INTO staff.api_keys (id, name, prefix, key_hash, role, permissions, created_by, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           RETURNING id, name, prefix, role, permissions, created_by, created_at, expires_at, last_used_at, revoked_at"#,
        id,
        name,
        prefix,
        hash,
        role,
        permissions,
        created_by,
        expires_at
    )
    .fetch_one(&mut *tx)
    .await
}

pub async fn list(pool: &PgPool) -> Result<Vec<ApiKeyRow>, sqlx::Error> {
    sqlx::query_as!(
        ApiKeyRow,
        r#"SELECT id, name, prefix, role, permissions, created_by, created_at, expires_at, last_used_at, revoked_at
             FROM staff.api_keys ORDER BY created_at DESC, id DESC"#
    )
    .fetch_all(pool)
    .await
}

/// Revokes a live key; `None` when there is no such key, the row otherwise.
pub async fn revoke(tx: &mut PgConnection, id: Uuid) -> Result<Option<ApiKeyRow>, sqlx::Error> {
    sqlx::query_as!(
        ApiKeyRow,
        r#"UPDATE staff.api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1
           RETURNING id, name, prefix, role, permissions, created_by, created_at, expires_at, last_used_at, revoked_at"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await
}

/// Newest first by `(created_at, id)`; `after` is that pair of the previous page's last row.
pub async fn list_page(
    pool: &PgPool,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<ApiKeyRow>, sqlx::Error> {
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    sqlx::query_as!(
        ApiKeyRow,
        r#"SELECT id, name, prefix, role, permissions, created_by, created_at, expires_at, last_used_at, revoked_at
             FROM staff.api_keys
            WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1, $2::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT $3"#,
        after_at,
        after_id,
        limit
    )
    .fetch_all(pool)
    .await
}

/// The row, locked for an update in `tx`.
pub async fn for_update(tx: &mut PgConnection, id: Uuid) -> Result<Option<ApiKeyRow>, sqlx::Error> {
    sqlx::query_as!(
        ApiKeyRow,
        r#"SELECT id, name, prefix, role, permissions, created_by, created_at, expires_at, last_used_at, revoked_at
             FROM staff.api_keys WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await
}
