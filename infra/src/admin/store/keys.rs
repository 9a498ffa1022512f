//! Staff API keys. Only the SHA-256 of a key is stored; lists show its prefix.

use chrono::{DateTime, Utc};
use helium_domain::admin::{AdminStatus, ApiKey, Role};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

/// A key as the request path checks it: the key and its creator's current standing.
#[derive(Debug, Clone)]
pub struct KeyCheck {
    pub key: ApiKey,
    pub creator_role: Option<Role>,
    pub creator_status: Option<AdminStatus>,
}

pub async fn by_hash(c: &mut PgConnection, hash: &[u8]) -> DbResult<Option<KeyCheck>> {
    let row = sqlx::query!(
        r#"SELECT k.id, k.name, k.prefix, k.role AS "role: Role", k.permissions, k.created_by, k.created_at,
                  k.expires_at, k.last_used_at, k.revoked_at,
                  a.role AS "creator_role?: Role", a.status AS "creator_status?: AdminStatus"
             FROM staff.api_keys k LEFT JOIN staff.admins a ON a.id = k.created_by
            WHERE k.key_hash = $1"#,
        hash
    )
    .fetch_optional(ex(c))
    .await?;
    Ok(row.map(|r| KeyCheck {
        key: ApiKey {
            id: r.id,
            name: r.name,
            prefix: r.prefix,
            role: r.role,
            permissions: r.permissions,
            created_by: r.created_by,
            created_at: r.created_at,
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        },
        creator_role: r.creator_role,
        creator_status: r.creator_status,
    }))
}

pub async fn touch(c: &mut PgConnection, id: Uuid) -> DbResult<()> {
    sqlx::query!("UPDATE staff.api_keys SET last_used_at = now() WHERE id = $1", id).execute(ex(c)).await?;
    Ok(())
}

#[expect(clippy::too_many_arguments, reason = "one column per argument: a key row is written once, here")]
pub async fn insert(
    c: &mut PgConnection,
    id: Uuid,
    name: &str,
    prefix: &str,
    hash: &[u8],
    role: Role,
    permissions: Option<&[String]>,
    created_by: Option<Uuid>,
    expires_at: Option<DateTime<Utc>>,
) -> DbResult<ApiKey> {
    Ok(sqlx::query_as!(
        ApiKey,
        r#"INSERT INTO staff.api_keys (id, name, prefix, key_hash, role, permissions, created_by, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           RETURNING id, name, prefix, role AS "role: Role", permissions, created_by, created_at, expires_at,
                     last_used_at, revoked_at"#,
        id,
        name,
        prefix,
        hash,
        role.as_str(),
        permissions,
        created_by,
        expires_at
    )
    .fetch_one(ex(c))
    .await?)
}

/// Revokes a key; `None` when there is no such key, the row otherwise.
pub async fn revoke(c: &mut PgConnection, id: Uuid) -> DbResult<Option<ApiKey>> {
    Ok(sqlx::query_as!(
        ApiKey,
        r#"UPDATE staff.api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1
           RETURNING id, name, prefix, role AS "role: Role", permissions, created_by, created_at, expires_at,
                     last_used_at, revoked_at"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Revokes the live keys `creator` made whose role is above `ceiling` (every one with
/// `None`), returning them: a creator demoted, disabled or deleted takes their keys along.
pub async fn revoke_by_creator(c: &mut PgConnection, creator: Uuid, ceiling: Option<Role>) -> DbResult<Vec<ApiKey>> {
    let keep: Vec<&str> =
        ceiling.map_or_else(Vec::new, |r| Role::ALL.iter().filter(|x| **x <= r).map(|x| x.as_str()).collect());
    let keep: Vec<String> = keep.into_iter().map(str::to_owned).collect();
    Ok(sqlx::query_as!(
        ApiKey,
        r#"UPDATE staff.api_keys SET revoked_at = now()
            WHERE created_by = $1 AND revoked_at IS NULL AND NOT (role = ANY($2::text[]))
           RETURNING id, name, prefix, role AS "role: Role", permissions, created_by, created_at, expires_at,
                     last_used_at, revoked_at"#,
        creator,
        &keep
    )
    .fetch_all(ex(c))
    .await?)
}

/// Newest first by `(created_at, id)`; `after` is that pair of the previous page's last row.
pub async fn page(c: &mut PgConnection, after: Option<(DateTime<Utc>, Uuid)>, limit: i64) -> DbResult<Vec<ApiKey>> {
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as!(
        ApiKey,
        r#"SELECT id, name, prefix, role AS "role: Role", permissions, created_by, created_at, expires_at,
                  last_used_at, revoked_at
             FROM staff.api_keys
            WHERE ($1::timestamptz IS NULL OR (created_at, id) < ($1, $2::uuid))
            ORDER BY created_at DESC, id DESC
            LIMIT $3"#,
        after_at,
        after_id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

pub async fn for_update(c: &mut PgConnection, id: Uuid) -> DbResult<Option<ApiKey>> {
    Ok(sqlx::query_as!(
        ApiKey,
        r#"SELECT id, name, prefix, role AS "role: Role", permissions, created_by, created_at, expires_at,
                  last_used_at, revoked_at
             FROM staff.api_keys WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}
