//! Single-use links (magic links, reset links) and codes (e-mail sign-in, re-authentication):
//! stored as SHA-256, bound to purpose and address, redeemed with one `DELETE … RETURNING`.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

pub enum Redeemed {
    Ok { email: String, data: serde_json::Value },
    Expired,
    Unknown,
}

/// A new link or code row.
pub struct NewToken<'a> {
    pub hash: &'a [u8],
    /// `magic_link` or `otp`.
    pub kind: &'a str,
    pub purpose: &'a str,
    pub email: &'a str,
    pub subject_id: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
    pub data: &'a serde_json::Value,
}

/// The live code for (address, purpose), locked for the verification transaction.
pub struct OtpRow {
    pub token_hash: Vec<u8>,
    pub attempts: i32,
    pub expires_at: DateTime<Utc>,
    pub subject_id: Option<Uuid>,
}

/// Seconds to wait before another link/code may be sent to `email` for `purpose`, if any.
pub async fn resend_wait(
    c: &mut PgConnection,
    email: &str,
    purpose: &str,
    interval_secs: i64,
) -> DbResult<Option<i64>> {
    let last = sqlx::query_scalar!(
        r#"SELECT max(created_at) FROM auth.one_time_tokens WHERE email = $1 AND purpose = $2"#,
        email,
        purpose
    )
    .fetch_one(ex(c))
    .await?;
    Ok(last.and_then(|at| {
        let left = interval_secs - (Utc::now() - at).num_seconds();
        (left > 0).then_some(left)
    }))
}

/// Links and codes sent to `email` within the last hour (any purpose), for the hourly cap.
pub async fn sent_last_hour(c: &mut PgConnection, email: &str) -> DbResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM auth.one_time_tokens WHERE email = $1 AND created_at > now() - interval '1 hour'"#,
        email
    )
    .fetch_one(ex(c))
    .await?)
}

/// Serialises link/code requests per (purpose, address) within the transaction.
pub async fn lock_address(c: &mut PgConnection, purpose: &str, email: &str) -> DbResult<()> {
    let key = format!("ott\u{1f}{purpose}\u{1f}{email}");
    sqlx::query_scalar!(r#"SELECT pg_advisory_xact_lock(hashtextextended($1, 0)) AS "locked!""#, key)
        .fetch_one(ex(c))
        .await?;
    Ok(())
}

pub async fn insert(c: &mut PgConnection, t: &NewToken<'_>) -> DbResult<()> {
    sqlx::query!(
        r#"INSERT INTO auth.one_time_tokens (token_hash, kind, purpose, email, subject_id, expires_at, data)
           VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
        t.hash,
        t.kind,
        t.purpose,
        t.email,
        t.subject_id,
        t.expires_at,
        t.data
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

/// Reads a link without consuming it (to check the password against the address first):
/// its address and whether it has expired.
pub async fn peek_link(c: &mut PgConnection, hash: &[u8], purpose: &str) -> DbResult<Option<(String, bool)>> {
    let row = sqlx::query!(
        r#"SELECT email, expires_at <= now() AS "expired!" FROM auth.one_time_tokens
           WHERE token_hash = $1 AND purpose = $2 AND kind = 'magic_link'"#,
        hash,
        purpose
    )
    .fetch_optional(ex(c))
    .await?;
    Ok(row.map(|r| (r.email, r.expired)))
}

/// Every outstanding link or code of `purpose` for the address dies.
pub async fn delete_for(c: &mut PgConnection, email: &str, purpose: &str) -> DbResult<()> {
    sqlx::query!(r#"DELETE FROM auth.one_time_tokens WHERE email = $1 AND purpose = $2"#, email, purpose)
        .execute(ex(c))
        .await?;
    Ok(())
}

/// Kills a code but keeps its row until purge, so the resend interval still counts it.
pub async fn expire(c: &mut PgConnection, hash: &[u8]) -> DbResult<()> {
    sqlx::query!(
        r#"UPDATE auth.one_time_tokens SET expires_at = LEAST(expires_at, now() - interval '1 microsecond')
           WHERE token_hash = $1"#,
        hash
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

/// Consumes a link: exactly one concurrent caller gets `Ok`.
pub async fn redeem_link(c: &mut PgConnection, hash: &[u8], purpose: &str) -> DbResult<Redeemed> {
    let row = sqlx::query!(
        r#"DELETE FROM auth.one_time_tokens WHERE token_hash = $1 AND purpose = $2 AND kind = 'magic_link'
           RETURNING email, expires_at, data"#,
        hash,
        purpose
    )
    .fetch_optional(ex(c))
    .await?;
    Ok(match row {
        None => Redeemed::Unknown,
        Some(r) if r.expires_at <= Utc::now() => Redeemed::Expired,
        Some(r) => Redeemed::Ok { email: r.email, data: r.data },
    })
}

pub async fn latest_otp_for_update(c: &mut PgConnection, email: &str, purpose: &str) -> DbResult<Option<OtpRow>> {
    Ok(sqlx::query_as!(
        OtpRow,
        r#"SELECT token_hash, attempts, expires_at, subject_id FROM auth.one_time_tokens
           WHERE email = $1 AND purpose = $2 AND kind = 'otp'
           ORDER BY created_at DESC LIMIT 1 FOR UPDATE"#,
        email,
        purpose
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn bump_otp_attempts(c: &mut PgConnection, hash: &[u8]) -> DbResult<i32> {
    Ok(sqlx::query_scalar!(
        r#"UPDATE auth.one_time_tokens SET attempts = attempts + 1 WHERE token_hash = $1 RETURNING attempts"#,
        hash
    )
    .fetch_one(ex(c))
    .await?)
}

/// Older codes die when a new one is sent: one live code per address and purpose.
pub async fn delete_otps(c: &mut PgConnection, email: &str, purpose: &str) -> DbResult<()> {
    sqlx::query!(
        r#"DELETE FROM auth.one_time_tokens WHERE email = $1 AND purpose = $2 AND kind = 'otp'"#,
        email,
        purpose
    )
    .execute(ex(c))
    .await?;
    Ok(())
}
