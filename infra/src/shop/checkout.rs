//! Paying for orders: from the wallet, by staff, through a gateway (start and settle), and
//! refunds to the wallet. Each is one transaction whose state changes are guarded on the old
//! state; ledger postings, payment rows and outbox events commit with it or not at all.

use std::sync::Arc;

use chrono::Utc;
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::events::{Event, types};
use helium_domain::shop::commands::{MarkPaid, Refund};
use helium_domain::shop::model::{Order, OrderKind, OrderRefunded, PaidVia, PaymentStatus};
use helium_domain::shop::rules::{minor_from_yuan, payable, refundable_amount, yuan};
use helium_domain::wallet::model::PostingKind;
use helium_domain::wallet::rules::lines;
use helium_domain::{DomainError, ErrorCode};
use rand::RngCore;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::{ShopContext, not_found};
use super::orders::{order_event, refuse};
use super::store::payments::GatewayPayment;
use super::store::{methods, orders, payments};
use crate::audit;
use crate::events::outbox;
use crate::gateways::epay;
use crate::wallet::ledger::{Posting, post};
use crate::wallet::wallets::actor_ref;

/// Where the customer's browser goes to pay.
#[derive(Debug, Clone)]
pub struct GatewayRedirect {
    pub payment_id: Uuid,
    pub redirect_url: String,
}

/// What a gateway reported about one of our payments (notify or query).
#[derive(Debug, Clone)]
pub struct GatewayReport<'a> {
    pub out_trade_no: &'a str,
    pub trade_no: &'a str,
    pub money: &'a str,
    pub pid: &'a str,
    pub paid: bool,
}

/// How a gateway report was handled. Every variant but `Rejected` answers `success`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// The payment paid its order.
    PaidOrder,
    /// The order was no longer payable: the money went to the customer's wallet.
    CreditedWallet,
    /// Reported before: nothing changed.
    Duplicate,
}

fn payment_out_trade_no() -> String {
    format!("P{}{:012}", Utc::now().format("%Y%m%d"), rand::rng().next_u64() % 1_000_000_000_000)
}

#[derive(Clone)]
pub struct Checkout(pub(crate) Arc<ShopContext>);

impl Checkout {
    /// Pays the customer's unpaid order from their available balance: the order moves only
    /// if it was unpaid, the debit only if the balance covers it, both or neither.
    pub async fn pay_with_wallet(&self, user_id: Uuid, order_id: Uuid) -> Result<Order, DomainError> {
        let ctx = &self.0;
        let currency = ctx.shop_config().await?.currency;
        let actor = format!("customer:{user_id}");
        crate::transaction!(ctx.db, |tx| {
            let Some(order) = orders::mark_paid(tx, order_id, Some(user_id), PaidVia::Wallet).await? else {
                return Err(refuse(
                    tx,
                    order_id,
                    Some(user_id),
                    ErrorCode::OrderNotPayable,
                    "only unpaid orders can be paid",
                )
                .await);
            };
            if order.kind == OrderKind::TopUp {
                return Err(DomainError::rejected(ErrorCode::OrderNotPayable, "a top-up is paid through a gateway"));
            }
            if order.expires_at <= Utc::now() {
                return Err(DomainError::rejected(ErrorCode::OrderNotPayable, "this order has expired"));
            }
            post(
                tx,
                &Posting {
                    user_id,
                    kind: PostingKind::OrderPayment,
                    lines: &lines(PostingKind::OrderPayment, order.total),
                    reason: Some(&format!("order {}", order.trade_no)),
                    order_id: Some(order.id),
                    actor: &actor,
                    request_key: None,
                    currency: &currency,
                },
            )
            .await?;
            payments::insert_settled(tx, order.id, PaidVia::Wallet, order.total, &order.currency, None).await?;
            outbox::append(tx, &order_event(types::ORDER_PAID, &order)).await?;
            Ok(order)
        })
    }

