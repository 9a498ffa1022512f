//! `shop.orders`: every state change is a guarded UPDATE on the old state.

use chrono::{DateTime, Utc};
use helium_domain::shop::model::{Order, OrderKind, OrderStatus, PaidVia};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

/// A new order's stored form.
#[derive(Debug, Clone)]
pub struct NewOrderRow<'a> {
    pub id: Uuid,
    pub trade_no: &'a str,
    pub user_id: Uuid,
    pub kind: OrderKind,
    pub product_id: Option<Uuid>,
    pub package_version_id: Option<Uuid>,
    pub product_name: &'a str,
    pub subtotal: i64,
    pub discount: i64,
    pub currency: &'a str,
    pub coupon_id: Option<Uuid>,
    pub request_key: Option<&'a str>,
    pub expires_at: DateTime<Utc>,
}

/// Inserts the order and returns it; `None` when its `trade_no` (the caller draws another)
/// or its `request_key` (a retry: the caller reads that order) is taken.
pub async fn insert(c: &mut PgConnection, o: &NewOrderRow<'_>) -> DbResult<Option<Order>> {
    Ok(sqlx::query_as!(
        Order,
        r#"INSERT INTO shop.orders (id, trade_no, user_id, kind, product_id, package_version_id, product_name, status,
                                   subtotal, discount, total, currency, coupon_id, request_key, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'unpaid', $8::bigint, $9::bigint, $8::bigint - $9::bigint, $10, $11, $12, $13)
           ON CONFLICT DO NOTHING
        RETURNING id, trade_no, user_id, kind AS "kind: OrderKind", product_id, package_version_id, product_name,
                  status AS "status: OrderStatus", subtotal, discount, total, currency, coupon_id,
                  paid_via AS "paid_via: PaidVia", cancel_reason, refund_amount, refund_reason, created_at,
                  expires_at, paid_at, delivered_at, cancelled_at, refunded_at"#,
        o.id,
        o.trade_no,
        o.user_id,
        o.kind as OrderKind,
        o.product_id,
        o.package_version_id,
        o.product_name,
        o.subtotal,
        o.discount,
        o.currency,
        o.coupon_id,
        o.request_key,
        o.expires_at
    )
    .fetch_optional(ex(c))
    .await?)
}

macro_rules! select_order {
    ($tail:literal, $($arg:expr),*) => {
        sqlx::query_as!(
            Order,
            r#"SELECT id, trade_no, user_id, kind AS "kind: OrderKind", product_id, package_version_id, product_name,
                      status AS "status: OrderStatus", subtotal, discount, total, currency, coupon_id,
                      paid_via AS "paid_via: PaidVia", cancel_reason, refund_amount, refund_reason, created_at,
                      expires_at, paid_at, delivered_at, cancelled_at, refunded_at
                 FROM shop.orders "# + $tail,
            $($arg),*
        )
    };
}

/// The order, when `user_id` owns it (`None`: staff, any order).
pub async fn get(c: &mut PgConnection, id: Uuid, user_id: Option<Uuid>) -> DbResult<Option<Order>> {
    Ok(select_order!("WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2)", id, user_id).fetch_optional(ex(c)).await?)
}

pub async fn lock(c: &mut PgConnection, id: Uuid) -> DbResult<Option<Order>> {
    Ok(select_order!("WHERE id = $1 FOR UPDATE", id).fetch_optional(ex(c)).await?)
}

pub async fn by_request_key(c: &mut PgConnection, key: &str) -> DbResult<Option<Order>> {
    Ok(select_order!("WHERE request_key = $1", key).fetch_optional(ex(c)).await?)
}

/// Filters of an order listing (customers always pass their own `user_id`).
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub user_id: Option<Uuid>,
    pub status: Option<OrderStatus>,
    pub trade_no: Option<String>,
    pub product_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

