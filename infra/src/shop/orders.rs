//! Orders: creation (limits and the coupon checked under locks, the total locked in),
//! reading (a customer only their own), cancellation (customer, staff, expiry job).

use std::sync::Arc;

use chrono::{Duration, Utc};
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::config::ShopConfig;
use helium_domain::events::{Event, types};
use helium_domain::shop::commands::NewOrder;
use helium_domain::shop::model::{Order, OrderKind, PaidVia, Payment};
use helium_domain::shop::rules::{coupon_discount, trade_no};
use helium_domain::{DomainError, ErrorCode};
use rand::RngCore;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::{ShopContext, not_found};
use super::store::orders::{NewOrderRow, OrderFilter};
use super::store::products::Audience;
use super::store::{coupons, orders, payments, products};
use crate::audit;
use crate::events::outbox;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

/// The outbox event of an order change.
pub(crate) fn order_event(event_type: &str, o: &Order) -> Event {
    let payload = json!({
        "order_id": o.id, "user_id": o.user_id, "trade_no": o.trade_no, "kind": o.kind, "product_id": o.product_id,
        "status": o.status, "total": o.total, "currency": o.currency, "paid_via": o.paid_via,
    });
    Event::new(Uuid::now_v7(), event_type, o.id.to_string(), Utc::now(), payload)
}

/// `order_not_payable` / `order_not_cancellable`… for an order that exists but is in the
/// wrong state; `not_found` for one that does not (or is someone else's).
pub(crate) async fn refuse(
    c: &mut PgConnection,
    id: Uuid,
    user_id: Option<Uuid>,
    code: ErrorCode,
    detail: &str,
) -> DomainError {
    match orders::get(c, id, user_id).await {
        Ok(Some(_)) => DomainError::rejected(code, detail),
        Ok(None) => not_found("order"),
        Err(e) => e.into(),
    }
}

/// One attempt at [`Orders::create`] in the caller's transaction; `Ok(None)` when the new
/// order's number or request key was taken.
async fn create_in(
    tx: &mut PgConnection,
    cfg: &ShopConfig,
    id: Uuid,
    user_id: Uuid,
    cmd: &NewOrder,
    request_key: Option<&str>,
) -> Result<Option<Order>, DomainError> {
    orders::lock_customer(tx, user_id).await?;
    if orders::unpaid_count(tx, user_id).await? >= i64::from(cfg.max_unpaid_orders) {
        return Err(DomainError::rejected(
            ErrorCode::MaxUnpaidOrdersReached,
            format!("at most {} unpaid orders: pay or cancel one first", cfg.max_unpaid_orders),
        ));
    }
    let unavailable = || DomainError::rejected(ErrorCode::ProductNotAvailable, "this product is not available");
    let product = products::get(tx, cmd.product_id, Audience::CustomerOf(user_id)).await?.ok_or_else(unavailable)?;
    let version = product.current_version.as_ref().ok_or_else(unavailable)?;
    if product.currency != cfg.currency {
        return Err(DomainError::rejected(ErrorCode::CurrencyMismatch, "this product is priced in another currency"));
    }
    let coupon = match &cmd.coupon_code {
        None => None,
        Some(code) => {
            let k = coupons::lock_by_code(tx, code)
                .await?
                .ok_or_else(|| DomainError::rejected(ErrorCode::CouponNotFound, "no such coupon"))?;
            let discount = coupon_discount(&k, product.id, product.price, Utc::now())
                .map_err(|code| DomainError::rejected(code, "this coupon cannot be used here"))?;
            if coupons::uses_by(tx, k.id, user_id).await? >= i64::from(k.max_uses_per_user) {
                return Err(DomainError::rejected(
                    ErrorCode::CouponUserLimitReached,
                    "you used this coupon as often as allowed",
                ));
            }
            Some((k, discount))
        }
    };
    let number = trade_no(Utc::now(), rand::rng().next_u64());
    let row = NewOrderRow {
        id,
        trade_no: &number,
        user_id,
        kind: OrderKind::Purchase,
        product_id: Some(product.id),
        package_version_id: Some(version.id),
        product_name: &product.name,
        subtotal: product.price,
        discount: coupon.as_ref().map_or(0, |(_, d)| *d),
        currency: &cfg.currency,
        coupon_id: coupon.as_ref().map(|(k, _)| k.id),
        request_key,
        expires_at: Utc::now() + Duration::seconds(cfg.auto_cancel_after.0 as i64),
    };
    let Some(order) = orders::insert(tx, &row).await? else { return Ok(None) };
    if let Some((k, _)) = &coupon
        && !coupons::take_use(tx, k.id, order.id, user_id).await?
    {
        return Err(DomainError::rejected(ErrorCode::CouponUsageExhausted, "this coupon is used up"));
    }
    if product.price == 0 {
        let paid =
            orders::mark_paid(tx, order.id, Some(user_id), PaidVia::Free).await?.ok_or_else(|| not_found("order"))?;
        payments::insert_settled(tx, order.id, PaidVia::Free, 0, &cfg.currency, None).await?;
        outbox::append(tx, &order_event(types::ORDER_PAID, &paid)).await?;
        return Ok(Some(paid));
    }
    Ok(Some(order))
}

