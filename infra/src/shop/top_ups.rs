//! Wallet top-ups: an order for an amount within the shop's bounds, paid through a gateway;
//! the settlement credits the wallet (`shop::checkout`).

use std::sync::Arc;

use chrono::{Duration, Utc};
use helium_domain::shop::model::{Order, OrderKind};
use helium_domain::shop::rules::trade_no;
use helium_domain::{DomainError, ErrorCode};
use rand::RngCore;
use uuid::Uuid;

use super::context::ShopContext;
use super::store::orders::{self, NewOrderRow};

#[derive(Clone)]
pub struct TopUps(pub(crate) Arc<ShopContext>);

impl TopUps {
    /// An unpaid top-up order of `amount` minor units (`top_up_min..=top_up_max`).
    pub async fn create(&self, user_id: Uuid, amount: i64, request_key: Option<&str>) -> Result<Order, DomainError> {
        let ctx = &self.0;
        let cfg = ctx.shop_config().await?;
        if !(cfg.top_up_min..=cfg.top_up_max).contains(&amount) {
            return Err(DomainError::Rejected {
                code: ErrorCode::TopUpOutOfRange,
                detail: format!("a top-up is {} to {} minor units", cfg.top_up_min, cfg.top_up_max),
                fields: vec![helium_domain::FieldError::new(
                    "amount",
                    "out_of_range",
                    "outside the shop's top-up bounds",
                )],
            });
        }
        crate::transaction!(ctx.db, |tx| {
            if let Some(key) = request_key
                && let Some(existing) = orders::by_request_key(tx, key).await?
            {
                return Ok(existing);
            }
            orders::lock_customer(tx, user_id).await?;
            if orders::unpaid_count(tx, user_id).await? >= i64::from(cfg.max_unpaid_orders) {
                return Err(DomainError::rejected(
                    ErrorCode::MaxUnpaidOrdersReached,
                    "pay or cancel an unpaid order first",
                ));
            }
            let id = Uuid::now_v7();
            let number = trade_no(Utc::now(), rand::rng().next_u64());
            let row = NewOrderRow {
                id,
                trade_no: &number,
                user_id,
                kind: OrderKind::TopUp,
                product_id: None,
                package_version_id: None,
                product_name: "Wallet top-up",
                subtotal: amount,
                discount: 0,
                currency: &cfg.currency,
                coupon_id: None,
                request_key,
                expires_at: Utc::now() + Duration::seconds(cfg.auto_cancel_after.0 as i64),
            };
            // A collision (number or key) runs the use case again, which finds a retry's order.
            orders::insert(tx, &row).await?.ok_or_else(|| DomainError::Contention("order number collision".into()))
        })
    }
}
