//! Coupons for staff (tag `catalog`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use helium_domain::shop::commands::{CouponFields, CouponInput, CouponPatch};
use helium_domain::shop::model as m;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Audited;
use crate::rest::shop::dto::wire;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Coupon {
    pub id: Uuid,
    /// Upper case; customers type it in any case.
    pub code: String,
    /// `percentage` or `fixed`.
    pub discount_type: String,
    /// `percentage`: the share taken off as a decimal string in (0, 1], e.g. "0.15".
    pub rate: Option<String>,
    /// `fixed`: minor units taken off.
    pub amount: Option<i64>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// null = no overall limit.
    pub max_uses: Option<i32>,
    pub max_uses_per_user: i32,
    /// Minimum order subtotal in minor units.
    pub min_amount: Option<i64>,
    /// Empty = every product.
    pub product_ids: Vec<Uuid>,
    pub active: bool,
    /// Live uses (orders not cancelled).
    pub uses: i32,
    /// Once used, a coupon can no longer be deleted.
    pub ever_used: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<m::Coupon> for Coupon {
    fn from(c: m::Coupon) -> Self {
        Self {
            id: c.id,
            code: c.code,
            discount_type: wire(&c.discount_type),
            rate: c.rate.map(|r| r.normalize().to_string()),
            amount: c.amount,
            starts_at: c.starts_at,
            ends_at: c.ends_at,
            max_uses: c.max_uses,
            max_uses_per_user: c.max_uses_per_user,
            min_amount: c.min_amount,
            product_ids: c.product_ids,
            active: c.active,
            uses: c.uses,
            ever_used: c.ever_used,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CouponPage {
    pub items: Vec<Coupon>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CouponQuery {
    pub active: Option<bool>,
    /// Part of the code.
    pub q: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CouponCreateRequest {
    /// 3–64 letters, digits, `-` or `_`.
    pub code: String,
    /// `percentage` or `fixed`.
    pub discount_type: String,
    /// `percentage` only: decimal string in (0, 1].
    pub rate: Option<String>,
    /// `fixed` only: minor units taken off.
    pub amount: Option<i64>,
    /// Default: now.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: DateTime<Utc>,
    pub max_uses: Option<i32>,
    /// Default 1.
    pub max_uses_per_user: Option<i32>,
    pub min_amount: Option<i64>,
    #[serde(default)]
    pub product_ids: Vec<Uuid>,
    /// Default true.
    pub active: Option<bool>,
}

/// Absent = unchanged; `max_uses: null` removes the overall limit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CouponUpdateRequest {
    pub active: Option<bool>,
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::rest::auth::dto::double_option")]
    #[schema(value_type = Option<i32>)]
    pub max_uses: Option<Option<i32>>,
    pub max_uses_per_user: Option<i32>,
}

const PROBLEM: &str = "application/problem+json";

#[utoipa::path(
    get, path = "/api/v1/admin/coupons", operation_id = "adminListCoupons", tag = "catalog",
    summary = "Coupons, newest first",
    params(CouponQuery),
    responses((status = 200, description = "One page", body = CouponPage))
)]
pub async fn admin_list_coupons(
    State(state): State<AppState>,
    Query(q): Query<CouponQuery>,
) -> Result<Json<CouponPage>, ApiError> {
    let page = state.shop.coupons.page(q.active, q.q.as_deref(), q.cursor.as_deref(), q.limit).await?;
    Ok(Json(CouponPage { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/coupons", operation_id = "adminCreateCoupon", tag = "catalog",
    summary = "Create a coupon",
    request_body = CouponCreateRequest,
    responses(
        (status = 201, description = "Created", body = Coupon),
        (status = 409, description = "coupon_code_taken", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_create_coupon(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    JsonBody(req): JsonBody<CouponCreateRequest>,
) -> Result<(StatusCode, Json<Coupon>), ApiError> {
    let fields = CouponFields {
        code: &req.code,
        discount_type: &req.discount_type,
        rate: req.rate.as_deref(),
        amount: req.amount,
        starts_at: req.starts_at,
        ends_at: Some(req.ends_at),
        max_uses: req.max_uses,
        max_uses_per_user: req.max_uses_per_user,
        min_amount: req.min_amount,
        product_ids: &req.product_ids,
        active: req.active,
    };
    let cmd = CouponInput::new(fields, Utc::now())?;
    Ok((StatusCode::CREATED, Json(state.shop.coupons.create(&actor, &cmd).await?.into())))
}

#[utoipa::path(
    get, path = "/api/v1/admin/coupons/{id}", operation_id = "adminGetCoupon", tag = "catalog",
    summary = "One coupon with its use count",
    params(("id" = Uuid, Path, description = "Coupon id")),
    responses((status = 200, description = "The coupon", body = Coupon))
)]
pub async fn admin_get_coupon(State(state): State<AppState>, Path(id): Path<Uuid>) -> Result<Json<Coupon>, ApiError> {
    Ok(Json(state.shop.coupons.get(id).await?.into()))
}

#[utoipa::path(
    patch, path = "/api/v1/admin/coupons/{id}", operation_id = "adminUpdateCoupon", tag = "catalog",
    summary = "Switch a coupon on or off, or change its end and limits",
    params(("id" = Uuid, Path, description = "Coupon id")),
    request_body = CouponUpdateRequest,
    responses(
        (status = 200, description = "Updated", body = Coupon),
        (status = 409, description = "coupon_in_use (a limit below the uses already made)", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_update_coupon(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<CouponUpdateRequest>,
) -> Result<Json<Coupon>, ApiError> {
    let cmd = CouponPatch {
        active: req.active,
        ends_at: req.ends_at,
        max_uses: req.max_uses,
        max_uses_per_user: req.max_uses_per_user,
    }
    .check()?;
    Ok(Json(state.shop.coupons.update(&actor, id, &cmd).await?.into()))
}

#[utoipa::path(
    delete, path = "/api/v1/admin/coupons/{id}", operation_id = "adminDeleteCoupon", tag = "catalog",
    summary = "Delete a coupon that was never used",
    params(("id" = Uuid, Path, description = "Coupon id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "coupon_in_use (deactivate it instead)", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_delete_coupon(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.shop.coupons.delete(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
