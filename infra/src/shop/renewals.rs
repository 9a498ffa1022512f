//! Auto-renewal from the wallet: a customer turns it on for a product they hold; when
//! telecom announces `package.expiring` for a package bought as that product, a renewal order
//! is created and paid from the wallet in one transaction. Without enough balance nothing is
//! created and the customer gets a reminder. Once per package period, however often the
//! event arrives.

use std::sync::Arc;

use chrono::{Duration, Utc};
use helium_domain::events::{EmailTemplate, Event, types};
use helium_domain::shop::model::{OrderKind, PackageExpiring, PaidVia};
use helium_domain::shop::rules::{trade_no, yuan};
use helium_domain::wallet::model::PostingKind;
use helium_domain::wallet::rules::lines;
use helium_domain::{DomainError, ErrorCode};
use rand::RngCore;
use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::context::{ShopContext, not_found};
use super::orders::order_event;
use super::store::orders::{self, NewOrderRow};
use super::store::products::Audience;
use super::store::renewals::{self, AutoRenewal};
use super::store::{payments, products};
use crate::events::consumer::{Handler, HandlerError};
use crate::events::outbox;
use crate::mail::request::email_event;
use crate::wallet::ledger::{Posting, post};
use crate::wallet::store::wallets;

#[derive(Clone)]
pub struct Renewals(pub(crate) Arc<ShopContext>);

impl Renewals {
    /// Turns auto-renewal of a product the customer may buy on or off.
    pub async fn set(&self, user_id: Uuid, product_id: Uuid, enabled: bool) -> Result<AutoRenewal, DomainError> {
        crate::transaction!(self.0.db, |tx| {
            // Turning it on needs a product the customer may buy; off, any product that exists.
            let audience = if enabled { Audience::CustomerOf(user_id) } else { Audience::Staff };
            if products::get(tx, product_id, audience).await?.is_none() {
                return Err(not_found("product"));
            }
            Ok(renewals::set(tx, user_id, product_id, enabled).await?)
        })
    }

    pub async fn list(&self, user_id: Uuid) -> Result<Vec<AutoRenewal>, DomainError> {
        let mut c = self.0.db.conn().await?;
        Ok(renewals::of_user(&mut c, user_id).await?)
    }
}

/// Consumer of `package.expiring`.
pub struct AutoRenewHandler {
    pub ctx: Arc<ShopContext>,
}

enum Outcome {
    Renewed,
    Reminded,
    NotWanted,
}

impl AutoRenewHandler {
    /// Creates and pays the renewal in the consumer's transaction, or reminds.
    async fn renew(&self, tx: &mut PgConnection, e: &PackageExpiring) -> Result<Outcome, DomainError> {
        let Some(product_id) = e.product_id else { return Ok(Outcome::NotWanted) };
        if !renewals::claim(tx, e.user_id, product_id, e.expires_at).await? {
            return Ok(Outcome::NotWanted);
        }
        let cfg = self.ctx.config.shop_on(tx).await?;
        let Some(product) = products::get(tx, product_id, Audience::CustomerOf(e.user_id)).await? else {
            return Ok(Outcome::NotWanted);
        };
        let Some(version) = product.current_version.as_ref() else { return Ok(Outcome::NotWanted) };
        let wallet = wallets::get(tx, e.user_id).await?;
        let available = wallet.as_ref().map_or(0, |w| w.available);
        if available < product.price {
            if let Some(user) = crate::auth::store::users::by_id(tx, e.user_id).await? {
                let context = json!({
                    "product_name": product.name,
                    "expires_at": e.expires_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                    "available": format!("{} {}", yuan(available), cfg.currency),
                    "price": format!("{} {}", yuan(product.price), cfg.currency),
                    "wallet_url": format!("{}/wallet", self.ctx.public_url.trim_end_matches('/')),
                });
                let mail =
                    email_event(tx, &self.ctx.keys, &user.email, EmailTemplate::AutoRenewFailed, context, json!({}))
                        .await?;
                outbox::append(tx, &mail).await?;
            }
            return Ok(Outcome::Reminded);
        }
        let id = Uuid::now_v7();
        let number = trade_no(Utc::now(), rand::rng().next_u64());
        let row = NewOrderRow {
            id,
            trade_no: &number,
            user_id: e.user_id,
            kind: OrderKind::Renewal,
            product_id: Some(product.id),
            package_version_id: Some(version.id),
            product_name: &product.name,
            subtotal: product.price,
            discount: 0,
            currency: &cfg.currency,
            coupon_id: None,
            request_key: None,
            expires_at: Utc::now() + Duration::seconds(cfg.auto_cancel_after.0 as i64),
        };
        if orders::insert(tx, &row).await?.is_none() {
            return Err(DomainError::Contention("order number collision".into()));
        }
        let order = orders::mark_paid(tx, id, None, PaidVia::Wallet).await?.ok_or_else(|| not_found("order"))?;
        post(
            tx,
            &Posting {
                user_id: e.user_id,
                kind: PostingKind::OrderPayment,
                lines: &lines(PostingKind::OrderPayment, order.total),
                reason: Some(&format!("auto-renewal {}", order.trade_no)),
                order_id: Some(order.id),
                actor: "system",
                request_key: None,
                currency: &cfg.currency,
            },
        )
        .await?;
        payments::insert_settled(tx, order.id, PaidVia::Wallet, order.total, &order.currency, None).await?;
        outbox::append(tx, &order_event(types::ORDER_PAID, &order)).await?;
        renewals::record_order(tx, e.user_id, product.id, order.id).await?;
        Ok(Outcome::Renewed)
    }
}

#[async_trait::async_trait]
impl Handler for AutoRenewHandler {
    fn name(&self) -> &'static str {
        "shop_auto_renew"
    }

    fn event_types(&self) -> &'static [&'static str] {
        &[types::PACKAGE_EXPIRING]
    }

    async fn handle(&self, tx: &mut PgConnection, event: &Event, _attempt: u32) -> Result<(), HandlerError> {
        let expiring: PackageExpiring =
            serde_json::from_value(event.payload.clone()).map_err(|e| HandlerError::Permanent(e.to_string()))?;
        match self.renew(tx, &expiring).await {
            Ok(Outcome::Renewed) => {
                metrics::counter!("helium_auto_renewals_total", "outcome" => "renewed").increment(1)
            }
            Ok(Outcome::Reminded) => {
                metrics::counter!("helium_auto_renewals_total", "outcome" => "reminded").increment(1)
            }
            Ok(Outcome::NotWanted) => {}
            // A race took the money between the check and the debit: remind next time.
            Err(e) if e.code() == ErrorCode::InsufficientFunds => return Err(HandlerError::Transient(e.to_string())),
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }
}
