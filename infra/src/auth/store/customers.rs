//! The staff view of customer accounts: search, details, status changes.

use chrono::{DateTime, Utc};
use helium_domain::auth::{CustomerAccount, CustomerStatus};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

/// Newest first. `q` matches an id exactly or e-mail / display name case-insensitively.
pub async fn search(
    c: &mut PgConnection,
    q: Option<&str>,
    status: Option<CustomerStatus>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<CustomerAccount>> {
    let pattern = q.map(|q| format!("%{}%", q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")));
    let exact_id = q.and_then(|q| Uuid::parse_str(q.trim()).ok());
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as!(
        CustomerAccount,
        r#"SELECT u.id, u.email, u.display_name, u.status AS "status: CustomerStatus",
                  u.password_hash IS NOT NULL AS "has_password!", u.email_code_enabled, u.created_at, u.updated_at,
                  EXISTS (SELECT 1 FROM auth.totp t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL) AS "mfa_enabled!"
             FROM auth.users u
            WHERE ($1::text IS NULL OR u.id = $2 OR u.email ILIKE $1 OR u.display_name ILIKE $1)
              AND ($3::text IS NULL OR u.status = $3)
              AND ($4::timestamptz IS NULL OR (u.created_at, u.id) < ($4, $5::uuid))
            ORDER BY u.created_at DESC, u.id DESC
            LIMIT $6"#,
        pattern,
        exact_id,
        status.map(CustomerStatus::as_str),
        after_at,
        after_id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

pub async fn get(c: &mut PgConnection, id: Uuid) -> DbResult<Option<CustomerAccount>> {
    Ok(sqlx::query_as!(
        CustomerAccount,
        r#"SELECT u.id, u.email, u.display_name, u.status AS "status: CustomerStatus",
                  u.password_hash IS NOT NULL AS "has_password!", u.email_code_enabled, u.created_at, u.updated_at,
                  EXISTS (SELECT 1 FROM auth.totp t WHERE t.user_id = u.id AND t.enabled_at IS NOT NULL) AS "mfa_enabled!"
             FROM auth.users u WHERE u.id = $1"#,
        id
    )
    .fetch_optional(ex(c))
    .await?)
}

/// The account, its row locked for the rest of the transaction.
pub async fn lock(c: &mut PgConnection, id: Uuid) -> DbResult<Option<CustomerAccount>> {
    if !super::users::lock(c, id).await? {
        return Ok(None);
    }
    get(c, id).await
}

/// Sets the status; a ban also kills every token issued so far.
pub async fn set_status(c: &mut PgConnection, id: Uuid, status: CustomerStatus) -> DbResult<()> {
    sqlx::query!(
        r#"UPDATE auth.users SET status = $2, updated_at = now(),
                  tokens_valid_after = CASE WHEN $2 = 'banned' THEN now() ELSE tokens_valid_after END
            WHERE id = $1"#,
        id,
        status.as_str()
    )
    .execute(ex(c))
    .await?;
    Ok(())
}
