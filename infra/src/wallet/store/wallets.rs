//! `wallet.wallets`: the cached balances.

use chrono::{DateTime, Utc};
use helium_domain::wallet::model::Wallet;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

pub async fn get(c: &mut PgConnection, user_id: Uuid) -> DbResult<Option<Wallet>> {
    Ok(sqlx::query_as!(
        Wallet,
        r#"SELECT user_id, available, frozen, currency, updated_at FROM wallet.wallets WHERE user_id = $1"#,
        user_id
    )
    .fetch_optional(ex(c))
    .await?)
}

/// The wallet, locked for the rest of the transaction (a debit sized from its balance).
pub async fn lock(c: &mut PgConnection, user_id: Uuid) -> DbResult<Option<Wallet>> {
    Ok(sqlx::query_as!(
        Wallet,
        r#"SELECT user_id, available, frozen, currency, updated_at FROM wallet.wallets WHERE user_id = $1 FOR UPDATE"#,
        user_id
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Creates the wallet of a customer unless it exists.
pub async fn ensure(c: &mut PgConnection, user_id: Uuid, currency: &str) -> DbResult<()> {
    sqlx::query!(
        r#"INSERT INTO wallet.wallets (user_id, currency) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING"#,
        user_id,
        currency
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

/// Wallets whose cached balances differ from the sum of their entries:
/// (user, cached available, ledger available, cached frozen, ledger frozen).
pub async fn drifted(c: &mut PgConnection, after: Option<Uuid>, limit: i64) -> DbResult<Vec<Drift>> {
    Ok(sqlx::query_as!(
        Drift,
        r#"SELECT w.user_id, w.available AS cached_available, w.frozen AS cached_frozen,
                  coalesce(sum(e.amount) FILTER (WHERE e.account = 'available'), 0)::BIGINT AS "ledger_available!",
                  coalesce(sum(e.amount) FILTER (WHERE e.account = 'frozen'), 0)::BIGINT AS "ledger_frozen!",
                  max(w.updated_at) AS "updated_at!"
             FROM wallet.wallets w LEFT JOIN wallet.entries e ON e.user_id = w.user_id
            WHERE w.user_id > coalesce($1, '00000000-0000-0000-0000-000000000000'::uuid)
              AND w.user_id IN (SELECT user_id FROM wallet.wallets
                                 WHERE user_id > coalesce($1, '00000000-0000-0000-0000-000000000000'::uuid)
                                 ORDER BY user_id LIMIT $2)
            GROUP BY w.user_id, w.available, w.frozen
            ORDER BY w.user_id"#,
        after,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

#[derive(Debug, Clone)]
pub struct Drift {
    pub user_id: Uuid,
    pub cached_available: i64,
    pub cached_frozen: i64,
    pub ledger_available: i64,
    pub ledger_frozen: i64,
    pub updated_at: DateTime<Utc>,
}

impl Drift {
    pub fn differs(&self) -> bool {
        self.cached_available != self.ledger_available || self.cached_frozen != self.ledger_frozen
    }
}

pub async fn record_finding(c: &mut PgConnection, d: &Drift) -> DbResult<()> {
    sqlx::query!(
        r#"INSERT INTO wallet.reconciliation_findings
               (id, user_id, cached_available, ledger_available, cached_frozen, ledger_frozen)
           VALUES ($1, $2, $3, $4, $5, $6)"#,
        Uuid::now_v7(),
        d.user_id,
        d.cached_available,
        d.ledger_available,
        d.cached_frozen,
        d.ledger_frozen
    )
    .execute(ex(c))
    .await?;
    Ok(())
}
