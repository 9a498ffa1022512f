//! `market.accounts` (commission balances) and `market.withdrawals`.

use helium_domain::market::model::Balance;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

pub async fn get(c: &mut PgConnection, user_id: Uuid) -> DbResult<Balance> {
    Ok(sqlx::query_as!(
        Balance,
        "SELECT pending, available, withdrawn, owed FROM market.accounts WHERE user_id = $1",
        user_id
    )
    .fetch_optional(ex(c))
    .await?
    .unwrap_or_default())
}

/// The balance, created if needed, locked for the rest of the transaction.
pub async fn lock(c: &mut PgConnection, user_id: Uuid) -> DbResult<Balance> {
    sqlx::query!("INSERT INTO market.accounts (user_id) VALUES ($1) ON CONFLICT DO NOTHING", user_id)
        .execute(ex(c))
        .await?;
    Ok(sqlx::query_as!(
        Balance,
        "SELECT pending, available, withdrawn, owed FROM market.accounts WHERE user_id = $1 FOR UPDATE",
        user_id
    )
    .fetch_one(ex(c))
    .await?)
}

/// Adds the deltas (the table's checks refuse a negative bucket).
pub async fn apply(c: &mut PgConnection, user_id: Uuid, d: Balance) -> DbResult<Balance> {
    Ok(sqlx::query_as!(
        Balance,
        r#"UPDATE market.accounts SET pending = pending + $2, available = available + $3,
               withdrawn = withdrawn + $4, owed = owed + $5, updated_at = now()
           WHERE user_id = $1 RETURNING pending, available, withdrawn, owed"#,
        user_id,
        d.pending,
        d.available,
        d.withdrawn,
        d.owed
    )
    .fetch_one(ex(c))
    .await?)
}

/// Moves `amount` from available to withdrawn when that much is available; `None` otherwise.
/// One conditional update: concurrent withdrawals cannot both pass.
pub async fn take(c: &mut PgConnection, user_id: Uuid, amount: i64) -> DbResult<Option<Balance>> {
    Ok(sqlx::query_as!(
        Balance,
        r#"UPDATE market.accounts SET available = available - $2, withdrawn = withdrawn + $2, updated_at = now()
           WHERE user_id = $1 AND available >= $2 RETURNING pending, available, withdrawn, owed"#,
        user_id,
        amount
    )
    .fetch_optional(ex(c))
    .await?)
}

pub async fn insert_withdrawal(
    c: &mut PgConnection,
    id: Uuid,
    user_id: Uuid,
    amount: i64,
    posting_id: Uuid,
    request_key: Option<&str>,
) -> DbResult<()> {
    sqlx::query!(
        "INSERT INTO market.withdrawals (id, user_id, amount, posting_id, request_key) VALUES ($1, $2, $3, $4, $5)",
        id,
        user_id,
        amount,
        posting_id,
        request_key
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

/// The amount of the withdrawal a request already made.
pub async fn withdrawal_by_request(c: &mut PgConnection, user_id: Uuid, key: &str) -> DbResult<Option<i64>> {
    Ok(sqlx::query_scalar!(
        "SELECT amount FROM market.withdrawals WHERE request_key = $1 AND user_id = $2",
        key,
        user_id
    )
    .fetch_optional(ex(c))
    .await?)
}
