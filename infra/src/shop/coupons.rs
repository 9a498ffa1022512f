//! Coupons: staff management, and the customer's preview. The use limits are enforced where
//! the order is created (see `orders.rs`), under the coupon's row lock.

use std::sync::Arc;

use chrono::Utc;
use helium_domain::audit::{Actor, AuditAction, Change};
use helium_domain::shop::commands::{CouponInput, CouponPatch, NewOrder};
use helium_domain::shop::model::Coupon;
use helium_domain::shop::rules::coupon_discount;
use helium_domain::{DomainError, ErrorCode};
use serde_json::json;
use uuid::Uuid;

use super::catalog::Viewer;
use super::context::{ShopContext, not_found};
use super::store::products::Audience;
use super::store::{coupons, products};
use crate::audit;
use crate::paging::{Page, decode_cursor, page_limit, page_of};

fn snapshot(k: &Coupon) -> serde_json::Value {
    json!({
        "code": k.code, "discount_type": k.discount_type, "rate": k.rate, "amount": k.amount,
        "starts_at": k.starts_at, "ends_at": k.ends_at, "max_uses": k.max_uses,
        "max_uses_per_user": k.max_uses_per_user, "min_amount": k.min_amount, "product_ids": k.product_ids,
        "active": k.active,
    })
}

/// What a coupon does to one product's price.
#[derive(Debug, Clone)]
pub struct Preview {
    pub code: String,
    pub subtotal: i64,
    pub discount: i64,
    pub total: i64,
    pub currency: String,
}

#[derive(Clone)]
pub struct Coupons(pub(crate) Arc<ShopContext>);

impl Coupons {
    pub async fn create(&self, actor: &Actor, cmd: &CouponInput) -> Result<Coupon, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let k = match coupons::insert(tx, Uuid::now_v7(), cmd).await {
                Ok(k) => k,
                Err(e) if e.is_unique("coupons_code_key") => {
                    return Err(DomainError::rejected(ErrorCode::CouponCodeTaken, "a coupon with this code exists"));
                }
                Err(e) => return Err(e.into()),
            };
            audit::append(
                tx,
                &ctx.keys,
                actor,
                Change::new(AuditAction::CouponCreate, "coupon", k.id).after(snapshot(&k)),
            )
            .await?;
            Ok(k)
        })
    }

    pub async fn update(&self, actor: &Actor, id: Uuid, cmd: &CouponPatch) -> Result<Coupon, DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = coupons::get(tx, id).await?.ok_or_else(|| not_found("coupon"))?;
            if let Some(end) = cmd.ends_at
                && end <= before.starts_at
            {
                return Err(DomainError::field("ends_at", "out_of_range", "after starts_at"));
            }
            if cmd.max_uses.flatten().is_some_and(|m| m < before.uses) {
                return Err(DomainError::rejected(ErrorCode::CouponInUse, "more orders already use this coupon"));
            }
            let after = coupons::update(tx, id, cmd).await?.ok_or_else(|| not_found("coupon"))?;
            let change =
                Change::new(AuditAction::CouponUpdate, "coupon", id).before(snapshot(&before)).after(snapshot(&after));
            audit::append(tx, &ctx.keys, actor, change).await?;
            Ok(after)
        })
    }

    /// Deletes a coupon no order ever used; a used one is 409 `coupon_in_use` (deactivate it).
    pub async fn delete(&self, actor: &Actor, id: Uuid) -> Result<(), DomainError> {
        let ctx = &self.0;
        crate::transaction!(ctx.db, |tx| {
            let before = coupons::get(tx, id).await?.ok_or_else(|| not_found("coupon"))?;
            if !coupons::delete_unused(tx, id).await? {
                return Err(DomainError::rejected(
                    ErrorCode::CouponInUse,
                    "this coupon was used: deactivate it instead",
                ));
            }
            audit::append(
                tx,
                &ctx.keys,
                actor,
                Change::new(AuditAction::CouponDelete, "coupon", id).before(snapshot(&before)),
            )
            .await?;
            Ok(())
        })
    }

    pub async fn get(&self, id: Uuid) -> Result<Coupon, DomainError> {
        let mut c = self.0.db.conn().await?;
        coupons::get(&mut c, id).await?.ok_or_else(|| not_found("coupon"))
    }

    pub async fn page(
        &self,
        active: Option<bool>,
        q: Option<&str>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<Coupon>, DomainError> {
        let limit = page_limit(limit)?;
        let q = q.map(str::trim).filter(|q| !q.is_empty());
        let scope = format!("coupons|{active:?}|{}", q.unwrap_or_default());
        let after = cursor.map(|c| decode_cursor(&scope, c)).transpose()?;
        let mut c = self.0.db.conn().await?;
        Ok(page_of(coupons::page(&mut c, active, q, after, limit + 1).await?, limit, &scope, |k| (k.created_at, k.id)))
    }

    /// What `code` takes off `product_id` for this customer now; checked again at order creation.
    pub async fn preview(&self, viewer: Viewer, cmd: &NewOrder) -> Result<Preview, DomainError> {
        let Viewer::Customer(user_id) = viewer else {
            return Err(DomainError::rejected(ErrorCode::Unauthenticated, "sign in to use a coupon"));
        };
        let code =
            cmd.coupon_code.as_deref().ok_or_else(|| DomainError::field("code", "required", "the coupon code"))?;
        let mut c = self.0.db.conn().await?;
        let product = products::get(&mut c, cmd.product_id, Audience::CustomerOf(user_id))
            .await?
            .ok_or_else(|| DomainError::rejected(ErrorCode::ProductNotAvailable, "this product is not available"))?;
        let coupon = coupons::by_code(&mut c, code)
            .await?
            .ok_or_else(|| DomainError::rejected(ErrorCode::CouponNotFound, "no such coupon"))?;
        let discount = coupon_discount(&coupon, product.id, product.price, Utc::now())
            .map_err(|code| DomainError::rejected(code, "this coupon cannot be used here"))?;
        if coupons::uses_by(&mut c, coupon.id, user_id).await? >= i64::from(coupon.max_uses_per_user) {
            return Err(DomainError::rejected(
                ErrorCode::CouponUserLimitReached,
                "you used this coupon as often as allowed",
            ));
        }
        Ok(Preview {
            code: coupon.code,
            subtotal: product.price,
            discount,
            total: product.price - discount,
            currency: product.currency,
        })
    }
}
