//! `shop.payments`.

use helium_domain::shop::model::{PaidVia, Payment, PaymentStatus};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{DbResult, ex};

/// A settled payment made inside the application (wallet, staff, free).
pub async fn insert_settled(
    c: &mut PgConnection,
    order_id: Uuid,
    via: PaidVia,
    amount: i64,
    currency: &str,
    external_reference: Option<&str>,
) -> DbResult<Uuid> {
    let id = Uuid::now_v7();
    sqlx::query!(
        r#"INSERT INTO shop.payments (id, order_id, via, status, amount, currency, external_reference, settled_order, settled_at)
           VALUES ($1, $2, $3, 'succeeded', $4, $5, $6, true, now())"#,
        id,
        order_id,
        via as PaidVia,
        amount,
        currency,
        external_reference
    )
    .execute(ex(c))
    .await?;
    Ok(id)
}

/// A pending gateway payment with its own gateway-facing number.
pub async fn insert_pending(
    c: &mut PgConnection,
    id: Uuid,
    order_id: Uuid,
    method_id: Uuid,
    amount: i64,
    currency: &str,
    out_trade_no: &str,
) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"INSERT INTO shop.payments (id, order_id, method_id, via, status, amount, currency, out_trade_no, gateway)
           VALUES ($1, $2, $3, 'gateway', 'pending', $4, $5, $6, 'epay')
           ON CONFLICT (out_trade_no) DO NOTHING"#,
        id,
        order_id,
        method_id,
        amount,
        currency,
        out_trade_no
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What a gateway notify needs to verify and settle: the payment and its method's secrets.
#[derive(Debug, Clone)]
pub struct GatewayPayment {
    pub id: Uuid,
    pub order_id: Uuid,
    pub method_id: Uuid,
    pub status: PaymentStatus,
    pub amount: i64,
    pub currency: String,
    pub gateway_trade_no: Option<String>,
    pub pid: String,
    pub key_sealed: String,
    pub url: String,
}

pub async fn gateway_by_out_trade_no(c: &mut PgConnection, out_trade_no: &str) -> DbResult<Option<GatewayPayment>> {
    Ok(sqlx::query_as!(
        GatewayPayment,
        r#"SELECT p.id, p.order_id, p.method_id AS "method_id!", p.status AS "status: PaymentStatus", p.amount, p.currency,
                  p.gateway_trade_no, m.pid, m.key_sealed, m.url
             FROM shop.payments p JOIN shop.payment_methods m ON m.id = p.method_id
            WHERE p.out_trade_no = $1 AND p.via = 'gateway'"#,
        out_trade_no
    )
    .fetch_optional(ex(c))
    .await?)
}

/// pending → succeeded with the gateway's number; `false` when not pending any more.
pub async fn settle_gateway(
    c: &mut PgConnection,
    id: Uuid,
    gateway_trade_no: &str,
    settled_order: bool,
) -> DbResult<bool> {
    let done = sqlx::query!(
        r#"UPDATE shop.payments SET status = 'succeeded', gateway_trade_no = $2, settled_order = $3, settled_at = now()
            WHERE id = $1 AND status = 'pending'"#,
        id,
        gateway_trade_no,
        settled_order
    )
    .execute(ex(c))
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn of_order(c: &mut PgConnection, order_id: Uuid) -> DbResult<Vec<Payment>> {
    Ok(sqlx::query_as!(
        Payment,
        r#"SELECT id, order_id, method_id, via AS "via: PaidVia", status AS "status: PaymentStatus", amount, currency,
                  gateway_trade_no, created_at, settled_at
             FROM shop.payments WHERE order_id = $1 ORDER BY created_at"#,
        order_id
    )
    .fetch_all(ex(c))
    .await?)
}

/// Gateway payments still pending after `min_age_secs` and younger than a day (the query
/// job asks the gateway about them).
pub async fn unresolved(c: &mut PgConnection, min_age_secs: f64, limit: i64) -> DbResult<Vec<String>> {
    let rows = sqlx::query_scalar!(
        r#"SELECT out_trade_no AS "out_trade_no!" FROM shop.payments
            WHERE status = 'pending' AND via = 'gateway' AND out_trade_no IS NOT NULL
              AND created_at < now() - make_interval(secs => $1) AND created_at > now() - interval '1 day'
            ORDER BY created_at LIMIT $2"#,
        min_age_secs,
        limit
    )
    .fetch_all(ex(c))
    .await?;
    Ok(rows)
}