    /// Staff record a payment made outside Helium (bank transfer…): unpaid → paid, audited.
    pub async fn mark_paid(&self, actor: &Actor, order_id: Uuid, cmd: &MarkPaid) -> Result<Order, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let Some(order) = orders::mark_paid(tx, order_id, None, PaidVia::Staff).await? else {
                return Err(
                    refuse(tx, order_id, None, ErrorCode::OrderNotPayable, "only unpaid orders can be paid").await
                );
            };
            payments::insert_settled(
                tx,
                order.id,
                PaidVia::Staff,
                order.total,
                &order.currency,
                cmd.external_reference.as_deref(),
            )
            .await?;
            if order.kind == OrderKind::TopUp {
                credit_top_up(tx, &order, &actor_ref(actor)).await?;
            }
            outbox::append(tx, &order_event(types::ORDER_PAID, &order)).await?;
            let change = Change::new(AuditAction::OrderMarkPaid, "order", order_id)
                .before(json!({ "status": "unpaid" }))
                .after(json!({ "status": "paid", "external_reference": cmd.external_reference }))
                .reason(&cmd.reason);
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(order)
        })
    }

    /// Staff refund a paid or delivered order to the customer's wallet (all of it, or
    /// `amount`), optionally cancelling the package it delivered; audited, announced.
    pub async fn refund(&self, actor: &Actor, order_id: Uuid, cmd: &Refund) -> Result<Order, DomainError> {
        let ctx = &self.0;
        let actor_name = actor_ref(actor);
        crate::transaction!(ctx.db, |tx| {
            let before = orders::lock(tx, order_id).await?.ok_or_else(|| not_found("order"))?;
            let not_refundable = || {
                DomainError::rejected(
                    ErrorCode::OrderNotRefundable,
                    "only paid or delivered orders with something left to refund can be refunded (never top-ups)",
                )
            };
            let remaining = refundable_amount(before.kind, before.status, before.total, before.refund_amount)
                .ok_or_else(not_refundable)?;
            let amount = cmd.amount.unwrap_or(remaining);
            if amount > remaining {
                return Err(DomainError::field("amount", "out_of_range", "at most what is left of the order's total"));
            }
            let refunded = orders::refund(tx, order_id, amount, &cmd.reason).await?.ok_or_else(not_refundable)?;
            if amount > 0 {
                post(
                    tx,
                    &Posting {
                        user_id: before.user_id,
                        kind: PostingKind::Refund,
                        lines: &lines(PostingKind::Refund, amount),
                        reason: Some(&cmd.reason),
                        order_id: Some(order_id),
                        actor: &actor_name,
                        request_key: None,
                        currency: &before.currency,
                    },
                )
                .await?;
            }
            let payload = OrderRefunded {
                order_id,
                user_id: before.user_id,
                amount,
                cancel_package: cmd.cancel_package,
                reason: cmd.reason.clone(),
            };
            let payload = serde_json::to_value(payload).map_err(|e| DomainError::Internal(e.to_string()))?;
            outbox::append(
                tx,
                &Event::new(Uuid::now_v7(), types::ORDER_REFUNDED, order_id.to_string(), Utc::now(), payload),
            )
            .await?;
            let change = Change::new(AuditAction::OrderRefund, "order", order_id)
                .before(json!({ "status": before.status }))
                .after(json!({ "status": "refunded", "amount": amount, "cancel_package": cmd.cancel_package }))
                .reason(&cmd.reason);
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(refunded)
        })
    }

    /// Starts paying the customer's unpaid order through an enabled gateway: a pending
    /// payment with its own gateway number, and the signed `submit.php` URL.
    pub async fn start_gateway(
        &self,
        user_id: Uuid,
        order_id: Uuid,
        method_id: Uuid,
    ) -> Result<GatewayRedirect, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.shop_config().await?;
        let mut tx = ctx.db.begin().await?;
        let order = orders::get(&mut tx, order_id, Some(user_id)).await?.ok_or_else(|| not_found("order"))?;
        if !payable(order.status) || order.expires_at <= Utc::now() {
            return Err(DomainError::rejected(ErrorCode::OrderNotPayable, "only unpaid orders can be paid"));
        }
        let unavailable =
            || DomainError::rejected(ErrorCode::PaymentMethodUnavailable, "this payment method is not available");
        let (method, key_sealed) =
            methods::with_key(&mut tx, method_id).await?.filter(|(m, _)| m.enabled).ok_or_else(unavailable)?;
        let key = open_key(ctx, &mut tx, method_id, &key_sealed).await?;
        let payment_id = Uuid::now_v7();
        let mut out_trade_no = payment_out_trade_no();
        while !payments::insert_pending(
            &mut tx,
            payment_id,
            order.id,
            method.id,
            order.total,
            &order.currency,
            &out_trade_no,
        )
        .await?
        {
            out_trade_no = payment_out_trade_no();
        }
        tx.commit().await.map_err(crate::db::DbError::from)?;
        let money = yuan(order.total);
        let name: String = order.product_name.chars().take(40).collect();
        let params = [
            ("pid", method.pid.as_str()),
            ("type", method.channel.as_str()),
            ("out_trade_no", out_trade_no.as_str()),
            ("notify_url", cfg.epay_notify_url.as_str()),
            ("return_url", cfg.epay_return_url.as_str()),
            ("name", name.as_str()),
            ("money", money.as_str()),
        ];
        Ok(GatewayRedirect { payment_id, redirect_url: epay::submit_url(&method.url, &params, &key) })
    }

    /// Verifies an Epay notify (signature with the key of the payment's own method, `pid`,
    /// status, amount) and settles it. `Err` means "answer fail"; the reason is logged
    /// without any secret.
    pub async fn epay_notify(&self, params: &[(&str, &str)]) -> Result<Settlement, DomainError> {
        let get = |k: &str| params.iter().find(|(n, _)| *n == k).map(|(_, v)| *v).unwrap_or_default();
        let out_trade_no = get("out_trade_no");
        // The key opens on the connection that found the payment (the data key is loaded at
        // start-up, so nothing here writes).
        let (payment, key) = {
            let mut c = self.0.db.conn().await?;
            let Some(payment) = payments::gateway_by_out_trade_no(&mut c, out_trade_no).await? else {
                tracing::warn!(out_trade_no, "epay notify for an unknown payment");
                return Err(DomainError::rejected(ErrorCode::SignatureInvalid, "unknown payment"));
            };
            let key = open_key(&self.0, &mut c, payment.method_id, &payment.key_sealed).await?;
            (payment, key)
        };
        if !epay::verify(params, &key) {
            metrics::counter!("helium_gateway_rejections_total", "reason" => "signature").increment(1);
            tracing::warn!(out_trade_no, payment_id = %payment.id, "epay notify with a bad signature");
            return Err(DomainError::rejected(ErrorCode::SignatureInvalid, "signature does not verify"));
        }
        let report = GatewayReport {
            out_trade_no,
            trade_no: get("trade_no"),
            money: get("money"),
            pid: get("pid"),
            paid: get("trade_status") == "TRADE_SUCCESS",
        };
        self.settle_payment(&payment, &report).await
    }

    /// Settles a gateway report that was already authenticated (signed notify, or the
    /// gateway's own query answer).
    pub async fn settle(&self, r: &GatewayReport<'_>) -> Result<Settlement, DomainError> {
        let payment = {
            let mut c = self.0.db.conn().await?;
            payments::gateway_by_out_trade_no(&mut c, r.out_trade_no).await?
        };
        let payment = payment.ok_or_else(|| mismatch(r, "out_trade_no"))?;
        self.settle_payment(&payment, r).await
    }

    /// Settles `r` for payment `p` (read just before): the checks need only its fixed
    /// fields; the state changes are guarded in the transaction, so a report that raced
    /// another one is told apart there.
    async fn settle_payment(&self, p: &GatewayPayment, r: &GatewayReport<'_>) -> Result<Settlement, DomainError> {
        if r.pid != p.pid {
            return Err(mismatch(r, "pid"));
        }
        if !r.paid {
            return Err(mismatch(r, "trade_status"));
        }
        if minor_from_yuan(r.money) != Some(p.amount) {
            return Err(mismatch(r, "money"));
        }
        if r.trade_no.is_empty() || r.trade_no.len() > 128 {
            return Err(mismatch(r, "trade_no"));
        }
        let replayed = |gateway_trade_no: Option<&str>| {
            if gateway_trade_no == Some(r.trade_no) { Ok(Settlement::Duplicate) } else { Err(mismatch(r, "trade_no")) }
        };
        if p.status == PaymentStatus::Succeeded {
            return replayed(p.gateway_trade_no.as_deref());
        }
        crate::transaction!(self.0.db, |tx| {
            let order = orders::mark_paid(tx, p.order_id, None, PaidVia::Gateway).await?;
            if !payments::settle_gateway(tx, p.id, r.trade_no, order.is_some()).await? {
                if order.is_some() {
                    // The payment left `pending` some other way: the order must not move (rolls back).
                    return Err(mismatch(r, "payment status"));
                }
                // Settled by a report that raced this one: nothing of ours is written.
                let now = payments::gateway_by_out_trade_no(tx, r.out_trade_no).await?;
                return replayed(now.as_ref().and_then(|n| n.gateway_trade_no.as_deref()));
            }
            let succeeded =
                json!({ "payment_id": p.id, "order_id": p.order_id, "amount": p.amount, "currency": p.currency });
            let succeeded =
                Event::new(Uuid::now_v7(), types::PAYMENT_SUCCEEDED, p.order_id.to_string(), Utc::now(), succeeded);
            match order {
                Some(order) => {
                    if order.kind == OrderKind::TopUp {
                        credit_top_up(tx, &order, "gateway").await?;
                    }
                    outbox::append_all(tx, &[succeeded, order_event(types::ORDER_PAID, &order)]).await?;
                    Ok(Settlement::PaidOrder)
                }
                None => {
                    outbox::append(tx, &succeeded).await?;
                    // Paid twice, or after a cancel: the money is the customer's, in the wallet.
                    let order = orders::get(tx, p.order_id, None).await?.ok_or_else(|| not_found("order"))?;
                    post(
                        tx,
                        &Posting {
                            user_id: order.user_id,
                            kind: PostingKind::Overpayment,
                            lines: &lines(PostingKind::Overpayment, p.amount),
                            reason: Some(&format!(
                                "gateway payment for order {} that was {}",
                                order.trade_no,
                                order.status.as_str()
                            )),
                            order_id: Some(order.id),
                            actor: "gateway",
                            request_key: None,
                            currency: &p.currency,
                        },
                    )
                    .await?;
                    Ok(Settlement::CreditedWallet)
                }
            }
        })
    }
}

