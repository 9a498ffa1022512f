//! `market.commissions`.

use chrono::{DateTime, Utc};
use helium_domain::market::model::{Commission, CommissionStatus};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

/// Commissions a referee has earned their referrer that still count (not reversed).
pub async fn earned(c: &mut PgConnection, referee: Uuid, beneficiary: Uuid) -> DbResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM market.commissions
           WHERE referee_id = $1 AND beneficiary_id = $2 AND status <> 'reversed'"#,
        referee,
        beneficiary
    )
    .fetch_one(ex(c))
    .await?)
}

/// Records a commission; `false` when this (order, beneficiary) already has one.
pub async fn insert(c: &mut PgConnection, m: &Commission) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"INSERT INTO market.commissions
               (id, beneficiary_id, referee_id, order_id, order_amount, rate, amount, currency, status, available_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (order_id, beneficiary_id) DO NOTHING"#,
        m.id,
        m.beneficiary_id,
        m.referee_id,
        m.order_id,
        m.order_amount,
        m.rate,
        m.amount,
        m.currency,
        m.status as CommissionStatus,
        m.available_at,
        m.created_at
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The live (not reversed) commissions of an order, locked.
pub async fn lock_for_order(c: &mut PgConnection, order_id: Uuid) -> DbResult<Vec<Commission>> {
    Ok(sqlx::query_as!(
        Commission,
        r#"SELECT id, beneficiary_id, referee_id, order_id, order_amount, rate, amount, currency,
                  status AS "status: CommissionStatus", available_at, created_at, reversed_at
           FROM market.commissions WHERE order_id = $1 AND status <> 'reversed'
           ORDER BY id FOR UPDATE"#,
        order_id
    )
    .fetch_all(ex(c))
    .await?)
}

pub async fn mark_reversed(c: &mut PgConnection, id: Uuid) -> DbResult<()> {
    sqlx::query!("UPDATE market.commissions SET status = 'reversed', reversed_at = now() WHERE id = $1", id)
        .execute(ex(c))
        .await?;
    Ok(())
}

/// Pending commissions past their holding period, locked (others' workers skip them).
pub async fn lock_due(c: &mut PgConnection, now: DateTime<Utc>, limit: i64) -> DbResult<Vec<(Uuid, Uuid, i64)>> {
    Ok(sqlx::query!(
        r#"SELECT id, beneficiary_id, amount FROM market.commissions
           WHERE status = 'pending' AND available_at <= $1
           ORDER BY available_at LIMIT $2 FOR UPDATE SKIP LOCKED"#,
        now,
        limit
    )
    .fetch_all(ex(c))
    .await?
    .into_iter()
    .map(|r| (r.id, r.beneficiary_id, r.amount))
    .collect())
}

pub async fn mark_available(c: &mut PgConnection, id: Uuid) -> DbResult<()> {
    sqlx::query!("UPDATE market.commissions SET status = 'available' WHERE id = $1 AND status = 'pending'", id)
        .execute(ex(c))
        .await?;
    Ok(())
}

/// Filters of a commission list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub beneficiary_id: Option<Uuid>,
    pub referee_id: Option<Uuid>,
    pub status: Option<CommissionStatus>,
}

/// Newest first, after `(created_at, id)`.
pub async fn page(
    c: &mut PgConnection,
    f: &Filter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<Commission>> {
    let (at, id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(sqlx::query_as!(
        Commission,
        r#"SELECT id, beneficiary_id, referee_id, order_id, order_amount, rate, amount, currency,
                  status AS "status: CommissionStatus", available_at, created_at, reversed_at
           FROM market.commissions
           WHERE ($1::uuid IS NULL OR beneficiary_id = $1)
             AND ($2::uuid IS NULL OR referee_id = $2)
             AND ($3::text IS NULL OR status = $3)
             AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))
           ORDER BY created_at DESC, id DESC LIMIT $6"#,
        f.beneficiary_id,
        f.referee_id,
        f.status as Option<CommissionStatus>,
        at,
        id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

/// A paid order that can earn a commission, with the order row share-locked so a concurrent
/// refund waits for this transaction (and then reverses what it recorded).
#[derive(Debug, Clone)]
pub struct EligibleOrder {
    pub user_id: Uuid,
    pub total: i64,
    pub currency: String,
    pub paid_at: DateTime<Utc>,
}

/// `None` unless the order is a paid (not refunded) package purchase or renewal, paid with
/// money (wallet or gateway, never staff or free), of a commission-eligible product.
pub async fn eligible_order(c: &mut PgConnection, order_id: Uuid) -> DbResult<Option<EligibleOrder>> {
    Ok(sqlx::query_as!(
        EligibleOrder,
        r#"SELECT o.user_id, o.total, o.currency, o.paid_at AS "paid_at!"
           FROM shop.orders o JOIN shop.products p ON p.id = o.product_id
           WHERE o.id = $1 AND o.status IN ('paid', 'delivered') AND o.kind IN ('purchase', 'renewal')
             AND o.paid_via IN ('wallet', 'gateway') AND o.total > 0 AND p.commission_eligible
           FOR SHARE OF o"#,
        order_id
    )
    .fetch_optional(ex(c))
    .await?)
}