/// Cancels an unpaid order, gives its coupon use back (once) and announces it.
pub(crate) async fn cancel_in(
    c: &mut PgConnection,
    id: Uuid,
    user_id: Option<Uuid>,
    reason: &str,
) -> Result<Option<Order>, DomainError> {
    let Some(order) = orders::cancel(c, id, user_id, reason).await? else { return Ok(None) };
    coupons::release_use(c, id).await?;
    outbox::append(c, &order_event(types::ORDER_CANCELLED, &order)).await?;
    Ok(Some(order))
}

#[derive(Clone)]
pub struct Orders(pub(crate) Arc<ShopContext>);

impl Orders {
    /// Creates an unpaid order for a product the customer may buy, with its coupon. The
    /// customer's unpaid orders are counted under their lock (`max_unpaid_orders` holds under
    /// concurrency), the coupon is checked again and its counters move under its row lock. A
    /// retried request (same `request_key`) gets the order it created, whatever the limits say
    /// now. A free product is paid at once.
    pub async fn create(&self, user_id: Uuid, cmd: &NewOrder, request_key: Option<&str>) -> Result<Order, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.shop_config().await?;
        crate::transaction!(ctx.db, |tx| {
            // The retry lookup runs only when this attempt cannot go on: a first attempt (the
            // common case) costs no extra statement.
            let id = Uuid::now_v7();
            let outcome = create_in(tx, &cfg, id, user_id, cmd, request_key).await;
            match (outcome, request_key) {
                (Ok(Some(order)), _) => Ok(order),
                // (Not the order this attempt inserted before a later check refused it.)
                (Ok(None), Some(key)) | (Err(DomainError::Rejected { .. }), Some(key))
                    if let Some(existing) = orders::by_request_key(tx, key).await?.filter(|o| o.id != id) =>
                {
                    Ok(existing)
                }
                (Ok(None), _) => Err(DomainError::Contention("order number collision".into())),
                (Err(e), _) => Err(e),
            }
        })
    }

    /// A customer's own order with its payments; anyone else's is 404.
    pub async fn get(&self, user_id: Option<Uuid>, id: Uuid) -> Result<(Order, Vec<Payment>), DomainError> {
        let mut c = self.0.db.conn().await?;
        let order = orders::get(&mut c, id, user_id).await?.ok_or_else(|| not_found("order"))?;
        let payments = payments::of_order(&mut c, id).await?;
        Ok((order, payments))
    }

    pub async fn page(
        &self,
        filter: &OrderFilter,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<Order>, DomainError> {
        let limit = page_limit(limit)?;
        let scope = format!(
            "orders|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            filter.user_id, filter.status, filter.trade_no, filter.product_id, filter.from, filter.to
        );
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        Ok(page_of(orders::page(&mut c, filter, after, limit + 1).await?, limit, &scope, |o| (o.created_at, o.id)))
    }

    /// The customer cancels their unpaid order.
    pub async fn cancel(&self, user_id: Uuid, id: Uuid) -> Result<Order, DomainError> {
        crate::transaction!(self.0.db, |tx| {
            match cancel_in(tx, id, Some(user_id), "cancelled by the customer").await? {
                Some(o) => Ok(o),
                None => Err(refuse(
                    tx,
                    id,
                    Some(user_id),
                    ErrorCode::OrderNotCancellable,
                    "only unpaid orders can be cancelled",
                )
                .await),
            }
        })
    }

    /// Staff cancel an unpaid order with a reason, audited.
    pub async fn cancel_by_staff(&self, actor: &Actor, id: Uuid, reason: &str) -> Result<Order, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let Some(o) = cancel_in(tx, id, None, reason).await? else {
                return Err(refuse(
                    tx,
                    id,
                    None,
                    ErrorCode::OrderNotCancellable,
                    "only unpaid orders can be cancelled",
                )
                .await);
            };
            let change = Change::new(AuditAction::OrderCancel, "order", id)
                .before(json!({ "status": "unpaid" }))
                .after(json!({ "status": o.status }))
                .reason(reason);
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(o)
        })
    }

    /// Cancels unpaid orders past `expires_at`, each in its own transaction; returns how many.
    pub async fn cancel_expired(&self, batch: i64) -> Result<u64, DomainError> {
        let ids = {
            let mut c = self.0.db.conn().await?;
            orders::expired_unpaid(&mut c, batch).await?
        };
        let mut done = 0;
        for id in ids {
            let cancelled =
                crate::transaction!(self.0.db, |tx| Ok(cancel_in(tx, id, None, "expired unpaid").await?.is_some()))?;
            done += u64::from(cancelled);
        }
        Ok(done)
    }
}
