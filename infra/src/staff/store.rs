//! SQL of staff accounts, sessions and setup links.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct AdminRow {
    pub id: Uuid,
    pub email: Option<String>,
    pub name: String,
    pub avatar_url: Option<String>,
    pub role: String,
    pub status: String,
    pub password_hash: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub mfa_enabled: bool,
}

/// What a staff JWT is checked against on every request.
#[derive(Debug, Clone)]
pub struct StaffSessionState {
    pub admin_id: Uuid,
    pub role: String,
    pub status: String,
    pub tokens_valid_after: DateTime<Utc>,
    pub session_live: bool,
    pub mfa_enabled: bool,
}

pub async fn insert_admin(
    tx: &mut PgConnection,
    id: Uuid,
    email: Option<&str>,
    name: &str,
    avatar_url: Option<&str>,
    role: &str,
    password_hash: Option<&str>,
) -> Result<Option<AdminRow>, sqlx::Error> {
    sqlx::query_as!(
        AdminRow,
        r#"INSERT INTO staff.admins (id, email, name, avatar_url, role, password_hash)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (email) WHERE email IS NOT NULL DO NOTHING
           RETURNING id, email, name, avatar_url, role, status, password_hash, created_at, updated_at,
                     false AS "mfa_enabled!""#,
        id,
        email,
        name,
        avatar_url,
        role,
        password_hash
    )
    .fetch_optional(&mut *tx)
    .await
}

pub async fn admin_by_id<'e>(db: impl sqlx::PgExecutor<'e>, id: Uuid) -> Result<Option<AdminRow>, sqlx::Error> {
    sqlx::query_as!(
        AdminRow,
        r#"SELECT a.id, a.email, a.name, a.avatar_url, a.role, a.status, a.password_hash, a.created_at, a.updated_at,
                  EXISTS (SELECT 1 FROM staff.totp t WHERE t.admin_id = a.id AND t.enabled_at IS NOT NULL)
                      AS "mfa_enabled!"
             FROM staff.admins a WHERE a.id = $1"#,
        id
    )
    .fetch_optional(db)
    .await
}

/// The row, locked for an update in `tx`.
pub async fn admin_for_update(tx: &mut PgConnection, id: Uuid) -> Result<Option<AdminRow>, sqlx::Error> {
    sqlx::query_as!(
        AdminRow,
        r#"SELECT a.id, a.email, a.name, a.avatar_url, a.role, a.status, a.password_hash, a.created_at, a.updated_at,
                  EXISTS (SELECT 1 FROM staff.totp t WHERE t.admin_id = a.id AND t.enabled_at IS NOT NULL)
                      AS "mfa_enabled!"
             FROM staff.admins a WHERE a.id = $1 FOR UPDATE OF a"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await
}

pub async fn admin_by_email(pool: &PgPool, email: &str) -> Result<Option<AdminRow>, sqlx::Error> {
    sqlx::query_as!(
        AdminRow,
        r#"SELECT a.id, a.email, a.name, a.avatar_url, a.role, a.status, a.password_hash, a.created_at, a.updated_at,
                  EXISTS (SELECT 1 FROM staff.totp t WHERE t.admin_id = a.id AND t.enabled_at IS NOT NULL)
                      AS "mfa_enabled!"
             FROM staff.admins a WHERE a.email = $1"#,
        email
    )
    .fetch_optional(pool)
    .await
}

pub async fn list_admins(
    pool: &PgPool,
    role: Option<&str>,
    status: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<AdminRow>, sqlx::Error> {
    sqlx::query_as!(
        AdminRow,
        r#"SELECT a.id, a.email, a.name, a.avatar_url, a.role, a.status, a.password_hash, a.created_at, a.updated_at,
                  EXISTS (SELECT 1 FROM staff.totp t WHERE t.admin_id = a.id AND t.enabled_at IS NOT NULL)
                      AS "mfa_enabled!"
             FROM staff.admins a
            WHERE ($1::text IS NULL OR a.role = $1) AND ($2::text IS NULL OR a.status = $2)
            ORDER BY a.created_at, a.id
            LIMIT $3 OFFSET $4"#,
        role,
        status,
        limit,
        offset
    )
    .fetch_all(pool)
    .await
}

/// Serialises every change that could leave the system without an active SuperAdmin and
/// counts the active ones (the caller then decides).
pub async fn lock_and_count_super_admins(tx: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('staff.super_admins'))").execute(&mut *tx).await?;
    let n = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM staff.admins WHERE role = 'super_admin' AND status = 'active'"#
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(n)
}

pub async fn delete_admin(tx: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!("DELETE FROM staff.admins WHERE id = $1", id).execute(&mut *tx).await?;
    Ok(done.rows_affected() == 1)
}

/// Changes name, role or status; a role or status change (or `revoke`) also kills every token.
#[allow(clippy::too_many_arguments)]
pub async fn update_admin(
    tx: &mut PgConnection,
    id: Uuid,
    name: &str,
    avatar_url: Option<&str>,
    role: &str,
    status: &str,
    revoke_tokens: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE staff.admins
              SET name = $2, avatar_url = $3, role = $4, status = $5, updated_at = now(),
                  tokens_valid_after = CASE WHEN $6 THEN now() ELSE tokens_valid_after END
            WHERE id = $1"#,
        id,
        name,
        avatar_url,
        role,
        status,
        revoke_tokens
    )
    .execute(&mut *tx)
    .await?;
    if revoke_tokens {
        revoke_sessions(tx, id, None).await?;
    }
    Ok(())
}

