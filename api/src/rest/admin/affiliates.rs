//! Affiliate policies and commissions for staff (tag `market`).

use axum::Json;
use axum::extract::{Path, Query, State};
use helium_domain::market::commands::{policy, status_filter};
use helium_domain::market::model as m;
use helium_infra::market::store::commissions::Filter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::json::JsonBody;
use crate::http::params;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Audited;
use crate::rest::shop::dto::{Money, wire};
use crate::state::AppState;

/// A customer's affiliate standing: the effective values and the overrides behind them.
#[derive(Debug, Serialize, ToSchema)]
pub struct AffiliatePolicy {
    pub user_id: Uuid,
    /// Referrals on for this customer (the config's `enabled` must be on too).
    pub enabled: bool,
    /// Effective rate, a decimal such as `"0.1"`.
    pub reward_rate: String,
    /// Effective number of a referee's orders that earn a commission.
    pub trigger_limit: i32,
    /// Effective maximum of live invite codes.
    pub max_invite_codes: i32,
    /// The stored overrides; null = the config default applies.
    pub overrides: AffiliateOverrides,
    /// Who referred this customer, if anyone.
    pub referrer_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AffiliateOverrides {
    pub enabled: bool,
    pub reward_rate: Option<String>,
    pub trigger_limit: Option<i32>,
    pub max_invite_codes: Option<i32>,
}

impl From<m::AffiliatePolicy> for AffiliatePolicy {
    fn from(p: m::AffiliatePolicy) -> Self {
        Self {
            user_id: p.user_id,
            enabled: p.effective.enabled,
            reward_rate: p.effective.reward_rate.normalize().to_string(),
            trigger_limit: p.effective.trigger_limit,
            max_invite_codes: p.effective.max_invite_codes,
            overrides: AffiliateOverrides {
                enabled: p.overrides.enabled,
                reward_rate: p.overrides.reward_rate.map(|r| r.normalize().to_string()),
                trigger_limit: p.overrides.trigger_limit,
                max_invite_codes: p.overrides.max_invite_codes,
            },
            referrer_id: p.referrer_id,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutAffiliatePolicyRequest {
    /// `false` turns referrals off for this customer (no new codes, commissions or withdrawals).
    pub enabled: bool,
    /// A decimal from 0 to 1 with at most 4 places; null = config default.
    #[serde(default)]
    pub reward_rate: Option<String>,
    /// 0–1000; null = config default.
    #[serde(default)]
    pub trigger_limit: Option<i64>,
    /// 0–1000; null = config default.
    #[serde(default)]
    pub max_invite_codes: Option<i64>,
}

#[utoipa::path(
    get, path = "/api/v1/admin/affiliates/{user_id}", operation_id = "adminGetAffiliatePolicy", tag = "market",
    summary = "A customer's affiliate policy",
    params(("user_id" = Uuid, Path, description = "Customer id")),
    responses(
        (status = 200, description = "Effective policy and overrides", body = AffiliatePolicy),
        (status = 404, description = "not_found", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_get_affiliate_policy(
    State(state): State<AppState>,
    Path(user_id): Path<Uuid>,
) -> Result<Json<AffiliatePolicy>, ApiError> {
    Ok(Json(state.market.affiliates.get(user_id).await?.into()))
}

#[utoipa::path(
    put, path = "/api/v1/admin/affiliates/{user_id}", operation_id = "adminPutAffiliatePolicy", tag = "market",
    summary = "Set a customer's affiliate policy",
    description = "Replaces the overrides; null fields fall back to the `affiliate` config defaults. Audited.",
    params(("user_id" = Uuid, Path, description = "Customer id")),
    request_body = PutAffiliatePolicyRequest,
    responses(
        (status = 200, description = "The policy now", body = AffiliatePolicy),
        (status = 404, description = "not_found", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn admin_put_affiliate_policy(
    State(state): State<AppState>,
    a: Audited,
    Path(user_id): Path<Uuid>,
    JsonBody(req): JsonBody<PutAffiliatePolicyRequest>,
) -> Result<Json<AffiliatePolicy>, ApiError> {
    let p = policy(req.enabled, req.reward_rate.as_deref(), req.trigger_limit, req.max_invite_codes)?;
    Ok(Json(state.market.affiliates.put(&a.actor, user_id, &p).await?.into()))
}

/// A commission as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminCommission {
    pub id: Uuid,
    /// The referrer who earns it.
    pub beneficiary_id: Uuid,
    /// The referred customer whose order earned it.
    pub referee_id: Uuid,
    pub order_id: Uuid,
    pub order_amount: Money,
    pub rate: String,
    pub amount: Money,
    /// `pending`, `available` or `reversed`.
    pub status: String,
    pub available_at: chrono::DateTime<chrono::Utc>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub reversed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<m::Commission> for AdminCommission {
    fn from(c: m::Commission) -> Self {
        Self {
            id: c.id,
            beneficiary_id: c.beneficiary_id,
            referee_id: c.referee_id,
            order_id: c.order_id,
            order_amount: Money::new(c.order_amount, &c.currency),
            rate: c.rate.normalize().to_string(),
            amount: Money::new(c.amount, &c.currency),
            status: wire(&c.status),
            available_at: c.available_at,
            created_at: c.created_at,
            reversed_at: c.reversed_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminCommissionPage {
    pub items: Vec<AdminCommission>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminCommissionQuery {
    pub beneficiary_id: Option<Uuid>,
    pub referee_id: Option<Uuid>,
    /// `pending`, `available` or `reversed`.
    pub status: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[utoipa::path(
    get, path = "/api/v1/admin/commissions", operation_id = "adminListCommissions", tag = "market",
    summary = "Commissions, newest first",
    description = "SuperAdmin and Moderator (`affiliate.write`): CustomerSupport reads policies only.",
    params(AdminCommissionQuery),
    responses((status = 200, description = "One page", body = AdminCommissionPage))
)]
pub async fn admin_list_commissions(
    State(state): State<AppState>,
    Query(q): Query<AdminCommissionQuery>,
) -> Result<Json<AdminCommissionPage>, ApiError> {
    let status = status_filter(params::present(q.status).as_deref())?;
    let filter = Filter { beneficiary_id: q.beneficiary_id, referee_id: q.referee_id, status };
    let page = state.market.earnings.commissions(&filter, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(AdminCommissionPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}
