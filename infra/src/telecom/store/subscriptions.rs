//! `telecom.subscriptions`: each customer's proxy credential and subscription token.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRow {
    pub user_id: Uuid,
    pub agent_id: i64,
    pub uuid: Uuid,
    pub token_sealed: String,
    pub created_at: DateTime<Utc>,
    pub rotated_at: Option<DateTime<Utc>>,
}

pub async fn of_user(c: &mut PgConnection, user_id: Uuid) -> DbResult<Option<SubscriptionRow>> {
    Ok(sqlx::query_as!(
        SubscriptionRow,
        r#"SELECT user_id, agent_id, uuid, token_sealed, created_at, rotated_at
             FROM telecom.subscriptions WHERE user_id = $1"#,
        user_id
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn by_token_hash(c: &mut PgConnection, hash: &[u8]) -> DbResult<Option<SubscriptionRow>> {
    Ok(sqlx::query_as!(
        SubscriptionRow,
        r#"SELECT user_id, agent_id, uuid, token_sealed, created_at, rotated_at
             FROM telecom.subscriptions WHERE token_hash = $1"#,
        hash
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Creates the row unless it exists (a concurrent first use keeps one).
pub async fn insert(c: &mut PgConnection, user_id: Uuid, uuid: Uuid, hash: &[u8], sealed: &str) -> DbResult<()> {
    sqlx::query!(
        r#"INSERT INTO telecom.subscriptions (user_id, uuid, token_hash, token_sealed) VALUES ($1, $2, $3, $4)
           ON CONFLICT (user_id) DO NOTHING"#,
        user_id,
        uuid,
        hash,
        sealed
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

/// A new token (and a new proxy credential): the old ones stop working at once.
pub async fn rotate(c: &mut PgConnection, user_id: Uuid, uuid: Uuid, hash: &[u8], sealed: &str) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"UPDATE telecom.subscriptions SET uuid = $2, token_hash = $3, token_sealed = $4, rotated_at = now()
            WHERE user_id = $1"#,
        user_id,
        uuid,
        hash,
        sealed
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}
