//! SQL of customer identity. Each use case that changes several rows is one method running
//! one transaction; single-use tokens are redeemed with one `DELETE … RETURNING`.

use chrono::{DateTime, Utc};
use helium_domain::events::Event;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::events::outbox;

#[derive(Debug, Clone)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub password_hash: Option<String>,
    pub display_name: Option<String>,
    pub locale: Option<String>,
    pub timezone: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    /// TOTP is on (read with the row, so a profile is one query).
    pub mfa_enabled: bool,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: Uuid,
    pub user_id: Uuid,
    pub device: Option<String>,
    pub ip: Option<String>,
    pub refresh_hash: Vec<u8>,
    pub refresh_expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: Uuid,
    pub device: Option<String>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
}

/// What a request's access token is checked against.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct SessionState {
    pub user_id: Uuid,
    pub session_live: bool,
    pub user_status: String,
    pub tokens_valid_after: DateTime<Utc>,
}

pub enum Redeemed {
    Ok { email: String, data: serde_json::Value },
    Expired,
    Unknown,
}

pub enum Rotation {
    Rotated {
        user_id: Uuid,
        session_id: Uuid,
        refresh_expires_at: DateTime<Utc>,
        user_status: String,
    },
    Unknown,
    /// Presented after it was already rotated: the whole session was revoked.
    Reused {
        session_id: Uuid,
    },
}

