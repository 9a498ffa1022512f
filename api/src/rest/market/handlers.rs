//! My invite codes, referrals and commissions (tag `market`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use helium_domain::market::commands::{status_filter, withdraw_amount};
use helium_infra::market::store::commissions::Filter;
use uuid::Uuid;

use super::dto::*;
use crate::http::customer::Customer;
use crate::http::idempotency::RequestKey;
use crate::http::json::JsonBody;
use crate::http::params;
use crate::http::problem::{ApiError, ProblemBody};
use crate::rest::shop::dto::{Money, PageQuery};
use crate::state::AppState;

#[utoipa::path(
    get, path = "/api/v1/invite-codes", operation_id = "listInviteCodes", tag = "market",
    summary = "My invite codes, newest first",
    security(("customerBearer" = [])),
    params(PageQuery),
    responses((status = 200, description = "One page of codes with their sign-ups", body = InviteCodePage))
)]
pub async fn list_invite_codes(
    State(state): State<AppState>,
    Customer(me): Customer,
    Query(q): Query<PageQuery>,
) -> Result<Json<InviteCodePage>, ApiError> {
    let page = state.market.codes.list(me.user_id, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(InviteCodePage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}

#[utoipa::path(
    post, path = "/api/v1/invite-codes", operation_id = "createInviteCode", tag = "market",
    summary = "Create an invite code",
    description = "A random 8-character code, within my maximum (`codes_max` of `getReferralStats`).",
    security(("customerBearer" = [])),
    responses(
        (status = 201, description = "The new code", body = InviteCode),
        (status = 403, description = "affiliate_disabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "invite_code_limit_reached", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn create_invite_code(
    State(state): State<AppState>,
    Customer(me): Customer,
) -> Result<(StatusCode, Json<InviteCode>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.market.codes.create(me.user_id).await?.into())))
}

#[utoipa::path(
    delete, path = "/api/v1/invite-codes/{id}", operation_id = "deleteInviteCode", tag = "market",
    summary = "Retire one of my invite codes",
    description = "The code stops working for new sign-ups; customers who already used it stay referred by me.",
    security(("customerBearer" = [])),
    params(("id" = Uuid, Path, description = "Invite code id")),
    responses(
        (status = 204, description = "Retired"),
        (status = 404, description = "not_found", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn delete_invite_code(
    State(state): State<AppState>,
    Customer(me): Customer,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.market.codes.delete(me.user_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get, path = "/api/v1/referrals/stats", operation_id = "getReferralStats", tag = "market",
    summary = "My referral numbers and commission balance",
    security(("customerBearer" = [])),
    responses((status = 200, description = "Stats", body = ReferralStats))
)]
pub async fn get_referral_stats(
    State(state): State<AppState>,
    Customer(me): Customer,
) -> Result<Json<ReferralStats>, ApiError> {
    Ok(Json(state.market.earnings.stats(me.user_id).await?.into()))
}

#[utoipa::path(
    get, path = "/api/v1/referrals", operation_id = "listReferrals", tag = "market",
    summary = "Customers I referred, newest first",
    security(("customerBearer" = [])),
    params(PageQuery),
    responses((status = 200, description = "One page", body = ReferralPage))
)]
pub async fn list_referrals(
    State(state): State<AppState>,
    Customer(me): Customer,
    Query(q): Query<PageQuery>,
) -> Result<Json<ReferralPage>, ApiError> {
    let page = state.market.earnings.referrals(me.user_id, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(ReferralPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}

#[utoipa::path(
    get, path = "/api/v1/commissions", operation_id = "listCommissions", tag = "market",
    summary = "My commissions, newest first",
    security(("customerBearer" = [])),
    params(CommissionQuery),
    responses((status = 200, description = "One page", body = CommissionPage))
)]
pub async fn list_commissions(
    State(state): State<AppState>,
    Customer(me): Customer,
    Query(q): Query<CommissionQuery>,
) -> Result<Json<CommissionPage>, ApiError> {
    let status = status_filter(params::present(q.status).as_deref())?;
    let filter = Filter { beneficiary_id: Some(me.user_id), referee_id: None, status };
    let page = state.market.earnings.commissions(&filter, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(CommissionPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}

#[utoipa::path(
    post, path = "/api/v1/commissions/withdraw", operation_id = "withdrawCommission", tag = "market",
    summary = "Withdraw available commission to my wallet",
    description = "Appears in my commission balance and my wallet ledger (`commission_withdrawal`) at once. Requires `Idempotency-Key`.",
    security(("customerBearer" = [])),
    request_body = WithdrawCommissionRequest,
    responses(
        (status = 200, description = "Withdrawn", body = CommissionWithdrawn),
        (status = 403, description = "affiliate_disabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "insufficient_commission", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "validation_failed", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
pub async fn withdraw_commission(
    State(state): State<AppState>,
    Customer(me): Customer,
    RequestKey(key): RequestKey,
    JsonBody(req): JsonBody<WithdrawCommissionRequest>,
) -> Result<Json<CommissionWithdrawn>, ApiError> {
    let amount = withdraw_amount(req.amount)?;
    let w = state.market.earnings.withdraw(me.user_id, amount, key.as_deref()).await?;
    let currency = w.wallet.currency.clone();
    Ok(Json(CommissionWithdrawn { withdrawn: Money::new(w.amount, &currency), wallet: w.wallet.into() }))
}
