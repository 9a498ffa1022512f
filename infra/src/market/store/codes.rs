//! `market.invite_codes`.

use chrono::{DateTime, Utc};
use helium_domain::market::model::InviteCode;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

/// A live code's owner and age (for linking a sign-up).
#[derive(Debug, Clone)]
pub struct CodeOwner {
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: DateTime<Utc>,
}

pub async fn count_live(c: &mut PgConnection, user_id: Uuid) -> DbResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM market.invite_codes WHERE user_id = $1 AND deleted_at IS NULL"#,
        user_id
    )
    .fetch_one(ex(c))
    .await?)
}

/// `false` when the code exists (case-insensitively), live or deleted.
pub async fn insert(c: &mut PgConnection, id: Uuid, user_id: Uuid, code: &str) -> DbResult<Option<InviteCode>> {
    Ok(sqlx::query!(
        r#"INSERT INTO market.invite_codes (id, user_id, code) VALUES ($1, $2, $3)
           ON CONFLICT DO NOTHING RETURNING created_at"#,
        id,
        user_id,
        code
    )
    .fetch_optional(ex(c))
    .await?
    .map(|r| InviteCode { id, user_id, code: code.to_owned(), signups: 0, created_at: r.created_at }))
}

/// The customer's live codes, newest first, after `(created_at, id)`.
pub async fn page(
    c: &mut PgConnection,
    user_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<InviteCode>> {
    let (at, id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as!(
        InviteCode,
        r#"SELECT k.id, k.user_id, k.code, k.created_at,
                  (SELECT count(*) FROM market.referrals r WHERE r.code_id = k.id) AS "signups!"
           FROM market.invite_codes k
           WHERE k.user_id = $1 AND k.deleted_at IS NULL
             AND ($2::timestamptz IS NULL OR (k.created_at, k.id) < ($2, $3::uuid))
           ORDER BY k.created_at DESC, k.id DESC LIMIT $4"#,
        user_id,
        at,
        id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

/// Deletes (retires) the customer's own live code; `false` when there is none.
pub async fn retire(c: &mut PgConnection, user_id: Uuid, id: Uuid) -> DbResult<bool> {
    let done = sqlx::query!(
        "UPDATE market.invite_codes SET deleted_at = now() WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
        id,
        user_id
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A live code by its text (any case).
pub async fn owner(c: &mut PgConnection, code: &str) -> DbResult<Option<CodeOwner>> {
    Ok(sqlx::query_as!(
        CodeOwner,
        "SELECT id, user_id, created_at FROM market.invite_codes WHERE lower(code) = lower($1) AND deleted_at IS NULL",
        code
    )
    .fetch_optional(ex(c))
    .await?)
}