/// Seconds to wait before another link/code may be sent to `email` for `purpose`, if any.
pub async fn resend_wait(
    tx: &mut PgConnection,
    email: &str,
    purpose: &str,
    interval_secs: i64,
) -> Result<Option<i64>, sqlx::Error> {
    let last = sqlx::query_scalar!(
        r#"SELECT max(created_at) FROM auth.one_time_tokens WHERE email = $1 AND purpose = $2"#,
        email,
        purpose
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(last.and_then(|at| {
        let left = interval_secs - (Utc::now() - at).num_seconds();
        (left > 0).then_some(left)
    }))
}

/// Serialises link/code requests per (purpose, address) within the transaction.
pub async fn lock_address(tx: &mut PgConnection, purpose: &str, email: &str) -> Result<(), sqlx::Error> {
    let key = format!("ott\u{1f}{purpose}\u{1f}{email}");
    sqlx::query_scalar!(r#"SELECT pg_advisory_xact_lock(hashtextextended($1, 0)) AS "locked!""#, key)
        .fetch_one(&mut *tx)
        .await?;
    Ok(())
}

pub async fn user_exists(tx: &mut PgConnection, email: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT EXISTS (SELECT 1 FROM auth.users WHERE email = $1) AS "e!""#, email)
        .fetch_one(&mut *tx)
        .await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_one_time_token(
    tx: &mut PgConnection,
    hash: &[u8],
    kind: &str,
    purpose: &str,
    email: &str,
    subject_id: Option<Uuid>,
    expires_at: DateTime<Utc>,
    data: &serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO auth.one_time_tokens (token_hash, kind, purpose, email, subject_id, expires_at, data)
           VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
        hash,
        kind,
        purpose,
        email,
        subject_id,
        expires_at,
        data
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Reads a link without consuming it (to check the password against the address first):
/// its address and whether it has expired.
pub async fn peek_link(pool: &PgPool, hash: &[u8], purpose: &str) -> Result<Option<(String, bool)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT email, expires_at <= now() AS "expired!" FROM auth.one_time_tokens
           WHERE token_hash = $1 AND purpose = $2 AND kind = 'magic_link'"#,
        hash,
        purpose
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| (r.email, r.expired)))
}

/// Every outstanding link of `purpose` for the address dies (after a reset or a change).
pub async fn delete_links(tx: &mut PgConnection, email: &str, purpose: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(r#"DELETE FROM auth.one_time_tokens WHERE email = $1 AND purpose = $2"#, email, purpose)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Kills a code but keeps its row until purge, so the resend interval still counts it.
pub async fn expire_one_time_token(tx: &mut PgConnection, hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"UPDATE auth.one_time_tokens SET expires_at = LEAST(expires_at, now() - interval '1 microsecond')
           WHERE token_hash = $1"#,
        hash
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Consumes a link: exactly one concurrent caller gets `Ok`.
pub async fn redeem_link(tx: &mut PgConnection, hash: &[u8], purpose: &str) -> Result<Redeemed, sqlx::Error> {
    let row = sqlx::query!(
        r#"DELETE FROM auth.one_time_tokens WHERE token_hash = $1 AND purpose = $2 AND kind = 'magic_link'
           RETURNING email, expires_at, data"#,
        hash,
        purpose
    )
    .fetch_optional(&mut *tx)
    .await?;
    Ok(match row {
        None => Redeemed::Unknown,
        Some(r) if r.expires_at <= Utc::now() => Redeemed::Expired,
        Some(r) => Redeemed::Ok { email: r.email, data: r.data },
    })
}

/// Creates the account; None when the address is taken.
pub async fn insert_user(
    tx: &mut PgConnection,
    id: Uuid,
    email: &str,
    password_hash: Option<&str>,
    referral_code: Option<&str>,
) -> Result<Option<UserRow>, sqlx::Error> {
    let row = sqlx::query_as!(
        UserRow,
        r#"INSERT INTO auth.users (id, email, password_hash, referral_code) VALUES ($1, $2, $3, $4)
           ON CONFLICT (email) DO NOTHING
           RETURNING id, email, password_hash, display_name, locale, timezone, status, created_at,
                     false AS "mfa_enabled!""#,
        id,
        email,
        password_hash,
        referral_code
    )
    .fetch_optional(&mut *tx)
    .await?;
    Ok(row)
}

pub async fn user_by_email(pool: &PgPool, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as!(
        UserRow,
        r#"SELECT id, email, password_hash, display_name, locale, timezone, status, created_at,
                  EXISTS (SELECT 1 FROM auth.totp t WHERE t.user_id = auth.users.id AND t.enabled_at IS NOT NULL) AS "mfa_enabled!"
           FROM auth.users WHERE email = $1"#,
        email
    )
    .fetch_optional(pool)
    .await
}

pub async fn user_by_id(pool: &PgPool, id: Uuid) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as!(
        UserRow,
        r#"SELECT id, email, password_hash, display_name, locale, timezone, status, created_at,
                  EXISTS (SELECT 1 FROM auth.totp t WHERE t.user_id = auth.users.id AND t.enabled_at IS NOT NULL) AS "mfa_enabled!"
           FROM auth.users WHERE id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await
}

pub async fn update_password_hash(pool: &PgPool, user_id: Uuid, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(r#"UPDATE auth.users SET password_hash = $2, updated_at = now() WHERE id = $1"#, user_id, hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// PATCH semantics: `Some(None)` clears a field, `None` keeps it.
pub async fn update_profile(
    pool: &PgPool,
    user_id: Uuid,
    display_name: Option<Option<String>>,
    locale: Option<Option<String>>,
    timezone: Option<Option<String>>,
) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as!(
        UserRow,
        r#"UPDATE auth.users SET
             display_name = CASE WHEN $2 THEN $3 ELSE display_name END,
             locale = CASE WHEN $4 THEN $5 ELSE locale END,
             timezone = CASE WHEN $6 THEN $7 ELSE timezone END,
             updated_at = now()
           WHERE id = $1
           RETURNING id, email, password_hash, display_name, locale, timezone, status, created_at,
                     EXISTS (SELECT 1 FROM auth.totp t WHERE t.user_id = auth.users.id AND t.enabled_at IS NOT NULL) AS "mfa_enabled!""#,
        user_id,
        display_name.is_some(),
        display_name.flatten(),
        locale.is_some(),
        locale.flatten(),
        timezone.is_some(),
        timezone.flatten()
    )
    .fetch_optional(pool)
    .await
}

pub async fn create_session(tx: &mut PgConnection, s: &NewSession) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO auth.sessions (id, user_id, device, ip, refresh_expires_at) VALUES ($1, $2, $3, $4, $5)"#,
        s.id,
        s.user_id,
        s.device,
        s.ip,
        s.refresh_expires_at
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(r#"INSERT INTO auth.refresh_tokens (token_hash, session_id) VALUES ($1, $2)"#, s.refresh_hash, s.id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Rotates a refresh token in one transaction. A token presented after its rotation revokes
/// the session (the family) at once.
pub async fn rotate_refresh(pool: &PgPool, old_hash: &[u8], new_hash: &[u8]) -> Result<Rotation, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        r#"SELECT t.session_id, t.used_at, s.user_id, s.revoked_at, s.refresh_expires_at, u.status
           FROM auth.refresh_tokens t
           JOIN auth.sessions s ON s.id = t.session_id
           JOIN auth.users u ON u.id = s.user_id
           WHERE t.token_hash = $1
           FOR UPDATE OF t, s"#,
        old_hash
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(r) = row else { return Ok(Rotation::Unknown) };
    if r.used_at.is_some() {
        sqlx::query!(
            r#"UPDATE auth.sessions SET revoked_at = COALESCE(revoked_at, now()), revoke_reason = COALESCE(revoke_reason, 'refresh_token_reused')
               WHERE id = $1"#,
            r.session_id
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Ok(Rotation::Reused { session_id: r.session_id });
    }
    if r.revoked_at.is_some() || r.refresh_expires_at <= Utc::now() {
        return Ok(Rotation::Unknown);
    }
    sqlx::query!(
        r#"UPDATE auth.refresh_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL"#,
        old_hash
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(r#"INSERT INTO auth.refresh_tokens (token_hash, session_id) VALUES ($1, $2)"#, new_hash, r.session_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query!(r#"UPDATE auth.sessions SET last_used_at = now() WHERE id = $1"#, r.session_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Rotation::Rotated {
        user_id: r.user_id,
        session_id: r.session_id,
        refresh_expires_at: r.refresh_expires_at,
        user_status: r.status,
    })
}

pub async fn session_state(pool: &PgPool, session_id: Uuid) -> Result<Option<SessionState>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT s.user_id, (s.revoked_at IS NULL AND s.refresh_expires_at > now()) AS "live!", u.status, u.tokens_valid_after
           FROM auth.sessions s JOIN auth.users u ON u.id = s.user_id WHERE s.id = $1"#,
        session_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| SessionState {
        user_id: r.user_id,
        session_live: r.live,
        user_status: r.status,
        tokens_valid_after: r.tokens_valid_after,
    }))
}

pub async fn list_sessions(pool: &PgPool, user_id: Uuid) -> Result<Vec<SessionRow>, sqlx::Error> {
    sqlx::query_as!(
        SessionRow,
        r#"SELECT id, device, ip, created_at, last_used_at FROM auth.sessions
           WHERE user_id = $1 AND revoked_at IS NULL AND refresh_expires_at > now()
           ORDER BY created_at DESC, id DESC LIMIT 100"#,
        user_id
    )
    .fetch_all(pool)
    .await
}

/// Revokes one of the user's sessions; false when it is not theirs or already gone.
pub async fn revoke_session(pool: &PgPool, user_id: Uuid, session_id: Uuid, reason: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"UPDATE auth.sessions SET revoked_at = now(), revoke_reason = $3
           WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL"#,
        session_id,
        user_id,
        reason
    )
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Revokes every session of the user (optionally keeping one) and returns their ids.
pub async fn revoke_all_sessions(
    tx: &mut PgConnection,
    user_id: Uuid,
    keep: Option<Uuid>,
    reason: &str,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"UPDATE auth.sessions SET revoked_at = now(), revoke_reason = $3
           WHERE user_id = $1 AND revoked_at IS NULL AND ($2::UUID IS NULL OR id <> $2)
           RETURNING id"#,
        user_id,
        keep,
        reason
    )
    .fetch_all(&mut *tx)
    .await
}

/// Access tokens issued before now stop working (iat check).
pub async fn bump_tokens_valid_after(tx: &mut PgConnection, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(r#"UPDATE auth.users SET tokens_valid_after = now(), updated_at = now() WHERE id = $1"#, user_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

pub async fn emit(tx: &mut PgConnection, event: &Event) -> Result<(), sqlx::Error> {
    outbox::append(tx, event).await
}

/// The live code for (address, purpose), locked for the verification transaction.
pub struct OtpRow {
    pub token_hash: Vec<u8>,
    pub attempts: i32,
    pub expires_at: DateTime<Utc>,
    pub subject_id: Option<Uuid>,
}

pub async fn latest_otp_for_update(
    tx: &mut PgConnection,
    email: &str,
    purpose: &str,
) -> Result<Option<OtpRow>, sqlx::Error> {
    sqlx::query_as!(
        OtpRow,
        r#"SELECT token_hash, attempts, expires_at, subject_id FROM auth.one_time_tokens
           WHERE email = $1 AND purpose = $2 AND kind = 'otp'
           ORDER BY created_at DESC LIMIT 1 FOR UPDATE"#,
        email,
        purpose
    )
    .fetch_optional(&mut *tx)
    .await
}

pub async fn bump_otp_attempts(tx: &mut PgConnection, hash: &[u8]) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        r#"UPDATE auth.one_time_tokens SET attempts = attempts + 1 WHERE token_hash = $1 RETURNING attempts"#,
        hash
    )
    .fetch_one(&mut *tx)
    .await
}

/// Older codes die when a new one is sent: one live code per address and purpose.
pub async fn delete_otps(tx: &mut PgConnection, email: &str, purpose: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"DELETE FROM auth.one_time_tokens WHERE email = $1 AND purpose = $2 AND kind = 'otp'"#,
        email,
        purpose
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

pub async fn set_password_hash(tx: &mut PgConnection, user_id: Uuid, hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(r#"UPDATE auth.users SET password_hash = $2, updated_at = now() WHERE id = $1"#, user_id, hash)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The account of an address and its status (active or banned).
pub async fn user_id_and_status(tx: &mut PgConnection, email: &str) -> Result<Option<(Uuid, String)>, sqlx::Error> {
    let row =
        sqlx::query!(r#"SELECT id, status FROM auth.users WHERE email = $1"#, email).fetch_optional(&mut *tx).await?;
    Ok(row.map(|r| (r.id, r.status)))
}

pub async fn set_display_name(tx: &mut PgConnection, user_id: Uuid, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(r#"UPDATE auth.users SET display_name = $2, updated_at = now() WHERE id = $1"#, user_id, name)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Serialises changes to one account's sign-in methods.
pub async fn lock_user(tx: &mut PgConnection, user_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(r#"SELECT id FROM auth.users WHERE id = $1 FOR UPDATE"#, user_id).fetch_optional(&mut *tx).await?;
    Ok(())
}
