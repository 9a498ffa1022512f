//! Sessions and their rotating refresh tokens.

use chrono::{DateTime, Utc};
use helium_domain::auth::{CustomerStatus, Session};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: Uuid,
    pub user_id: Uuid,
    pub device: Option<String>,
    pub ip: Option<String>,
    pub refresh_hash: Vec<u8>,
    pub refresh_expires_at: DateTime<Utc>,
}

/// What a request's access token is checked against (cached in Redis by session id).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SessionState {
    pub user_id: Uuid,
    pub session_live: bool,
    pub user_status: CustomerStatus,
    pub tokens_valid_after: DateTime<Utc>,
}

pub enum Rotation {
    Rotated {
        user_id: Uuid,
        session_id: Uuid,
        refresh_expires_at: DateTime<Utc>,
        user_status: CustomerStatus,
    },
    Unknown,
    /// Presented after it was already rotated: the whole session was revoked.
    Reused {
        session_id: Uuid,
    },
}

pub async fn create(c: &mut PgConnection, s: &NewSession) -> DbResult<()> {
    sqlx::query!(
        r#"INSERT INTO auth.sessions (id, user_id, device, ip, refresh_expires_at) VALUES ($1, $2, $3, $4, $5)"#,
        s.id,
        s.user_id,
        s.device,
        s.ip,
        s.refresh_expires_at
    )
    .execute(ex(c))
    .await?;
    sqlx::query!(r#"INSERT INTO auth.refresh_tokens (token_hash, session_id) VALUES ($1, $2)"#, s.refresh_hash, s.id)
        .execute(ex(c))
        .await?;
    Ok(())
}

/// Rotates a refresh token (call inside a transaction). A token presented after its
/// rotation revokes the session (the family) at once.
pub async fn rotate_refresh(c: &mut PgConnection, old_hash: &[u8], new_hash: &[u8]) -> DbResult<Rotation> {
    let row = sqlx::query!(
        r#"SELECT t.session_id, t.used_at, s.user_id, s.revoked_at, s.refresh_expires_at,
                  u.status AS "status: CustomerStatus"
           FROM auth.refresh_tokens t
           JOIN auth.sessions s ON s.id = t.session_id
           JOIN auth.users u ON u.id = s.user_id
           WHERE t.token_hash = $1
           FOR UPDATE OF t, s"#,
        old_hash
    )
    .fetch_optional(ex(c))
    .await?;
    let Some(r) = row else { return Ok(Rotation::Unknown) };
    if r.used_at.is_some() {
        sqlx::query!(
            r#"UPDATE auth.sessions SET revoked_at = COALESCE(revoked_at, now()), revoke_reason = COALESCE(revoke_reason, 'refresh_token_reused')
               WHERE id = $1"#,
            r.session_id
        )
        .execute(ex(c))
        .await?;
        return Ok(Rotation::Reused { session_id: r.session_id });
    }
    if r.revoked_at.is_some() || r.refresh_expires_at <= Utc::now() {
        return Ok(Rotation::Unknown);
    }
    sqlx::query!(
        r#"UPDATE auth.refresh_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL"#,
        old_hash
    )
    .execute(ex(c))
    .await?;
    sqlx::query!(r#"INSERT INTO auth.refresh_tokens (token_hash, session_id) VALUES ($1, $2)"#, new_hash, r.session_id)
        .execute(ex(c))
        .await?;
    sqlx::query!(r#"UPDATE auth.sessions SET last_used_at = now() WHERE id = $1"#, r.session_id).execute(ex(c)).await?;
    Ok(Rotation::Rotated {
        user_id: r.user_id,
        session_id: r.session_id,
        refresh_expires_at: r.refresh_expires_at,
        user_status: r.status,
    })
}

pub async fn state(c: &mut PgConnection, session_id: Uuid) -> DbResult<Option<SessionState>> {
    let row = sqlx::query!(
        r#"SELECT s.user_id, (s.revoked_at IS NULL AND s.refresh_expires_at > now()) AS "live!",
                  u.status AS "status: CustomerStatus", u.tokens_valid_after
           FROM auth.sessions s JOIN auth.users u ON u.id = s.user_id WHERE s.id = $1"#,
        session_id
    )
    .fetch_optional(ex(c))
    .await?;
    Ok(row.map(|r| SessionState {
        user_id: r.user_id,
        session_live: r.live,
        user_status: r.status,
        tokens_valid_after: r.tokens_valid_after,
    }))
}

/// Live sessions of the account, most recently used first.
pub async fn live(c: &mut PgConnection, user_id: Uuid) -> DbResult<Vec<Session>> {
    Ok(sqlx::query_as!(
        Session,
        r#"SELECT id, device, ip, created_at, last_used_at FROM auth.sessions
           WHERE user_id = $1 AND revoked_at IS NULL AND refresh_expires_at > now()
           ORDER BY last_used_at DESC, id DESC LIMIT 100"#,
        user_id
    )
    .fetch_all(ex(c))
    .await?)
}

/// Ids of every live session of the account (to drop their cached checks).
pub async fn live_ids(c: &mut PgConnection, user_id: Uuid) -> DbResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT id FROM auth.sessions WHERE user_id = $1 AND revoked_at IS NULL AND refresh_expires_at > now()"#,
        user_id
    )
    .fetch_all(ex(c))
    .await?)
}

/// Revokes one of the user's sessions; false when it is not theirs or already gone.
pub async fn revoke(c: &mut PgConnection, user_id: Uuid, session_id: Uuid, reason: &str) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"UPDATE auth.sessions SET revoked_at = now(), revoke_reason = $3
           WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL"#,
        session_id,
        user_id,
        reason
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes every session of the user (optionally keeping one) and returns their ids.
pub async fn revoke_all(c: &mut PgConnection, user_id: Uuid, keep: Option<Uuid>, reason: &str) -> DbResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar!(
        r#"UPDATE auth.sessions SET revoked_at = now(), revoke_reason = $3
           WHERE user_id = $1 AND revoked_at IS NULL AND ($2::UUID IS NULL OR id <> $2)
           RETURNING id"#,
        user_id,
        keep,
        reason
    )
    .fetch_all(ex(c))
    .await?)
}
