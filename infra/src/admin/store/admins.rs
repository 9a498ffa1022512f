//! Staff accounts and their setup links.

use chrono::{DateTime, Utc};
use helium_domain::admin::{Admin, AdminStatus, Role};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

/// What password sign-in needs of a staff account.
#[derive(Debug, Clone)]
pub struct StaffCredential {
    pub id: Uuid,
    pub password_hash: Option<String>,
    pub status: AdminStatus,
    pub mfa_enabled: bool,
}

pub async fn insert(
    c: &mut PgConnection,
    id: Uuid,
    email: Option<&str>,
    name: &str,
    avatar_url: Option<&str>,
    role: Role,
    password_hash: Option<&str>,
) -> DbResult<Option<Admin>> {
    Ok(sqlx::query_as!(
        Admin,
        r#"INSERT INTO staff.admins (id, email, name, avatar_url, role, password_hash)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (email) WHERE email IS NOT NULL DO NOTHING
           RETURNING id, email, name, avatar_url, role AS "role: Role", status AS "status: AdminStatus",
                     created_at, updated_at, false AS "mfa_enabled!", password_hash IS NOT NULL AS "password_set!""#,
        id,
        email,
        name,
        avatar_url,
        role.as_str(),
        password_hash
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn by_id(c: &mut PgConnection, id: Uuid) -> DbResult<Option<Admin>> {
    Ok(sqlx::query_as!(
        Admin,
        r#"SELECT a.id, a.email, a.name, a.avatar_url, a.role AS "role: Role", a.status AS "status: AdminStatus",
                  a.created_at, a.updated_at,
                  EXISTS (SELECT 1 FROM staff.totp t WHERE t.admin_id = a.id AND t.enabled_at IS NOT NULL) AS "mfa_enabled!",
                  a.password_hash IS NOT NULL AS "password_set!"
             FROM staff.admins a WHERE a.id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

/// The row, locked for an update in the caller's transaction.
pub async fn for_update(c: &mut PgConnection, id: Uuid) -> DbResult<Option<Admin>> {
    Ok(sqlx::query_as!(
        Admin,
        r#"SELECT a.id, a.email, a.name, a.avatar_url, a.role AS "role: Role", a.status AS "status: AdminStatus",
                  a.created_at, a.updated_at,
                  EXISTS (SELECT 1 FROM staff.totp t WHERE t.admin_id = a.id AND t.enabled_at IS NOT NULL) AS "mfa_enabled!",
                  a.password_hash IS NOT NULL AS "password_set!"
             FROM staff.admins a WHERE a.id = $1 FOR UPDATE OF a"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn credential_by_email(c: &mut PgConnection, email: &str) -> DbResult<Option<StaffCredential>> {
    Ok(sqlx::query_as!(
        StaffCredential,
        r#"SELECT a.id, a.password_hash, a.status AS "status: AdminStatus",
                  EXISTS (SELECT 1 FROM staff.totp t WHERE t.admin_id = a.id AND t.enabled_at IS NOT NULL) AS "mfa_enabled!"
             FROM staff.admins a WHERE a.email = $1"#,
        email
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn credential_by_id(c: &mut PgConnection, id: Uuid) -> DbResult<Option<StaffCredential>> {
    Ok(sqlx::query_as!(
        StaffCredential,
        r#"SELECT a.id, a.password_hash, a.status AS "status: AdminStatus",
                  EXISTS (SELECT 1 FROM staff.totp t WHERE t.admin_id = a.id AND t.enabled_at IS NOT NULL) AS "mfa_enabled!"
             FROM staff.admins a WHERE a.id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Offset listing for the CLI.
pub async fn list(c: &mut PgConnection, limit: i64, offset: i64) -> DbResult<Vec<Admin>> {
    Ok(sqlx::query_as!(
        Admin,
        r#"SELECT a.id, a.email, a.name, a.avatar_url, a.role AS "role: Role", a.status AS "status: AdminStatus",
                  a.created_at, a.updated_at,
                  EXISTS (SELECT 1 FROM staff.totp t WHERE t.admin_id = a.id AND t.enabled_at IS NOT NULL) AS "mfa_enabled!",
                  a.password_hash IS NOT NULL AS "password_set!"
             FROM staff.admins a
            ORDER BY a.created_at, a.id
            LIMIT $1 OFFSET $2"#,
        limit,
        offset
    )
    .fetch_all(ex(c))
    .await?)
}

/// Newest first by `(created_at, id)`; `after` is that pair of the previous page's last row.
pub async fn page(
    c: &mut PgConnection,
    role: Option<Role>,
    status: Option<AdminStatus>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<Admin>> {
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as!(
        Admin,
        r#"SELECT a.id, a.email, a.name, a.avatar_url, a.role AS "role: Role", a.status AS "status: AdminStatus",
                  a.created_at, a.updated_at,
                  EXISTS (SELECT 1 FROM staff.totp t WHERE t.admin_id = a.id AND t.enabled_at IS NOT NULL) AS "mfa_enabled!",
                  a.password_hash IS NOT NULL AS "password_set!"
             FROM staff.admins a
            WHERE ($1::text IS NULL OR a.role = $1) AND ($2::text IS NULL OR a.status = $2)
              AND ($3::timestamptz IS NULL OR (a.created_at, a.id) < ($3, $4::uuid))
            ORDER BY a.created_at DESC, a.id DESC
            LIMIT $5"#,
        role.map(Role::as_str),
        status.map(AdminStatus::as_str),
        after_at,
        after_id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

/// Serialises every change that could leave the system without an active SuperAdmin and
/// counts the active ones (the caller then decides).
pub async fn lock_and_count_super_admins(c: &mut PgConnection) -> DbResult<i64> {
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('staff.super_admins'))").execute(ex(c)).await?;
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM staff.admins WHERE role = 'super_admin' AND status = 'active'"#
    )
    .fetch_one(ex(c))
    .await?)
}

pub async fn delete(c: &mut PgConnection, id: Uuid) -> DbResult<bool> {
    Ok(sqlx::query!("DELETE FROM staff.admins WHERE id = $1", id).execute(ex(c)).await?.rows_affected() == 1)
}

/// Changes name, avatar, role or status; `revoke_tokens` also kills every token issued so far.
pub async fn update(
    c: &mut PgConnection,
    id: Uuid,
    name: &str,
    avatar_url: Option<&str>,
    role: Role,
    status: AdminStatus,
    revoke_tokens: bool,
) -> DbResult<()> {
    sqlx::query!(
        r#"UPDATE staff.admins
              SET name = $2, avatar_url = $3, role = $4, status = $5, updated_at = now(),
                  tokens_valid_after = CASE WHEN $6 THEN now() ELSE tokens_valid_after END
            WHERE id = $1"#,
        id,
        name,
        avatar_url,
        role.as_str(),
        status.as_str(),
        revoke_tokens
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

pub async fn set_password(c: &mut PgConnection, id: Uuid, hash: &str) -> DbResult<()> {
    sqlx::query!(r#"UPDATE staff.admins SET password_hash = $2, updated_at = now() WHERE id = $1"#, id, hash)
        .execute(ex(c))
        .await?;
    Ok(())
}

pub async fn tokens_valid_after(c: &mut PgConnection, id: Uuid) -> DbResult<Option<DateTime<Utc>>> {
    Ok(sqlx::query_scalar!(r#"SELECT tokens_valid_after FROM staff.admins WHERE id = $1"#, id)
        .fetch_optional(ex(c))
        .await?)
}

pub async fn email_taken(c: &mut PgConnection, email: &str) -> DbResult<bool> {
    Ok(sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM staff.admins WHERE email = $1) AS "e!""#, email)
        .fetch_one(ex(c))
        .await?)
}

pub async fn insert_setup_token(
    c: &mut PgConnection,
    hash: &[u8],
    admin_id: Uuid,
    expires_at: DateTime<Utc>,
) -> DbResult<()> {
    sqlx::query!(
        r#"INSERT INTO staff.one_time_tokens (token_hash, admin_id, purpose, expires_at) VALUES ($1, $2, 'setup', $3)"#,
        hash,
        admin_id,
        expires_at
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

/// Redeems a setup link once: the row is deleted whatever its expiry, which is returned.
pub async fn take_setup_token(c: &mut PgConnection, hash: &[u8]) -> DbResult<Option<(Uuid, DateTime<Utc>)>> {
    let row = sqlx::query!(
        r#"DELETE FROM staff.one_time_tokens WHERE token_hash = $1 AND purpose = 'setup' RETURNING admin_id, expires_at"#,
        hash
    )
    .fetch_optional(ex(c))
    .await?;
    Ok(row.map(|r| (r.admin_id, r.expires_at)))
}