pub async fn page(
    c: &mut PgConnection,
    f: &OrderFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> DbResult<Vec<Order>> {
    let (after_at, after_id) = after.map_or((None, None), |(a, i)| (Some(a), Some(i)));
    Ok(select_order!(
        "WHERE ($1::uuid IS NULL OR user_id = $1) AND ($2::text IS NULL OR status = $2)
           AND ($3::text IS NULL OR trade_no = $3) AND ($4::uuid IS NULL OR product_id = $4)
           AND ($5::timestamptz IS NULL OR created_at >= $5) AND ($6::timestamptz IS NULL OR created_at < $6)
           AND ($7::timestamptz IS NULL OR (created_at, id) < ($7, $8))
         ORDER BY created_at DESC, id DESC LIMIT $9",
        f.user_id,
        f.status.map(OrderStatus::as_str),
        f.trade_no.as_deref(),
        f.product_id,
        f.from,
        f.to,
        after_at,
        after_id,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

/// Unpaid orders of a customer (under their lock, for `max_unpaid_orders`).
pub async fn unpaid_count(c: &mut PgConnection, user_id: Uuid) -> DbResult<i64> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM shop.orders WHERE user_id = $1 AND status = 'unpaid'"#,
        user_id
    )
    .fetch_one(ex(c))
    .await?)
}

/// Serialises a customer's order creations for the rest of the transaction.
pub async fn lock_customer(c: &mut PgConnection, user_id: Uuid) -> DbResult<()> {
    sqlx::query!(
        r#"SELECT pg_advisory_xact_lock(hashtextextended('shop.orders:' || $1::text, 0))"#,
        user_id.to_string()
    )
    .execute(ex(c))
    .await?;
    Ok(())
}

/// unpaid → paid; `None` when the order is not unpaid (or not `user_id`'s, when given).
pub async fn mark_paid(c: &mut PgConnection, id: Uuid, user_id: Option<Uuid>, via: PaidVia) -> DbResult<Option<Order>> {
    Ok(sqlx::query_as!(
        Order,
        r#"UPDATE shop.orders SET status = 'paid', paid_via = $3, paid_at = now(), updated_at = now()
            WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2) AND status = 'unpaid'
        RETURNING id, trade_no, user_id, kind AS "kind: OrderKind", product_id, package_version_id, product_name,
                  status AS "status: OrderStatus", subtotal, discount, total, currency, coupon_id,
                  paid_via AS "paid_via: PaidVia", cancel_reason, refund_amount, refund_reason, created_at,
                  expires_at, paid_at, delivered_at, cancelled_at, refunded_at"#,
        id,
        user_id,
        via as PaidVia
    )
    .fetch_optional(ex(c))
    .await?)
}

/// paid → delivered; `false` when it was not `paid` (delivered already, or refunded).
pub async fn mark_delivered(c: &mut PgConnection, id: Uuid) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"UPDATE shop.orders SET status = 'delivered', delivered_at = now(), updated_at = now()
            WHERE id = $1 AND status = 'paid'"#,
        id
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

/// unpaid → cancelled; `None` when not unpaid (or not `user_id`'s, when given).
pub async fn cancel(c: &mut PgConnection, id: Uuid, user_id: Option<Uuid>, reason: &str) -> DbResult<Option<Order>> {
    Ok(sqlx::query_as!(
        Order,
        r#"UPDATE shop.orders SET status = 'cancelled', cancelled_at = now(), cancel_reason = $3, updated_at = now()
            WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2) AND status = 'unpaid'
        RETURNING id, trade_no, user_id, kind AS "kind: OrderKind", product_id, package_version_id, product_name,
                  status AS "status: OrderStatus", subtotal, discount, total, currency, coupon_id,
                  paid_via AS "paid_via: PaidVia", cancel_reason, refund_amount, refund_reason, created_at,
                  expires_at, paid_at, delivered_at, cancelled_at, refunded_at"#,
        id,
        user_id,
        reason
    )
    .fetch_optional(ex(c))
    .await?)
}

/// paid|delivered → refunded.
/// Adds `amount` to what was refunded; `None` when the order is not refundable or the sum
/// would pass its total (the guard holds even without the caller's row lock).
pub async fn refund(c: &mut PgConnection, id: Uuid, amount: i64, reason: &str) -> DbResult<Option<Order>> {
    Ok(sqlx::query_as!(
        Order,
        r#"UPDATE shop.orders SET status = 'refunded', refunded_at = now(),
                                  refund_amount = coalesce(refund_amount, 0) + $2, refund_reason = $3,
                                  updated_at = now()
            WHERE id = $1 AND status IN ('paid', 'delivered', 'refunded') AND kind <> 'top_up'
              AND coalesce(refund_amount, 0) + $2 <= total
        RETURNING id, trade_no, user_id, kind AS "kind: OrderKind", product_id, package_version_id, product_name,
                  status AS "status: OrderStatus", subtotal, discount, total, currency, coupon_id,
                  paid_via AS "paid_via: PaidVia", cancel_reason, refund_amount, refund_reason, created_at,
                  expires_at, paid_at, delivered_at, cancelled_at, refunded_at"#,
        id,
        amount,
        reason
    )
    .fetch_optional(ex(c))
    .await?)
}

/// Unpaid orders past their expiry, oldest first.
pub async fn expired_unpaid(c: &mut PgConnection, limit: i64) -> DbResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT id FROM shop.orders WHERE status = 'unpaid' AND expires_at <= now() ORDER BY expires_at LIMIT $1"#,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}

/// Paid orders not delivered for a while (a lost `order.paid` would leave them here).
pub async fn stuck_paid(c: &mut PgConnection, older_than_secs: f64, limit: i64) -> DbResult<Vec<Uuid>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT id FROM shop.orders WHERE status = 'paid' AND paid_at < now() - make_interval(secs => $1)
            ORDER BY paid_at LIMIT $2"#,
        older_than_secs,
        limit
    )
    .fetch_all(ex(c))
    .await?)
}
