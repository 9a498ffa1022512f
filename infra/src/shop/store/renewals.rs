//! `shop.auto_renewals`.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoRenewal {
    pub user_id: Uuid,
    pub product_id: Uuid,
    pub enabled: bool,
    pub handled_until: Option<DateTime<Utc>>,
    pub last_order_id: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

pub async fn set(c: &mut PgConnection, user_id: Uuid, product_id: Uuid, enabled: bool) -> DbResult<AutoRenewal> {
    Ok(sqlx::query_as!(
        AutoRenewal,
        r#"INSERT INTO shop.auto_renewals (user_id, product_id, enabled) VALUES ($1, $2, $3)
           ON CONFLICT (user_id, product_id) DO UPDATE SET enabled = EXCLUDED.enabled, updated_at = now()
        RETURNING user_id, product_id, enabled, handled_until, last_order_id, updated_at"#,
        user_id,
        product_id,
        enabled
    )
    .fetch_one(ex(c))
    .await?)
}

pub async fn of_user(c: &mut PgConnection, user_id: Uuid) -> DbResult<Vec<AutoRenewal>> {
    Ok(sqlx::query_as!(
        AutoRenewal,
        r#"SELECT user_id, product_id, enabled, handled_until, last_order_id, updated_at FROM shop.auto_renewals
            WHERE user_id = $1 ORDER BY updated_at DESC"#,
        user_id
    )
    .fetch_all(ex(c))
    .await?)
}

/// The enabled rule for (user, product), locked, unless it already acted for `period_end`.
pub async fn claim(c: &mut PgConnection, user_id: Uuid, product_id: Uuid, period_end: DateTime<Utc>) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"UPDATE shop.auto_renewals SET handled_until = $3, updated_at = now()
            WHERE user_id = $1 AND product_id = $2 AND enabled
              AND (handled_until IS NULL OR handled_until < $3)"#,
        user_id,
        product_id,
        period_end
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn record_order(c: &mut PgConnection, user_id: Uuid, product_id: Uuid, order_id: Uuid) -> DbResult<()> {
    sqlx::query!(
        r#"UPDATE shop.auto_renewals SET last_order_id = $3, updated_at = now() WHERE user_id = $1 AND product_id = $2"#,
        user_id,
        product_id,
        order_id
    )
    .execute(ex(c))
    .await?;
    Ok(())
}