/// A gateway report that does not match our payment: counted, logged (no secret), refused.
fn mismatch(r: &GatewayReport<'_>, what: &str) -> DomainError {
    metrics::counter!("helium_gateway_rejections_total", "reason" => "mismatch").increment(1);
    tracing::warn!(out_trade_no = r.out_trade_no, what, "gateway report does not match the payment");
    DomainError::rejected(ErrorCode::PaymentMismatch, format!("{what} does not match"))
}

/// A paid top-up order: the amount goes to the wallet and the order is delivered at once.
async fn credit_top_up(tx: &mut PgConnection, order: &Order, actor: &str) -> Result<(), DomainError> {
    post(
        tx,
        &Posting {
            user_id: order.user_id,
            kind: PostingKind::TopUp,
            lines: &lines(PostingKind::TopUp, order.total),
            reason: Some(&format!("top-up {}", order.trade_no)),
            order_id: Some(order.id),
            actor,
            request_key: None,
            currency: &order.currency,
        },
    )
    .await?;
    orders::mark_delivered(tx, order.id).await?;
    Ok(())
}

/// The merchant key of a method, opened from its sealed form (bound to the method id).
pub(crate) async fn open_key(
    ctx: &ShopContext,
    c: &mut PgConnection,
    method_id: Uuid,
    sealed: &str,
) -> Result<String, DomainError> {
    let sealer = ctx.keys.sealer(c).await?;
    let plain = sealer.open(sealed, method_id.as_bytes()).map_err(|e| DomainError::Internal(e.to_string()))?;
    String::from_utf8(plain).map_err(|e| DomainError::Internal(e.to_string()))
}
