//! Staff sessions and their rotating refresh tokens.

use chrono::{DateTime, Utc};
use helium_domain::admin::{AdminStatus, Role};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

/// What a staff JWT is checked against on every request.
#[derive(Debug, Clone)]
pub struct StaffSessionState {
    pub admin_id: Uuid,
    pub role: Role,
    pub status: AdminStatus,
    pub tokens_valid_after: DateTime<Utc>,
    pub session_live: bool,
    pub mfa_enabled: bool,
}

pub enum Rotation {
    Rotated {
        admin_id: Uuid,
        session_id: Uuid,
    },
    Unknown,
    /// Presented after it was already rotated: the session was revoked.
    Reused,
}

pub async fn create(
    c: &mut PgConnection,
    id: Uuid,
    admin_id: Uuid,
    device: Option<&str>,
    ip: Option<&str>,
    expires_at: DateTime<Utc>,
    refresh_hash: &[u8],
) -> DbResult<()> {
    sqlx::query!(
        r#"INSERT INTO staff.sessions (id, admin_id, device, ip, expires_at) VALUES ($1, $2, $3, $4, $5)"#,
        id,
        admin_id,
        device,
        ip,
        expires_at
    )
    .execute(ex(c))
    .await?;
    sqlx::query!(r#"INSERT INTO staff.refresh_tokens (token_hash, session_id) VALUES ($1, $2)"#, refresh_hash, id)
        .execute(ex(c))
        .await?;
    Ok(())
}

/// Rotates a staff refresh token (inside a transaction); reuse revokes the session.
pub async fn rotate_refresh(c: &mut PgConnection, old_hash: &[u8], new_hash: &[u8]) -> DbResult<Rotation> {
    let row = sqlx::query!(
        r#"SELECT t.session_id, t.used_at, s.admin_id, s.revoked_at, s.expires_at
             FROM staff.refresh_tokens t JOIN staff.sessions s ON s.id = t.session_id
            WHERE t.token_hash = $1
            FOR UPDATE OF t, s"#,
        old_hash
    )
    .fetch_optional(ex(c))
    .await?;
    let Some(r) = row else { return Ok(Rotation::Unknown) };
    if r.used_at.is_some() {
        sqlx::query!(
            r#"UPDATE staff.sessions SET revoked_at = COALESCE(revoked_at, now()) WHERE id = $1"#,
            r.session_id
        )
        .execute(ex(c))
        .await?;
        return Ok(Rotation::Reused);
    }
    if r.revoked_at.is_some() || r.expires_at <= Utc::now() {
        return Ok(Rotation::Unknown);
    }
    sqlx::query!(r#"UPDATE staff.refresh_tokens SET used_at = now() WHERE token_hash = $1"#, old_hash)
        .execute(ex(c))
        .await?;
    sqlx::query!(
        r#"INSERT INTO staff.refresh_tokens (token_hash, session_id) VALUES ($1, $2)"#,
        new_hash,
        r.session_id
    )
    .execute(ex(c))
    .await?;
    Ok(Rotation::Rotated { admin_id: r.admin_id, session_id: r.session_id })
}

pub async fn state(c: &mut PgConnection, admin_id: Uuid, session_id: Uuid) -> DbResult<Option<StaffSessionState>> {
    Ok(sqlx::query_as!(
        StaffSessionState,
        r#"SELECT a.id AS admin_id, a.role AS "role: Role", a.status AS "status: AdminStatus", a.tokens_valid_after,
                  (s.revoked_at IS NULL AND s.expires_at > now()) AS "session_live!",
                  EXISTS (SELECT 1 FROM staff.totp t WHERE t.admin_id = a.id AND t.enabled_at IS NOT NULL)
                      AS "mfa_enabled!"
             FROM staff.sessions s JOIN staff.admins a ON a.id = s.admin_id
            WHERE s.id = $2 AND a.id = $1"#,
        admin_id,
        session_id
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Revokes the admin's sessions except `keep`.
pub async fn revoke_all(c: &mut PgConnection, admin_id: Uuid, keep: Option<Uuid>) -> DbResult<()> {
    sqlx::query!(
        r#"UPDATE staff.sessions SET revoked_at = now()
            WHERE admin_id = $1 AND revoked_at IS NULL AND ($2::uuid IS NULL OR id <> $2)"#,
        admin_id,
        keep
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

pub async fn revoke(c: &mut PgConnection, session_id: Uuid) -> DbResult<()> {
    sqlx::query!(r#"UPDATE staff.sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL"#, session_id)
        .execute(ex(c))
        .await?;
    Ok(())
}
