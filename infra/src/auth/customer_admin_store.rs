//! SQL behind the staff view of customer accounts (search, details, status changes).

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct CustomerRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: Option<String>,
    pub status: String,
    pub has_password: bool,
    pub email_code_enabled: bool,
    pub mfa_enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct LiveSession {
    pub id: Uuid,
    pub device: Option<String>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
}

/// Newest first. `q` matches an id exactly or e-mail / display name case-insensitively.
pub async fn search(
    pool: &PgPool,
    q: Option<&str>,
    status: Option<&str>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> Result<Vec<CustomerRow>, sqlx::Error> {
    let pattern = q.map(|q| format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
    let exact_id = q.and_then(|q| Uuid::parse_str(q.trim()).ok());
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    sqlx::query_as!(
        CustomerRow,
        r#"SELECT u.id, u.email, u.display_name, u.status, u.password_hash IS NOT NULL AS "has_password!",
                  u.email_code_enabled, u.created_at, u.updated_at,
                  EXISTS (SELECT 1 FROM auth.totp t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL) AS "mfa_enabled!"
             FROM auth.users u
            WHERE ($1::text IS NULL OR u.id = $2 OR u.email ILIKE $1 OR u.display_name ILIKE $1)
              AND ($3::text IS NULL OR u.status = $3)
              AND ($4::timestamptz IS NULL OR (u.created_at, u.id) < ($4, $5::uuid))
            ORDER BY u.created_at DESC, u.id DESC
            LIMIT $6"#,
        pattern,
        exact_id,
        status,
        after_at,
        after_id,
        limit
    )
    .fetch_all(pool)
    .await
}

pub async fn get<'e>(db: impl sqlx::PgExecutor<'e>, id: Uuid) -> Result<Option<CustomerRow>, sqlx::Error> {
    sqlx::query_as!(
        CustomerRow,
        r#"SELECT u.id, u.email, u.display_name, u.status, u.password_hash IS NOT NULL AS "has_password!",
                  u.email_code_enabled, u.created_at, u.updated_at,
                  EXISTS (SELECT 1 FROM auth.totp t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL) AS "mfa_enabled!"
             FROM auth.users u WHERE u.id = $1"#,
        id
    )
    .fetch_optional(db)
    .await
}

pub async fn lock(tx: &mut PgConnection, id: Uuid) -> Result<Option<CustomerRow>, sqlx::Error> {
    sqlx::query!("SELECT id FROM auth.users WHERE id = $1 FOR UPDATE", id).fetch_optional(&mut *tx).await?;
    get(&mut *tx, id).await
}

pub async fn live_sessions(pool: &PgPool, user_id: Uuid) -> Result<Vec<LiveSession>, sqlx::Error> {
    sqlx::query_as!(
        LiveSession,
        r#"SELECT id, device, ip, created_at, last_used_at FROM auth.sessions
            WHERE user_id = $1 AND revoked_at IS NULL AND refresh_expires_at > now()
            ORDER BY last_used_at DESC LIMIT 100"#,
        user_id
    )
    .fetch_all(pool)
    .await
}

/// Sets the status; a ban also kills every token issued so far.
pub async fn set_status(tx: &mut PgConnection, id: Uuid, status: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE auth.users SET status = $2, updated_at = now(),
                  tokens_valid_after = CASE WHEN $2 = 'banned' THEN now() ELSE tokens_valid_after END
            WHERE id = $1"#,
        id,
        status
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