pub async fn set_password(tx: &mut PgConnection, id: Uuid, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(r#"UPDATE staff.admins SET password_hash = $2, updated_at = now() WHERE id = $1"#, id, hash)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

pub async fn insert_setup_token(
    tx: &mut PgConnection,
    hash: &[u8],
    admin_id: Uuid,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO staff.one_time_tokens (token_hash, admin_id, purpose, expires_at) VALUES ($1, $2, 'setup', $3)"#,
        hash,
        admin_id,
        expires_at
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Redeems a setup link once: the row is deleted whatever its expiry, which is returned.
pub async fn take_setup_token(
    tx: &mut PgConnection,
    hash: &[u8],
) -> Result<Option<(Uuid, DateTime<Utc>)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"DELETE FROM staff.one_time_tokens WHERE token_hash = $1 AND purpose = 'setup' RETURNING admin_id, expires_at"#,
        hash
    )
    .fetch_optional(&mut *tx)
    .await?;
    Ok(row.map(|r| (r.admin_id, r.expires_at)))
}

pub async fn create_session(
    tx: &mut PgConnection,
    id: Uuid,
    admin_id: Uuid,
    device: Option<&str>,
    ip: Option<&str>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO staff.sessions (id, admin_id, device, ip, expires_at) VALUES ($1, $2, $3, $4, $5)"#,
        id,
        admin_id,
        device,
        ip,
        expires_at
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn session_state(
    pool: &PgPool,
    admin_id: Uuid,
    session_id: Uuid,
) -> Result<Option<StaffSessionState>, sqlx::Error> {
    sqlx::query_as!(
        StaffSessionState,
        r#"SELECT a.id AS admin_id, a.role, a.status, a.tokens_valid_after,
                  (s.revoked_at IS NULL AND s.expires_at > now()) AS "session_live!",
                  EXISTS (SELECT 1 FROM staff.totp t WHERE t.admin_id = a.id AND t.enabled_at IS NOT NULL)
                      AS "mfa_enabled!"
             FROM staff.sessions s JOIN staff.admins a ON a.id = s.admin_id
            WHERE s.id = $2 AND a.id = $1"#,
        admin_id,
        session_id
    )
    .fetch_optional(pool)
    .await
}

/// Revokes the admin's sessions except `keep`.
pub async fn revoke_sessions(tx: &mut PgConnection, admin_id: Uuid, keep: Option<Uuid>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE staff.sessions SET revoked_at = now()
            WHERE admin_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2)"#,
        admin_id,
        keep
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn revoke_session(pool: &PgPool, session_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(r#"UPDATE staff.sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL"#, session_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Newest first by `(created_at, id)`; `after` is that pair of the previous page's last row.
pub async fn list_admins_page(
    pool: &PgPool,
    role: Option<&str>,
    status: Option<&str>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<AdminRow>, sqlx::Error> {
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    sqlx::query_as!(
        AdminRow,
        r#"SELECT a.id, a.email, a.name, a.avatar_url, a.role, a.status, a.password_hash, a.created_at, a.updated_at,
                  EXISTS (SELECT 1 FROM staff.totp t WHERE t.admin_id = a.id AND t.enabled_at IS NOT NULL)
                      AS "mfa_enabled!"
             FROM staff.admins a
            WHERE ($1::text IS NULL OR a.role = $1) AND ($2::text IS NULL OR a.status = $2)
              AND ($3::timestamptz IS NULL OR (a.created_at, a.id) < ($3, $4::uuid))
            ORDER BY a.created_at DESC, a.id DESC
            LIMIT $5"#,
        role,
        status,
        after_at,
        after_id,
        limit
    )
    .fetch_all(pool)
    .await
}
