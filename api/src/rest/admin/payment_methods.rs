//! Gateway accounts (SuperAdmin, tag `orders`): the merchant key goes in, never comes out.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use helium_domain::DomainError;
use helium_domain::shop::commands::{PaymentMethodInput, PaymentMethodPatch};
use helium_domain::shop::model as m;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::http::json::JsonBody;
use crate::http::problem::{ApiError, ProblemBody};
use crate::http::staff::Audited;
use crate::rest::shop::dto::PageQuery;
use crate::state::AppState;

/// A gateway account. The merchant key is write-only: it is never part of a response.
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentMethod {
    pub id: Uuid,
    /// `epay`.
    pub kind: String,
    pub name: String,
    /// `alipay`, `wxpay`, `usdt`…
    pub channel: String,
    /// Gateway base URL (without `/submit.php`).
    pub url: String,
    /// Merchant id.
    pub pid: String,
    pub enabled: bool,
    pub sort: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<m::PaymentMethod> for PaymentMethod {
    fn from(p: m::PaymentMethod) -> Self {
        Self {
            id: p.id,
            kind: p.kind,
            name: p.name,
            channel: p.channel,
            url: p.url,
            pid: p.pid,
            enabled: p.enabled,
            sort: p.sort,
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentMethodPage {
    pub items: Vec<PaymentMethod>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentMethodCreateRequest {
    /// `epay` (the only gateway protocol today).
    pub kind: String,
    pub name: String,
    pub channel: String,
    /// https gateway base URL (plain http only on this machine).
    pub url: String,
    pub pid: String,
    /// The merchant key (8–256 characters); sealed at rest, never returned.
    pub key: String,
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub sort: i32,
}

/// Absent = unchanged; `key` rotates the merchant key.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentMethodUpdateRequest {
    pub name: Option<String>,
    pub channel: Option<String>,
    pub url: Option<String>,
    pub pid: Option<String>,
    pub key: Option<String>,
    pub enabled: Option<bool>,
    pub sort: Option<i32>,
}

const PROBLEM: &str = "application/problem+json";

#[utoipa::path(
    get, path = "/api/v1/admin/payment-methods", operation_id = "adminListPaymentMethods", tag = "orders",
    summary = "Gateway accounts (keys never shown)",
    params(PageQuery),
    responses((status = 200, description = "One page", body = PaymentMethodPage))
)]
pub async fn admin_list_payment_methods(
    State(state): State<AppState>,
    Query(q): Query<PageQuery>,
) -> Result<Json<PaymentMethodPage>, ApiError> {
    let page = state.shop.methods.page(false, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(PaymentMethodPage {
        items: page.items.into_iter().map(Into::into).collect(),
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(
    post, path = "/api/v1/admin/payment-methods", operation_id = "adminCreatePaymentMethod", tag = "orders",
    summary = "Add a gateway account",
    request_body = PaymentMethodCreateRequest,
    responses(
        (status = 201, description = "Created (without the key)", body = PaymentMethod),
        (status = 422, description = "validation_failed; url_not_allowed", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_create_payment_method(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    JsonBody(req): JsonBody<PaymentMethodCreateRequest>,
) -> Result<(StatusCode, Json<PaymentMethod>), ApiError> {
    if req.kind != "epay" {
        return Err(DomainError::field("kind", "invalid_enum", "epay").into());
    }
    let cmd = PaymentMethodInput::new(&req.name, &req.channel, &req.url, &req.pid, &req.key, req.enabled, req.sort)?;
    Ok((StatusCode::CREATED, Json(state.shop.methods.create(&actor, &cmd).await?.into())))
}

#[utoipa::path(
    patch, path = "/api/v1/admin/payment-methods/{id}", operation_id = "adminUpdatePaymentMethod", tag = "orders",
    summary = "Change or re-key a gateway account",
    params(("id" = Uuid, Path, description = "Payment method id")),
    request_body = PaymentMethodUpdateRequest,
    responses(
        (status = 200, description = "Updated (without the key)", body = PaymentMethod),
        (status = 422, description = "validation_failed; url_not_allowed", body = ProblemBody, content_type = PROBLEM),
    )
)]
pub async fn admin_update_payment_method(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
    JsonBody(req): JsonBody<PaymentMethodUpdateRequest>,
) -> Result<Json<PaymentMethod>, ApiError> {
    let cmd = PaymentMethodPatch {
        name: req.name,
        channel: req.channel,
        url: req.url,
        pid: req.pid,
        key: req.key,
        enabled: req.enabled,
        sort: req.sort,
    }
    .check()?;
    Ok(Json(state.shop.methods.update(&actor, id, &cmd).await?.into()))
}

#[utoipa::path(
    delete, path = "/api/v1/admin/payment-methods/{id}", operation_id = "adminDisablePaymentMethod", tag = "orders",
    summary = "Disable a gateway account (kept for the orders that used it)",
    params(("id" = Uuid, Path, description = "Payment method id")),
    responses((status = 204, description = "Disabled"))
)]
pub async fn admin_disable_payment_method(
    State(state): State<AppState>,
    Audited { actor, .. }: Audited,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    state.shop.methods.disable(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
